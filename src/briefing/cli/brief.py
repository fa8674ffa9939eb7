"""``briefing brief``: one article (a file, a URL, or - for stdin) to its two briefs."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from .common import (
    StageProgress,
    add_output_options,
    add_run_options,
    add_source_argument,
    pipeline,
    read_source,
    run_options,
    subcommand,
    write_output,
)

if TYPE_CHECKING:
    from ..brief import Brief


def add_parser(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    brief = subcommand(
        sub,
        "brief",
        parents,
        help="brief one article (a file, a URL, or - for stdin)",
        description="Brief one English article: a short English brief and a faithful "
        "Chinese brief, with the facts to check listed under them. Progress goes to stderr "
        "when it is a terminal; -v also lists the header lines and the page furniture the "
        "cleaner removed.",
        examples=[
            "briefing brief article.txt",
            "briefing brief https://example.com/news/story --format md -o story.md",
            "pbpaste | briefing brief - --length short --script traditional --json",
        ],
    )
    add_source_argument(brief)
    add_output_options(brief, "the two briefs and the flags")
    add_run_options(brief)
    brief.set_defaults(func=run)


def render(brief: Brief, fmt: str, source: str | None) -> str:
    if fmt == "json":
        return brief.to_json(indent=2)
    if fmt == "md":
        return brief.to_markdown(source=source)
    lines = [brief.summary, "", brief.translation]
    if brief.flags:
        from ..trust import format_flags

        lines += ["---", f"Flags ({len(brief.flags)}): facts to check before publishing"]
        lines += [f"  {line}" for line in format_flags(brief.flags)]
    return "\n".join(lines)


def report_cleaning(brief: Brief) -> None:
    """-v: what the cleaner took as the header and what it removed, on stderr."""
    info = brief.info
    for field in info.header:
        print(f"briefing: header ({field.kind}): {field.text}", file=sys.stderr)
    print(f"briefing: the cleaner removed {len(info.removed)} line(s)", file=sys.stderr)
    for line in info.removed:
        print(f"  [{line.rule}] {line.text}", file=sys.stderr)
    if info.kept_back:
        print(f"briefing: kept back: {info.kept_back}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    progress = StageProgress.for_args(args)
    source, where = read_source(args.file, progress)
    text, title = (source, None) if isinstance(source, str) else (source.text, source.title)
    pipe = pipeline(args, progress)
    progress.note("cleaning")
    try:
        brief = pipe.run_many([text], run_options(args), progress=progress)[0]
    finally:
        progress.close()
    if isinstance(title, str) and title and not brief.title:
        brief.title = title
    if args.verbose:
        report_cleaning(brief)
    write_output(render(brief, args.format, where), args.output)
    return 0
