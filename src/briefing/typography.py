"""Chinese typography of the translated brief.

Models and tokenizers leave half-width punctuation, stray spaces and language tags in
Chinese output. ``normalize_chinese`` applies the usual rules of Chinese news copy:

* ``, . : ; ? ! ( )`` next to Chinese text become ``，。：；？！（）``, and straight double
  quotes around or beside Chinese text become “ ”;
* no spaces between CJK characters (full-width punctuation included);
* ASCII is kept inside numbers (``3.5``, ``1,000``, ``9:30``), URLs, e-mail addresses and
  runs of Latin text (``Lei Jun, Xiaomi``); full-width digits and letters become ASCII.

Script conversion (Simplified ↔ Traditional) is OpenCC's job, see ``convert_script``.
"""

from __future__ import annotations

import re
from functools import cache

# CJK ideographs, kana, CJK and full-width punctuation, and the Private Use Area, which
# translator.py uses for placeholders of glossary renderings (Chinese text in the output).
_CJK_RANGES = (
    "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\ue000-\uf8ff\uf900-\ufaff\ufe30-\ufe4f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
)
_CJK_CHAR = re.compile(f"[{_CJK_RANGES}]")
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK_RANGES}])[ \t\u3000]+(?=[{_CJK_RANGES}])")
_FULL_PUNCT = "，。：；？！（）“”‘’、《》「」『』【】…—"
_SPACE_AFTER_FULL = re.compile(rf"(?<=[{_FULL_PUNCT}])[ \t]+")
_SPACE_BEFORE_FULL = re.compile(rf"[ \t]+(?=[{_FULL_PUNCT}])")
# Language tags some models leave in their output (Marian ">>cmn_Hans<<", M2M "__zh__").
_LANG_TAG = re.compile(r">>[A-Za-z_]+<<|__[a-z]{2,3}__|\b[a-z]{3}_[A-Z][a-z]{3}\b")
_PROTECTED = re.compile(
    r"(?:https?://|www\.)[^\s\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
)
_HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}
_INITIALISM = re.compile(r"(?<![A-Za-z])(?:[A-Za-z]\.){2,}$")
_ELLIPSIS = re.compile(r"\.{3,}|…+")
_PARENS = re.compile(r"\(([^()]*)\)")
_QUOTES = re.compile(r'"([^"]*)"')
_WIDE_ALNUM = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF5B) if chr(c - 0xFEE0).isalnum()}
_DIGIT_SEP = {"，": ",", "．": ".", "：": ":"}
# "1，000", "3．5", "9：30" inside numbers; "2010，3家" is a clause break and stays.
_FULL_BETWEEN_DIGITS = re.compile(r"(?<=\d)(，(?=\d{3}(?!\d))|[．：](?=\d))")


def is_cjk(char: str | None) -> bool:
    """True for a CJK character or full-width punctuation (None, i.e. text edge: False)."""
    return char is not None and _CJK_CHAR.match(char) is not None


def strip_language_tags(text: str) -> str:
    return _LANG_TAG.sub("", text)


def _neighbour(text: str | list[str], i: int, step: int) -> str | None:
    """The nearest non-space character before (step -1) or after (step +1) position i."""
    j = i + step
    while 0 <= j < len(text) and text[j] in " \t":
        j += step
    return text[j] if 0 <= j < len(text) else None


def _protected_positions(text: str) -> set[int]:
    return {i for m in _PROTECTED.finditer(text) for i in range(m.start(), m.end())}


def _punctuation(text: str) -> str:
    protected = _protected_positions(text)
    out = list(text)
    for i, char in enumerate(text):
        if i in protected or (char not in _HALF_TO_FULL and char != "."):
            continue
        # Look back at what is already converted, so a run like ",," converts as a whole.
        before, after = _neighbour(out, i, -1), _neighbour(text, i, 1)
        if before in ("”", "’") and has_cjk(text):
            before = "。"  # a closing curly quote in Chinese text is Chinese punctuation
        tight_before = text[i - 1] if i > 0 else ""
        tight_after = text[i + 1] if i + 1 < len(text) else ""
        if char in ",.:" and tight_before.isdigit() and tight_after.isdigit():
            continue  # 1,000 / 3.5 / 9:30
        if char == ".":
            # A full stop ends a Chinese sentence; "Inc." or "U.S." inside Latin text stays.
            ends_sentence = after is None or is_cjk(after) or after in "\"'"
            chinese_before = is_cjk(before) or (
                before is not None and (before.isdigit() or before in "%)") and has_cjk(text)
            )
            # The last stop of a Chinese sentence ends it, even after a Latin word or an
            # e-mail address, unless it closes an initialism ("U.S.").
            final = after is None and has_cjk(text) and not _INITIALISM.search(text, 0, i + 1)
            if (ends_sentence and chinese_before) or final:
                out[i] = "。"
        elif is_cjk(before) or is_cjk(after):
            out[i] = _HALF_TO_FULL[char]
    return "".join(out)


def _pairs(text: str) -> str:
    """Parentheses and straight double quotes, converted as pairs when Chinese is involved."""

    def parens(m: re.Match[str]) -> str:
        outside = (_neighbour(text, m.start(), -1), _neighbour(text, m.end() - 1, 1))
        if has_cjk(m.group(1)) or any(is_cjk(c) for c in outside):
            return f"（{m.group(1)}）"
        return m.group(0)

    text = _PARENS.sub(parens, text)

    def quotes(m: re.Match[str]) -> str:
        outside = (_neighbour(text, m.start(), -1), _neighbour(text, m.end() - 1, 1))
        if has_cjk(m.group(1)) or any(is_cjk(c) for c in outside):
            return f"“{m.group(1).strip()}”"
        return m.group(0)

    return _QUOTES.sub(quotes, text)


def _ellipsis(text: str) -> str:
    def fix(m: re.Match[str]) -> str:
        before = text[m.start() - 1] if m.start() > 0 else None
        return "……" if is_cjk(before) else m.group(0)

    return _ELLIPSIS.sub(fix, text)


def has_cjk(text: str) -> bool:
    return _CJK_CHAR.search(text) is not None


def normalize_chinese(text: str) -> str:
    """Chinese punctuation and spacing for one translated sentence or paragraph."""
    text = strip_language_tags(text).translate(_WIDE_ALNUM)
    text = _FULL_BETWEEN_DIGITS.sub(lambda m: _DIGIT_SEP[m.group(1)], text)
    text = " ".join(text.split())
    text = _ellipsis(text)
    # A conversion can make its neighbour convertible (".," after Chinese): repeat until
    # stable, so normalising twice changes nothing.
    for _ in range(4):
        converted = _punctuation(_pairs(text))
        if converted == text:
            break
        text = converted
    text = _SPACE_BETWEEN_CJK.sub("", text)
    text = _SPACE_AFTER_FULL.sub("", text)
    text = _SPACE_BEFORE_FULL.sub("", text)
    return text.strip()


@cache
def _opencc(config: str):  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC(config)


_OPENCC = {"simplified": "t2s", "traditional": "s2t", "taiwan": "s2twp"}


def convert_script(text: str, script: str) -> str:
    """Chinese text to the requested script with OpenCC.

    ``simplified`` (t2s) also cleans Traditional characters a model lets slip into
    Simplified output; ``traditional`` is s2t, ``taiwan`` is s2twp (Taiwan phrasing).
    """
    return _opencc(_OPENCC[script]).convert(text)
