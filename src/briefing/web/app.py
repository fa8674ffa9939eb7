"""The page: layout, styles and events around ``Handlers``; and the server launch."""

from __future__ import annotations

import json
import logging
from functools import partial
from typing import Any

import gradio as gr
from starlette.middleware import Middleware

from ..errors import BackendUnavailableError, BriefingError, ModelLoadError, ModelNotFoundError
from ..models import ModelStatus, model_status
from ..pipeline import Pipeline
from ..settings import ModelChoice
from . import render
from .handlers import (
    CACHE_SECONDS,
    EXAMPLES,
    MAX_MARKUP_CHARS,
    MAX_UPLOAD_BYTES,
    MAX_URL_CHARS,
    UPLOAD_SUFFIXES,
    Handlers,
    read_data,
)
from .limits import BodyLimit
from .view import ARTICLE_IDLE, ARTICLE_NO_MODELS, BUTTON_IDLE, BUTTON_NO_MODELS

log = logging.getLogger("briefing")

# Requests the queue runs at once. The Pipeline serialises model calls with a lock, so more
# would only wait inside workers; 2 lets one request clean and check its input (and fail
# fast on bad input) while another is in the models.
CONCURRENCY_LIMIT = 2
# Requests allowed to wait in the queue; further ones are refused with "queue full".
QUEUE_MAX_SIZE = 64
# Sessions whose last inputs Gradio keeps in memory (its default is 10,000): with requests
# capped at MAX_REQUEST_BYTES this bounds what visitors can make the server hold
# (64 × 3 MB ≈ 190 MB at worst).
SESSION_CAPACITY = 64
# A request body (JSON) may hold one pasted web page of MAX_MARKUP_CHARS (2,000,000): markup
# is nearly all ASCII, and JSON escaping of its quotes and line breaks adds ~5–10 %, so half
# again as much leaves room for the other inputs and some non-ASCII text. (Plain article
# text is limited to MAX_ARTICLE_CHARS, 200,000 characters, by the handlers.) Anything
# larger is refused with 413 before it is read into memory.
MAX_REQUEST_BYTES = MAX_MARKUP_CHARS * 3 // 2
# Errors that mean "the operator's models cannot be used": the app still starts.
MODEL_ERRORS = (ModelNotFoundError, ModelLoadError, BackendUnavailableError)

CSS = """
.gradio-container { max-width: 1200px !important; margin: 0 auto; }
#intro h1 { margin: 0 0 .2rem; font-size: 1.6rem; }
#intro p { margin: 0; }
#brief-en textarea, #brief-zh textarea { font-size: 1.05rem; line-height: 1.6; }
#brief-button { min-height: 2.8rem; font-size: 1.05rem; }
#brief-button:disabled { opacity: .85; cursor: progress; }
#link-row { align-items: center; gap: .4rem; flex-wrap: nowrap; }
#examples, #result-actions { align-items: center; flex-wrap: wrap; gap: .4rem; }
#examples > *, #result-actions > * { flex: 0 0 auto !important; min-width: 0 !important;
  width: auto !important; }
#examples-label { font-size: .9rem; }
#progress { min-height: 2rem; }
#progress .html-container, #alert .html-container { padding: 0; }
.brief-progress { position: relative; height: 1.9rem; border-radius: 6px; overflow: hidden;
  background: var(--background-fill-secondary); border: 1px solid var(--border-color-primary); }
.brief-progress .bar { position: absolute; inset: 0 auto 0 0; background: #93c5fd;
  transition: width .3s ease; }
.brief-progress.done .bar { background: #86efac; }
.brief-progress .label { position: relative; padding: 0 .6rem; line-height: 1.9rem;
  font-size: .95rem; color: #111827; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; display: block; }
.brief-alert { border: 2px solid #dc2626; background: #fef2f2; color: #7f1d1d;
  border-radius: 8px; padding: .7rem 1rem; font-size: 1rem; }
#check-badge { background: #fef3c7; border: 1px solid #d97706; color: #78350f; }
.brief-stats { font-size: .85rem; opacity: .8; margin: 0; font-family: ui-monospace, monospace; }
#model-error { border: 2px solid #d97706; border-radius: 8px; padding: .8rem 1rem; }
#model-error code, .fetch-command code { user-select: all; }
.fetch-command { white-space: pre-wrap; overflow-wrap: anywhere; }
/* Nothing may push the page sideways: long URLs and unbroken strings wrap. */
.gradio-container, .gradio-container * { overflow-wrap: anywhere; }
.gradio-container pre { white-space: pre-wrap; }
table.check-table { width: 100%; border-collapse: collapse; table-layout: fixed; }
table.check-table col.c-en, table.check-table col.c-zh { width: 26%; }
table.check-table col.c-src { width: 32%; }
table.check-table col.c-flags { width: 16%; }
table.check-table th, table.check-table td { border: 1px solid var(--border-color-primary);
  padding: .4rem .6rem; vertical-align: top; text-align: left; overflow-wrap: anywhere; }
table.check-table td.pair-zh { line-height: 1.7; }
table.check-table tr.flagged td.pair-flags { background: #fef3c7; color: #78350f; }
.check-sources, .check-flags { margin: 0; padding-left: 1.4rem; }
#article-button { margin-top: -.2rem; }
#article-actions { align-items: center; gap: .4rem; }
#article-actions > * { flex: 0 0 auto !important; min-width: 0 !important; width: auto !important; }
.art-title { margin: .2rem 0 .4rem; font-size: 1.15rem; }
.art-summary, .art-empty { margin: 0 0 .6rem; font-size: .95rem; opacity: .85; }
table.art-table { width: 100%; border-collapse: collapse; table-layout: fixed;
  border: 1px solid var(--border-color-primary); }
table.art-table col.c-en, table.art-table col.c-zh { width: 50%; }
table.art-table th, table.art-table td { padding: .35rem .6rem; vertical-align: top;
  text-align: left; overflow-wrap: anywhere; border: 0; }
table.art-table td.art-zh { line-height: 1.75; font-size: 1.02rem; }
/* A paragraph is a group of rows: a rule above each, none between its sentences. */
table.art-table tbody.art-para { border-top: 2px solid var(--border-color-primary); }
table.art-table tr.flagged td { background: #fef3c7; }
table.art-table, table.art-table * { border-color: var(--border-color-primary) !important; }
.art-flag { color: #78350f; font-size: .85rem; margin-top: .2rem; }
.check-sources li { font-size: .9rem; }
.check-nosource { color: #b45309; }
@media (max-width: 720px) {
  #controls, #briefs { flex-direction: column !important; }
  #controls > *, #briefs > * { min-width: 0 !important; width: 100% !important; }
  table.check-table, table.check-table tbody, table.check-table tr, table.check-table td {
    display: block; width: 100%; }
  table.check-table thead, table.check-table colgroup { display: none; }
  table.check-table tr { margin-bottom: .8rem; border: 1px solid var(--border-color-primary); }
  table.check-table td { border: 0; border-top: 1px solid var(--border-color-primary); }
  table.check-table td::before { content: attr(data-label); display: block; font-weight: 600;
    font-size: .8rem; opacity: .7; }
  table.art-table, table.art-table tbody, table.art-table tr, table.art-table td {
    display: block; width: 100%; }
  table.art-table thead, table.art-table colgroup { display: none; }
  table.art-table { border: 0; }
  table.art-table tbody.art-para { margin-top: .5rem; border: 1px solid; border-radius: 6px; }
  table.art-table td { padding: .3rem .5rem; }
  table.art-table td.art-zh { padding-bottom: .6rem; }
}
"""

# Ctrl+Enter (⌘+Enter) briefs, from anywhere on the page; plain Enter stays a line break.
# A click on the button makes sure the progress bar under it is in view (a visitor may press
# it at the bottom edge of a phone screen).
HEAD = """<script>
document.addEventListener('keydown', (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key === 'Enter') {
    const button = document.querySelector('#brief-button');
    if (button && !button.disabled) { event.preventDefault(); button.click(); }
  }
});
document.addEventListener('click', (event) => {
  if (!event.target.closest || !event.target.closest('#brief-button')) return;
  const bar = document.querySelector('#progress');
  const room = bar ? bar.getBoundingClientRect().top + 90 - window.innerHeight : 0;
  if (room > 0) window.scrollBy({top: room, behavior: 'instant'});
}, true);
</script>"""

# After a run: bring the briefs (or the error) into view when they are not.
SCROLL_JS = """() => {
  const alert = document.querySelector('#alert .brief-alert');
  const target = alert ? document.querySelector('#alert') : document.querySelector('#results');
  const last = alert ? target : document.querySelector('#brief-zh');
  if (!target || !last) return;
  const top = target.getBoundingClientRect().top;
  const bottom = last.getBoundingClientRect().top + 90;
  if (top < 0 || bottom > window.innerHeight) {
    window.scrollBy({top: top - 8, behavior: 'instant'});
  }
}"""

# After a whole-article run: bring the translation (or the error) to the top of the screen:
# it is long, and it is what the visitor asked to read.
ARTICLE_SCROLL_JS = """() => {
  const alert = document.querySelector('#alert .brief-alert');
  const target = document.querySelector(alert ? '#alert' : '#result-tabs');
  if (!target) return;
  const top = target.getBoundingClientRect().top;
  const far = alert ? top + 120 > window.innerHeight : top > window.innerHeight * 0.3;
  if (top < 0 || far) {
    window.scrollBy({top: top - 8, behavior: 'instant'});
  }
}"""

CHECK_JS = """() => {
  setTimeout(() => document.querySelector('#check')?.scrollIntoView({block: 'start'}), 150);
}"""


def _confirm_js(first_lines: list[str]) -> str:
    """Ask before an example replaces text the visitor typed or pasted."""
    return f"""(ok) => {{
  const box = document.querySelector('#article textarea');
  const text = box ? box.value.trim() : '';
  const examples = {json.dumps(first_lines)};
  const mine = text && !examples.some((line) => text.startsWith(line));
  return [!mine || window.confirm('Replace the article in the box with the example?')];
}}"""


def load_pipeline(choice: ModelChoice) -> tuple[Pipeline | None, BriefingError | None]:
    """Load the models once; on missing or unusable models return the error instead."""
    try:
        return Pipeline.from_choice(choice), None
    except MODEL_ERRORS as exc:
        log.info("the web UI starts without models: %s", exc)
        return None, exc


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


def _statuses(choice: ModelChoice | None, error: BriefingError | None) -> list[ModelStatus]:
    try:
        chosen = (choice or ModelChoice()).resolved()
        return model_status(chosen.summarizer or "", chosen.translator or "")
    except Exception:  # the page must still start and say what it can
        log.exception("cannot tell which models are missing")
        return []


def build_app(
    pipeline: Pipeline | None,
    load_error: BriefingError | None = None,
    *,
    concurrency_limit: int = CONCURRENCY_LIMIT,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
    choice: ModelChoice | None = None,
) -> gr.Blocks:
    """The Blocks app around an already-loaded pipeline (or the error that kept it out)."""
    handlers = Handlers(pipeline, load_error, max_upload_bytes=max_upload_bytes)
    ready = pipeline is not None
    with gr.Blocks(
        title="briefing: English and Chinese news briefs",
        analytics_enabled=False,
        delete_cache=(CACHE_SECONDS, CACHE_SECONDS),
    ) as app:
        gr.HTML(
            "<h1>briefing</h1><p>Paste an English news article (or give a link, or upload a "
            ".txt, .md or .html file) and get a short English brief and a faithful Chinese "
            "brief.</p>",
            elem_id="intro",
        )
        if not ready:
            gr.HTML(
                render.missing_models_html(_statuses(choice, load_error), load_error),
                elem_id="model-error-box",
            )
        with gr.Row(elem_id="controls", equal_height=False):
            with gr.Column(scale=3, min_width=280):
                article = gr.Textbox(
                    label="Article",
                    lines=8,
                    max_lines=10,
                    # Pasted web pages are markup: the box takes a page; the handlers
                    # apply the text limit to the text extracted from it.
                    max_length=MAX_MARKUP_CHARS,
                    placeholder="Paste the article text here… (Ctrl+Enter briefs it)",
                    elem_id="article",
                )
                with gr.Row(elem_id="link-row", equal_height=True):
                    link = gr.Textbox(
                        show_label=False,
                        placeholder="…or paste a link to the article: https://…",
                        max_length=MAX_URL_CHARS,
                        lines=1,
                        max_lines=1,
                        scale=4,
                        container=False,
                        elem_id="link",
                    )
                    fetch = gr.Button("Fetch", size="sm", scale=1, min_width=80, elem_id="fetch")
                with gr.Row(elem_id="examples"):
                    gr.HTML('<span id="examples-label">Examples:</span>', padding=False)
                    example_buttons = [
                        (gr.Button(label, size="sm", elem_classes="example"), name)
                        for label, name in EXAMPLES
                    ]
                    upload = gr.UploadButton(
                        "Upload .txt / .md / .html",
                        file_types=list(UPLOAD_SUFFIXES),
                        type="filepath",
                        size="sm",
                        elem_id="upload",
                    )
            with gr.Column(scale=2, min_width=260):
                length = gr.Radio(render.LENGTHS, value="medium", label="Length", elem_id="length")
                script = gr.Radio(
                    render.SCRIPTS, value="simplified", label="Chinese script", elem_id="script"
                )
                run = gr.Button(
                    BUTTON_IDLE if ready else BUTTON_NO_MODELS,
                    variant="primary",
                    interactive=ready,
                    elem_id="brief-button",
                )
                translate_all = gr.Button(
                    ARTICLE_IDLE if ready else ARTICLE_NO_MODELS,
                    variant="secondary",
                    size="sm",
                    interactive=ready,
                    elem_id="article-button",
                )
                progress = gr.HTML("", elem_id="progress", padding=False)
        alert = gr.HTML("", elem_id="alert", padding=False)
        with gr.Column(visible=ready, elem_id="results"), gr.Tabs(elem_id="result-tabs") as tabs:
            with gr.Tab("Brief", id="brief", elem_id="brief-tab"):
                with gr.Row(elem_id="result-actions"):
                    badge = gr.Button("", visible=False, size="sm", elem_id="check-badge")
                    download_md = gr.DownloadButton(
                        "Download Markdown", visible=False, size="sm", elem_id="download-md"
                    )
                    download_json = gr.DownloadButton(
                        "Download JSON", visible=False, size="sm", elem_id="download-json"
                    )
                with gr.Row(elem_id="briefs", equal_height=True):
                    english = gr.Textbox(
                        label="English brief",
                        lines=3,
                        max_lines=12,
                        interactive=False,
                        buttons=["copy"],
                        elem_id="brief-en",
                    )
                    chinese = gr.Textbox(
                        label="中文摘要 (Chinese brief)",
                        lines=3,
                        max_lines=12,
                        interactive=False,
                        buttons=["copy"],
                        elem_id="brief-zh",
                    )
                with gr.Accordion("Check", open=False, elem_id="check") as check_box:
                    check = gr.HTML("", elem_id="check-view")
                with gr.Accordion("Details", open=False, elem_id="details"):
                    details = gr.HTML("", elem_id="details-view")
                    result_json = gr.JSON(label="Whole result (JSON)", elem_id="result-json")
            with gr.Tab("Whole article", id="article", elem_id="article-tab"):
                with gr.Row(elem_id="article-actions"):
                    article_download = gr.DownloadButton(
                        "Download Markdown",
                        visible=False,
                        size="sm",
                        elem_id="download-article",
                    )
                article_view = gr.HTML(render.ARTICLE_EMPTY, elem_id="article-view")
        with gr.Accordion("Models in use", open=False, elem_id="models-in-use"):
            gr.Textbox(
                models_text(pipeline, load_error),
                show_label=False,
                lines=4,
                interactive=False,
                elem_id="models",
            )
        # The uploaded file's (text digest, title): names the downloads of its brief.
        upload_info = gr.State(None, time_to_live=CACHE_SECONDS)
        confirmed = gr.Checkbox(True, visible=False)

        outputs = [
            run,
            progress,
            alert,
            english,
            chinese,
            badge,
            check,
            details,
            download_md,
            download_json,
            result_json,
            translate_all,
            article_view,
            article_download,
            tabs,
        ]
        assert len(outputs) == len(Handlers.OUTPUTS)
        page_run = run.click(
            handlers.run,
            inputs=[article, length, script, upload_info],
            outputs=outputs,
            api_visibility="private",
            show_progress="hidden",
            concurrency_limit=concurrency_limit,
            trigger_mode="once",
        )
        page_run.then(None, js=SCROLL_JS)
        article_run = translate_all.click(
            handlers.run_article,
            inputs=[article, script, upload_info],
            outputs=outputs,
            api_visibility="private",
            show_progress="hidden",
            concurrency_limit=concurrency_limit,
            trigger_mode="once",
        )
        article_run.then(None, js=ARTICLE_SCROLL_JS)
        runs: list[dict[str, Any]] = [page_run, article_run]
        # Editing the article makes the result stale: clear it (and stop a run for old text).
        article.input(
            handlers.cleared,
            outputs=outputs,
            api_visibility="private",
            queue=False,
            show_progress="hidden",
            cancels=runs,
            trigger_mode="always_last",
        )
        upload.upload(
            handlers.read_upload,
            inputs=upload,
            outputs=[article, upload_info, *outputs],
            api_visibility="private",
            show_progress="hidden",
            cancels=runs,
        )
        gr.on(
            [fetch.click, link.submit],
            handlers.read_link,
            inputs=link,
            outputs=[article, upload_info, *outputs],
            api_visibility="private",
            show_progress="minimal",
            show_progress_on=fetch,
            cancels=runs,
            concurrency_limit=4,
        )
        first_lines = [read_data(name).splitlines()[0][:60] for _, name in EXAMPLES]
        for button, name in example_buttons:
            button.click(
                partial(handlers.example, name),
                inputs=[confirmed],
                outputs=[article, upload_info, *outputs],
                js=_confirm_js(first_lines),
                api_visibility="private",
                queue=False,
                show_progress="hidden",
                cancels=runs,
            )
        badge.click(
            lambda: gr.Accordion(open=True),
            outputs=check_box,
            api_visibility="private",
            queue=False,
            show_progress="hidden",
        ).then(None, js=CHECK_JS)
        # The named API: three outputs, for gradio_client and scripts (not the page).
        api_trigger = gr.Button(visible=False, elem_id="api-trigger")
        api_trigger.click(
            handlers.brief,
            inputs=[article, length, script],
            outputs=[english, chinese, result_json],
            api_name="brief",
            api_description="Brief one English article: returns the English brief, the "
            "Chinese brief and the whole result as JSON.",
            concurrency_limit=concurrency_limit,
        )
        api_url_trigger = gr.Button(visible=False, elem_id="api-url-trigger")
        api_url_trigger.click(
            handlers.brief_url,
            inputs=[link, length, script],
            outputs=[english, chinese, result_json],
            api_name="brief_url",
            api_description="Fetch an English article from a public link and brief it: "
            "returns the English brief, the Chinese brief and the whole result as JSON.",
            concurrency_limit=concurrency_limit,
        )
        api_translate_trigger = gr.Button(visible=False, elem_id="api-translate-trigger")
        api_translate_trigger.click(
            handlers.translate,
            inputs=[article, script],
            outputs=[chinese, result_json],
            api_name="translate",
            api_description="Translate a whole English article into Chinese, sentence by "
            "sentence: returns the Chinese text and the aligned result (sentence pairs, "
            "paragraphs, flags) as JSON.",
            concurrency_limit=concurrency_limit,
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
        head=HEAD,
        footer_links=["api"],
        run_history=False,
        state_session_capacity=SESSION_CAPACITY,
        app_kwargs={"middleware": [Middleware(BodyLimit, max_bytes=MAX_REQUEST_BYTES)]},
    )
