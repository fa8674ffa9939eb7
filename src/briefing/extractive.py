"""Extractive briefs: the article's own sentences, chosen without any model weights.

``extractive`` ranks sentences by centrality (LexRank: PageRank over the cosine
similarities of their TF-IDF vectors, the same ``tfidf`` the trust checks use) and keeps
the top ones in article order; ``lead`` keeps the first ones, the classic news baseline.
Both are faithful by construction and take milliseconds. ``ExtractiveSummarizer``
implements the ``summarizer.Summarizer`` protocol, as the model summarizer does.
"""

from __future__ import annotations

import numpy as np

from .backends import ModelInfo
from .options import Progress
from .segment import Chunk
from .summarizer import SummaryOptions, SummaryResult
from .tfidf import TfIdf

MODES = ("extractive", "lead")
# Sentences per length preset; lead-3 is the usual news baseline.
SENTENCES: dict[str, int] = {"short": 2, "medium": 3, "long": 5}
_DAMPING = 0.85


class ExtractiveSummarizer:
    """Picks whole segments of the article; ``mode`` is ``extractive`` or ``lead``."""

    def __init__(self, mode: str = "extractive") -> None:
        if mode not in MODES:
            raise ValueError(f"extractive mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.mode = mode
        self._info = ModelInfo(
            name=mode,
            path="",
            backend="numpy" if mode == "extractive" else "none",
            family="lexrank" if mode == "extractive" else "lead",
            device="cpu",
            precision="",
        )

    @property
    def info(self) -> ModelInfo:
        return self._info

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Words, since there is no model tokenizer (``info.input_tokens`` counts words)."""
        return [len(text.split()) for text in texts]

    def pick(self, segments: list[str], count: int) -> list[int]:
        """Indices of the chosen segments, in article order."""
        if len(segments) <= count:
            return list(range(len(segments)))
        if self.mode == "lead":
            return list(range(count))
        scores = lexrank(segments)
        best = sorted(range(len(segments)), key=lambda i: (-scores[i], i))[:count]
        return sorted(best)

    def summarize_many(
        self,
        segment_lists: list[list[str]],
        options: SummaryOptions,
        progress: Progress | None = None,
    ) -> list[SummaryResult]:
        """Each article's brief: its chosen sentences. ``chunks`` holds one Chunk per chosen
        sentence (``segment_ids`` = its index), ``rounds`` is 0: no model pass."""
        count = options.sentences or SENTENCES[options.length]
        results = []
        for done, segments in enumerate(segment_lists, start=1):
            ids = self.pick(segments, count)
            sentences = [segments[i] for i in ids]
            words = self.count_tokens(sentences)
            chunks = [Chunk(s, (i,), n) for s, i, n in zip(sentences, ids, words, strict=True)]
            results.append(
                SummaryResult(
                    summary=" ".join(sentences),
                    chunks=chunks,
                    rounds=0,
                    summary_tokens=sum(words),
                    sentences=sentences,
                    source_ids=ids,
                )
            )
            if progress:
                progress("summarize", done, len(segment_lists))
        return results


def lexrank(sentences: list[str]) -> list[float]:
    """Centrality of each sentence: PageRank over TF-IDF cosine similarities.

    Memory is n² floats for n sentences (8 MB for 1,000), so any article within the
    input limits ranks in well under a second.
    """
    n = len(sentences)
    tfidf = TfIdf(sentences)
    if n == 0 or not tfidf.vocabulary:
        return [1.0 / max(n, 1)] * n
    similarity = tfidf.pairwise()
    np.fill_diagonal(similarity, 0.0)
    totals = similarity.sum(axis=1, keepdims=True)
    # A sentence similar to none links to all (no dangling rows).
    transition = np.where(totals > 0, similarity / np.where(totals > 0, totals, 1.0), 1.0 / n)
    scores = np.full(n, 1.0 / n)
    for _ in range(200):
        updated = (1 - _DAMPING) / n + _DAMPING * (transition.T @ scores)
        if np.abs(updated - scores).sum() < 1e-9:
            scores = updated
            break
        scores = updated
    return [float(s) for s in scores]
