"""The ``briefing`` command: brief, batch, download, serve.

Only this module configures logging and turns errors into one-line messages. Exit codes:
0 success, 1 some work failed, 2 bad input or usage, 3 model missing or unloadable,
4 network/download failure, 130 interrupted.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import BriefingError, InputError

if TYPE_CHECKING:
    from .pipeline import Pipeline
    from .settings import ModelChoice

log = logging.getLogger("briefing")


def _read_input(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    from .reader import read_article

    return read_article(Path(source)).text


def _add_model_options(parser: argparse.ArgumentParser) -> None:
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


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by every command that briefs articles: models, then the brief."""
    from .summarizer import LENGTHS
    from .translate import SCRIPTS

    _add_model_options(parser)
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


def _model_choice(args: argparse.Namespace) -> ModelChoice:
    from .settings import ModelChoice

    return ModelChoice(**{name: getattr(args, name) for name in ModelChoice.field_names()})


def _pipeline(args: argparse.Namespace) -> Pipeline:
    from .pipeline import Pipeline

    return Pipeline.from_choice(_model_choice(args))


def _run_options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "length": args.length,
        "script": args.script,
        "max_chars": args.max_chars,
        "glossary": args.glossary,
        "sentences": args.sentences,
    }


def cmd_brief(args: argparse.Namespace) -> int:
    text = _read_input(args.file)
    brief = _pipeline(args).run(text, **_run_options(args))
    if args.json:
        print(brief.to_json(indent=2))
    else:
        print(brief.summary)
        print()
        print(brief.translation)
        if brief.flags:
            from .trust import format_flags

            print("---")
            print(f"Flags ({len(brief.flags)}): facts to check before publishing")
            for line in format_flags(brief.flags):
                print(f"  {line}")
    return 0


def cmd_download(args: argparse.Namespace) -> int:
    from . import download as fetching
    from .errors import DownloadError, ModelLoadError
    from .models import (
        convert,
        default_summarizer,
        default_translator,
        describe,
        find_converted,
        models_dir,
        models_dir_description,
        resolve_model,
    )

    # The one-line error below says what failed; huggingface_hub's own warnings would repeat it.
    logging.getLogger("huggingface_hub").setLevel(logging.ERROR)
    # main() turned library bars off for briefs; a download on a terminal wants its bar (on
    # a pipe or a log file a bar is only noise: the lines below say what is fetched).
    if not args.quiet and sys.stderr.isatty():
        from huggingface_hub.utils import enable_progress_bars

        enable_progress_bars()
    say = (lambda _line: None) if args.quiet else (lambda line: print(line, flush=True))
    names = args.models or [default_summarizer(), default_translator()]
    say(f"models folder: {models_dir()} ({models_dir_description()})")

    def announce(plan: fetching.DownloadPlan) -> None:
        size = fetching.human_size(plan.size_bytes)
        say(f"fetching {plan.name}: {len(plan.files)} files, {size} -> {plan.target}")

    failed = 0
    for index, name in enumerate(names):
        try:
            ref = resolve_model(name)
        except BriefingError:
            try:
                fetching.download(name, progress=not args.quiet, on_plan=announce)
            except fetching.HubUnreachableError as exc:  # the rest would fail the same way
                rest = ", ".join(repr(n) for n in names[index:])
                print(f"briefing: error: could not download {rest}: {exc}", file=sys.stderr)
                return exc.exit_code
            except (DownloadError, ModelLoadError) as exc:  # another model may still work
                print(f"briefing: error: could not download {name!r}: {exc}", file=sys.stderr)
                failed += 1
                continue
            ref = resolve_model(name)
        if not args.no_convert and find_converted(ref) is None:
            # The fast CPU engine; `--no-convert` keeps transformers only.
            say(f"converting {name} to CTranslate2 int8")
            try:
                convert(ref.path)
            except BriefingError as exc:  # the download itself is fine: transformers runs it
                print(f"briefing: warning: {exc}; using transformers for it", file=sys.stderr)
        status = describe(name)
        engines = ", ".join(status.engines)
        size = fetching.human_size(status.size_bytes)
        say(f"{name}: ready in {status.path} ({size}; {engines})")
    return DownloadError.exit_code if failed else 0


def cmd_models(args: argparse.Namespace) -> int:
    from .download import human_size
    from .models import fetch_command, list_models, models_dir, models_dir_description

    print(f"models folder: {models_dir()} ({models_dir_description()})")
    statuses = list_models()
    for status in statuses:
        label = f"default {status.role}" if status.is_default and status.role else "installed"
        print(f"{status.name}  [{label}]")
        if status.installed and status.path is None:
            print("  built in: needs no model")
        elif status.installed:
            engines = ", ".join(status.engines) or "none (no weights found)"
            print(f"  {status.path}  {human_size(status.size_bytes)}  engines: {engines}")
        else:
            print(f"  missing: fetch it with  {status.fetch_command}")
    missing = [s.name for s in statuses if s.is_default and not s.installed]
    if len(missing) > 1:
        print(f"fetch every missing default:  {fetch_command(missing)}")
    return 0


def cmd_convert(args: argparse.Namespace) -> int:
    from .models import convert

    for name in args.models:
        target = convert(name, quantization=args.quantization, force=args.force)
        print(f"{name} -> {target}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import os

    from . import web
    from .errors import ConfigError

    auth = web.parse_auth(os.environ.get("BRIEFING_AUTH"))
    for warning in web.security_warnings(args.host, args.share, auth):
        print(f"briefing: warning: {warning}", file=sys.stderr)
    choice = _model_choice(args)
    pipeline, error = web.load_pipeline(choice)
    if error is not None:
        print(f"briefing: warning: starting without models: {error}", file=sys.stderr)
    app = web.build_app(
        pipeline,
        error,
        concurrency_limit=args.concurrency or web.CONCURRENCY_LIMIT,
        choice=choice,  # the page lists every missing model of this choice
    )
    try:
        web.launch(app, host=args.host, port=args.port, share=args.share, auth=auth)
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on {args.host}:{args.port} ({exc}): pick another --port"
        ) from exc
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from .batch import summarize_folder

    quiet = args.quiet or args.batch_quiet
    report = summarize_folder(
        args.input_dir,
        args.out,
        options=_run_options(args),
        models=_model_choice(args),
        batch={
            "patterns": args.glob or None,
            "batch_size": args.batch_size,
            "formats": args.format,
            "force": args.force,
            "progress": not quiet,
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


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluate import EvalConfig, evaluate, load_eval_data

    items = load_eval_data(args.data, limit=args.limit)
    base = EvalConfig(
        args.summarizer or "default", args.summarizer, args.translator, _run_options(args)
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
        models=_model_choice(args),
        batch_size=args.batch_size,
        progress=progress,
    )
    if not args.quiet:
        print(file=sys.stderr)
    if args.out:
        Path(args.out).write_text(report.to_json(indent=2) + "\n", encoding="utf-8")
    print(report.to_json(indent=2) if args.json else report.table())
    return 0


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

    brief = sub.add_parser("brief", help="brief one article (a file, or - for stdin)")
    brief.add_argument("file", help="article file (.txt/.md/.html) or - for standard input")
    brief.add_argument("--json", action="store_true", help="print the whole result as JSON")
    _add_run_options(brief)
    brief.set_defaults(func=cmd_brief)

    download = sub.add_parser(
        "download", help="fetch missing models into the models folder (needs internet)"
    )
    download.add_argument("models", nargs="*", help="model ids (default: the two defaults)")
    download.add_argument(
        "--no-convert", action="store_true", help="skip the CTranslate2 int8 conversion"
    )
    download.set_defaults(func=cmd_download)

    models = sub.add_parser(
        "models",
        help="list the default and installed models, where they are and how to fetch them",
    )
    models.set_defaults(func=cmd_models)

    convert = sub.add_parser(
        "convert",
        help="convert local models to CTranslate2 (the fast engine; no internet needed)",
        description="Convert local Hugging Face models to CTranslate2 into <folder>/ct2-<type>/.",
    )
    convert.add_argument("models", nargs="+", help="model folders or ids found locally")
    convert.add_argument(
        "--quantization",
        default="int8",
        help="weight type: int8 (default), int8_float16, int16, float16, bfloat16, float32",
    )
    convert.add_argument("--force", action="store_true", help="convert again if converted")
    convert.set_defaults(func=cmd_convert)

    serve = sub.add_parser(
        "serve",
        help="start the web UI (login from $BRIEFING_AUTH=user:password)",
        description="Start the web UI. Set BRIEFING_AUTH=user:password to require a login.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    serve.add_argument(
        "--share", action="store_true", help="also publish a public gradio.live link (off)"
    )
    _add_model_options(serve)
    serve.add_argument(
        "--concurrency",
        type=int,
        help="requests worked on at once (default 2; model calls are serialised anyway)",
    )
    serve.set_defaults(func=cmd_serve)

    batch = sub.add_parser(
        "batch",
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
    batch.add_argument("--quiet", dest="batch_quiet", action="store_true", help="no progress bar")
    batch.add_argument(
        "--engine", choices=("local", "ray"), default="local", help="ray needs briefing[ray]"
    )
    batch.add_argument("--address", help="Ray cluster: auto or ray://host:10001 (default: local)")
    batch.add_argument("--num-workers", type=int, default=1, help="Ray model workers (default 1)")
    batch.add_argument(
        "--gpus-per-worker", type=float, default=0.0, help="GPUs per Ray model worker (default 0)"
    )
    _add_run_options(batch)
    batch.set_defaults(func=cmd_batch)

    evaluate = sub.add_parser(
        "eval",
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
    _add_run_options(evaluate)
    evaluate.set_defaults(func=cmd_eval)
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
        return args.func(args)
    except KeyboardInterrupt:
        print("briefing: interrupted", file=sys.stderr)
        return 130
    except BriefingError as exc:
        print(f"briefing: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        print(f"briefing: error: {exc.strerror}: {exc.filename}", file=sys.stderr)
        return InputError.exit_code


if __name__ == "__main__":
    sys.exit(main())
