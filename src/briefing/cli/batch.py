"""``briefing batch``: every article file in a folder, or every URL of a list (resumable)."""

from __future__ import annotations

import argparse
import sys

from .common import add_run_options, model_choice, run_options, subcommand


def add_parser(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    batch = subcommand(
        sub,
        "batch",
        parents,
        help="brief every article file in a folder, or every URL of a list (resumable)",
        description="Brief every .txt/.md/.html file under INPUT_DIR (or every URL listed in "
        "--urls FILE) into --out: briefs.jsonl (one record per article), a Markdown brief "
        "per article, optional CSV, and with --digest one page to read (digest.md, "
        "digest.html). Re-running skips articles already briefed with the same content, "
        "options and models. Exit codes: 0 all done, 1 some articles failed, 2 bad input "
        "(no article files, --out is the input folder), 5 the output folder cannot be "
        "written (disk full: free space and run the same command), 130 interrupted.",
        examples=[
            "briefing batch articles/ --out briefs/",
            "briefing batch articles/ --out briefs/ --digest --format jsonl,md,csv",
            "briefing batch --urls links.txt --out today/ --digest --translate-article",
            "briefing batch articles/ --out briefs/ --engine ray --num-workers 2",
        ],
    )
    source = batch.add_argument_group("input")
    source.add_argument(
        "input_dir", nargs="?", help="folder of article files (searched recursively)"
    )
    source.add_argument(
        "--urls",
        metavar="FILE",
        help="brief the URLs listed in FILE instead (one a line, # comments)",
    )
    source.add_argument(
        "--glob",
        action="append",
        metavar="PATTERN",
        help="file pattern, repeatable (default: *.txt *.md *.html *.htm)",
    )
    output = batch.add_argument_group("output")
    output.add_argument("--out", required=True, help="output folder (created if missing)")
    output.add_argument(
        "--format", default="jsonl,md", help="jsonl,md,csv (jsonl is always written)"
    )
    output.add_argument("--force", action="store_true", help="redo files already briefed")
    output.add_argument(
        "--digest",
        action="store_true",
        help="also write digest.md and digest.html: every article on one page",
    )
    output.add_argument(
        "--translate-article",
        action="store_true",
        help="add the whole article in Chinese, sentence by sentence, to each record and .md",
    )
    # --quiet here is the global -q/--quiet (from the parents): one meaning everywhere.
    add_run_options(batch)
    engine = batch.add_argument_group("batch engine")
    engine.add_argument(
        "--batch-size", type=int, default=8, metavar="N", help="articles per model batch"
    )
    engine.add_argument(
        "--engine", choices=("local", "ray"), default="local", help="ray needs briefing[ray]"
    )
    engine.add_argument("--address", help="Ray cluster: auto or ray://host:10001 (default: local)")
    engine.add_argument("--num-workers", type=int, default=1, metavar="N", help="Ray model workers")
    engine.add_argument(
        "--gpus-per-worker", type=float, default=0.0, metavar="G", help="GPUs per Ray model worker"
    )
    batch.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..batch import summarize_folder
    from ..errors import OutputError

    try:
        report = summarize_folder(
            args.input_dir,
            args.out,
            options=run_options(args),
            models=model_choice(args),
            batch={
                "patterns": args.glob or None,
                "batch_size": args.batch_size,
                "formats": args.format,
                "force": args.force,
                # A bar for a person at a terminal; logs and pipes get the table only.
                "progress": not args.quiet and sys.stderr.isatty(),
                "engine": args.engine,
                "address": args.address,
                "num_workers": args.num_workers,
                "gpus_per_worker": args.gpus_per_worker,
                "urls": args.urls,
                "digest": args.digest,
                "translate_article": args.translate_article,
            },
        )
    except OutputError as exc:
        if exc.report is not None:  # what was done before the disk failed; then the message
            print(exc.report.table())  # type: ignore[attr-defined]
        raise
    print(report.table())
    if report.interrupted:
        return 130
    return 0 if report.ok else 1
