"""The Gradio web UI: paste or upload an English article, read its English and Chinese briefs.

``build_app`` makes the Blocks app around one already-loaded ``Pipeline`` (or none, when the
models are missing: the page then says which model and how to fetch it); ``launch`` starts
it. Every brief goes through ``Pipeline.run_many``, so the page, the named API endpoint
``/brief`` and ``briefing.summarize`` give the same result for the same input and options.

Everything an article or a model provides is shown as text: in text boxes, or in ``gr.HTML``
only after ``html.escape``.
"""

from __future__ import annotations

import html
import json
import logging
import os
import shutil
import stat
import tempfile
import threading
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import gradio as gr

from .errors import (
    BackendUnavailableError,
    BriefingError,
    ModelLoadError,
    ModelNotFoundError,
)
from .pipeline import Brief, ModelChoice, Pipeline
from .reader import MAX_FILE_BYTES, SUFFIXES, parse_article
from .summarizer import Progress

log = logging.getLogger("briefing")

# Requests the queue runs at once. The Pipeline serialises model calls with a lock, so more
# would only wait inside workers; 2 lets one request clean and check its input (and fail
# fast on bad input) while another is in the models.
CONCURRENCY_LIMIT = 2
# Requests allowed to wait in the queue; further ones are refused with "queue full".
QUEUE_MAX_SIZE = 64
MAX_UPLOAD_BYTES = MAX_FILE_BYTES
UPLOAD_SUFFIXES = SUFFIXES
# Gradio's upload cache and our download files older than this are deleted.
CACHE_SECONDS = 3600
SAMPLE = "sample-kingsoft-cloud.txt"
LENGTHS = [("Short", "short"), ("Medium", "medium"), ("Long", "long")]
SCRIPTS = [
    ("Simplified 简体", "simplified"),
    ("Traditional 繁體", "traditional"),
    ("Traditional, Taiwan 臺灣", "taiwan"),
]
# Errors that mean "the operator's models cannot be used": the app still starts.
MODEL_ERRORS = (ModelNotFoundError, ModelLoadError, BackendUnavailableError)

CSS = """
#brief-en textarea, #brief-zh textarea { font-size: 1.05rem; line-height: 1.6; }
#stats textarea { font-family: ui-monospace, monospace; font-size: 0.9rem; }
table.bilingual { width: 100%; border-collapse: collapse; }
table.bilingual th, table.bilingual td {
  border: 1px solid var(--border-color-primary); padding: 0.4rem 0.6rem; vertical-align: top;
  text-align: left; white-space: pre-wrap;
}
table.bilingual td.pair-zh { line-height: 1.7; }
#model-error { border: 2px solid #d97706; border-radius: 8px; padding: 0.8rem 1rem; }
#model-error code { user-select: all; }
"""


def sample_article() -> str:
    """The sample article shipped in the package (the Kingsoft Cloud news story)."""
    return (resources.files("briefing") / "data" / SAMPLE).read_text(encoding="utf-8")


def load_pipeline(choice: ModelChoice) -> tuple[Pipeline | None, BriefingError | None]:
    """Load the models once; on missing or unusable models return the error instead."""
    try:
        return Pipeline.from_choice(choice), None
    except MODEL_ERRORS as exc:
        log.info("the web UI starts without models: %s", exc)
        return None, exc


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """``user:password`` (from $BRIEFING_AUTH) to Gradio's auth tuple; empty means no auth."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        from .errors import ConfigError

        raise ConfigError("BRIEFING_AUTH must look like user:password (both non-empty)")
    return user, password


def is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def security_warnings(host: str, share: bool, auth: tuple[str, str] | None) -> list[str]:
    """What the operator should hear before the page becomes reachable by others."""
    if auth:
        return []
    warnings = []
    if share:
        warnings.append(
            "--share makes the page public through a gradio.live link and no login is set: "
            "set BRIEFING_AUTH=user:password"
        )
    if not is_loopback(host):
        warnings.append(
            f"listening on {host}, reachable from other machines, and no login is set: "
            "set BRIEFING_AUTH=user:password or use --host 127.0.0.1"
        )
    return warnings


def _escape(text: object) -> str:
    return html.escape(str(text), quote=True)


def bilingual_html(brief: Brief) -> str:
    """English sentence beside its Chinese sentence; every string escaped."""
    rows = "".join(
        f'<tr class="pair" data-index="{i}">'
        f'<td class="pair-en" lang="en">{_escape(en)}</td>'
        f'<td class="pair-zh" lang="zh">{_escape(zh)}</td></tr>'
        for i, (en, zh) in enumerate(brief.sentence_pairs)
    )
    return (
        '<table class="bilingual" id="bilingual-table">'
        "<thead><tr><th>English</th><th>中文</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def result_dict(brief: Brief) -> dict[str, Any]:
    """``brief.to_dict()`` without the server's model folders.

    Visitors need not learn the server's file layout, and gradio_client (sse_v3) takes any
    dict with a string ``path`` in a result for a file to download, which would break
    ``Client.predict``.
    """
    data = brief.to_dict()
    for role in ("summarizer", "translator"):
        data["info"][role].pop("path", None)
    return data


def stats_line(brief: Brief) -> str:
    info = brief.info
    s = info.seconds
    chunks = len(info.chunk_tokens)
    return (
        f"{info.words_in:,} words in · {chunks} chunk{'s' * (chunks != 1)} · "
        f"{info.summary_rounds} summary round{'s' * (info.summary_rounds != 1)} · "
        f"clean {s.clean:.2f} s · summarize {s.summarize:.2f} s · "
        f"translate {s.translate:.2f} s · total {s.total:.2f} s"
    )


def models_text(pipeline: Pipeline | None, error: BriefingError | None) -> str:
    if pipeline is None:
        return f"No models loaded.\n{error}"
    lines = []
    for role, info in zip(("Summarizer", "Translator"), pipeline.models, strict=True):
        lines.append(
            f"{role}: {info.name} ({info.family}, {info.backend}, {info.device}, {info.precision})"
        )
    lines.append(f"Loaded in {pipeline.load_seconds:.1f} s. Models are chosen by the operator")
    lines.append("(BRIEFING_SUMMARIZER / BRIEFING_TRANSLATOR, or briefing serve --summarizer …).")
    return "\n".join(lines)


def missing_models_html(error: BriefingError) -> str:
    if isinstance(error, ModelNotFoundError):
        fix = f"briefing download {error.model}"
        how = (
            "Fetch it on the server (needs internet), then restart: "
            f"<code>{_escape(fix)}</code> — or run <code>briefing download</code> for both "
            "default models."
        )
    else:
        how = "Fix the model folder on the server (see the message above), then restart."
    return (
        f'<div id="model-error" role="alert"><strong>Models missing: the page cannot brief '
        f"articles yet.</strong><p>{_escape(error)}</p><p>{how}</p></div>"
    )


def _sources_renderer() -> Callable[[Brief], str] | None:
    """The sources panel renderer of the web layer (``web_sources``)."""
    from .web_sources import render_sources_html

    return render_sources_html


def _gradio_progress(progress: Any) -> Progress:
    units = {"summarize": ("Summarizing", "chunk"), "translate": ("Translating", "sentence")}

    def report(stage: str, done: int, total: int) -> None:
        verb, unit = units.get(stage, (stage.capitalize(), "step"))
        progress((done, total), desc=f"{verb}: {unit} {done} of {total}", unit=f"{unit}s")

    return report


class Handlers:
    """What the page's events call; usable (and tested) without a running server."""

    def __init__(
        self,
        pipeline: Pipeline | None,
        load_error: BriefingError | None = None,
        *,
        max_upload_bytes: int = MAX_UPLOAD_BYTES,
        upload_root: Path | None = None,
    ) -> None:
        if pipeline is None and load_error is None:
            raise ValueError("pass a Pipeline, or the error that kept it from loading")
        self.pipeline = pipeline
        self.load_error = load_error
        self.max_upload_bytes = max_upload_bytes
        self._upload_root = upload_root
        self._downloads: Path | None = None
        self._downloads_lock = threading.Lock()

    # ------------------------------------------------------------------ briefing
    def brief(
        self,
        text: str | None,
        length: str | None = "medium",
        script: str | None = "simplified",
        progress: Any = gr.Progress(),  # noqa: B008 - Gradio injects the tracker by default
    ) -> tuple[str, str, dict[str, Any], Brief]:
        """English brief, Chinese brief, JSON result and the Brief (kept in session state)."""
        if self.pipeline is None:
            raise gr.Error(str(self.load_error), title="Models missing", print_exception=False)
        if not text or not text.strip():
            raise gr.Error(
                "The article is empty: paste the text of an English news article, upload a "
                ".txt/.md/.html file, or press “Load the example”.",
                title="Nothing to brief",
                print_exception=False,
            )
        progress(0, desc="Waiting for the models")
        try:
            brief = self.pipeline.run_many(
                [text],
                length=length or "medium",
                script=script or "simplified",
                progress=_gradio_progress(progress),
            )[0]
        except BriefingError as exc:
            raise gr.Error(str(exc), title="Cannot brief this", print_exception=False) from exc
        except Exception as exc:
            log.exception("briefing failed in the web UI")
            raise gr.Error(
                f"Briefing failed unexpectedly ({type(exc).__name__}); the server log has details.",
                print_exception=False,
            ) from exc
        return brief.summary, brief.translation, result_dict(brief), brief

    def extras(
        self, brief: Brief | None, text: str | None = None
    ) -> tuple[str, str, Any, Any, str]:
        """Bilingual view, stats line, Markdown and JSON downloads, sources panel."""
        if brief is None:
            hidden = gr.update(visible=False)
            return "", "", hidden, hidden, ""
        folder = self._download_folder()
        md_path = folder / "brief.md"
        json_path = folder / "brief.json"
        md_path.write_text(brief.to_markdown(title=_title(text)), encoding="utf-8")
        json_path.write_text(
            json.dumps(result_dict(brief), ensure_ascii=False, indent=2), encoding="utf-8"
        )
        render = _sources_renderer()
        try:
            sources = render(brief) if render else ""
        except Exception:  # the briefs are already on the page; lose only the panel
            log.exception("the sources panel could not be drawn")
            sources = ""
        return (
            bilingual_html(brief),
            stats_line(brief),
            gr.update(value=str(md_path), visible=True),
            gr.update(value=str(json_path), visible=True),
            sources,
        )

    def _download_folder(self) -> Path:
        """A fresh folder per result under one temp folder; old ones are pruned."""
        with self._downloads_lock:
            if self._downloads is None:
                self._downloads = Path(tempfile.mkdtemp(prefix="briefing-downloads-"))
            cutoff = time.time() - CACHE_SECONDS
            for old in self._downloads.iterdir():
                try:
                    if old.stat().st_mtime < cutoff:
                        shutil.rmtree(old, ignore_errors=True)
                except FileNotFoundError:
                    pass
        return Path(tempfile.mkdtemp(dir=self._downloads))

    # ------------------------------------------------------------------ input
    def sample(self) -> str:
        return sample_article()

    def read_upload(self, path: str | None) -> str:
        """Article text of an uploaded file (the textbox is filled with it).

        ``path`` is Gradio's copy in its upload cache; the visitor's file name is used only
        for its suffix, never as a path.
        """
        if not path:
            return gr.skip()
        file = Path(path)
        suffix = file.suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            raise gr.Error(
                f"Only {', '.join(UPLOAD_SUFFIXES)} files can be uploaded; this one is "
                f"{suffix or 'without an extension'}. Paste other text into the box.",
                title="Unsupported file",
                print_exception=False,
            )
        root = (self._upload_root or Path(gr.utils.get_upload_folder())).resolve()
        info = os.lstat(file)
        if not file.resolve().is_relative_to(root) or not stat.S_ISREG(info.st_mode):
            raise gr.Error("That file was not uploaded through this page.", print_exception=False)
        if info.st_size > self.max_upload_bytes:
            raise gr.Error(
                f"The file is {info.st_size:,} bytes; the limit is {self.max_upload_bytes:,}. "
                "Upload one article at a time.",
                title="File too large",
                print_exception=False,
            )
        with file.open("rb") as handle:
            data = handle.read(self.max_upload_bytes + 1)
        if len(data) > self.max_upload_bytes:
            raise gr.Error("The file is over the size limit.", print_exception=False)
        try:
            article = parse_article(data, f"upload{suffix}")
        except BriefingError as exc:
            raise gr.Error(str(exc), title="Cannot read this file", print_exception=False) from exc
        return article.text


def _title(text: str | None) -> str | None:
    for line in (text or "").splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= 100 else line[:99].rstrip() + "…"
    return None


def build_app(
    pipeline: Pipeline | None,
    load_error: BriefingError | None = None,
    *,
    concurrency_limit: int = CONCURRENCY_LIMIT,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
) -> gr.Blocks:
    """The Blocks app around an already-loaded pipeline (or the error that kept it out)."""
    handlers = Handlers(pipeline, load_error, max_upload_bytes=max_upload_bytes)
    render_sources = _sources_renderer()
    with gr.Blocks(
        title="briefing: English and Chinese news briefs",
        analytics_enabled=False,
        delete_cache=(CACHE_SECONDS, CACHE_SECONDS),
    ) as app:
        gr.HTML(
            "<h1>briefing</h1><p>Paste an English news article (or upload a .txt, .md or "
            ".html file) and get a short English brief and a faithful Chinese brief.</p>",
            elem_id="intro",
        )
        if pipeline is None and load_error is not None:
            gr.HTML(missing_models_html(load_error), elem_id="model-error-box")
        with gr.Row():
            with gr.Column(scale=3):
                article = gr.Textbox(
                    label="Article",
                    lines=14,
                    max_lines=30,
                    placeholder="Paste the article text here…",
                    elem_id="article",
                )
                with gr.Row():
                    example = gr.Button("Load the example", size="sm", elem_id="load-example")
                    upload = gr.File(
                        label="…or upload .txt / .md / .html",
                        file_types=list(UPLOAD_SUFFIXES),
                        type="filepath",
                        height=140,
                        elem_id="upload",
                    )
            with gr.Column(scale=1, min_width=220):
                length = gr.Radio(LENGTHS, value="medium", label="Length", elem_id="length")
                script = gr.Radio(
                    SCRIPTS, value="simplified", label="Chinese script", elem_id="script"
                )
                run = gr.Button("Brief it", variant="primary", elem_id="brief-button")
                with gr.Accordion("Advanced: models", open=False, elem_id="advanced"):
                    gr.Textbox(
                        models_text(pipeline, load_error),
                        label="Loaded models",
                        lines=4,
                        interactive=False,
                        elem_id="models",
                    )
        stats = gr.Textbox(label="Stats", interactive=False, elem_id="stats")
        with gr.Row():
            english = gr.Textbox(
                label="English brief",
                lines=6,
                interactive=False,
                buttons=["copy"],
                elem_id="brief-en",
            )
            chinese = gr.Textbox(
                label="中文摘要 (Chinese brief)",
                lines=6,
                interactive=False,
                buttons=["copy"],
                elem_id="brief-zh",
            )
        with gr.Row():
            download_md = gr.DownloadButton(
                "Download Markdown", visible=False, elem_id="download-md"
            )
            download_json = gr.DownloadButton(
                "Download JSON", visible=False, elem_id="download-json"
            )
        with gr.Accordion("Sentence by sentence", open=True, elem_id="bilingual"):
            bilingual = gr.HTML("", elem_id="bilingual-view")
        # Filled by briefing.trust (already escaped there); hidden until that module exists.
        sources = gr.HTML("", elem_id="sources-panel", visible=render_sources is not None)
        with gr.Accordion("JSON result", open=False, elem_id="json-accordion"):
            result_json = gr.JSON(label="Result", elem_id="result-json")
        state = gr.State(None, time_to_live=CACHE_SECONDS)

        example.click(handlers.sample, outputs=article, api_visibility="private", queue=False)
        upload.upload(
            handlers.read_upload, inputs=upload, outputs=article, api_visibility="private"
        )
        # Only the button: in a multi-line box Enter must stay a line break.
        event = run.click(
            handlers.brief,
            inputs=[article, length, script],
            outputs=[english, chinese, result_json, state],
            api_name="brief",
            api_description="Brief one English article: returns the English brief, the "
            "Chinese brief and the whole result as JSON.",
            concurrency_limit=concurrency_limit,
        )
        event.success(
            handlers.extras,
            inputs=[state, article],
            outputs=[bilingual, stats, download_md, download_json, sources],
            api_visibility="private",
            queue=False,
        )
    app.queue(default_concurrency_limit=concurrency_limit, max_size=QUEUE_MAX_SIZE)
    return app


def theme() -> gr.themes.Base:
    # System fonts only: the default theme fetches Google Fonts, which offline servers lack.
    return gr.themes.Default(
        font=[
            "ui-sans-serif",
            "system-ui",
            "Noto Sans CJK SC",
            "WenQuanYi Micro Hei",
            "sans-serif",
        ],
        font_mono=["ui-monospace", "monospace"],
    )


def launch(
    app: gr.Blocks,
    *,
    host: str = "127.0.0.1",
    port: int = 7860,
    share: bool = False,
    auth: tuple[str, str] | None = None,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
    block: bool = True,
    quiet: bool = False,
) -> Any:
    """Start the server; with ``block=False`` return at once (tests, notebooks)."""
    return app.launch(
        server_name=host,
        server_port=port,
        share=share,
        auth=auth,
        max_file_size=max_upload_bytes,
        prevent_thread_lock=not block,
        show_error=False,
        quiet=quiet,
        ssr_mode=False,
        theme=theme(),
        css=CSS,
        footer_links=["api"],
    )


__all__ = [
    "CONCURRENCY_LIMIT",
    "QUEUE_MAX_SIZE",
    "Handlers",
    "build_app",
    "launch",
    "load_pipeline",
    "parse_auth",
    "security_warnings",
]
