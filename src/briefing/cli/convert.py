"""``briefing convert``: local models to CTranslate2 (no internet needed)."""

from __future__ import annotations

import argparse

from ..models import QUANTIZATIONS
from .common import subcommand


def add_parser(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    convert = subcommand(
        sub,
        "convert",
        parents,
        help="convert local models to CTranslate2 (the fast engine; no internet needed)",
        description="Convert local Hugging Face models to CTranslate2 into <folder>/ct2-<type>/.",
        examples=[
            "briefing convert Helsinki-NLP/opus-mt-en-zh",
            "briefing convert ./my-model --quantization float16 --force",
        ],
    )
    convert.add_argument("models", nargs="+", help="model folders or ids found locally")
    convert.add_argument(
        "--quantization",
        default="int8",
        metavar="TYPE",
        help="weight type, one of: " + ", ".join(QUANTIZATIONS),
    )
    convert.add_argument("--force", action="store_true", help="convert again if converted")
    convert.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..models import convert

    for name in args.models:
        target = convert(name, quantization=args.quantization, force=args.force)
        print(f"{name} -> {target}")
    return 0
