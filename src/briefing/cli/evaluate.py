"""``briefing eval``: score briefs against reference summaries."""

from __future__ import annotations

import argparse
import sys

from .common import (
    add_run_options,
    model_choice,
    positive_int,
    run_options,
    subcommand,
    write_output,
)


def add_parser(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    evaluate = subcommand(
        sub,
        "eval",
        parents,
        help="score briefs against reference summaries (ROUGE, chrF, BLEU, speed)",
        description="Brief each article of DATA.jsonl ({article, summary_zh[, summary_en]} "
        "per line) and score the briefs; --compare runs several configurations, one "
        "progress line each.",
        examples=[
            "briefing eval data.jsonl --limit 20",
            "briefing eval data.jsonl --compare name=lead,summarizer=lead,sentences=3 "
            "--compare name=model",
            "briefing eval data.jsonl --json --out report.json",
        ],
    )
    data = evaluate.add_argument_group("input")
    data.add_argument("data", help="JSONL file: article, summary_zh, optional summary_en")
    data.add_argument(
        "--limit", type=positive_int, metavar="N", help="only the first N articles"
    )
    data.add_argument(
        "--compare",
        action="append",
        default=[],
        metavar="CONFIG",
        help="repeatable: key=value,… with name, summarizer, translator or any brief option, "
        "e.g. name=lead,summarizer=lead,sentences=3",
    )
    output = evaluate.add_argument_group("output")
    output.add_argument("--json", action="store_true", help="print the report as JSON")
    output.add_argument("--out", metavar="FILE", help="also write the JSON report to FILE")
    add_run_options(evaluate)
    evaluate.add_argument_group("batch engine").add_argument(
        "--batch-size", type=positive_int, default=8, metavar="N", help="articles per model batch"
    )
    evaluate.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..evaluate import EvalConfig, evaluate, load_eval_data

    items = load_eval_data(args.data, limit=args.limit)
    base = EvalConfig(
        args.summarizer or "default", args.summarizer, args.translator, run_options(args)
    )
    # Models a --compare config does not name come from the command's own flags:
    # evaluate() fills them in from ``models``.
    configs = [EvalConfig.parse(spec, base.options) for spec in args.compare] or [base]

    # One line per configuration: rewritten in place on a terminal, printed once when
    # the configuration is done on a pipe or log.
    tty = sys.stderr.isatty()
    current: list[str] = []

    def progress(name: str, done: int, total: int) -> None:
        if args.quiet:
            return
        if current and current[0] != name and tty:
            print(file=sys.stderr)
        if not current or current[0] != name:
            current[:] = [name]
        if tty:
            print(f"\r{name}: {done}/{total}", end="", file=sys.stderr, flush=True)
        elif done >= total:
            print(f"{name}: {done}/{total}", file=sys.stderr, flush=True)

    report = evaluate(
        items,
        configs,
        data=str(args.data),
        models=model_choice(args),
        batch_size=args.batch_size,
        progress=progress,
    )
    if not args.quiet and tty and current:
        print(file=sys.stderr)
    if args.out:
        write_output(report.to_json(indent=2), args.out, "--out")
    print(report.to_json(indent=2) if args.json else report.table())
    return 0
