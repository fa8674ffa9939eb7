"""Reading articles: encodings, HTML and Markdown to text, binary and size checks.

``to_text`` is the one door for every route (file, stdin, paste, upload, Python): text or
markup in, article text and page title out, with the markup limit on the markup and the
character limit on the text that comes out of it.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Literal

from .clean import clean, looks_like_html
from .errors import InputError

SUFFIXES = (".txt", ".md", ".html", ".htm")
# Real article pages are 0.2–1.6 MB of markup around ~10 kB of text, so markup gets its own,
# larger limit; the character limit (CleanOptions.max_chars) applies to the extracted text.
MAX_MARKUP_CHARS = 5_000_000
MAX_FILE_BYTES = MAX_MARKUP_CHARS  # a file may be a page; bigger files are refused unread
DEFAULT_MAX_CHARS = 100_000
SourceKind = Literal["text", "markdown", "html"]
_MD_SYNTAX = [
    (re.compile(r"^```.*?^```", re.S | re.M), ""),  # fenced code
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images → alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links → link text
    (re.compile(r"^\s{0,3}#{1,6}\s*", re.M), ""),  # headings
    (re.compile(r"^\s{0,3}>\s?", re.M), ""),  # block quotes
    (re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.M), ""),  # list markers
    (re.compile(r"^\s*(?:[-*_]\s*){3,}$", re.M), ""),  # rules
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])[*_](?!\s)(.+?)(?<!\s)[*_](?![\w*])"), r"\1"),  # italics
    (re.compile(r"`([^`]*)`"), r"\1"),  # inline code
    (re.compile(r"<[^>\n]+>"), ""),  # inline HTML tags
]


@dataclass(frozen=True)
class Article:
    """An article read from a file or an upload."""

    text: str
    title: str
    encoding: str
    sha256: str
    kind: SourceKind


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Text and encoding name: BOMs first, then strict UTF-8, then charset-normalizer."""
    if not data.strip():
        raise InputError("the file is empty: nothing to brief")
    for bom, name in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError as exc:
                raise InputError(f"the file starts with a {name} mark but is not {name}") from exc
    if b"\x00" in data[:8192]:
        raise InputError(
            "the file is binary (it has NUL bytes), not text: pass a .txt, .md or .html article"
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # English articles in a legacy encoding are nearly always Windows-1252 / Latin-1, and
    # detectors guess poorly on short, mostly-ASCII text, so try that first.
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        pass
    else:
        if sum(c.isascii() for c in text) >= 0.9 * len(text):
            return text, "cp1252"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputError(
            "cannot tell the file's text encoding (is it binary?): save it as UTF-8 and retry"
        )
    return str(best), best.encoding


def markdown_to_text(markdown: str) -> str:
    text = markdown
    for pattern, replacement in _MD_SYNTAX:
        text = pattern.sub(replacement, text)
    return text


_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.I | re.S)
_BLOCKS = frozenset(
    {
        *("p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "article"),
        *("section", "main", "header", "footer", "blockquote", "figure", "figcaption"),
        *("table", "tr", "td", "th", "pre", "hr", "dd", "dt"),
    }
)


class _Text(HTMLParser):
    """Visible text of markup, a blank line at each block element (fallback extractor)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "noscript", "template"):
            self.skip += 1
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "noscript", "template"):
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(" ".join(data.split("\n")))


def _markup_text(markup: str) -> str:
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


def page_title(markup: str) -> str:
    """The page's <title>, unescaped and on one line, or ""."""
    found = _TITLE.search(markup[:500_000])
    return " ".join(html_lib.unescape(found.group(1)).split()) if found else ""


def html_to_text(html: str) -> tuple[str, str]:
    """Main text and title of an HTML page or fragment: trafilatura for the article text,
    the plain visible text when trafilatura finds none (short fragments)."""
    import trafilatura

    document = trafilatura.bare_extraction(html, include_comments=False, with_metadata=True)
    text = (getattr(document, "text", None) or "") if document else ""
    title = (getattr(document, "title", None) or "") if document else ""
    if not text.strip():
        text = _markup_text(html)
    if not text.strip():
        raise InputError("no article text found in the HTML page: pass the article page itself")
    return text, title or page_title(html)


@dataclass(frozen=True)
class SourceText:
    """Article text from any route, before cleaning; ``title``: the page title, if any."""

    text: str
    title: str | None
    kind: SourceKind


def to_text(
    content: str,
    kind: SourceKind | Literal["auto"] = "auto",
    *,
    max_chars: int = DEFAULT_MAX_CHARS,
    max_markup_chars: int = MAX_MARKUP_CHARS,
) -> SourceText:
    """Text or markup in, article text and title out: the one function every route calls.

    HTML (a page, or a ``<div>``/``<p>`` fragment) is recognised unless ``kind`` says
    otherwise; markup may be up to ``max_markup_chars`` long, and the text from it, like
    plain text, up to twice ``max_chars`` (cleaning checks ``max_chars`` exactly).
    """
    if not isinstance(content, str):
        raise InputError(f"the article must be text (str), not {type(content).__name__}")
    if kind == "html" or (kind == "auto" and looks_like_html(content)):
        if len(content) > max_markup_chars:
            raise InputError(
                f"the HTML page has {len(content):,} characters of markup, over the limit of "
                f"{max_markup_chars:,} for a page: save the article's text and pass that"
            )
        text, title = html_to_text(content)
        found: SourceKind = "html"
    elif kind == "markdown":
        text, title, found = markdown_to_text(content), first_line_title(content), "markdown"
    else:
        text, title, found = content, "", "text"
    # Far-oversized text is refused before cleaning spends time on it (furniture is rarely
    # more than half of a page's text); cleaning checks the exact limit.
    if len(text) > 2 * max_chars:
        raise InputError(
            f"the article has {len(text):,} characters, over the limit of {max_chars:,}: "
            "split it into parts, or raise the limit with max_chars"
        )
    return SourceText(text, title or None, found)


TITLE_CHARS = 120


def short_title(title: str, limit: int = TITLE_CHARS) -> str:
    """``title`` on one line, cut at a word boundary (with "…") when over ``limit``.

    A ``.txt`` article's title is its first line, often a whole paragraph: cutting it
    mid-word ("founder and CE") reads as a bug in every table, digest and file name.
    """
    text = " ".join(title.split())
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:-–—") + "…"


def first_line_title(text: str | None, limit: int = TITLE_CHARS) -> str:
    """A title from the first non-blank line (Markdown heading marks dropped), or ""."""
    for line in (text or "").splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return short_title(line, limit)
    return ""


def parse_article(data: bytes, name: str) -> Article:
    """An Article from raw bytes and a file name (only its suffix is used)."""
    digest = hashlib.sha256(data).hexdigest()
    suffix = Path(name).suffix.lower()
    raw, encoding = decode_bytes(data)
    hint: SourceKind | Literal["auto"] = {".html": "html", ".htm": "html", ".md": "markdown"}.get(
        suffix, "auto"
    )  # type: ignore[assignment]
    # Only the markup limit here: the character limit is the caller's (CleanOptions).
    source = to_text(raw, hint, max_chars=MAX_MARKUP_CHARS)
    return Article(
        source.text, source.title or _text_title(source.text), encoding, digest, source.kind
    )


def _text_title(text: str) -> str:
    """The headline the cleaner recognised, else the first line of the rebuilt paragraphs
    (so a hard-wrapped article is not titled with half a sentence)."""
    cleaned = clean(text)  # never raises: the checks are check_article's
    return cleaned.title or first_line_title(cleaned.text) or first_line_title(text)


def read_article(path: Path, max_bytes: int = MAX_FILE_BYTES) -> Article:
    """Read one article file; refuse files over ``max_bytes`` without reading them."""
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(
            f"{path.name} is {size:,} bytes, over the {max_bytes:,}-byte limit for one file "
            "(a web page's markup included): save the article's text, or split it"
        )
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)  # a file growing under us is still bounded
    if len(data) > max_bytes:
        raise InputError(f"{path.name} grew past the {max_bytes:,}-byte limit while reading")
    return parse_article(data, path.name)
