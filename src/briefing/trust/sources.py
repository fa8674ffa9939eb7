"""Sources: the article segments that support each sentence of a brief."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..tfidf import TfIdf

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
    tfidf = TfIdf(segments)
    result: list[list[SourceLink]] = []
    for sentence in sentences:
        links = _copied(_squash(sentence), squashed, used)
        if links:
            used.update(link.segment for link in links)
            result.append(links)
            continue
        similarities = tfidf.similarities(sentence)
        scored = [
            (round(float(score), 4), index)
            for index, score in enumerate(similarities)
            if score > 0
        ]
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
