"""Numbers as written in English and in Chinese, parsed to comparable values.

"US$1 billion" = "$1 billion" = "1bn" = "10亿"; "14%" = "百分之十四"; "Dec. 1" = "12月1日".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

NumberKind = Literal["amount", "percent", "date"]

_SCALES = {
    "thousand": 10**3,
    "k": 10**3,
    "million": 10**6,
    "mn": 10**6,
    "m": 10**6,
    "billion": 10**9,
    "bn": 10**9,
    "b": 10**9,
    "trillion": 10**12,
    "tn": 10**12,
    "trn": 10**12,
}
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
# Word lists read better as text than as list literals.
_UNITS = (  # noqa: SIM905
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen twenty"
).split()
_TENS = "thirty forty fifty sixty seventy eighty ninety".split()  # noqa: SIM905
_NUMBER_WORDS = {w: v for v, w in enumerate(_UNITS)} | {
    w: 10 * (i + 3) for i, w in enumerate(_TENS)
}

_MONTH = (  # case-sensitive inside IGNORECASE patterns: "may" is usually a verb
    r"(?-i:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# ASCII classes, not \w: in Python \w also matches CJK, and Chinese text is scanned too.
_EN_NUMBER = re.compile(
    rf"""
    (?P<date>(?P<month>{_MONTH})\.?\s(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?![0-9A-Za-z])
      | (?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s(?P<month2>{_MONTH})\b)
  | (?<![A-Za-z0-9_.])
    (?P<cur>(?:US|HK|NT|AU|NZ|A|C|S|R)?\$|[€£¥₹]|(?:USD|RMB|CNY|HKD|EUR|GBP|JPY)\s?)?
    (?P<num>{_DIGITS})
    (?:\s?(?P<scale>thousand|million|billion|trillion)\b
      | (?P<short>bn|mn|tn|trn|k|m|b)(?![A-Za-z0-9]))?
    (?P<pct>\s?(?:%|per\s?cent\b|percent\b))?
    (?P<unit>st|nd|rd|th|s|am|pm|a\.m\.|p\.m\.|km|kg|cm|mm|gb|mb|tb|mw|gw|kw|g|x)?
    (?![A-Za-z0-9])
  | (?<![A-Za-z])(?P<word>{"|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))})
    \s(?P<wscale>thousand|million|billion|trillion)\b
    """,
    re.VERBOSE | re.IGNORECASE,
)
_ARTICLE_WORD_NUMBER = re.compile(
    rf"\b(?P<word>{'|'.join(_NUMBER_WORDS)})\b"
    r"(?:[\s-](?P<scale>hundred|thousand|million|billion|trillion)\b)?",
    re.IGNORECASE,
)

# Chinese numerals; Traditional forms are mapped to Simplified before parsing.
_ZH_NUMERAL = "零〇一二两兩三四五六七八九十百千万萬亿億点點"
_ZH_TO_SIMPLIFIED = str.maketrans("兩萬億點", "两万亿点")
_ZH_SCALES = {
    "万亿": 10**12,
    "千亿": 10**11,
    "百亿": 10**10,
    "亿": 10**8,
    "千万": 10**7,
    "百万": 10**6,
    "万": 10**4,
    "千": 10**3,
}
_ZH_SMALL = r"\d{1,2}|[一二三四五六七八九十]{1,3}"
_ZH_NUMBER = re.compile(
    rf"""
    (?P<date>(?P<month>{_ZH_SMALL})月(?P<day>{_ZH_SMALL})[日号號])
  | 百分之(?P<pctword>[{_ZH_NUMERAL}]+|\d+(?:\.\d+)?)
  | (?<![0-9.,])(?P<cur>(?:US|HK)?\$)?(?P<num>{_DIGITS})\s?
    (?P<zhscale>万亿|萬億|千亿|千億|百亿|百億|亿|億|千万|千萬|百万|百萬|万|萬)?
    (?:\s?(?P<scale>thousand|million|billion|trillion)\b|(?P<short>bn|mn)\b)?
    (?P<pct>\s?[%％])?
  | (?P<numeral>[{_ZH_NUMERAL}]+)
    """,
    re.VERBOSE | re.IGNORECASE,
)


@dataclass(frozen=True)
class Number:
    text: str
    start: int
    end: int
    kind: NumberKind
    value: Decimal

    def matches(self, other: Number) -> bool:
        return self.kind == other.kind and self.value == other.value


def _decimal(digits: str) -> Decimal | None:
    try:
        return Decimal(digits.replace(",", ""))
    except InvalidOperation:
        return None


def english_numbers(text: str, *, words: bool = False) -> list[Number]:
    """Numbers, amounts, percents and dates written in English in ``text``.

    ``words=True`` also reads number words ("three", "five million"), for article text.
    """
    found: list[Number] = []
    for m in _EN_NUMBER.finditer(text):
        if m["date"]:
            month = _MONTHS[(m["month"] or m["month2"]).lower()]
            day = int(m["day"] or m["day2"])
            if 1 <= day <= 31:
                found.append(Number(m[0], m.start(), m.end(), "date", Decimal(month * 100 + day)))
            continue
        if m["word"]:
            if not words:
                continue
            value = Decimal(_NUMBER_WORDS[m["word"].lower()]) * _SCALES[m["wscale"].lower()]
            found.append(Number(m[0], m.start(), m.end(), "amount", value))
            continue
        parsed = _decimal(m["num"])
        if parsed is None:
            continue
        value = parsed
        short = (m["short"] or "").lower()
        # "m", "b", "k" alone are metres, bytes…: a scale only after a currency sign.
        if short in ("m", "b", "k") and not m["cur"]:
            continue
        scale = m["scale"] or short
        if scale:
            value *= _SCALES[scale.lower()]
        kind: NumberKind = "percent" if m["pct"] else "amount"
        found.append(Number(m[0].rstrip(), m.start(), m.start() + len(m[0].rstrip()), kind, value))
    if words:
        taken = {i for n in found for i in range(n.start, n.end)}
        for m in _ARTICLE_WORD_NUMBER.finditer(text):
            if m.start() in taken:
                continue
            scale = m["scale"]
            value = Decimal(_NUMBER_WORDS[m["word"].lower()])
            if scale:
                value *= 100 if scale.lower() == "hundred" else _SCALES[scale.lower()]
            found.append(Number(m[0], m.start(), m.end(), "amount", value))
    return found


def _zh_numeral(text: str) -> Decimal | None:
    text = text.translate(_ZH_TO_SIMPLIFIED).strip("点")
    if not text or len(text) > 24:  # no number is written that long; gibberish can be
        return None
    import cn2an  # imported on first use: it costs ~0.2 s

    try:
        value = cn2an.cn2an(text, "normal")
    except (ValueError, KeyError, IndexError):
        return None
    return Decimal(str(value))


def chinese_numbers(text: str) -> list[Number]:
    """Numbers in a Chinese sentence: digits with 万/亿 or English scales, percents
    (14%, 14％, 百分之十四), dates (12月1日) and runs of Chinese numerals (十四, 两千万)."""
    found: list[Number] = []
    for m in _ZH_NUMBER.finditer(text):
        span = (m[0], m.start(), m.end())
        if m["date"]:
            month, day = (int(v) if v.isdigit() else _zh_numeral(v) for v in (m["month"], m["day"]))
            if month and day:
                found.append(Number(*span, "date", Decimal(int(month) * 100 + int(day))))
        elif m["pctword"]:
            pct = m["pctword"]
            value = _decimal(pct) if pct[0].isdigit() else _zh_numeral(pct)
            if value is not None:
                found.append(Number(*span, "percent", value))
        elif m["num"]:
            value = _decimal(m["num"])
            if value is None:
                continue
            if m["zhscale"]:
                value *= _ZH_SCALES[m["zhscale"].translate(_ZH_TO_SIMPLIFIED)]
            scale = m["scale"] or m["short"]
            if scale:
                value *= _SCALES[scale.lower()]
            text_ = m[0].rstrip()
            zh_kind: NumberKind = "percent" if m["pct"] else "amount"
            found.append(Number(text_, m.start(), m.start() + len(text_), zh_kind, value))
        elif m["numeral"]:
            value = _zh_numeral(m["numeral"])
            if value is not None:
                found.append(Number(*span, "amount", value))
    return found
