"""``check_brief``: both trust checks of one brief, sources and flags, in one call;
``check_translation``: the translation check alone (whole-article translations)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .flags import Flag, article_flags, article_vocabulary, translation_flags
from .numbers import english_numbers
from .sources import SourceLink, find_sources


@dataclass(frozen=True)
class Trust:
    """Result of ``check_brief``: one source list per brief sentence, and the flags."""

    sources: list[list[SourceLink]]
    flags: list[Flag]


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
    vocabulary = article_vocabulary(article)
    flags: list[Flag] = []
    for index, (en, zh) in enumerate(sentence_pairs):
        flags += article_flags(index, en, zh, article_numbers, vocabulary)
        flags += translation_flags(index, en, zh)
    return Trust(find_sources(english, segments, copied_from=copied_from), _unique(flags))


def check_translation(sentence_pairs: Sequence[tuple[str, str]]) -> list[Flag]:
    """Only the translation check: numbers of each English sentence that its Chinese lost
    or changed (no sources, no article check: every sentence is its own source)."""
    return _unique(
        [f for i, (en, zh) in enumerate(sentence_pairs) for f in translation_flags(i, en, zh)]
    )


def _unique(flags: list[Flag]) -> list[Flag]:
    """A fact repeated in one sentence is one flag."""
    seen: set[tuple[int, str, str]] = set()
    unique = []
    for flag in flags:
        if (key := (flag.sentence, flag.kind, flag.text)) not in seen:
            seen.add(key)
            unique.append(flag)
    return unique
