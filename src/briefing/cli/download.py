"""``briefing download``: fetch missing models into the models folder."""

from __future__ import annotations

import argparse
import logging
import sys

from ..errors import BriefingError
from .common import subcommand


def add_parser(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    download = subcommand(
        sub,
        "download",
        parents,
        help="fetch missing models into the models folder (needs internet)",
        description="Fetch models from the Hugging Face hub into the models folder "
        "(`briefing models` shows where) and convert them to CTranslate2 int8, the fast "
        "CPU engine. Models already there are only checked.",
        examples=[
            "briefing download",
            "briefing download Helsinki-NLP/opus-mt-en-zh",
            "BRIEFING_MODELS_DIR=/data/models briefing download --no-convert",
        ],
    )
    download.add_argument("models", nargs="*", help="model ids (default: the two defaults)")
    download.add_argument(
        "--no-convert", action="store_true", help="skip the CTranslate2 int8 conversion"
    )
    download.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .. import download as fetching
    from ..errors import DownloadError, ModelLoadError
    from ..models import (
        convert,
        default_summarizer,
        default_translator,
        describe,
        find_converted,
        models_dir,
        models_dir_description,
        resolve_model,
    )

    # The one-line error below says what failed; huggingface_hub's own warnings would repeat it.
    logging.getLogger("huggingface_hub").setLevel(logging.ERROR)
    # main() turned library bars off for briefs; a download on a terminal wants its bar (on
    # a pipe or a log file a bar is only noise: the lines below say what is fetched).
    if not args.quiet and sys.stderr.isatty():
        from huggingface_hub.utils import enable_progress_bars

        enable_progress_bars()
    say = (lambda _line: None) if args.quiet else (lambda line: print(line, flush=True))
    names = args.models or [default_summarizer(), default_translator()]
    say(f"models folder: {models_dir()} ({models_dir_description()})")

    def announce(plan: fetching.DownloadPlan) -> None:
        size = fetching.human_size(plan.size_bytes)
        say(f"fetching {plan.name}: {len(plan.files)} files, {size} -> {plan.target}")

    failed = 0
    for index, name in enumerate(names):
        try:
            ref = resolve_model(name)
        except BriefingError:
            try:
                fetching.download(name, progress=not args.quiet, on_plan=announce)
            except fetching.HubUnreachableError as exc:  # the rest would fail the same way
                rest = ", ".join(repr(n) for n in names[index:])
                print(f"briefing: error: could not download {rest}: {exc}", file=sys.stderr)
                return exc.exit_code
            except (DownloadError, ModelLoadError) as exc:  # another model may still work
                print(f"briefing: error: could not download {name!r}: {exc}", file=sys.stderr)
                failed += 1
                continue
            ref = resolve_model(name)
        if not args.no_convert and find_converted(ref) is None:
            # The fast CPU engine; `--no-convert` keeps transformers only.
            say(f"converting {name} to CTranslate2 int8")
            try:
                convert(ref.path)
            except BriefingError as exc:  # the download itself is fine: transformers runs it
                print(f"briefing: warning: {exc}; using transformers for it", file=sys.stderr)
        status = describe(name)
        engines = ", ".join(status.engines)
        size = fetching.human_size(status.size_bytes)
        say(f"{name}: ready in {status.path} ({size}; {engines})")
    return DownloadError.exit_code if failed else 0
