"""The Gradio web UI: paste or upload an English article, read its English and Chinese briefs.

``build_app`` makes the Blocks app around one already-loaded ``Pipeline`` (or none, when the
models are missing: the page then says which models and the command that fetches them);
``launch`` starts it. Every brief goes through ``Pipeline.run_many``, so the page, the named
API endpoint ``/brief`` and ``briefing.summarize`` give the same result for the same input;
the "Whole article" tab and ``/translate`` go through ``Pipeline.translate_article``.

Everything an article or a model provides is shown as text: in text boxes, or in ``gr.HTML``
only after ``html.escape``. Modules: ``app`` (layout, events, launch), ``handlers`` (what the
events call), ``whole`` (the whole-article events), ``view`` (what an event shows),
``render`` (HTML and text), ``limits`` (request size limit).
"""

from __future__ import annotations

from .app import (
    CONCURRENCY_LIMIT,
    CSS,
    MAX_REQUEST_BYTES,
    QUEUE_MAX_SIZE,
    SESSION_CAPACITY,
    build_app,
    launch,
    load_pipeline,
    models_text,
    theme,
)
from .handlers import (
    CACHE_SECONDS,
    EXAMPLES,
    MAX_ARTICLE_CHARS,
    MAX_DOWNLOAD_FOLDERS,
    MAX_MARKUP_CHARS,
    MAX_UPLOAD_BYTES,
    UPLOAD_SUFFIXES,
    Handlers,
    sample_article,
)
from .render import (
    article_html,
    check_html,
    friendly_error,
    missing_models_html,
    result_dict,
    stats_line,
)
from .server import is_loopback, parse_auth, security_warnings

__all__ = [
    "CACHE_SECONDS",
    "CONCURRENCY_LIMIT",
    "CSS",
    "EXAMPLES",
    "MAX_ARTICLE_CHARS",
    "MAX_DOWNLOAD_FOLDERS",
    "MAX_MARKUP_CHARS",
    "MAX_REQUEST_BYTES",
    "MAX_UPLOAD_BYTES",
    "QUEUE_MAX_SIZE",
    "SESSION_CAPACITY",
    "UPLOAD_SUFFIXES",
    "Handlers",
    "article_html",
    "build_app",
    "check_html",
    "friendly_error",
    "is_loopback",
    "launch",
    "load_pipeline",
    "missing_models_html",
    "models_text",
    "parse_auth",
    "result_dict",
    "sample_article",
    "security_warnings",
    "stats_line",
    "theme",
]
