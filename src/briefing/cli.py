"""The ``briefing`` command: brief, batch, download, serve.

Only this module configures logging and turns errors into one-line messages. Exit codes:
0 success, 1 some work failed, 2 bad input or usage, 3 model missing or unloadable,
4 network/download failure, 130 interrupted.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from .errors import BriefingError, InputError

log = logging.getLogger("briefing")


def _read_input(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    from .reader import read_article

    return read_article(Path(source)).text


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by every command that briefs articles."""
    from .summarize import LENGTHS
    from .translate import SCRIPTS

    parser.add_argument("--length", choices=tuple(LENGTHS), default="medium")
    parser.add_argument("--script", choices=SCRIPTS, default="simplified")
    parser.add_argument("--summarizer", help="model id or folder (default $BRIEFING_SUMMARIZER)")
    parser.add_argument("--translator", help="model id or folder (default $BRIEFING_TRANSLATOR)")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:1 …")
    parser.add_argument(
        "--backend", default="auto", choices=("auto", "transformers", "ctranslate2")
    )
    parser.add_argument("--threads", type=int, help="CPU threads for the models")
    parser.add_argument("--max-chars", type=int, default=100_000, help="input size limit")


def _pipeline(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from .pipeline import Pipeline

    return Pipeline(
        args.summarizer,
        args.translator,
        device=args.device,
        backend=args.backend,
        threads=args.threads,
    )


def _run_options(args: argparse.Namespace) -> dict[str, object]:
    return {"length": args.length, "script": args.script, "max_chars": args.max_chars}


def cmd_brief(args: argparse.Namespace) -> int:
    text = _read_input(args.file)
    brief = _pipeline(args).run(text, **_run_options(args))
    if args.json:
        print(brief.to_json(indent=2))
    else:
        print(brief.summary)
        print()
        print(brief.translation)
    return 0


def cmd_download(args: argparse.Namespace) -> int:
    from .models import default_summarizer, default_translator, download

    names = args.models or [default_summarizer(), default_translator()]
    for name in names:
        path = download(name, progress=not args.quiet)
        print(f"{name} -> {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefing", description="English news article -> English and Chinese brief."
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    parser.add_argument("-q", "--quiet", action="store_true", help="errors only, no progress")
    sub = parser.add_subparsers(dest="command", required=True)

    brief = sub.add_parser("brief", help="brief one article (a file, or - for stdin)")
    brief.add_argument("file", help="article file (.txt/.md/.html) or - for standard input")
    brief.add_argument("--json", action="store_true", help="print the whole result as JSON")
    _add_run_options(brief)
    brief.set_defaults(func=cmd_brief)

    download = sub.add_parser("download", help="fetch models into models/ (needs internet)")
    download.add_argument("models", nargs="*", help="model ids (default: the two defaults)")
    download.set_defaults(func=cmd_download)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = (
        logging.WARNING
        if args.quiet
        else (
            logging.DEBUG if args.verbose > 1 else logging.INFO if args.verbose else logging.WARNING
        )
    )
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("briefing: interrupted", file=sys.stderr)
        return 130
    except BriefingError as exc:
        print(f"briefing: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        print(f"briefing: error: {exc.strerror}: {exc.filename}", file=sys.stderr)
        return InputError.exit_code


if __name__ == "__main__":
    sys.exit(main())
