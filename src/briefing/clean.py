"""Cleaning scraped article text: Unicode, whitespace, web chrome and trailers; input checks."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from .errors import InputError
from .options import StageOptions, check_positive

# Compatibility decompositions that only change the look of a character (full-width forms,
# no-break spaces, ligatures). Superscripts, fractions and circled forms change meaning
# ("km²" must not become "km2"), so NFKC is applied per character, only for these tags.
_SAFE_NFKC_TAGS = ("<wide>", "<narrow>", "<noBreak>", "<compat>", "<font>")
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200e\u200f\u2060\ufeff\u202a-\u202e\u2066-\u2069]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SPACES = re.compile(r"[^\S\n]+")

# Whole lines of web chrome. Each pattern must match the entire (stripped) line, so an
# article sentence that merely mentions "comments" or "copyright" is never dropped.
_CHROME_LINE = re.compile(
    r"""^(?:
        (?:source|via|originally\ published\ (?:at|on|by))\s*[:\-–—]+\s*\S.{0,120}
      | \d+\s+comments?\s*:?
      | (?:no\ )?comments?\s*:?
      | post\ a\ comment
      | (?:leave|add|write)\ a\ (?:comment|reply)
      | subscribe\ to\s*:.*
      | posted\ by\ .{1,80}\ (?:at|on)\ .{1,60}
      | posted\ (?:at|on)\ .{1,60}
      | labels?\s*:.{0,200}
      | tags?\s*:.{0,200}
      | (?:share|share\ this(?:\ article|\ story)?|sharing\ is\ caring)\s*[:!]?(?:\s*(?:facebook|twitter|x|email|linkedin|whatsapp|reddit|pinterest|print)[\s,|]*)*
      | (?:facebook|twitter|email|print|tweet|pin\ it|whatsapp|linkedin|reddit)(?:\s*[|,·/]\s*(?:facebook|twitter|email|print|tweet|pin\ it|whatsapp|linkedin|reddit))*
      | (?:related(?:\ (?:articles?|posts?|stories|news|coverage))?|you\ may\ also\ like|more\ from\ .{1,40}|recommended(?:\ for\ you)?|most\ read|trending(?:\ now)?)\s*:?
      | read\ (?:more|the\ full\ story|full\ article)(?:\s*(?:»|>>|→|\.\.\.|…|:).{0,120})?
      | (?:continue\ reading|click\ here\ to\ .{1,80}|follow\ us\ on\ .{1,80})
      | (?:©|\(c\)|copyright\b).{0,160}
      | all\ rights\ reserved\.?
      | advertisement|sponsored(?:\ content)?|newer\ post|older\ post|home
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
# Trailer markers: once one of these starts a line near the end, everything after it is
# comment-section or footer material, not article text.
_TRAILER_START = re.compile(
    r"^(?:\d+\s+comments?\s*:?|post\ a\ comment|leave\ a\ (?:comment|reply))$",
    re.IGNORECASE | re.VERBOSE,
)
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
    text = unicodedata.normalize("NFC", text)
    text = "".join(_safe_compat(c) if ord(c) > 0x7F else c for c in text)
    text = _INVISIBLE.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = text.replace("\u2029", "\n\n").replace("\t", " ")
    return _CONTROL.sub("", text)


_HTML_TAG = re.compile(
    r"<(?:!doctype|html|head|body|p|div|span|a|br|article|section|h[1-6]|li|ul|ol|table|"
    r"script|style|img|meta|link)\b[^>]*>",
    re.IGNORECASE,
)


def looks_like_html(text: str) -> bool:
    """True for markup pasted as text (a saved web page), rather than prose with a stray tag."""
    head = text.lstrip()[:200].lower()
    if head.startswith(("<!doctype html", "<html")):
        return True
    tags = len(_HTML_TAG.findall(text[:200_000]))
    return tags >= 5 and tags * 40 > len(text[:200_000].split())


def is_chrome_line(line: str) -> bool:
    """True for a line that is web page furniture rather than article text."""
    return bool(_CHROME_LINE.match(line.strip()))


def strip_chrome(lines: list[str]) -> list[str]:
    """Drop chrome lines anywhere, and everything after a comment-section marker in the
    second half of the page (user comments are not article text)."""
    kept: list[str] = []
    for number, line in enumerate(lines):
        stripped = line.strip()
        if number >= len(lines) // 2 and _TRAILER_START.match(stripped):
            break
        if stripped and is_chrome_line(stripped):
            continue
        kept.append(line)
    return kept


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of normalised text.

    Blank lines separate paragraphs when the text has any; then single newlines are hard
    wraps and are joined. Scraped text without blank lines has one paragraph per line.
    """
    if re.search(r"\n\s*\n", text):
        blocks = re.split(r"\n\s*\n", text)
        paragraphs = [" ".join(line.strip() for line in block.splitlines()) for block in blocks]
    else:
        paragraphs = text.splitlines()
    return [p for p in (_SPACES.sub(" ", p).strip() for p in paragraphs) if p]


def clean_text(text: str, options: CleanOptions | None = None) -> str:
    """Cleaned article: normalised, chrome removed, paragraphs separated by one blank line."""
    options = options or CleanOptions()
    lines = [_SPACES.sub(" ", line).strip() for line in normalize_unicode(text).split("\n")]
    if options.strip_chrome:
        lines = strip_chrome(lines)
    return "\n\n".join(split_paragraphs("\n".join(lines)))


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
    check_size(len(cleaned), options.max_chars, options)
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
