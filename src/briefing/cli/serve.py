"""``briefing serve``: the web UI."""

from __future__ import annotations

import argparse
import sys

from ..settings import MAX_CONCURRENCY, ModelChoice, ServeSettings
from .common import add_model_options, model_choice, subcommand


def add_parser(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    serve = subcommand(
        sub,
        "serve",
        parents,
        help="start the web UI (login from $BRIEFING_AUTH=user:password)",
        description="Start the web UI. Set BRIEFING_AUTH=user:password to require a login; "
        "BRIEFING_ALLOW_PRIVATE_URLS=1 lets its link box fetch private addresses.",
        examples=[
            "briefing serve",
            "BRIEFING_AUTH=ann:s3cret briefing serve --host 0.0.0.0 --port 8080",
            "briefing serve --summarizer lead --concurrency 4",
        ],
    )
    listen = serve.add_argument_group("server")
    listen.add_argument("--host", default="127.0.0.1", help="address to bind")
    listen.add_argument("--port", type=int, default=7860, help="port (1-65535)")
    listen.add_argument(
        "--share", action="store_true", help="also publish a public gradio.live link"
    )
    listen.add_argument(
        "--concurrency",
        type=int,
        metavar="N",
        help=f"requests worked on at once, 1-{MAX_CONCURRENCY} (default 2; model calls are "
        "serialised anyway)",
    )
    add_model_options(serve)
    serve.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import os

    from .. import web
    from ..errors import ConfigError

    # Every value is checked before anything loads: the same checks the web package uses.
    settings = ServeSettings(
        host=args.host, port=args.port, share=args.share, concurrency=args.concurrency
    )
    choice = model_choice(args)
    auth = web.parse_auth(os.environ.get("BRIEFING_AUTH"))
    for warning in web.security_warnings(args.host, args.share, auth):
        print(f"briefing: warning: {warning}", file=sys.stderr)
    pipeline, error = web.load_pipeline(choice)
    if error is not None:
        print(
            f"briefing: warning: starting without models: {_missing(choice, error)}",
            file=sys.stderr,
        )
    app = web.build_app(
        pipeline,
        error,
        concurrency_limit=settings.concurrency or web.CONCURRENCY_LIMIT,
        choice=choice,  # the page lists every missing model of this choice
    )
    try:
        # Quiet: Gradio's own banner speaks of `launch()` arguments, not of briefing's flags.
        web.launch(
            app,
            host=args.host,
            port=args.port,
            share=args.share,
            auth=auth,
            block=False,
            quiet=True,
        )
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on {args.host}:{args.port} (the port is in use or not allowed): "
            f"pick another port, e.g. --port {8080 if args.port != 8080 else 8081}"
        ) from exc
    print(f"briefing: serving on {app.local_url} (Ctrl-C stops it)", file=sys.stderr)
    share_url: str | None = getattr(app, "share_url", None)  # typed None by Gradio until launch
    if args.share and share_url:
        print(f"briefing: public link: {share_url}", file=sys.stderr)
    app.block_thread()
    return 0


def _missing(choice: ModelChoice, error: Exception) -> str:
    """Every missing model and the one command that fetches them (as the page says)."""
    from ..models import fetch_command, model_status

    chosen = choice.resolved()
    assert chosen.summarizer is not None and chosen.translator is not None
    missing = [
        s.name for s in model_status(chosen.summarizer, chosen.translator) if not s.installed
    ]
    if not missing:  # installed but failed to load: the loader's own message says why
        return str(error)
    return f"{', '.join(missing)} not installed: run `{fetch_command(missing)}`"
