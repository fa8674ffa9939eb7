"""The local engine: this process, with a thread reading files ahead of the models."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Any

from ..pipeline import Pipeline
from .discovery import FileTask
from .options import BatchPlan
from .records import Loaded, Outcome, Prior, briefed, settled
from .work import ArticleProgress, brief_many, load_file

_END = object()


def local_outcomes(
    tasks: list[FileTask],
    plan: BatchPlan,
    priors: dict[str, Prior],
    stop: threading.Event,
    *,
    pipeline: Pipeline | None = None,
    progress: ArticleProgress | None = None,
) -> Iterator[Outcome]:
    """This process: a thread reads and checks files ahead while the models work;
    ``progress`` hears about articles finished inside a model batch."""
    ahead: queue.Queue[Any] = queue.Queue(maxsize=2 * plan.batch.batch_size)
    closing = threading.Event()

    def put(item: Any) -> bool:
        while not closing.is_set():
            try:
                ahead.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def read_ahead() -> None:
        try:
            for task in tasks:
                if stop.is_set() or not put(load_file(task, plan, priors.get(task.rel))):
                    break
        finally:
            put(_END)

    reader = threading.Thread(target=read_ahead, name="briefing-read-ahead", daemon=True)
    reader.start()
    loaded: list[Pipeline] = [pipeline] if pipeline is not None else []
    pending: list[Loaded] = []

    def run(items: list[Loaded]) -> Iterator[Outcome]:
        if not loaded:  # models load only once there is work for them
            loaded.append(Pipeline.from_choice(plan.models))
        for record in brief_many(loaded[0], items, plan, progress):
            yield briefed(record)

    try:
        while not stop.is_set():
            item = ahead.get()
            if item is _END:
                break
            if item.status != "todo":
                yield settled(item)
                continue
            pending.append(item)
            if len(pending) >= plan.batch.batch_size:
                yield from run(pending)
                pending = []
        if pending and not stop.is_set():
            yield from run(pending)
    finally:
        closing.set()
        reader.join(timeout=5)
