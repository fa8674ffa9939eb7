"""``briefing batch``: every article file in a folder (resumable)."""

from __future__ import annotations

import argparse

from .common import add_run_options, model_choice, run_options


def add_parser(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    batch = sub.add_parser(
        "batch",
        parents=parents,
        help="brief every article file in a folder (resumable)",
        description="Brief every .txt/.md/.html file under INPUT_DIR into OUTPUT_DIR: "
        "briefs.jsonl (one record per file), a Markdown brief per article, optional CSV. "
        "Re-running skips files already briefed with the same options and models.",
    )
    batch.add_argument("input_dir", help="folder of article files (searched recursively)")
    batch.add_argument("--out", required=True, help="output folder (created if missing)")
    batch.add_argument(
        "--glob",
        action="append",
        help="file pattern, repeatable (default *.txt *.md *.html *.htm)",
    )
    batch.add_argument(
        "--batch-size", type=int, default=8, help="articles per model batch (default 8)"
    )
    batch.add_argument(
        "--format", default="jsonl,md", help="jsonl,md,csv (jsonl is always written)"
    )
    batch.add_argument("--force", action="store_true", help="redo files already briefed")
    # --quiet here is the global -q/--quiet (from the parents): one meaning everywhere.
    batch.add_argument(
        "--engine", choices=("local", "ray"), default="local", help="ray needs briefing[ray]"
    )
    batch.add_argument("--address", help="Ray cluster: auto or ray://host:10001 (default: local)")
    batch.add_argument("--num-workers", type=int, default=1, help="Ray model workers (default 1)")
    batch.add_argument(
        "--gpus-per-worker", type=float, default=0.0, help="GPUs per Ray model worker (default 0)"
    )
    add_run_options(batch)
    batch.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..batch import summarize_folder

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
            "progress": not args.quiet,
            "engine": args.engine,
            "address": args.address,
            "num_workers": args.num_workers,
            "gpus_per_worker": args.gpus_per_worker,
        },
    )
    print(report.table())
    if report.interrupted:
        return 130
    return 0 if report.ok else 1
