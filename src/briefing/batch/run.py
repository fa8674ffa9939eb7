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
from ..errors import ConfigError, InputError
from ..pipeline import Pipeline
from ..settings import ModelChoice, model_id
from .discovery import discover
from .local import local_outcomes
from .options import RECORDS_FILE, BatchOptions, BatchPlan, canonical
from .records import Outcome
from .writer import Writer

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
            ("files found", str(self.found)),
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
    input_dir: str | os.PathLike[str],
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
    """
    batch_flat, model_flat, brief_flat = _route(flat)
    batch_opts = BatchOptions.coerce(batch, **batch_flat)
    model_opts = ModelChoice.coerce(models, **model_flat).resolved()
    brief_opts = BriefOptions.coerce(options, **brief_flat)
    if pipeline is not None and batch_opts.engine != "local":
        raise ConfigError("pipeline= works with the local engine only; pass model names instead")
    source = Path(input_dir)
    target = Path(output_dir)
    if not source.is_dir():
        what = "is not a folder" if source.exists() else "does not exist"
        raise InputError(f"the input folder {source} {what}: pass a folder of article files")
    if target.exists() and not target.is_dir():
        raise ConfigError(f"--out {target} is a file: pass a folder for the outputs")

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
        options_dict=json.loads(canonical(brief_opts.to_dict())),
        models_key=models_key,
    )
    if batch_opts.engine == "ray":
        from .ray_engine import import_ray, ray_outcomes

        import_ray()  # fail before touching the output folder when the extra is missing
        engine: Callable[..., Iterator[Outcome]] = ray_outcomes
    else:
        engine = local_outcomes
    report = BatchReport(str(source), str(target), batch_opts.engine)
    started = time.perf_counter()
    stop = stop or threading.Event()
    writer = Writer(target, batch_opts.formats)
    priors = writer.open()
    try:
        tasks = discover(source, batch_opts.patterns, skip=target)
        report.found = len(tasks)
        log.info("%d files under %s, %d with records", len(tasks), source, len(priors))
        with _progress_bar(len(tasks), batch_opts.progress) as bar, _stop_on_sigint(stop):
            written: set[str] = set()
            for outcome in engine(tasks, plan, priors, stop, pipeline=pipeline):
                if outcome.rel in written:  # an engine retry must not duplicate a record
                    continue
                written.add(outcome.rel)
                _account(report, writer, outcome)
                bar.advance(outcome, report)
        report.interrupted = stop.is_set()
        if "csv" in batch_opts.formats:
            writer.write_csv()
    finally:
        writer.close()
        report.seconds = time.perf_counter() - started
    return report


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
        record = writer.write(record)
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
    """tqdm over the files that need work: skipped files shrink the total instead."""

    def __init__(self, bar: Any, started: float) -> None:
        self.bar = bar
        self.started = started

    def advance(self, outcome: Outcome, report: BatchReport) -> None:
        if self.bar is None:
            return
        if outcome.status == "skipped":
            self.bar.total -= 1
            self.bar.refresh()
            return
        self.bar.update(1)
        minutes = (time.perf_counter() - self.started) / 60
        self.bar.set_postfix(
            failed=report.failed, per_min=f"{report.done / minutes:.1f}" if minutes else "-"
        )


@contextmanager
def _progress_bar(total: int, enabled: bool) -> Iterator[_Bar]:
    if not enabled:
        yield _Bar(None, time.perf_counter())
        return
    from tqdm.auto import tqdm

    with tqdm(total=total, unit="article", desc="briefing", dynamic_ncols=True) as bar:
        yield _Bar(bar, time.perf_counter())


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
