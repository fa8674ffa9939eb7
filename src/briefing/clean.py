"""Cleaning article text: Unicode, page furniture, paragraphs, header; input checks.

``clean`` returns a ``CleanResult``: the body text (paragraphs rebuilt from wrapped lines by
layout.py), the headline/bylines/dates found above it, and every line it removed with the
rule (furniture.py's table) that removed it. Removal never takes the article: rules match
whole lines only, a comment section is cut only as a trailing block, and when the lines to
drop would hold more than a small share of the article's sentences they are kept back.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Literal

from . import furniture
from .errors import InputError
from .layout import (
    HeaderField,
    Line,
    blocks_of,
    header_kind,
    paragraphs,
    split_header,
    to_line,
)
from .options import StageOptions, check_positive

log = logging.getLogger("briefing")

# Compatibility decompositions that only change the look of a character (full-width forms,
# no-break spaces, ligatures). Superscripts, fractions and circled forms change meaning
# ("km²" must not become "km2"), so NFKC is applied per character, only for these tags.
_SAFE_NFKC_TAGS = ("<wide>", "<narrow>", "<noBreak>", "<compat>", "<font>")
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200e\u200f\u2060\ufeff\u202a-\u202e\u2066-\u2069]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SPACES = re.compile(r"[^\S\n]+")
_WIDE_STOP = re.compile(r"[．！？。](?=[^\W\d_])")

_LATIN = re.compile(r"[A-Za-z]")
_WORD = re.compile(r"[A-Za-z']+")
# Frequent English function words; an English article of any topic is ~30 % these.
_ENGLISH_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "but",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "by",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "he",
        "she",
        "they",
        "we",
        "you",
        "i",
        "his",
        "her",
        "their",
        "our",
        "not",
        "will",
        "would",
        "said",
        "says",
        "can",
        "could",
        "after",
        "before",
        "about",
        "than",
        "more",
        "also",
        "who",
        "which",
        "when",
    ]
)


@dataclass(frozen=True)
class CleanOptions(StageOptions):
    """How articles are cleaned and checked before any model sees them.

    max_chars: longest accepted input after cleaning (default 100,000 ≈ 16,000 words);
        longer input raises InputError instead of being cut.
    strip_chrome: drop web chrome lines (share/related/comments/copyright/…) and trailers.
    min_english_ratio: share of letters that must be Latin (0–1); below it the article is
        refused as not English.
    min_function_word_ratio: share of words that must be common English function words
        (checked from 25 words up), so French or German text is refused too.
    """

    max_chars: int = 100_000
    strip_chrome: bool = True
    min_english_ratio: float = 0.6
    min_function_word_ratio: float = 0.08

    def validated(self) -> CleanOptions:
        check_positive("max_chars", self.max_chars)
        return self


@cache
def _safe_compat(char: str) -> str:
    decomposition = unicodedata.decomposition(char)
    if decomposition.startswith(_SAFE_NFKC_TAGS):
        return unicodedata.normalize("NFKC", char)
    return char


def normalize_unicode(text: str) -> str:
    """NFC plus the safe part of NFKC; drop invisible and control characters and lone surrogates."""
    text = _SURROGATE.sub("", text)
    # A full-width full stop ends a sentence even with no space after it ("rose．Prices").
    text = _WIDE_STOP.sub(r"\g<0> ", text)
    text = unicodedata.normalize("NFC", text)
    text = "".join(_safe_compat(c) if ord(c) > 0x7F else c for c in text)
    text = _INVISIBLE.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    # Tabs stay: a tab-indented line opens a paragraph (layout.py reads the indentation).
    text = text.replace("\u2029", "\n\n")
    return _CONTROL.sub("", text)


_HTML_TAG = re.compile(
    r"<(?:!doctype|html|head|body|p|div|span|a|br|article|section|h[1-6]|li|ul|ol|table|"
    r"script|style|img|meta|link|main|header|footer|figure|blockquote|em|strong|b|i)\b[^>]*>",
    re.IGNORECASE,
)
# A fragment: markup that opens with a block element and closes a tag ("<div><p>…</p></div>").
_FRAGMENT = re.compile(
    r"^\s*<(?:div|p|article|section|main|span|h[1-6]|ul|ol|table|blockquote|header|figure|"
    r"body|a|em|strong|b|i)\b[^>]*>.*</[a-z0-9]+>\s*$",
    re.IGNORECASE | re.DOTALL,
)


def looks_like_html(text: str) -> bool:
    """True for markup pasted as text (a page or a fragment), not prose with a stray tag."""
    head = text.lstrip()[:200].lower()
    if head.startswith(("<!doctype html", "<html")):
        return True
    if _FRAGMENT.match(text[:200_000]) if len(text) <= 200_000 else _FRAGMENT.match(
        text[:100] + text[-100:]
    ):
        return True
    tags = len(_HTML_TAG.findall(text[:200_000]))
    return tags >= 5 and tags * 40 > len(text[:200_000].split())


RemovalRule = furniture.FurnitureKind | Literal["comment-section"]


@dataclass(frozen=True)
class RemovedLine:
    """A line cleaning dropped, and the rule that dropped it (a furniture kind, or
    "comment-section" for a line inside a cut comment section)."""

    text: str
    rule: RemovalRule


@dataclass(frozen=True)
class CleanResult:
    """A cleaned article and what cleaning found and did.

    text: the body, paragraphs separated by one blank line (header lines are not in it).
    title: the headline, when one was recognised above the body.
    header: every header line recognised (headline, bylines, dates), in order.
    removed: every line dropped as page furniture, with its rule.
    kept_back: why lines that matched a rule were kept (removing them would have taken
        article text), or None.
    """

    text: str
    title: str | None = None
    header: tuple[HeaderField, ...] = ()
    removed: tuple[RemovedLine, ...] = ()
    kept_back: str | None = None

    @property
    def byline(self) -> str | None:
        return next((f.text for f in self.header if f.kind == "byline"), None)

    @property
    def dateline(self) -> str | None:
        return next((f.text for f in self.header if f.kind == "dateline"), None)


def is_chrome_line(line: str) -> bool:
    """True for a line that is web page furniture rather than article text."""
    return furniture.match(line) is not None


_SENTENCE_END = re.compile(r"[.!?…]['\"”’)\]]*$")


_SENTENCE_SPLIT = re.compile(r"(?<=[.!?…])(?:['\"”’)\]]*)\s+")


def _sentence_like(line: Line) -> bool:
    return len(line.text.split()) >= 6 and bool(_SENTENCE_END.search(line.text))


def _sentences(lines: list[Line]) -> int:
    """Rough count of real sentences (six words or more) in lines, wrapped or not."""
    text = " ".join(line.text for line in lines)
    pieces = _SENTENCE_SPLIT.split(text)
    return sum(1 for p in pieces if len(p.split()) >= 6 and _SENTENCE_END.search(p))


def _words(lines: list[Line]) -> int:
    return sum(len(line.text.split()) for line in lines)


def _comment_cut(
    lines: list[Line | None], rules: list[furniture.FurnitureRule | None]
) -> tuple[int | None, bool, str | None]:
    """Where a trailing comment section starts (or None), whether comment signals backed
    it, and a note when a marker was found but what follows reads as the article."""
    note = None
    for index, rule in enumerate(rules):
        if rule is None or rule.where != "trailer":
            continue
        before = [ln for ln, r in zip(lines[:index], rules[:index], strict=True) if ln and not r]
        after = [ln for ln, r in zip(lines[index + 1 :], rules[index + 1 :], strict=True)
                 if ln and not r]
        if not before or not after:
            continue  # a marker above the article ("12 Comments") is only a line
        # A comment section is dense with "Reply", "Jane says:", "3 hours ago"; one such
        # line inside article text does not make the rest comments.
        signal_lines = sum(1 for ln in after if furniture.COMMENT_SIGNAL.match(ln.text))
        signals = signal_lines >= max(1, len(after) // 4)
        # Comment signals vouch for the cut once any sentence came before (not just a
        # headline); without them, only a block with no sentence of its own is cut.
        ended = any(_SENTENCE_END.search(line.text) for line in before)
        if (signals and ended) or (
            _words(after) <= _words(before) and not _sentences(after)
        ):
            return index, signals, None
        marker = lines[index]
        note = (
            f"kept {len(after)} lines after “{marker.text if marker else ''}”: they read as "
            "article text, not comments"
        )
    return None, False, note


def _strip_furniture(
    lines: list[Line | None], protected: set[int]
) -> tuple[list[Line | None], list[RemovedLine], str | None]:
    rules: list[furniture.FurnitureRule | None] = []
    for index, line in enumerate(lines):
        rule = None if line is None or id(line) in protected else furniture.match(line.text)
        following = lines[index + 1] if index + 1 < len(lines) else None
        # A wrapped sentence that starts like furniture continues in lower case below.
        if rule and following and following.text[:1].islower() and not _SENTENCE_END.search(
            line.text if line else ""
        ):
            rule = None
        rules.append(rule)
    cut, signalled, note = _comment_cut(lines, rules)
    drop: dict[int, RemovalRule] = {i: r.kind for i, r in enumerate(rules) if r}
    if cut is not None:
        for index in range(cut, len(lines)):
            if lines[index] is not None and index not in drop:
                drop[index] = "comment-section"
    # Never brief a fragment: sentences dropped from inside the article, or by one rule
    # over and over, may be only a small share of the article's sentences; past that they
    # are kept and the note says so. A trailing block of mixed furniture, or a comment
    # section that signals vouch for, is not held back.
    body_end = max((i for i, ln in enumerate(lines) if ln and i not in drop), default=-1)
    sentence_like = {i: r for i, r in drop.items() if _sentence_like(lines[i])}  # type: ignore[arg-type]
    repeated = {r for r in sentence_like.values() if list(sentence_like.values()).count(r) >= 3}
    lost = [
        i
        for i, r in sentence_like.items()
        if (i < body_end or r in repeated) and not (signalled and r == "comment-section")
    ]
    kept = _sentences([ln for i, ln in enumerate(lines) if ln and i not in drop])
    if len(lost) > max(3, kept // 4):
        for index in lost:
            del drop[index]
        note = (
            f"kept {len(lost)} lines that matched furniture rules: they hold more than a "
            "small share of the article's sentences"
        )
    removed = [RemovedLine(lines[i].text, r) for i, r in sorted(drop.items())]  # type: ignore[union-attr]
    if removed:
        log.debug("cleaning removed %d lines", len(removed))
    if note:
        log.info("cleaning %s", note)
    return [ln for i, ln in enumerate(lines) if i not in drop], removed, note


def clean(text: str, options: CleanOptions | None = None) -> CleanResult:
    """Clean one article: normalise, drop page furniture, rebuild paragraphs from wrapped
    lines, and take the headline, bylines and dates above the body apart from it."""
    options = options or CleanOptions()
    lines = [to_line(raw) for raw in normalize_unicode(text).split("\n")]
    # Bylines and dates near the top are header, never furniture or part of a sentence.
    top = [line for line in lines if line is not None][:10]
    protected = {id(line) for line in top if header_kind(line.text)}
    removed: list[RemovedLine] = []
    note = None
    if options.strip_chrome:
        lines, removed, note = _strip_furniture(lines, protected)
    paras = paragraphs(blocks_of(lines), frozenset(protected))
    header, body = split_header(paras)
    title = next((f.text for f in header if f.kind == "headline"), None)
    return CleanResult("\n\n".join(body), title, tuple(header), tuple(removed), note)


def clean_text(text: str, options: CleanOptions | None = None) -> str:
    """Cleaned article body: paragraphs separated by one blank line (see ``clean``)."""
    return clean(text, options).text


def check_size(chars: int, limit: int, options: CleanOptions) -> None:
    if chars > limit:
        raise InputError(
            f"the article has {chars:,} characters, over the limit of {options.max_chars:,}: "
            "split it into parts, or raise the limit with max_chars"
        )


def check_article(raw: str, cleaned: str, options: CleanOptions) -> None:
    """Raise InputError when the article cannot be briefed; say what was found and what to do."""
    if not raw or not raw.strip():
        raise InputError("the article is empty: paste or pass the text of an English news article")
    # The limit is on the article's text; with nothing left, on what was passed.
    check_size(len(cleaned) if cleaned else len(raw.strip()), options.max_chars, options)
    if not cleaned:
        raise InputError(
            "nothing is left after cleaning: the text holds only web page furniture "
            "(share/comment/copyright lines); pass the article's own text"
        )
    letters = [c for c in cleaned if c.isalpha()]
    if not letters:
        raise InputError(
            "the article has no words (only digits, symbols or emoji): pass English text"
        )
    latin = sum(1 for c in letters if _LATIN.match(c)) / len(letters)
    if latin < options.min_english_ratio:
        raise InputError(
            f"the article does not look English: only {latin:.0%} of its letters are Latin "
            "(is it a Chinese or other non-English article?); briefing summarizes English text"
        )
    words = [w.lower() for w in _WORD.findall(cleaned)]
    if len(words) >= 25:
        share = sum(1 for w in words if w in _ENGLISH_WORDS) / len(words)
        if share < options.min_function_word_ratio:
            raise InputError(
                f"the article does not look English: only {share:.0%} of its words are common "
                "English words (is it in another language?); briefing summarizes English text"
            )
