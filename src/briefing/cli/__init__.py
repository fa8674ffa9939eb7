"""The ``briefing`` command: one module per subcommand, each with ``add_parser`` and ``run``.

Only this package configures logging and turns errors into one-line messages. Exit codes:
0 success, 1 some work failed, 2 bad input or usage, 3 model or device missing or
unloadable, 4 network/download failure, 5 output cannot be written, 130 interrupted.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from ..errors import BriefingError, InputError
from . import batch, brief, convert, download, evaluate, models, serve, translate
from .common import HelpFormatter, verbosity_parent
from .common import run_options as _run_options

__all__ = ["build_parser", "main"]

# Kept importable for callers of the single-module CLI (tests, scripts).
_ = _run_options

log = logging.getLogger("briefing")

SUBCOMMANDS = (brief, translate, batch, download, models, convert, serve, evaluate)
# Loggers of libraries that talk on their own: quiet unless -v.
_CHATTY = ("transformers", "huggingface_hub", "httpx", "httpcore", "urllib3", "filelock",
           "gradio", "ray", "ctranslate2", "torch", "py.warnings")


def _quiet_libraries() -> None:
    """Keep the terminal for briefs and one-line errors: no model-loading bars or notices."""
    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
    try:
        from huggingface_hub.utils import disable_progress_bars
    except ImportError:  # pragma: no cover - huggingface_hub comes with transformers
        pass
    else:
        disable_progress_bars()
    for name in _CHATTY:
        logging.getLogger(name).setLevel(logging.ERROR)


def _epilog() -> str:
    from ..models import default_summarizer, default_translator

    return (
        "default models (`briefing models` lists them; $BRIEFING_SUMMARIZER and\n"
        "$BRIEFING_TRANSLATOR change them):\n"
        f"  summarizer  {default_summarizer()}\n"
        f"  translator  {default_translator()}\n"
        "\n"
        "examples:\n"
        "  briefing download                      fetch the default models once\n"
        "  briefing brief article.txt             both briefs, flags under them\n"
        "  briefing brief https://… -o b.md --format md\n"
        "  briefing translate article.txt --format md   the whole article, bilingual\n"
        "  briefing batch articles/ --out briefs/\n"
        "\n"
        "`briefing COMMAND --help` shows each command's options and examples.\n"
        "exit codes: 0 ok, 1 some work failed, 2 bad input or usage, 3 model or device,\n"
        "4 network, 5 output not written, 130 interrupted"
    )


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="briefing",
        description="English news article -> short English brief + faithful Chinese brief.",
        epilog=_epilog(),
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"briefing {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more log output (-vv: debug; default: "
        "warnings and errors)"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="errors only, no progress")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    parents = [verbosity_parent()]
    for module in SUBCOMMANDS:
        module.add_parser(sub, parents)
    return parser


def _configure_logging(args: argparse.Namespace) -> None:
    if args.quiet:
        level = logging.ERROR  # -q: errors only
    else:
        level = logging.DEBUG if args.verbose > 1 else logging.INFO if args.verbose else (
            logging.WARNING
        )
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(level)
    logging.captureWarnings(True)  # library warnings go through logging (quiet unless -v)
    if args.verbose == 0:
        _quiet_libraries()


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(args)
    try:
        code: int = args.func(args)
        return code
    except KeyboardInterrupt:
        print("briefing: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (| head) went away: nothing more to say, and no second error at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except BriefingError as exc:
        print(f"briefing: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # the input file: missing, a folder, unreadable, a symlink loop
        where = f": {exc.filename}" if exc.filename else ""
        print(f"briefing: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return InputError.exit_code
    except MemoryError:
        print("briefing: error: out of memory: brief a shorter text", file=sys.stderr)
        return 1
