"""The Ray Data engine behind ``briefing batch --engine ray`` (optional: ``briefing[ray]``).

How the work is divided:

- the driver (the process that called ``summarize_folder``) finds the files, loads the
  resume state and does every write, so ``briefs.jsonl`` has a single writer however many
  workers finish at once;
- stateless Ray tasks (``Dataset.map``) read, decode, clean, segment and check each file
  with the same ``work.load_file`` as the local engine, and settle skipped and bad files;
- an actor pool (``Dataset.map_batches`` with a callable class) briefs the rest: each actor
  builds the Pipeline once, on its first article, and runs ``work.brief_many`` (the same
  ``Pipeline.run_many`` call and one-by-one retry as the local engine).

Records, resume rule and error records are therefore the same as with ``--engine local``;
``Loaded`` and ``Outcome`` cross processes as JSON through ``BatchRecord.to_dict``.
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
from collections.abc import Iterator
from typing import Any

from ..errors import BackendUnavailableError, BriefingError, ConfigError
from ..pipeline import Pipeline
from .discovery import FileTask
from .options import BatchPlan
from .records import Loaded, Outcome, Prior, briefed, settled
from .work import brief_many, load_file

log = logging.getLogger("briefing")

_FATAL = "fatal"


def import_ray() -> Any:
    """The ``ray`` module with Ray Data, or a one-line error naming the extra."""
    try:
        import ray
        import ray.data  # Ray Data ships in ray[data], not in bare ray
    except ImportError as exc:
        raise BackendUnavailableError(
            "--engine ray needs Ray Data: pip install 'briefing[ray]'"
        ) from exc
    return ray


def read_row(row: dict[str, Any], plan: BatchPlan) -> dict[str, Any]:
    """Stateless task: read (or fetch), decode, clean, segment and check one file."""
    task = FileTask(
        row["rel"], os.fsdecode(row["path"]), row["problem"] or None, row["url"] or None
    )
    prior = Prior(row["prior_key"], row["prior_error"] or None) if row["prior_key"] else None
    item = load_file(task, plan, prior)
    return {"rel": item.rel, "status": item.status, "loaded": item.to_json()}


class BriefWorker:
    """Actor: the models, loaded once per worker, brief batches of checked articles."""

    def __init__(self, plan: BatchPlan) -> None:
        self.plan = plan
        self.pipeline: Pipeline | None = None

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        items = [Loaded.from_json(text) for text in batch["loaded"]]
        todo = [item for item in items if item.status == "todo"]
        outcomes: dict[str, str] = {}
        if todo:
            try:
                if self.pipeline is None:  # only workers that get articles load models
                    self.pipeline = Pipeline.from_choice(self.plan.models)
            except BriefingError as exc:
                fatal = json.dumps({"status": _FATAL, "reason": str(exc), "code": exc.exit_code})
                outcomes = {item.rel: fatal for item in todo}
            else:
                for record in brief_many(self.pipeline, todo, self.plan):
                    outcomes[record.path] = briefed(record).to_json()
        for item in items:
            if item.status != "todo":
                outcomes[item.rel] = settled(item).to_json()
        rels = [item.rel for item in items]
        return {
            "rel": np.array(rels, dtype=object),
            "outcome": np.array([outcomes[rel] for rel in rels], dtype=object),
        }


def ray_outcomes(
    tasks: list[FileTask],
    plan: BatchPlan,
    priors: dict[str, Prior],
    stop: threading.Event,
    *,
    pipeline: Pipeline | None = None,
    progress: Any = None,
) -> Iterator[Outcome]:
    """Settle every file through Ray Data; yields outcomes to the driver as they finish.
    (``progress`` is not used: a remote batch reports when its records arrive.)"""
    ray = import_ray()
    if not tasks:
        return
    started_here = not ray.is_initialized()
    if started_here:
        address = plan.batch.address
        try:
            if address:
                ray.init(address=address)
            else:
                ray.init(include_dashboard=False)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            where = f"the Ray cluster at {address}" if address else "a local Ray instance"
            raise ConfigError(
                f"cannot start or reach {where} ({exc}): start one with `ray start --head`, "
                "or leave out --address to run a local instance"
            ) from exc
    try:
        yield from _run(ray, tasks, plan, priors, stop)
    finally:
        if started_here:
            ray.shutdown()


def _run(
    ray: Any,
    tasks: list[FileTask],
    plan: BatchPlan,
    priors: dict[str, Prior],
    stop: threading.Event,
) -> Iterator[Outcome]:
    gpus = plan.batch.gpus_per_worker
    if gpus and ray.cluster_resources().get("GPU", 0) < gpus:
        # Ray would wait forever for a GPU that is not there.
        raise ConfigError(
            f"--gpus-per-worker {gpus} but the Ray cluster has "
            f"{ray.cluster_resources().get('GPU', 0):g} GPUs: lower it, or use 0 for CPU workers"
        )
    context = ray.data.DataContext.get_current()
    saved = (context.enable_progress_bars, context.execution_options.preserve_order)
    context.enable_progress_bars = False  # the driver draws one bar for the whole run
    context.execution_options.preserve_order = True  # records in file order, as locally
    try:
        yield from _stream(ray, tasks, plan, priors, stop)
    finally:  # the caller's Ray session keeps its own settings
        context.enable_progress_bars, context.execution_options.preserve_order = saved


def _stream(
    ray: Any,
    tasks: list[FileTask],
    plan: BatchPlan,
    priors: dict[str, Prior],
    stop: threading.Event,
) -> Iterator[Outcome]:
    rows = []
    for task in tasks:
        prior = priors.get(task.rel)
        rows.append(
            {
                "rel": task.rel,
                # Bytes: a name that is not UTF-8 cannot be an Arrow string.
                "path": os.fsencode(task.path),
                "problem": task.problem or "",
                "url": task.url or "",
                "prior_key": prior.key if prior else "",
                "prior_error": (prior.error or "") if prior else "",
            }
        )
    blocks = max(1, min(1000, math.ceil(len(rows) / plan.batch.batch_size)))
    dataset = (
        ray.data.from_items(rows, override_num_blocks=blocks)
        # Half a CPU: reading is mostly I/O, and a resource shape unlike the actors' keeps
        # Ray from fusing it into them, so files are read while the models work.
        .map(read_row, fn_kwargs={"plan": plan}, num_cpus=0.5)
        .map_batches(
            BriefWorker,
            fn_constructor_kwargs={"plan": plan},
            batch_size=plan.batch.batch_size,
            compute=ray.data.ActorPoolStrategy(size=plan.batch.num_workers),
            num_gpus=plan.batch.gpus_per_worker or None,
        )
    )
    for row in dataset.iter_rows():
        data = json.loads(row["outcome"])
        if data["status"] == _FATAL:
            error = BriefingError(f"a Ray worker could not load the models: {data['reason']}")
            error.exit_code = data["code"]
            raise error
        yield Outcome.from_json(row["outcome"])
        if stop.is_set():
            # The driver stops taking results; work not yet written is redone next run.
            break
