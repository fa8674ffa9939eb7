"""``briefing serve``: the web UI."""

from __future__ import annotations

import argparse
import sys

from .common import add_model_options, model_choice


def add_parser(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    serve = sub.add_parser(
        "serve",
        parents=parents,
        help="start the web UI (login from $BRIEFING_AUTH=user:password)",
        description="Start the web UI. Set BRIEFING_AUTH=user:password to require a login.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    serve.add_argument(
        "--share", action="store_true", help="also publish a public gradio.live link (off)"
    )
    add_model_options(serve)
    serve.add_argument(
        "--concurrency",
        type=int,
        help="requests worked on at once (default 2; model calls are serialised anyway)",
    )
    serve.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import os

    from .. import web
    from ..errors import ConfigError

    auth = web.parse_auth(os.environ.get("BRIEFING_AUTH"))
    for warning in web.security_warnings(args.host, args.share, auth):
        print(f"briefing: warning: {warning}", file=sys.stderr)
    choice = model_choice(args)
    pipeline, error = web.load_pipeline(choice)
    if error is not None:
        print(f"briefing: warning: starting without models: {error}", file=sys.stderr)
    app = web.build_app(
        pipeline,
        error,
        concurrency_limit=args.concurrency or web.CONCURRENCY_LIMIT,
        choice=choice,  # the page lists every missing model of this choice
    )
    try:
        web.launch(app, host=args.host, port=args.port, share=args.share, auth=auth)
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on {args.host}:{args.port} ({exc}): pick another --port"
        ) from exc
    return 0
