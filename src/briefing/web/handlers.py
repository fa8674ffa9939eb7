"""What the page's events call; usable (and tested) without a running server.

The page's run is a generator: it yields a ``View`` at each stage (progress, then the English
brief, then everything), so the visitor sees progress at once and reads the English brief
while the Chinese one is made. Nothing of the article is kept per session: the result files
are written inside that run, into a bounded number of folders.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import gradio as gr

from ..brief import Brief
from ..clean import CleanOptions, looks_like_html
from ..errors import BriefingError
from ..pipeline import Pipeline
from ..reader import MAX_FILE_BYTES, SUFFIXES, parse_article
from . import render, worker
from .view import (
    ARTICLE_IDLE,
    ARTICLE_NO_MODELS,
    BUTTON_IDLE,
    BUTTON_NO_MODELS,
    OUTPUTS,
    View,
    busy,
    digest,
    download_title,
    file_stem,
    locked,
)
from .whole import WholeArticle

log = logging.getLogger("briefing")

MAX_UPLOAD_BYTES = MAX_FILE_BYTES
UPLOAD_SUFFIXES = SUFFIXES
# The longest article text the page takes, in characters: the pipeline refuses more before
# cleaning (twice the cleaned limit). It applies to text, and to the text extracted from
# pasted HTML.
MAX_ARTICLE_CHARS = CleanOptions().max_chars * 2
# Pasted HTML (a whole page) has its own, larger limit. Real article pages are 0.2–1.6 MB of
# markup; the reader takes up to 5 MB from files, but every character here travels in a
# request body that Gradio keeps per session, so the page takes 2 MB (see app.MAX_REQUEST_BYTES).
MAX_MARKUP_CHARS = 2_000_000
# Download files older than this are deleted; at most MAX_DOWNLOAD_FOLDERS are kept.
CACHE_SECONDS = 3600
MAX_DOWNLOAD_FOLDERS = 200
SAMPLE = "sample-kingsoft-cloud.txt"
# (button label, file in briefing/data)
EXAMPLES = [
    ("Kingsoft Cloud", SAMPLE),
    ("Harbor bridge", "example-harbor-bridge.txt"),
    ("Rail strike", "example-rail-strike.txt"),
    ("Coffee prices", "example-coffee-prices.txt"),
]
MAX_URL_CHARS = 2000

Report = Callable[[str, int, int], None]


def read_data(name: str) -> str:
    return (resources.files("briefing") / "data" / name).read_text(encoding="utf-8")


def sample_article() -> str:
    """The sample article shipped in the package (the Kingsoft Cloud news story)."""
    return read_data(SAMPLE)


class Handlers(WholeArticle):
    OUTPUTS = OUTPUTS

    def __init__(
        self,
        pipeline: Pipeline | None,
        load_error: BriefingError | None = None,
        *,
        max_upload_bytes: int = MAX_UPLOAD_BYTES,
        upload_root: Path | None = None,
        download_root: Path | None = None,
    ) -> None:
        if pipeline is None and load_error is None:
            raise ValueError("pass a Pipeline, or the error that kept it from loading")
        self.pipeline = pipeline
        self.load_error = load_error
        self.max_upload_bytes = max_upload_bytes
        self._upload_root = upload_root
        self._downloads = download_root
        self._downloads_lock = threading.Lock()

    # ------------------------------------------------------------------ the named API
    def brief(
        self,
        text: str | None,
        length: str | None = "medium",
        script: str | None = "simplified",
        progress: Any = gr.Progress(),  # noqa: B008 - Gradio injects the tracker by default
    ) -> tuple[str, str, dict[str, Any]]:
        """``/brief``: the English brief, the Chinese brief and the whole result as JSON."""
        tracker = render.Tracker()

        def report(stage: str, done: int, total: int) -> None:
            step = tracker.report(stage, done, total)
            progress(step.fraction, desc=step.label)

        def call(pipeline: Pipeline, text: str) -> Brief:
            return pipeline.run_many(
                [text], length=length or "medium", script=script or "simplified", progress=report
            )[0]

        brief = self.api_call(text, progress, call, "Cannot brief this", "briefing")
        return brief.summary, brief.translation, render.result_dict(brief)

    def brief_url(
        self,
        url: str | None,
        length: str | None = "medium",
        script: str | None = "simplified",
        progress: Any = gr.Progress(),  # noqa: B008 - Gradio injects the tracker by default
    ) -> tuple[str, str, dict[str, Any]]:
        """``/brief_url``: fetch the page (public addresses only), then as ``/brief``."""
        text, _title, problem = self._fetch(url)
        if problem:
            raise gr.Error(problem, title="Cannot brief this", print_exception=False)
        return self.brief(text, length, script, progress)

    def refusal(self, text: str | None) -> str | None:
        """Why ``text`` cannot be briefed before any work starts, in plain words."""
        if self.pipeline is None:
            return "The models are missing on the server; the box above says how to fetch them."
        if not isinstance(text, str) or not text.strip():
            return "Paste an article first."
        if len(text) > MAX_ARTICLE_CHARS and looks_like_html(text):
            if len(text) > MAX_MARKUP_CHARS:
                return (
                    f"The web page has {len(text):,} characters of markup; the page takes up "
                    f"to {MAX_MARKUP_CHARS:,}. Paste the article's text, or give its link."
                )
        elif len(text) > MAX_ARTICLE_CHARS:
            return (
                f"The article has {len(text):,} characters; the page takes up to "
                f"{MAX_ARTICLE_CHARS:,}. Paste a single article, or split it into parts."
            )
        return None

    # ------------------------------------------------------------------ the page's run
    def run(
        self,
        text: str | None,
        length: str | None = "medium",
        script: str | None = "simplified",
        upload: tuple[str, str] | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """The page's run: yields the whole view at each stage (see ``View``)."""
        problem = self.refusal(text)
        if problem:
            yield self.refused(problem).values()
            return
        assert self.pipeline is not None and text is not None
        started = time.perf_counter()
        tracker = render.Tracker()
        pipeline = self.pipeline

        def job(emit: worker.Emit) -> Brief:
            return pipeline.run_many(
                [text],
                length=length or "medium",
                script=script or "simplified",
                progress=lambda stage, done, total: emit("progress", (stage, done, total)),
                on_english=lambda english: emit("english", english[0]),
            )[0]

        step = tracker.start()
        english = ""
        yield View(
            button=busy(step.label),
            progress=render.progress_html(step),
            article_button=locked(),
            tabs=gr.update(selected="brief"),
        ).values()
        for kind, payload, latest in worker.stream("briefing-web-run", job):
            if kind == "progress":
                step = tracker.report(*payload)
                if not latest:  # only the latest of several queued reports is worth drawing
                    continue
            elif kind == "english":
                step = tracker.english_ready()
                english = " ".join(payload)
            elif kind == "error":
                if not isinstance(payload, BriefingError):
                    log.error("briefing failed in the web UI", exc_info=payload)
                message = render.friendly_error(payload, text)
                yield View(alert=render.alert_html(message)).values()
                return
            else:
                yield self._finished(payload, text, upload, tracker, started).values()
                return
            yield View(
                button=busy(step.label),
                progress=render.progress_html(step),
                english=english,
                article_button=locked(),
            ).values()

    def _finished(
        self,
        brief: Brief,
        text: str,
        upload: tuple[str, str] | None,
        tracker: render.Tracker,
        started: float,
    ) -> View:
        title = download_title(text, brief.title, upload)
        md_path, json_path = self.write_downloads(brief, title)
        flags = len(brief.flags)
        return View(
            progress=render.progress_html(tracker.done(time.perf_counter() - started)),
            english=brief.summary,
            chinese=brief.translation,
            badge=gr.update(value=render.badge_label(brief), visible=flags > 0),
            check=render.check_html(brief),
            details=render.details_html(brief),
            download_md=gr.update(value=str(md_path), visible=True),
            download_json=gr.update(value=str(json_path), visible=True),
            result=render.result_dict(brief),
        )

    def _idle_button(self) -> Any:
        if self.pipeline is None:
            return gr.update(value=BUTTON_NO_MODELS, interactive=False)
        return gr.update(value=BUTTON_IDLE, interactive=True)

    def _idle_article_button(self) -> Any:
        if self.pipeline is None:
            return gr.update(value=ARTICLE_NO_MODELS, interactive=False)
        return gr.update(value=ARTICLE_IDLE, interactive=True)

    def refused(self, message: str, **kept: Any) -> View:
        """The view of a run or an input refused before any work: the alert, buttons idle."""
        return View(
            alert=render.alert_html(message),
            button=self._idle_button(),
            article_button=self._idle_article_button(),
            **kept,
        )

    def cleared(self) -> tuple[Any, ...]:
        """The view with no result (the article changed, or a file or example was loaded)."""
        return View(
            button=self._idle_button(),
            article_button=self._idle_article_button(),
            article_view=render.ARTICLE_EMPTY,
            article_download=gr.update(value=None, visible=False),
        ).values()

    # ------------------------------------------------------------------ downloads
    def write_downloads(self, brief: Brief, title: str | None) -> tuple[Path, Path]:
        """The Markdown and JSON files of one result, named after its title."""
        folder = self._download_folder()
        stem = file_stem(title)
        md_path, json_path = folder / f"{stem}.md", folder / f"{stem}.json"
        md_path.write_text(brief.to_markdown(title=title), encoding="utf-8")
        json_path.write_text(
            json.dumps(render.result_dict(brief), ensure_ascii=False, indent=2), encoding="utf-8"
        )
        return md_path, json_path

    def _download_folder(self) -> Path:
        """A fresh folder per result; folders past the age or count limit are removed."""
        with self._downloads_lock:
            if self._downloads is None:
                self._downloads = Path(tempfile.mkdtemp(prefix="briefing-downloads-"))
            root = self._downloads
            root.mkdir(parents=True, exist_ok=True)
            folders: list[tuple[float, Path]] = []
            for old in root.iterdir():
                with contextlib.suppress(FileNotFoundError):  # removed by another request
                    folders.append((old.stat().st_mtime, old))
            folders.sort()
            cutoff = time.time() - CACHE_SECONDS
            excess = len(folders) + 1 - MAX_DOWNLOAD_FOLDERS
            for k, (mtime, old) in enumerate(folders):
                if k < excess or mtime < cutoff:
                    shutil.rmtree(old, ignore_errors=True)
            return Path(tempfile.mkdtemp(dir=root))

    # ------------------------------------------------------------------ input
    def example(self, name: str, confirmed: bool = True) -> tuple[Any, ...]:
        """Load example ``name`` into the article box (only when the visitor agreed)."""
        if not confirmed:
            return (gr.skip(), gr.skip(), *(gr.skip() for _ in self.OUTPUTS))
        return (read_data(name), None, *self.cleared())

    def read_upload(self, path: str | None) -> tuple[Any, ...]:
        """Article text of an uploaded file, its title for the downloads, and a cleared view.

        ``path`` is Gradio's copy in its upload cache; the visitor's file name is used only
        for its suffix, never as a path.
        """
        if not path:
            return (gr.skip(), gr.skip(), *(gr.skip() for _ in self.OUTPUTS))
        try:
            text, title = self._read(Path(path))
        except _Refused as exc:
            return (gr.skip(), None, *self.refused(str(exc)).values())
        return (text, (digest(text), title), *self.cleared())

    def read_link(self, url: str | None) -> tuple[Any, ...]:
        """Article text of a web page (fetched by the server, public addresses only), its
        title for the downloads, and a cleared view."""
        text, title, problem = self._fetch(url)
        if problem:
            return (gr.skip(), gr.skip(), *self.refused(problem).values())
        return (text, (digest(text), title), *self.cleared())

    def _fetch(self, url: str | None) -> tuple[str, str, str | None]:
        """(text, title, None) of the page at ``url``, or ("", "", why not) in plain words."""
        from ..fetch import fetch_article

        url = (url or "").strip()
        if not url:
            return "", "", "Paste a link first."
        if len(url) > MAX_URL_CHARS:
            return "", "", f"The link is over {MAX_URL_CHARS:,} characters."
        try:
            page = fetch_article(url, allow_private=False, max_bytes=self.max_upload_bytes)
        except BriefingError as exc:
            return "", "", f"Cannot use that link: {render.friendly_error(exc)}"
        if len(page.text) > MAX_ARTICLE_CHARS:
            return (
                "",
                "",
                (
                    f"The page's text has {len(page.text):,} characters; the page takes up to "
                    f"{MAX_ARTICLE_CHARS:,}. Paste the article's own text."
                ),
            )
        return page.text, page.title, None

    def _read(self, file: Path) -> tuple[str, str]:
        suffix = file.suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            raise _Refused(
                f"Only {', '.join(UPLOAD_SUFFIXES)} files can be uploaded; this one is "
                f"{suffix or 'without an extension'}. Paste other text into the box."
            )
        root = (self._upload_root or Path(gr.utils.get_upload_folder())).resolve()
        info = os.lstat(file)
        if not file.resolve().is_relative_to(root) or not stat.S_ISREG(info.st_mode):
            raise _Refused("That file was not uploaded through this page.")
        if info.st_size > self.max_upload_bytes:
            raise _Refused(
                f"The file is {info.st_size:,} bytes; the limit is {self.max_upload_bytes:,}. "
                "Upload one article at a time."
            )
        with file.open("rb") as handle:
            data = handle.read(self.max_upload_bytes + 1)
        if len(data) > self.max_upload_bytes:
            raise _Refused("The file is over the size limit.")
        try:
            article = parse_article(data, f"upload{suffix}")
        except BriefingError as exc:
            raise _Refused(f"Cannot read this file: {render.friendly_error(exc)}") from exc
        if len(article.text) > MAX_ARTICLE_CHARS:
            raise _Refused(
                f"The file's text has {len(article.text):,} characters; the page takes up to "
                f"{MAX_ARTICLE_CHARS:,}. Upload a single article."
            )
        return article.text, article.title


class _Refused(Exception):
    """An upload the page refuses; the message is shown as it is."""
