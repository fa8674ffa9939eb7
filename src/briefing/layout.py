"""Paragraphs from raw lines, and the header (headline, byline, dateline) above the body.

Text arrives in two layouts. Scraped pages have one paragraph per line; text copied from
e-mail, PDFs, wire feeds and terminals is hard-wrapped at a fixed width. A wrap happens
because the next word did not fit, so a line that could have held the next line's first
word ended on purpose (a paragraph end, a heading, a list item). That test, with end
punctuation, indentation, list markers and blank lines, tells wraps from breaks.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

_SPACES = re.compile(r"[^\S\n]+")
# A sentence ends: . ! ? … (also full-width), then closing quotes or brackets.
_TERMINAL = re.compile(r"[.!?…。！？]['\"”’)\]]*$")
_BREAK_END = re.compile(r"[.!?…:。！？]['\"”’)\]]*$")
_LIST_ITEM = re.compile(r"^(?:[-*•‣◦▪–]\s+|\(?(?:\d{1,3}|[a-zA-Z])[.)]\s+)")
_HYPHEN_WRAP = re.compile(r"[A-Za-z]-$")

HeaderKind = Literal["headline", "byline", "dateline"]


@dataclass(frozen=True)
class Line:
    """One non-blank line: text with spaces collapsed, and its indentation in columns."""

    text: str
    indent: int

    @property
    def width(self) -> int:
        return self.indent + len(self.text)


@dataclass(frozen=True)
class HeaderField:
    """A line above the body recognised as the headline, a byline or a date/time."""

    kind: HeaderKind
    text: str


def to_line(raw: str) -> Line | None:
    """A Line from one raw line, or None when it is blank."""
    stripped = raw.strip()
    if not stripped:
        return None
    leading = raw[: len(raw) - len(raw.lstrip())]
    return Line(_SPACES.sub(" ", stripped), len(leading.expandtabs(4)))


def _first_word(text: str) -> str:
    return text.split(" ", 1)[0]


def is_list_item(text: str) -> bool:
    return bool(_LIST_ITEM.match(text))


def _starts_lower(text: str) -> bool:
    return text[:1].islower()


def wrap_width(lines: Sequence[Line]) -> int:
    """The width the text was wrapped at, estimated low: one or two stray long lines (a URL)
    are ignored, because an estimate above the real width would split sentences."""
    widths = sorted(line.width for line in lines)
    if not widths:
        return 0
    del widths[len(widths) - len(widths) // 10 :]
    # A lone line much longer than the rest (a headline over a narrow body) is no wrap.
    for _ in range(2):
        if len(widths) >= 3 and widths[-1] > 1.1 * widths[-2]:
            widths.pop()
    return widths[-1]


def _full(a: Line, b: Line, width: int) -> bool:
    """True when b's first word would not have fitted on a: the break was a wrap."""
    return a.width + 1 + len(_first_word(b.text)) > width


def is_wrapped(
    blocks: Sequence[Sequence[Line]], standalone: frozenset[int] = frozenset()
) -> tuple[bool, int]:
    """Whether the text is hard-wrapped, and the wrap width: most line breaks inside a block
    are wraps in wrapped text, few in one-paragraph-per-line text. Header lines
    (``standalone``) and list items are no evidence either way."""
    pairs = [
        (a, b)
        for block in blocks
        for a, b in itertools.pairwise(block)
        if id(a) not in standalone and id(b) not in standalone
    ]
    # Only a line followed by another can show the width (a headline above a byline says
    # nothing about how the body was wrapped).
    width = wrap_width([a for a, _ in pairs] or [line for block in blocks for line in block])
    pairs = [(a, b) for a, b in pairs if not is_list_item(b.text)]
    if not pairs:
        return False, width
    full = sum(1 for a, b in pairs if _full(a, b, width))
    return full >= 0.4 * len(pairs), width


@cache
def _abbreviations() -> frozenset[str]:
    from pysbd.lang.english import English

    return frozenset(English.Abbreviation.ABBREVIATIONS)


def _ends_sentence(text: str) -> bool:
    """a ends a sentence for sure: end punctuation not on an abbreviation ("Mr.", "U.S.")."""
    if not _TERMINAL.search(text):
        return False
    last = text.rsplit(" ", 1)[-1].strip("\"'”’)]")
    if last.endswith("."):
        word = last[:-1].lower()
        if word in _abbreviations() or re.fullmatch(r"(?:[a-z]\.)*[a-z]", word):
            return False
    return True


def _breaks(a: Line, b: Line, wrapped: bool, width: int, base: int, in_list: bool) -> bool:
    """True when b starts a new paragraph after a (``base``: the text's least indentation;
    ``in_list``: a's paragraph is a list item, whose wrapped lines may be indented)."""
    if is_list_item(b.text):
        return True
    if not in_list and b.indent > base and b.indent >= a.indent and (
        b.indent > a.indent or a.indent == base or not wrapped
    ):
        return True  # a first-line indent (a tab or spaces) opens a paragraph
    if in_list and b.indent > base:
        return False  # an indented line under a list item continues it
    if _full(a, b, width):
        # b's first word did not fit on a: a wrap, unless it falls on a sentence end (then
        # both readings give the same sentences, and the lines' look is kept).
        return _ends_sentence(a.text) and not _starts_lower(b.text)
    # b's first word would have fitted: a ended on purpose, unless b clearly continues it
    # (lower case after no end punctuation; a colon ends a line only in wrapped text).
    end = _BREAK_END if wrapped else _TERMINAL
    return bool(end.search(a.text)) or not _starts_lower(b.text)


def _join(a: str, b: str) -> str:
    # "well-\nknown" is one word; the hyphen stays (it may be a real compound).
    if _HYPHEN_WRAP.search(a) and _starts_lower(b):
        return a + b
    return f"{a} {b}"


def paragraphs(
    blocks: Sequence[Sequence[Line]], standalone: frozenset[int] = frozenset()
) -> list[str]:
    """Paragraphs of blank-line-separated blocks of lines, wraps joined.

    ``standalone``: ids (``id(line)``) of lines that are always a paragraph of their own
    (header lines), whatever their width.
    """
    wrapped, width = is_wrapped(blocks, standalone)
    base = min((line.indent for block in blocks for line in block), default=0)
    result: list[str] = []
    for block in blocks:
        current = ""
        in_list = False
        previous: Line | None = None
        for line in block:
            alone = id(line) in standalone
            if previous is None or alone or id(previous) in standalone or _breaks(
                previous, line, wrapped, width, base, in_list
            ):
                if current:
                    result.append(current)
                current = line.text
                in_list = is_list_item(line.text)
            else:
                current = _join(current, line.text)
            previous = line
        if current:
            result.append(current)
    return result


def blocks_of(lines: Sequence[Line | None]) -> list[list[Line]]:
    """Runs of non-blank lines (None is a blank line)."""
    blocks: list[list[Line]] = [[]]
    for line in lines:
        if line is None:
            if blocks[-1]:
                blocks.append([])
        else:
            blocks[-1].append(line)
    return [block for block in blocks if block]


def text_paragraphs(text: str) -> list[str]:
    """Paragraphs of plain text (wraps joined, headings and list items kept apart)."""
    return paragraphs(blocks_of([to_line(raw) for raw in text.split("\n")]))


# --- Header ---------------------------------------------------------------------------

_NAME = r"[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|and|&|de|van|von|der|la|le|al|bin))*"
_BYLINE = re.compile(
    rf"^(?:(?:written|words|story|posted|reporting|text)\s+)?[Bb]y:?\s+{_NAME}"
    rf"(?:\s*(?:,|\||—|–|-|/|\bin\b)\s*[A-Z][^.!?]{{0,80}})?$"
)
_DATE_PREFIX = re.compile(
    r"^(?:(?:first\s+)?published|updated|posted|last\s+(?:updated|modified)|date)"
    r"(?:\s+on)?\s*:?\s*",
    re.I,
)
_DATE_TOKEN = re.compile(
    r"^(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|"
    r"mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?$"
    r"|^\d{1,4}(?:st|nd|rd|th)?(?:[:./-]\d{1,4})*(?:[ap]\.?m\.?)?$"
    r"|^(?:[ap]\.?m\.?|gmt|utc|bst|est|edt|cst|cdt|pst|pdt|cet|cest|et|pt|hkt|sgt|jst|ist|"
    r"aest|aedt|at|on|ago|min|mins|minutes?|hours?|hrs?|days?|read|updated|published|"
    r"[|•·,—–-])$",
    re.I,
)
_DATE_ANCHOR = re.compile(
    r"\d|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.I
)


def is_byline(text: str) -> bool:
    return len(text) <= 120 and bool(_BYLINE.match(text))


def is_dateline(text: str) -> bool:
    """A line of dates and times only: "March 3, 2024", "Updated 10:42 GMT", "5 min read"."""
    if len(text) > 100 or not _DATE_ANCHOR.search(text):
        return False
    tokens = [t for t in re.split(r"[\s,|•·]+", _DATE_PREFIX.sub("", text)) if t]
    return bool(tokens) and all(_DATE_TOKEN.match(t) for t in tokens)


def header_kind(text: str) -> HeaderKind | None:
    if is_byline(text):
        return "byline"
    if is_dateline(text):
        return "dateline"
    return None


def _is_headline(text: str, before_strong: bool) -> bool:
    words = text.split()
    if not 1 <= len(words) <= 20 or len(text) > 200 or is_list_item(text):
        return False
    if _TERMINAL.search(text) or text.endswith((",", ";", ":")):
        # "Is this the end of cheap money?" is a headline only above a byline or date.
        return before_strong and text.endswith(("?", "!"))
    return True


def split_header(paras: Sequence[str]) -> tuple[list[HeaderField], list[str]]:
    """Header fields above the body and the body's paragraphs. Looks at the first few
    paragraphs only; when everything would be header, nothing is (the text is the body)."""
    fields: list[HeaderField] = []
    index = 0
    while index < min(len(paras), 8):
        text = paras[index]
        kind = header_kind(text)
        if kind is None and not any(f.kind == "headline" for f in fields):
            following = paras[index + 1] if index + 1 < len(paras) else ""
            if following and _is_headline(text, header_kind(following) is not None):
                kind = "headline"
        if kind is None:
            break
        fields.append(HeaderField(kind, text))
        index += 1
    if index >= len(paras):
        return [], list(paras)
    return fields, list(paras[index:])
