"""What every subcommand shares: the -q/-v flags, model and brief options, input reading."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..pipeline import Pipeline
    from ..settings import ModelChoice


def verbosity_parent() -> argparse.ArgumentParser:
    """-q/-v accepted after a subcommand too; SUPPRESS keeps what was given before it."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("output verbosity")
    group.add_argument(
        "-v", "--verbose", action="count", default=argparse.SUPPRESS, help="more log output"
    )
    group.add_argument(
        "-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
        help="errors only, no progress",
    )
    return parent


def read_input(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    from ..reader import read_article

    return read_article(Path(source)).text


def add_model_options(parser: argparse.ArgumentParser) -> None:
    """Which models to load and how (the fields of ``ModelChoice``)."""
    parser.add_argument(
        "--summarizer",
        help="model id or folder, or extractive / lead for no model (default "
        "$BRIEFING_SUMMARIZER)",
    )
    parser.add_argument("--translator", help="model id or folder (default $BRIEFING_TRANSLATOR)")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:1 …")
    parser.add_argument(
        "--backend", default="auto", choices=("auto", "transformers", "ctranslate2")
    )
    parser.add_argument("--threads", type=int, help="CPU threads for the models")
    parser.add_argument(
        "--compute-type", help="CTranslate2 compute type (default int8 on CPU, int8_float16 on GPU)"
    )


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by every command that briefs articles: models, then the brief."""
    from ..summarizer import LENGTHS
    from ..translate import SCRIPTS

    add_model_options(parser)
    parser.add_argument("--length", choices=tuple(LENGTHS), default="medium")
    parser.add_argument("--script", choices=SCRIPTS, default="simplified")
    parser.add_argument("--max-chars", type=int, default=100_000, help="input size limit")
    parser.add_argument(
        "--glossary",
        metavar="FILE",
        help="fixed Chinese renderings: CSV/TSV with english,chinese columns, or YAML",
    )
    parser.add_argument(
        "--sentences",
        type=int,
        help="sentences kept by --summarizer extractive/lead (default: by --length)",
    )


def model_choice(args: argparse.Namespace) -> ModelChoice:
    from ..settings import ModelChoice

    return ModelChoice(**{name: getattr(args, name) for name in ModelChoice.field_names()})


def pipeline(args: argparse.Namespace) -> Pipeline:
    from ..pipeline import Pipeline

    return Pipeline.from_choice(model_choice(args))


def run_options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "length": args.length,
        "script": args.script,
        "max_chars": args.max_chars,
        "glossary": args.glossary,
        "sentences": args.sentences,
    }
