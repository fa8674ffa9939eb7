"""``briefing brief``: one article (a file, or - for stdin) to its two briefs."""

from __future__ import annotations

import argparse

from .common import add_run_options, pipeline, read_input, run_options


def add_parser(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    brief = sub.add_parser(
        "brief", parents=parents, help="brief one article (a file, or - for stdin)"
    )
    brief.add_argument("file", help="article file (.txt/.md/.html) or - for standard input")
    brief.add_argument("--json", action="store_true", help="print the whole result as JSON")
    add_run_options(brief)
    brief.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    text = read_input(args.file)
    brief = pipeline(args).run(text, **run_options(args))
    if args.json:
        print(brief.to_json(indent=2))
    else:
        print(brief.summary)
        print()
        print(brief.translation)
        if brief.flags:
            from ..trust import format_flags

            print("---")
            print(f"Flags ({len(brief.flags)}): facts to check before publishing")
            for line in format_flags(brief.flags):
                print(f"  {line}")
    return 0
