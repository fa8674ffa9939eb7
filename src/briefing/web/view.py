"""What one event of the page shows: ``View``, one value per output component, in order;
and the names of results (text digests, download file names)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, fields
from typing import Any

import gradio as gr

from ..reader import first_line_title

BUTTON_IDLE = "Brief it"
BUTTON_NO_MODELS = "Models missing: see above"
ARTICLE_IDLE = "Translate the whole article"
ARTICLE_NO_MODELS = "Models missing"


def digest(text: str | None) -> str:
    return hashlib.sha256((text or "").encode("utf-8", "surrogatepass")).hexdigest()[:16]


def download_title(text: str, own: str | None, upload: tuple[str, str] | None) -> str | None:
    """The title a result's downloads are named after: the uploaded file's or fetched page's
    (while the box still holds its text), the result's own, else the article's first line."""
    if upload and upload[0] == digest(text) and upload[1]:
        return upload[1]
    return own or first_line_title(text) or None


def file_stem(title: str | None) -> str:
    """A download file name from a title: ASCII words joined by dashes, at most 60 chars."""
    words = re.findall(r"[A-Za-z0-9]+", title or "")
    stem = "-".join(words).lower()[:60].strip("-")
    return stem or "brief"


def busy(label: str) -> Any:
    return gr.update(value=label, interactive=False)


def locked() -> Any:
    """A button that keeps its label but cannot start a run while another one works."""
    return gr.update(interactive=False)


def skip() -> Any:
    return gr.skip()


@dataclass
class View:
    """Everything a run shows; ``OUTPUTS`` names the components in order.

    The brief's fields default to "no result"; the whole article's fields default to
    "unchanged" (a brief run leaves a translation of the same text in place), and ``cleared``
    views set them empty explicitly.
    """

    button: Any = field(default_factory=lambda: gr.update(value=BUTTON_IDLE, interactive=True))
    progress: str = ""
    alert: str = ""
    english: Any = ""
    chinese: Any = ""
    badge: Any = field(default_factory=lambda: gr.update(value="", visible=False))
    check: Any = ""
    details: Any = ""
    download_md: Any = field(default_factory=lambda: gr.update(value=None, visible=False))
    download_json: Any = field(default_factory=lambda: gr.update(value=None, visible=False))
    result: Any = None
    article_button: Any = field(
        default_factory=lambda: gr.update(value=ARTICLE_IDLE, interactive=True)
    )
    article_view: Any = field(default_factory=skip)
    article_download: Any = field(default_factory=skip)
    tabs: Any = field(default_factory=skip)

    def values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f.name) for f in fields(self))


OUTPUTS = tuple(f.name for f in fields(View))
# The brief's result fields: a whole-article run leaves them as they are.
BRIEF_RESULT = (
    "english",
    "chinese",
    "badge",
    "check",
    "details",
    "download_md",
    "download_json",
    "result",
)


def keep_brief() -> dict[str, Any]:
    return {name: gr.skip() for name in BRIEF_RESULT}
