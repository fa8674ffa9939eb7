"""``briefing translate``: the whole article in Chinese, sentence by sentence."""

from __future__ import annotations

import argparse

from .common import (
    StageProgress,
    add_brief_options,
    add_model_options,
    add_output_options,
    add_source_argument,
    pipeline,
    read_source,
    subcommand,
    write_output,
)


def add_parser(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    translate = subcommand(
        sub,
        "translate",
        parents,
        help="translate a whole article into Chinese (a file, a URL, or -)",
        description="Translate the whole cleaned article into Chinese, sentence-aligned. "
        "--format md gives a bilingual page, paragraph by paragraph; text gives the "
        "Chinese alone; json everything (sentence pairs, flags, timings).",
        examples=[
            "briefing translate article.txt",
            "briefing translate https://example.com/news/story --format md -o story.zh.md",
            "cat article.html | briefing translate - --script traditional --json",
        ],
    )
    add_source_argument(translate)
    add_output_options(translate, "the Chinese translation")
    add_model_options(translate, summarizer=False)
    add_brief_options(translate, summary=False)
    # No summary here: "lead" needs no model, so only the translator loads.
    translate.set_defaults(func=run, summarizer="lead")


def run(args: argparse.Namespace) -> int:
    progress = StageProgress.for_args(args)
    source, _where = read_source(args.file, progress)
    pipe = pipeline(args, progress)
    progress.note("cleaning")
    options = {"script": args.script, "glossary": args.glossary, "max_chars": args.max_chars}
    try:
        result = pipe.translate_article(source, progress=progress, **options)
    finally:
        progress.close()
    if args.format == "json":
        content = result.to_json(indent=2)
    elif args.format == "md":
        content = result.to_markdown()
    else:
        content = result.to_text()
    write_output(content, args.output)
    return 0
