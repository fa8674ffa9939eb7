"""``briefing eval``: score briefs against reference summaries."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from .common import add_run_options, model_choice, run_options


def add_parser(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    evaluate = sub.add_parser(
        "eval",
        parents=parents,
        help="score briefs against reference summaries (ROUGE, chrF, BLEU, speed)",
        description="Brief each article of DATA.jsonl ({article, summary_zh[, summary_en]} "
        "per line) and score the briefs; --compare runs several configurations.",
    )
    evaluate.add_argument("data", help="JSONL file: article, summary_zh, optional summary_en")
    evaluate.add_argument(
        "--compare",
        action="append",
        default=[],
        metavar="CONFIG",
        help="repeatable: key=value,… with name, summarizer, translator or any brief option, "
        "e.g. name=lead,summarizer=lead,sentences=3",
    )
    evaluate.add_argument("--limit", type=int, help="only the first N articles")
    evaluate.add_argument(
        "--batch-size", type=int, default=8, help="articles per model batch (default 8)"
    )
    evaluate.add_argument("--json", action="store_true", help="print the report as JSON")
    evaluate.add_argument("--out", help="also write the JSON report to this file")
    add_run_options(evaluate)
    evaluate.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..evaluate import EvalConfig, evaluate, load_eval_data

    items = load_eval_data(args.data, limit=args.limit)
    base = EvalConfig(
        args.summarizer or "default", args.summarizer, args.translator, run_options(args)
    )
    configs = [EvalConfig.parse(spec, base.options) for spec in args.compare] or [base]
    # Models not named in a --compare config come from the command's own flags.
    configs = [
        dataclasses.replace(
            c,
            summarizer=c.summarizer or args.summarizer,
            translator=c.translator or args.translator,
        )
        for c in configs
    ]

    def progress(name: str, done: int, total: int) -> None:
        if not args.quiet:
            print(f"\r{name}: {done}/{total}", end="", file=sys.stderr, flush=True)

    report = evaluate(
        items,
        configs,
        data=str(args.data),
        models=model_choice(args),
        batch_size=args.batch_size,
        progress=progress,
    )
    if not args.quiet:
        print(file=sys.stderr)
    if args.out:
        Path(args.out).write_text(report.to_json(indent=2) + "\n", encoding="utf-8")
    print(report.to_json(indent=2) if args.json else report.table())
    return 0
