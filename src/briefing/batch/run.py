"""``summarize_folder``: a folder of article files briefed into an output folder, resumably."""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..brief import BriefOptions
from ..errors import ConfigError, InputError, OutputError
from ..pipeline import Pipeline
from ..settings import ModelChoice, model_id
from .discovery import FileTask, discover
from .local import local_outcomes
from .options import RECORDS_FILE, BatchOptions, BatchPlan, canonical
from .records import Outcome, Prior
from .urls import url_tasks
from .work import already_done
from .writer import Writer, output_error

log = logging.getLogger("briefing")


@dataclass(frozen=True)
class BatchFailure:
    path: str
    reason: str


@dataclass
class BatchReport:
    """What a batch run did. ``done`` counts articles briefed in this run."""

    input_dir: str
    output_dir: str
    engine: str
    found: int = 0
    done: int = 0
    skipped: int = 0
    failures: list[BatchFailure] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False
    flagged: int = 0  # briefs done in this run with trust flags (facts to check)

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def ok(self) -> bool:
        return not self.failures and not self.interrupted

    @property
    def articles_per_minute(self) -> float:
        return 60.0 * self.done / self.seconds if self.seconds > 0 else 0.0

    @property
    def records_path(self) -> str:
        return str(Path(self.output_dir) / RECORDS_FILE)

    def table(self) -> str:
        """The end-of-run summary, as plain text."""
        minutes, seconds = divmod(round(self.seconds), 60)
        rows = [
            ("links found" if self.input_dir == "URL list" else "files found", str(self.found)),
            ("done", str(self.done)),
            ("skipped (already done)", str(self.skipped)),
            ("failed", str(self.failed)),
            ("briefs with flags", str(self.flagged)),
            ("time", f"{minutes}m {seconds:02d}s"),
            ("articles per minute", f"{self.articles_per_minute:.1f}"),
        ]
        width = max(len(name) for name, _ in rows)
        lines = [f"{name:<{width}}  {value:>8}" for name, value in rows]
        if self.interrupted:
            lines.append("interrupted: run the same command again to finish the rest")
        if self.failures:
            lines.append("failures:")
            lines += [f"  {f.path}: {f.reason}" for f in self.failures]
        lines.append(f"records: {self.records_path}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- the run


def summarize_folder(
    input_dir: str | os.PathLike[str] | None,
    output_dir: str | os.PathLike[str],
    *,
    options: BriefOptions | Mapping[str, Any] | None = None,
    batch: BatchOptions | Mapping[str, Any] | None = None,
    models: ModelChoice | Mapping[str, Any] | None = None,
    pipeline: Pipeline | None = None,
    stop: threading.Event | None = None,
    **flat: Any,
) -> BatchReport:
    """Brief every article file under ``input_dir`` into ``output_dir``; resumable.

    Flat keywords go to the dataclass that owns them: ``BatchOptions`` (``batch_size``,
    ``formats``, ``force``, ``engine``, ``num_workers``…), ``ModelChoice`` (``summarizer``,
    ``translator``, ``device``, ``threads``…) or ``BriefOptions`` (``length``, ``script``…).
    ``pipeline`` reuses loaded models (local engine). Setting ``stop`` (or Ctrl-C, when
    called from the main thread) ends the run after the current batch; a second Ctrl-C
    stops at once. Files that cannot be briefed get error records; the run goes on.

    ``urls=`` (a list, or a text file of URLs) briefs those pages instead of a folder
    (``input_dir`` None); ``digest=True`` writes ``digest.md``/``digest.html`` from every
    record; ``translate_article=True`` adds the whole article in Chinese to each record.
    Raises InputError when there is nothing to brief, OutputError (exit code 5, with
    ``.report``) when the output folder cannot be written (a full disk).
    """
    batch_flat, model_flat, brief_flat = _route(flat)
    batch_opts = BatchOptions.coerce(batch, **batch_flat)
    model_opts = ModelChoice.coerce(models, **model_flat).resolved()
    brief_opts = BriefOptions.coerce(options, **brief_flat)
    if pipeline is not None and batch_opts.engine != "local":
        raise ConfigError("pipeline= works with the local engine only; pass model names instead")
    target = Path(output_dir)
    if target.exists() and not target.is_dir():
        raise ConfigError(f"--out {target} is a file: pass a folder for the outputs")
    source = _check_input(input_dir, target, batch_opts)

    models_key = (
        {
            "summarizer": model_id(pipeline.models[0].name),
            "translator": model_id(pipeline.models[1].name),
        }
        if pipeline is not None
        else model_opts.key()
    )
    plan = BatchPlan(
        input_dir=source,
        options=brief_opts,
        batch=batch_opts,
        models=model_opts,
        options_dict=_options_dict(brief_opts, batch_opts),
        models_key=models_key,
    )
    if batch_opts.engine == "ray":
        from .ray_engine import import_ray, ray_outcomes

        import_ray()  # fail before touching the output folder when the extra is missing
        engine: Callable[..., Iterator[Outcome]] = ray_outcomes
    else:
        engine = local_outcomes
    tasks = _tasks(source, target, batch_opts)
    where = str(source) if batch_opts.urls is None else "URL list"
    report = BatchReport(where, str(target), batch_opts.engine, found=len(tasks))
    started = time.perf_counter()
    stop = stop or threading.Event()
    writer = Writer(target, batch_opts.formats)
    try:
        priors = writer.open()
        log.info("%d files under %s, %d with records", len(tasks), source, len(priors))
        done_before = _done_before(tasks, plan, priors)
        bar_cm = _progress_bar(len(tasks), done_before, batch_opts.progress)
        with bar_cm as bar, _stop_on_sigint(stop):
            outcomes = engine(tasks, plan, priors, stop, pipeline=pipeline, progress=bar.partial)
            written: set[str] = set()
            try:
                for outcome in outcomes:
                    if outcome.rel in written:  # an engine retry must not duplicate a record
                        continue
                    written.add(outcome.rel)
                    _account(report, writer, outcome)
                    bar.advance(outcome, report)
            finally:
                close = getattr(outcomes, "close", None)
                if close is not None:
                    close()  # stop the engine's workers now, even on a fatal write error
        report.interrupted = stop.is_set()
        if "csv" in batch_opts.formats:
            writer.write_csv()
        if batch_opts.digest:
            # From every record, so a resumed (or interrupted) batch gives the full digest.
            _write_digest(target, [t.rel for t in tasks])
    except OutputError as exc:
        # One line for the person, and the summary of what was done before the disk failed.
        report.interrupted = True
        report.seconds = time.perf_counter() - started
        exc.report = report
        raise
    finally:
        writer.close()
        report.seconds = time.perf_counter() - started
    return report


def _check_input(
    input_dir: str | os.PathLike[str] | None, target: Path, batch: BatchOptions
) -> Path:
    if batch.urls is not None:
        if input_dir is not None:
            raise ConfigError("pass an input folder or a URL list (--urls), not both")
        return Path(".")
    if input_dir is None:
        raise ConfigError("pass an input folder of article files, or a URL list (--urls)")
    source = Path(input_dir)
    if not source.is_dir():
        what = "is not a folder" if source.exists() else "does not exist"
        raise InputError(f"the input folder {source} {what}: pass a folder of article files")
    if os.path.realpath(target) == os.path.realpath(source):
        # Its own outputs (a.txt.md, digest.md) would be briefed again on every run.
        raise ConfigError(
            f"--out {target} is the input folder: choose another folder for the outputs "
            "(a subfolder is fine; it is skipped)"
        )
    return source


def _tasks(source: Path, target: Path, batch: BatchOptions) -> list[FileTask]:
    if batch.urls is not None:
        if not batch.urls:
            raise InputError("the URL list has no URLs: write one URL a line")
        return url_tasks(batch.urls)
    tasks = discover(source, batch.patterns, skip=target)
    if not tasks:
        raise InputError(
            f"no article files under {source} (looked for {', '.join(batch.patterns)}): "
            "pass a folder of articles, or choose the files with --glob"
        )
    return tasks


def _options_dict(brief: BriefOptions, batch: BatchOptions) -> dict[str, Any]:
    """The options a record is made with (its ``options``, part of the resume key)."""
    data: dict[str, Any] = json.loads(canonical(brief.to_dict()))
    if batch.translate_article:
        # Only when asked, so records made without it keep their keys (and resume).
        data["translate_article"] = True
    return data


def _write_digest(target: Path, order: list[str]) -> None:
    from ..digest import write_digest

    try:
        write_digest(target, order=order)
    except OSError as exc:
        raise output_error(exc, target, "the digest") from exc


def _done_before(tasks: list[FileTask], plan: BatchPlan, priors: dict[str, Prior]) -> set[str]:
    """Files whose record already holds this content's brief, counted (as skipped) before
    the run starts, so the bar's total is every file and never shrinks on a rerun."""
    if plan.batch.force:
        return set()
    return {t.rel for t in tasks if already_done(t, plan, priors.get(t.rel))}


def _route(flat: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    batch = {k: v for k, v in flat.items() if k in BatchOptions.field_names()}
    models = {k: v for k, v in flat.items() if k in ModelChoice.field_names()}
    rest = {k: v for k, v in flat.items() if k not in batch and k not in models}
    unknown = sorted(set(rest) - set(BriefOptions.option_names()))
    if unknown:
        valid = [
            *BatchOptions.field_names(),
            *ModelChoice.field_names(),
            *BriefOptions.option_names(),
        ]
        raise ConfigError(f"unknown option(s) {', '.join(unknown)}; valid: {', '.join(valid)}")
    return batch, models, rest


def _account(report: BatchReport, writer: Writer, outcome: Outcome) -> None:
    record = outcome.record
    if record is not None:
        try:
            record = writer.write(record)
        except OSError as exc:  # whatever the writer missed: still one line, exit 5
            raise output_error(exc, writer.output_dir, RECORDS_FILE) from exc
        if not record.ok:
            outcome = Outcome(outcome.rel, "failed", record, record.error)
    if outcome.status == "done":
        report.done += 1
        if record is not None and record.brief.get("flags"):
            report.flagged += 1
    elif outcome.status == "skipped":
        report.skipped += 1
    else:
        report.failures.append(BatchFailure(outcome.rel, outcome.reason or "unknown error"))


class _Bar:
    """tqdm over every file found: files already done count at the start, each article
    counts as the models finish it (``partial``, from inside a model batch), and failures
    are shown apart ("3 failed") rather than hidden among the done."""

    def __init__(self, bar: Any, done_before: set[str]) -> None:
        self.bar = bar
        self.done_before = done_before
        self.ahead = 0  # articles of the running model batch already shown as done
        self.failed = 0

    def partial(self, articles: int) -> None:
        if self.bar is not None and articles > self.ahead:
            self.bar.update(articles - self.ahead)
            self.ahead = articles

    def advance(self, outcome: Outcome, report: BatchReport) -> None:
        if self.bar is None:
            return
        if outcome.status == "skipped" and outcome.rel in self.done_before:
            return  # counted at the start
        if outcome.status != "skipped" and self.ahead > 0:
            self.ahead -= 1  # shown already while its batch ran
        else:
            self.bar.update(1)
        if report.failed != self.failed:
            self.failed = report.failed
            self.bar.set_postfix_str(f"{report.failed} failed", refresh=True)


@contextmanager
def _progress_bar(total: int, done_before: set[str], enabled: bool) -> Iterator[_Bar]:
    if not enabled:
        yield _Bar(None, done_before)
        return
    from tqdm.auto import tqdm

    with tqdm(
        total=total,
        initial=len(done_before),
        unit="article",
        desc="briefing",
        dynamic_ncols=True,
    ) as bar:
        if done_before:
            bar.set_postfix_str(f"{len(done_before)} already done", refresh=True)
        yield _Bar(bar, done_before)


@contextmanager
def _stop_on_sigint(stop: threading.Event) -> Iterator[None]:
    """First Ctrl-C: finish the current batch, then stop. Second: stop now."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        log.warning("stopping after the current batch (Ctrl-C again to stop at once)")

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
