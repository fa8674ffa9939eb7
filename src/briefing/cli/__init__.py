"""The ``briefing`` command: one module per subcommand, each with ``add_parser`` and ``run``.

Only this package configures logging and turns errors into one-line messages. Exit codes:
0 success, 1 some work failed, 2 bad input or usage, 3 model missing or unloadable,
4 network/download failure, 130 interrupted.
"""

from __future__ import annotations

import argparse
import logging
import sys

from ..errors import BriefingError, InputError
from . import batch, brief, convert, download, evaluate, models, serve
from .common import model_choice as _model_choice
from .common import run_options as _run_options
from .common import verbosity_parent

__all__ = ["build_parser", "main"]

# Kept for callers of the single-module CLI.
_ = (_model_choice, _run_options)

log = logging.getLogger("briefing")

SUBCOMMANDS = (brief, batch, download, models, convert, serve, evaluate)


def _quiet_libraries() -> None:
    """Keep the terminal for briefs and one-line errors: no model-loading bars or notices."""
    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefing", description="English news article -> English and Chinese brief."
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    parser.add_argument("-q", "--quiet", action="store_true", help="errors only, no progress")
    sub = parser.add_subparsers(dest="command", required=True)
    parents = [verbosity_parent()]
    for module in SUBCOMMANDS:
        module.add_parser(sub, parents)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = (
        logging.ERROR  # -q: errors only
        if args.quiet
        else (
            logging.DEBUG if args.verbose > 1 else logging.INFO if args.verbose else logging.WARNING
        )
    )
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if args.verbose == 0:
        _quiet_libraries()
    try:
        code: int = args.func(args)
        return code
    except KeyboardInterrupt:
        print("briefing: interrupted", file=sys.stderr)
        return 130
    except BriefingError as exc:
        print(f"briefing: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        print(f"briefing: error: {exc.strerror}: {exc.filename}", file=sys.stderr)
        return InputError.exit_code
