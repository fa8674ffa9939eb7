"""The whole article in Chinese on the page and as the ``/translate`` API endpoint.

``Pipeline.translate_article`` does the work (it takes the model lock itself); this mixin of
``Handlers`` streams its progress per sentence batch into the page's progress bar and alert
area, like the brief's run, and writes the bilingual Markdown download.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import gradio as gr

from ..article import ArticleTranslation
from ..errors import BriefingError
from . import render, worker
from .view import View, busy, download_title, file_stem, keep_brief, locked

if TYPE_CHECKING:
    from ..pipeline import Pipeline

log = logging.getLogger("briefing")
T = TypeVar("T")


def article_dict(translation: ArticleTranslation) -> dict[str, Any]:
    """``translation.to_dict()`` as plain JSON, without the server's model folder."""
    data: dict[str, Any] = json.loads(translation.to_json())
    data["info"]["translator"].pop("path", None)
    return data


class WholeArticle:
    """The whole-article events of ``Handlers`` (which provides what is declared here)."""

    pipeline: Pipeline | None

    def refusal(self, text: str | None) -> str | None:  # pragma: no cover - Handlers'
        raise NotImplementedError

    def refused(self, message: str, **kept: Any) -> View:  # pragma: no cover - Handlers'
        raise NotImplementedError

    def _download_folder(self) -> Path:  # pragma: no cover - Handlers'
        raise NotImplementedError

    # ------------------------------------------------------------------ the named API
    def translate(
        self,
        text: str | None,
        script: str | None = "simplified",
        progress: Any = gr.Progress(),  # noqa: B008 - Gradio injects the tracker by default
    ) -> tuple[str, dict[str, Any]]:
        """``/translate``: the whole article in Chinese, and the aligned result as JSON."""
        tracker = render.Tracker()

        def report(stage: str, done: int, total: int) -> None:
            step = tracker.article(done, total)
            progress(step.fraction, desc=step.label)

        def call(pipeline: Pipeline, text: str) -> ArticleTranslation:
            return pipeline.translate_article(text, script=script or "simplified", progress=report)

        result = self.api_call(text, progress, call, "Cannot translate this", "translating")
        return result.translation, article_dict(result)

    def api_call(
        self,
        text: str | None,
        progress: Any,
        call: Callable[[Pipeline, str], T],
        title: str,
        doing: str,
    ) -> T:
        """``call(pipeline, text)`` for a named API endpoint: a refused text or a failure is
        a ``gr.Error`` titled ``title`` in the page's plain words (unexpected ones logged)."""
        problem = self.refusal(text)
        if problem:
            raise gr.Error(problem, title=title, print_exception=False)
        assert self.pipeline is not None and text is not None
        progress(0, desc="Waiting for the models")
        try:
            return call(self.pipeline, text)
        except Exception as exc:
            if not isinstance(exc, BriefingError):
                log.exception("%s failed in the web API", doing)
            raise gr.Error(
                render.friendly_error(exc, text), title=title, print_exception=False
            ) from exc

    # ------------------------------------------------------------------ the page's run
    def run_article(
        self,
        text: str | None,
        script: str | None = "simplified",
        upload: tuple[str, str] | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """The page's whole-article run: progress per sentence batch, then the aligned view.

        Yields ``View`` values; the brief's results are left as they are.
        """
        problem = self.refusal(text)
        if problem:
            yield self.refused(problem, **keep_brief()).values()
            return
        assert self.pipeline is not None and text is not None
        started = time.perf_counter()
        tracker = render.Tracker()
        pipeline = self.pipeline

        def job(emit: worker.Emit) -> ArticleTranslation:
            return pipeline.translate_article(
                text,
                script=script or "simplified",
                progress=lambda _stage, done, total: emit("progress", (done, total)),
            )

        step = tracker.start()
        yield View(
            button=locked(),
            article_button=busy(step.label),
            progress=render.progress_html(step),
            article_view="",
            article_download=gr.update(value=None, visible=False),
            tabs=gr.update(selected="article"),
            **keep_brief(),
        ).values()
        for kind, payload, latest in worker.stream("briefing-web-article", job):
            if kind == "progress":
                step = tracker.article(*payload)
                if latest:
                    yield View(
                        button=locked(),
                        article_button=busy(step.label),
                        progress=render.progress_html(step),
                        **keep_brief(),
                    ).values()
                continue
            if kind == "error":
                if not isinstance(payload, BriefingError):
                    log.error("translating failed in the web UI", exc_info=payload)
                yield View(
                    alert=render.alert_html(render.friendly_error(payload, text)),
                    **keep_brief(),
                ).values()
                return
            result: ArticleTranslation = payload
            title = download_title(text, result.title, upload)
            path = self.write_article_download(result, title)
            yield View(
                progress=render.progress_html(tracker.done(time.perf_counter() - started)),
                article_view=render.article_html(result),
                article_download=gr.update(value=str(path), visible=True),
                **keep_brief(),
            ).values()
            return

    def write_article_download(self, result: ArticleTranslation, title: str | None) -> Path:
        """The bilingual Markdown of a translation, named after the article."""
        path = self._download_folder() / f"{file_stem(title)}-translation.md"
        named = dataclasses.replace(result, title=title or result.title)
        path.write_text(named.to_markdown(), encoding="utf-8")
        return path
