"""Reading article files: encodings, HTML and Markdown to text, binary and size checks."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

SUFFIXES = (".txt", ".md", ".html", ".htm")
MAX_FILE_BYTES = 2_000_000  # ~20× the default character limit; bigger files are refused unread
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
    kind: str  # "text", "markdown" or "html"


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


def html_to_text(html: str) -> tuple[str, str]:
    """Main text and title of an HTML page, through trafilatura."""
    import trafilatura

    document = trafilatura.bare_extraction(html, include_comments=False, with_metadata=True)
    text = (getattr(document, "text", None) or "") if document else ""
    title = (getattr(document, "title", None) or "") if document else ""
    if not text.strip():
        raise InputError("no article text found in the HTML page: pass the article page itself")
    return text, title


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip().lstrip("# ").strip()[:200]
    return ""


def parse_article(data: bytes, name: str) -> Article:
    """An Article from raw bytes and a file name (only its suffix is used)."""
    digest = hashlib.sha256(data).hexdigest()
    suffix = Path(name).suffix.lower()
    raw, encoding = decode_bytes(data)
    if suffix in (".html", ".htm"):
        text, title = html_to_text(raw)
        return Article(text, title or _first_line(text), encoding, digest, "html")
    if suffix == ".md":
        text = markdown_to_text(raw)
        return Article(text, _first_line(raw), encoding, digest, "markdown")
    return Article(raw, _first_line(raw), encoding, digest, "text")


def read_article(path: Path, max_bytes: int = MAX_FILE_BYTES) -> Article:
    """Read one article file; refuse files over ``max_bytes`` without reading them."""
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(
            f"{path.name} is {size:,} bytes, over the {max_bytes:,}-byte limit for one article: "
            "split it or pass a larger limit"
        )
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)  # a file growing under us is still bounded
    if len(data) > max_bytes:
        raise InputError(f"{path.name} grew past the {max_bytes:,}-byte limit while reading")
    return parse_article(data, path.name)
