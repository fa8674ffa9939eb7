"""Flags: facts of a brief that the article, or the Chinese brief, does not back."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from ..tfidf import STOP_WORDS
from .numbers import Number, chinese_numbers, english_numbers

FlagKind = Literal["number", "name", "translation"]


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
    kind: FlagKind
    text: str
    reason: str
    zh_text: str = ""



# --------------------------------------------------------------------------- names

_NAME_TOKEN = re.compile(
    r"(?:[A-Z]\.){2,}|(?<![A-Za-z0-9])[A-Z0-9][A-Za-z0-9]*(?:[-&'’][A-Za-z0-9]+)*"
)
_WORD = re.compile(r"[A-Za-z0-9]+")
_SENTENCE_START = re.compile(r"[\s\"'“‘(\[-]*")
_NAME_LIKE = re.compile(r"[A-Z0-9]")
# Capitalised words that start sentences or titles without being names.
_COMMON = STOP_WORDS


def _name_words(token: str) -> list[str]:
    """Words of a name token, possessive dropped: "Kingsoft's" → ["Kingsoft"]."""
    token = re.sub(r"['’]s?$", "", token)
    if re.fullmatch(r"(?:[A-Z]\.)+", token):
        return [token.replace(".", "")]
    return _WORD.findall(token)


def article_vocabulary(article: str) -> set[str]:
    words = {w.lower() for w in _WORD.findall(article)}
    words |= {m.replace(".", "").lower() for m in re.findall(r"(?:[A-Z]\.){2,}", article)}
    return words


def _known(word: str, vocabulary: set[str]) -> bool:
    # A plural or singular of an article word counts ("Americans" ↔ "American").
    singular = word[:-1] if word.endswith("s") else word
    return word in vocabulary or singular in vocabulary or word + "s" in vocabulary


def _names(sentence: str, numbers: Sequence[Number]) -> list[tuple[str, list[str]]]:
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



# --------------------------------------------------------------------------- flags


def article_flags(
    index: int,
    sentence: str,
    chinese: str,
    article_numbers: Sequence[Number],
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


def _nearest(number: Number, candidates: Iterable[Number]) -> str:
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


def translation_flags(index: int, english: str, chinese: str) -> list[Flag]:
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


def format_flags(flags: Sequence[Flag]) -> list[str]:
    """One line per flag, for terminals: ``[sentence 2] number "US$300 million": reason``."""
    return [f'[sentence {f.sentence + 1}] {f.kind} "{f.text}": {f.reason}' for f in flags]
