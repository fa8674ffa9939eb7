"""Trust: where each brief sentence comes from, and which of its facts nothing backs.

Two cheap, deterministic checks run on every brief (no model involved):

* **Sources** — each English brief sentence is linked to the article segments (sentences of
  the cleaned article) that support it. A sentence copied from the article (extractive
  modes) is found verbatim and points at exactly that segment with score 1.0; otherwise
  segments are ranked by TF-IDF cosine similarity and the best few above a threshold kept.
* **Flags** — numbers (with currency, scale, percent; dates) and capitalised names or
  acronyms of the English brief that the article does not contain, after light
  normalisation ("US$1 billion" = "$1 billion" = "1bn"; case; possessives); and numbers of
  the English brief that its aligned Chinese sentence lacks or changed (digits or the usual
  Chinese forms: 10亿, 2.96亿, 6990万, 14%, 百分之十四, 12月1日).

The web UI draws them as a panel in ``web_sources``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# A segment is kept as a source when its score reaches MIN_SCORE and at least
# RELATIVE_SCORE of the best segment's; at most TOP_K per brief sentence.
MIN_SCORE = 0.2
RELATIVE_SCORE = 0.5
TOP_K = 3
# Copy detection: shorter fragments ("He said.") are too common to count as copied.
_MIN_COPY_CHARS = 20


@dataclass(frozen=True)
class SourceLink:
    """One article segment supporting a brief sentence."""

    segment: int  # index into Brief.segments
    score: float  # 1.0 for a verbatim copy, else TF-IDF cosine similarity (0–1)


@dataclass(frozen=True)
class Flag:
    """A fact of the brief that could not be checked against the article or the translation.

    sentence: index into Brief.sentence_pairs.
    kind: "number" (English number/date not in the article), "name" (capitalised name or
        acronym not in the article) or "translation" (a number of the English sentence
        missing from, or changed in, its Chinese sentence).
    text: the fact as written in the English sentence.
    reason: short human-readable reason.
    zh_text: the Chinese text the flag concerns (the changed number, or the Chinese form of
        a number the article lacks), or "" when the Chinese sentence has none to mark.
    """

    sentence: int
    kind: str
    text: str
    reason: str
    zh_text: str = ""


@dataclass(frozen=True)
class Trust:
    """Result of ``check_brief``: one source list per brief sentence, and the flags."""

    sources: list[list[SourceLink]]
    flags: list[Flag]


# --------------------------------------------------------------------------- numbers

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
class _Number:
    text: str
    start: int
    end: int
    kind: str  # "amount", "percent" or "date"
    value: Decimal

    def matches(self, other: _Number) -> bool:
        return self.kind == other.kind and self.value == other.value


def _decimal(digits: str) -> Decimal | None:
    try:
        return Decimal(digits.replace(",", ""))
    except InvalidOperation:
        return None


def english_numbers(text: str, *, words: bool = False) -> list[_Number]:
    """Numbers, amounts, percents and dates written in English in ``text``.

    ``words=True`` also reads number words ("three", "five million"), for article text.
    """
    found: list[_Number] = []
    for m in _EN_NUMBER.finditer(text):
        if m["date"]:
            month = _MONTHS[(m["month"] or m["month2"]).lower()]
            day = int(m["day"] or m["day2"])
            if 1 <= day <= 31:
                found.append(_Number(m[0], m.start(), m.end(), "date", Decimal(month * 100 + day)))
            continue
        if m["word"]:
            if not words:
                continue
            value = Decimal(_NUMBER_WORDS[m["word"].lower()]) * _SCALES[m["wscale"].lower()]
            found.append(_Number(m[0], m.start(), m.end(), "amount", value))
            continue
        value = _decimal(m["num"])
        if value is None:
            continue
        short = (m["short"] or "").lower()
        # "m", "b", "k" alone are metres, bytes…: a scale only after a currency sign.
        if short in ("m", "b", "k") and not m["cur"]:
            continue
        scale = m["scale"] or short
        if scale:
            value *= _SCALES[scale.lower()]
        kind = "percent" if m["pct"] else "amount"
        found.append(_Number(m[0].rstrip(), m.start(), m.start() + len(m[0].rstrip()), kind, value))
    if words:
        taken = {i for n in found for i in range(n.start, n.end)}
        for m in _ARTICLE_WORD_NUMBER.finditer(text):
            if m.start() in taken:
                continue
            scale = m["scale"]
            value = Decimal(_NUMBER_WORDS[m["word"].lower()])
            if scale:
                value *= 100 if scale.lower() == "hundred" else _SCALES[scale.lower()]
            found.append(_Number(m[0], m.start(), m.end(), "amount", value))
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


def chinese_numbers(text: str) -> list[_Number]:
    """Numbers in a Chinese sentence: digits with 万/亿 or English scales, percents
    (14%, 14％, 百分之十四), dates (12月1日) and runs of Chinese numerals (十四, 两千万)."""
    found: list[_Number] = []
    for m in _ZH_NUMBER.finditer(text):
        span = (m[0], m.start(), m.end())
        if m["date"]:
            month, day = (int(v) if v.isdigit() else _zh_numeral(v) for v in (m["month"], m["day"]))
            if month and day:
                found.append(_Number(*span, "date", Decimal(int(month) * 100 + int(day))))
        elif m["pctword"]:
            pct = m["pctword"]
            value = _decimal(pct) if pct[0].isdigit() else _zh_numeral(pct)
            if value is not None:
                found.append(_Number(*span, "percent", value))
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
            kind = "percent" if m["pct"] else "amount"
            found.append(_Number(text_, m.start(), m.start() + len(text_), kind, value))
        elif m["numeral"]:
            value = _zh_numeral(m["numeral"])
            if value is not None:
                found.append(_Number(*span, "amount", value))
    return found


# --------------------------------------------------------------------------- names

_NAME_TOKEN = re.compile(
    r"(?:[A-Z]\.){2,}|(?<![A-Za-z0-9])[A-Z0-9][A-Za-z0-9]*(?:[-&'’][A-Za-z0-9]+)*"
)
_WORD = re.compile(r"[A-Za-z0-9]+")
_SENTENCE_START = re.compile(r"[\s\"'“‘(\[-]*")
_NAME_LIKE = re.compile(r"[A-Z0-9]")
# Capitalised words that start sentences or titles without being names.
_COMMON = frozenset(
    """a about according after against all also although an and another any as at because
    before both but by despite during each earlier either even few for from he her his
    however i if in including instead it its last later many meanwhile more most mr mrs ms dr
    prof sir my neither next no nor not now of on one only or other our over overall since
    so some such than that the their then there these they this those though thus to today
    under unlike until we what when where whether which while who whose why with within
    without yet yesterday you""".split()  # noqa: SIM905
)


def _name_words(token: str) -> list[str]:
    """Words of a name token, possessive dropped: "Kingsoft's" → ["Kingsoft"]."""
    token = re.sub(r"['’]s?$", "", token)
    if re.fullmatch(r"(?:[A-Z]\.)+", token):
        return [token.replace(".", "")]
    return _WORD.findall(token)


def _article_vocabulary(article: str) -> set[str]:
    words = {w.lower() for w in _WORD.findall(article)}
    words |= {m.replace(".", "").lower() for m in re.findall(r"(?:[A-Z]\.){2,}", article)}
    return words


def _known(word: str, vocabulary: set[str]) -> bool:
    # A plural or singular of an article word counts ("Americans" ↔ "American").
    singular = word[:-1] if word.endswith("s") else word
    return word in vocabulary or singular in vocabulary or word + "s" in vocabulary


def _names(sentence: str, numbers: Sequence[_Number]) -> list[tuple[str, list[str]]]:
    """Runs of capitalised tokens (names, acronyms), each with its words."""
    number_spans = [(n.start, n.end) for n in numbers]
    tokens = []
    for m in _NAME_TOKEN.finditer(sentence):
        if not re.search(r"[A-Z]", m[0]) or not re.search(r"[A-Za-z]", m[0]):
            continue
        if any(s <= m.start() and m.end() <= e for s, e in number_spans):
            continue  # "US" of "US$296 million", "Dec" of "Dec. 1"
        tokens.append(m)
    runs: list[list[re.Match[str]]] = []
    for m in tokens:
        if runs and sentence[runs[-1][-1].end() : m.start()] == " ":
            runs[-1].append(m)
        else:
            runs.append([m])
    names = []
    for run in runs:
        while run and run[0][0].lower() in _COMMON:
            run = run[1:]  # "The", "In" before a name
        if not run:
            continue
        # Any sentence's first word is capitalised: a lone one ("Investors said") is only
        # taken for a name when it looks like one (an acronym, a digit, an inner capital).
        first = _SENTENCE_START.fullmatch(sentence[: run[0].start()]) is not None
        if first and len(run) == 1 and not _NAME_LIKE.search(run[0][0][1:]):
            continue
        text = sentence[run[0].start() : run[-1].end()]
        names.append((text, [w for m in run for w in _name_words(m[0])]))
    return names


# --------------------------------------------------------------------------- sources

_TERM = re.compile(r"[a-z0-9]+")


def _terms(text: str) -> list[str]:
    # Prefix stemming ("invested", "investment" → "invest") is crude but cheap and stable.
    return [w[:6] for w in _TERM.findall(text.lower()) if w not in _COMMON and len(w) > 1]


def _squash(text: str) -> str:
    return " ".join(text.split())


def find_sources(
    sentences: Sequence[str],
    segments: Sequence[str],
    *,
    min_score: float = MIN_SCORE,
    top_k: int = TOP_K,
    copied_from: Sequence[int] | None = None,
) -> list[list[SourceLink]]:
    """For each brief sentence, the article segments that support it, best first.

    A verbatim copy of a segment (or of a part of one, or several whole segments joined)
    links to exactly those segments with score 1.0; other sentences get the ``top_k``
    segments by TF-IDF cosine similarity that reach ``min_score`` and half the best score.
    ``copied_from`` (extractive summarizers: the segment index of each sentence) is taken
    as is, which also settles an article that repeats a sentence.
    """
    if copied_from is not None and len(copied_from) == len(sentences):
        return [[SourceLink(index, 1.0)] for index in copied_from]
    squashed = [_squash(s) for s in segments]
    used: set[int] = set()
    docs = [Counter(_terms(s)) for s in segments]
    df = Counter(t for doc in docs for t in doc)
    n = len(segments)
    idf = {t: math.log((1 + n) / (1 + c)) + 1 for t, c in df.items()}
    unseen = math.log(1 + n) + 1

    def vector(counts: Counter[str]) -> tuple[dict[str, float], float]:
        vec = {t: c * idf.get(t, unseen) for t, c in counts.items()}
        return vec, math.sqrt(sum(v * v for v in vec.values())) or 1.0

    vectors = [vector(doc) for doc in docs]
    result: list[list[SourceLink]] = []
    for sentence in sentences:
        links = _copied(_squash(sentence), squashed, used)
        if links:
            used.update(link.segment for link in links)
            result.append(links)
            continue
        query, qnorm = vector(Counter(_terms(sentence)))
        scored = []
        for index, (vec, norm) in enumerate(vectors):
            dot = sum(w * vec[t] for t, w in query.items() if t in vec)
            if dot:
                scored.append((round(dot / (qnorm * norm), 4), index))
        scored.sort(key=lambda item: (-item[0], item[1]))
        best = scored[0][0] if scored else 0.0
        result.append(
            [
                SourceLink(index, score)
                for score, index in scored[:top_k]
                if score >= min_score and score >= RELATIVE_SCORE * best
            ]
        )
    return result


def _copied(sentence: str, segments: Sequence[str], used: set[int]) -> list[SourceLink]:
    """Segments a sentence was copied from: equal, containing it, or contained in it."""
    if not sentence:
        return []
    # Prefer a segment not yet used: an article can repeat a sentence, a brief copies in order.
    equal = [i for i, s in enumerate(segments) if s == sentence]
    if equal:
        fresh = [i for i in equal if i not in used]
        return [SourceLink((fresh or equal)[0], 1.0)]
    if len(sentence) >= _MIN_COPY_CHARS:
        containing = [i for i, s in enumerate(segments) if sentence in s]
        if containing:
            fresh = [i for i in containing if i not in used]
            return [SourceLink((fresh or containing)[0], 1.0)]
    inside = [i for i, s in enumerate(segments) if len(s) >= _MIN_COPY_CHARS and s in sentence]
    # Only when the sentence is made of whole segments, not merely quoting one.
    if inside and sum(len(segments[i]) + 1 for i in inside) >= len(sentence):
        return [SourceLink(i, 1.0) for i in inside]
    return []


# --------------------------------------------------------------------------- flags


def _article_flags(
    index: int,
    sentence: str,
    chinese: str,
    article_numbers: Sequence[_Number],
    vocabulary: set[str],
) -> list[Flag]:
    flags = []
    numbers = english_numbers(sentence)
    zh_numbers = chinese_numbers(chinese) if numbers else []
    for number in numbers:
        if any(number.matches(other) for other in article_numbers):
            continue
        near = _nearest(number, article_numbers)
        reason = "not in the article" + (f" (it has {near})" if near else "")
        # Mark the same number in the Chinese sentence too, when it is there.
        zh = next((h.text for h in zh_numbers if number.matches(h)), "")
        flags.append(Flag(index, "number", number.text, reason, zh))
    for text, words in _names(sentence, numbers):
        missing = [w for w in words if not _known(w.lower(), vocabulary)]
        if not missing:
            continue
        if len(missing) == len(words):
            reason = "not in the article"
        else:
            reason = f"not in the article: {', '.join(missing)}"
        flags.append(Flag(index, "name", text, reason))
    return flags


def _nearest(number: _Number, candidates: Iterable[_Number]) -> str:
    """An article number that looks like a changed version of ``number``, or ""."""
    digits = _significant(number.value)
    for other in candidates:
        if (
            other.kind == number.kind
            and any(c.isdigit() for c in other.text)
            and _significant(other.value) == digits
        ):
            return other.text  # same digits, other scale: 296 million ↔ 296 billion
    return ""


def _significant(value: Decimal) -> str:
    return str(value.normalize()).split("E")[0].replace(".", "").strip("0") if value else "0"


def _translation_flags(index: int, english: str, chinese: str) -> list[Flag]:
    wanted = english_numbers(english)
    if not wanted:
        return []
    have = chinese_numbers(chinese)
    missing = [n for n in wanted if not any(n.matches(h) for h in have)]
    # Chinese digits that stand for no English number: the likely changed versions.
    strays = [
        h
        for h in have
        if any(c.isdigit() for c in h.text) and not any(h.matches(n) for n in wanted)
    ]
    flags = []
    for number in missing:
        stray = next((s for s in strays if s.kind == number.kind), None)
        if stray is not None:
            strays.remove(stray)
            reason = f"changed in the Chinese brief to {stray.text}"
            flags.append(Flag(index, "translation", number.text, reason, stray.text))
        else:
            flags.append(Flag(index, "translation", number.text, "missing from the Chinese brief"))
    return flags


def check_brief(
    sentence_pairs: Sequence[tuple[str, str]],
    segments: Sequence[str],
    copied_from: Sequence[int] | None = None,
) -> Trust:
    """Sources and flags of a brief against the segments of its cleaned article.

    ``copied_from``: for extractive briefs, the segment each sentence was copied from.
    """
    english = [en for en, _ in sentence_pairs]
    article = " ".join(segments)
    article_numbers = english_numbers(article, words=True)
    vocabulary = _article_vocabulary(article)
    flags: list[Flag] = []
    for index, (en, zh) in enumerate(sentence_pairs):
        flags += _article_flags(index, en, zh, article_numbers, vocabulary)
        flags += _translation_flags(index, en, zh)
    # A fact repeated in one sentence is one flag.
    seen: set[tuple[int, str, str]] = set()
    unique = []
    for flag in flags:
        if (key := (flag.sentence, flag.kind, flag.text)) not in seen:
            seen.add(key)
            unique.append(flag)
    return Trust(find_sources(english, segments, copied_from=copied_from), unique)


def format_flags(flags: Sequence[Flag]) -> list[str]:
    """One line per flag, for terminals: ``[sentence 2] number "US$300 million": reason``."""
    return [f'[sentence {f.sentence + 1}] {f.kind} "{f.text}": {f.reason}' for f in flags]
