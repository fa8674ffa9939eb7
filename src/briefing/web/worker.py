"""A pipeline call in a thread, its progress streamed to a Gradio generator.

Gradio redraws the page at each ``yield`` of an event handler, so the long model call runs
in a daemon thread and reports through a queue that the handler drains between redraws.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any, Literal

EventKind = Literal["progress", "english", "done", "error"]
Emit = Callable[[EventKind, Any], None]


def stream(name: str, job: Callable[[Emit], Any]) -> Iterator[tuple[EventKind, Any, bool]]:
    """Run ``job(emit)`` in a thread named ``name`` and yield ``(kind, payload, latest)``.

    ``job`` reports with ``emit("progress" | "english", payload)``; its return value comes
    last as ``("done", result)``, or its exception as ``("error", exc)``. ``latest`` is False
    for a progress report already followed by another, which is not worth drawing.
    """
    events: queue.Queue[tuple[EventKind, Any]] = queue.Queue()

    def work() -> None:
        try:
            events.put(("done", job(lambda kind, payload: events.put((kind, payload)))))
        except Exception as exc:  # the handler shows it on the page
            events.put(("error", exc))

    threading.Thread(target=work, name=name, daemon=True).start()
    while True:
        kind, payload = events.get()
        yield kind, payload, not (kind == "progress" and not events.empty())
        if kind in ("done", "error"):
            return
