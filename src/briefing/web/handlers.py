"""What the page's events call; usable (and tested) without a running server.

The page's run is a generator: it yields a ``View`` at each stage (progress, then the English
brief, then everything), so the visitor sees progress at once and reads the English brief
while the Chinese one is made. Nothing of the article is kept per session: the result files
are written inside that run, into a bounded number of folders.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import queue
import re
import shutil
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import gradio as gr

from ..brief import Brief
from ..clean import CleanOptions
from ..errors import BriefingError
from ..pipeline import Pipeline
from ..reader import MAX_FILE_BYTES, SUFFIXES, parse_article
from . import render

log = logging.getLogger("briefing")

MAX_UPLOAD_BYTES = MAX_FILE_BYTES
UPLOAD_SUFFIXES = SUFFIXES
# The longest article the page takes, in characters: the pipeline refuses more before
# cleaning (twice the cleaned limit), so the text box, the request size limit and the
# handlers all use it.
MAX_ARTICLE_CHARS = CleanOptions().max_chars * 2
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
BUTTON_IDLE = "Brief it"
BUTTON_NO_MODELS = "Models missing: see above"
MAX_URL_CHARS = 2000

Report = Callable[[str, int, int], None]


def read_data(name: str) -> str:
    return (resources.files("briefing") / "data" / name).read_text(encoding="utf-8")


def sample_article() -> str:
    """The sample article shipped in the package (the Kingsoft Cloud news story)."""
    return read_data(SAMPLE)


def digest(text: str | None) -> str:
    return hashlib.sha256((text or "").encode("utf-8", "surrogatepass")).hexdigest()[:16]


def first_line_title(text: str | None) -> str | None:
    for line in (text or "").splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line if len(line) <= 100 else line[:99].rstrip() + "…"
    return None


def file_stem(title: str | None) -> str:
    """A download file name from a title: ASCII words joined by dashes, at most 60 chars."""
    words = re.findall(r"[A-Za-z0-9]+", title or "")
    stem = "-".join(words).lower()[:60].strip("-")
    return stem or "brief"


@dataclass
class View:
    """Everything the page's run shows; ``Handlers.OUTPUTS`` names the components in order."""

    button: Any = field(default_factory=lambda: gr.update(value=BUTTON_IDLE, interactive=True))
    progress: str = ""
    alert: str = ""
    english: str = ""
    chinese: str = ""
    badge: Any = field(default_factory=lambda: gr.update(value="", visible=False))
    check: str = ""
    details: str = ""
    download_md: Any = field(default_factory=lambda: gr.update(value=None, visible=False))
    download_json: Any = field(default_factory=lambda: gr.update(value=None, visible=False))
    result: Any = None

    def values(self) -> tuple[Any, ...]:
        return (
            self.button,
            self.progress,
            self.alert,
            self.english,
            self.chinese,
            self.badge,
            self.check,
            self.details,
            self.download_md,
            self.download_json,
            self.result,
        )


def busy(label: str) -> Any:
    return gr.update(value=label, interactive=False)


class Handlers:
    OUTPUTS = (
        "button",
        "progress",
        "alert",
        "english",
        "chinese",
        "badge",
        "check",
        "details",
        "download_md",
        "download_json",
        "result",
    )

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
        problem = self.refusal(text)
        if problem:
            raise gr.Error(problem, title="Cannot brief this", print_exception=False)
        assert self.pipeline is not None and text is not None
        tracker = render.Tracker()

        def report(stage: str, done: int, total: int) -> None:
            step = tracker.report(stage, done, total)
            progress(step.fraction, desc=step.label)

        progress(0, desc="Waiting for the models")
        try:
            brief = self.pipeline.run_many(
                [text], length=length or "medium", script=script or "simplified", progress=report
            )[0]
        except Exception as exc:
            if not isinstance(exc, BriefingError):
                log.exception("briefing failed in the web API")
            raise gr.Error(
                render.friendly_error(exc, text), title="Cannot brief this", print_exception=False
            ) from exc
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
        if len(text) > MAX_ARTICLE_CHARS:
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
            yield View(alert=render.alert_html(problem), button=self._idle_button()).values()
            return
        assert self.pipeline is not None and text is not None
        started = time.perf_counter()
        tracker = render.Tracker()
        events: queue.Queue[tuple[str, Any]] = queue.Queue()
        pipeline = self.pipeline

        def work() -> None:
            try:
                brief = pipeline.run_many(
                    [text],
                    length=length or "medium",
                    script=script or "simplified",
                    progress=lambda stage, done, total: events.put(
                        ("progress", (stage, done, total))
                    ),
                    on_english=lambda english: events.put(("english", english[0])),
                )[0]
                events.put(("done", brief))
            except Exception as exc:  # reported on the page, below
                events.put(("error", exc))

        threading.Thread(target=work, name="briefing-web-run", daemon=True).start()
        step = tracker.start()
        english = ""
        yield View(button=busy(step.label), progress=render.progress_html(step)).values()
        while True:
            kind, payload = events.get()
            # Only the latest of several queued progress reports is worth drawing.
            while kind == "progress" and not events.empty():
                step = tracker.report(*payload)
                kind, payload = events.get()
            if kind == "progress":
                step = tracker.report(*payload)
            elif kind == "english":
                step = tracker.english_ready()
                english = " ".join(payload)
            elif kind == "error":
                exc = payload
                if not isinstance(exc, BriefingError):
                    log.error("briefing failed in the web UI", exc_info=exc)
                message = render.friendly_error(exc, text)
                yield View(alert=render.alert_html(message)).values()
                return
            else:
                yield self._finished(payload, text, upload, tracker, started).values()
                return
            yield View(
                button=busy(step.label), progress=render.progress_html(step), english=english
            ).values()

    def _finished(
        self,
        brief: Brief,
        text: str,
        upload: tuple[str, str] | None,
        tracker: render.Tracker,
        started: float,
    ) -> View:
        title = self.title_for(text, brief, upload)
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

    def cleared(self) -> tuple[Any, ...]:
        """The view with no result (the article changed, or a file or example was loaded)."""
        return View(button=self._idle_button()).values()

    # ------------------------------------------------------------------ downloads
    @staticmethod
    def title_for(text: str, brief: Brief, upload: tuple[str, str] | None) -> str | None:
        """The briefed article's title: the uploaded page's, the Brief's, or its first line."""
        if upload and upload[0] == digest(text) and upload[1]:
            return upload[1]
        return getattr(brief, "title", None) or first_line_title(text)

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
            view = View(button=self._idle_button(), alert=render.alert_html(str(exc)))
            return (gr.skip(), None, *view.values())
        return (text, (digest(text), title), *self.cleared())

    def read_link(self, url: str | None) -> tuple[Any, ...]:
        """Article text of a web page (fetched by the server, public addresses only), its
        title for the downloads, and a cleared view."""
        text, title, problem = self._fetch(url)
        if problem:
            view = View(button=self._idle_button(), alert=render.alert_html(problem))
            return (gr.skip(), gr.skip(), *view.values())
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
