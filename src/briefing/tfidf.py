"""One TF-IDF: the terms of a sentence, and cosine similarities between sentences.

Shared by the trust checks (which article sentences support a brief sentence) and the
extractive summarizer (LexRank centrality), so both read a sentence the same way.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

# Words too common to tell sentences apart; capitalised, they start sentences or titles
# without being names (the trust checks' name finder skips them too).
STOP_WORDS = frozenset(
    """a about according after against all also although an and another any as at because
    before both but by despite during each earlier either even few for from he her his
    however i if in including instead it its last later many meanwhile more most mr mrs ms dr
    prof sir my neither next no nor not now of on one only or other our over overall since
    so some such than that the their then there these they this those though thus to today
    under unlike until we what when where whether which while who whose why with within
    without yet yesterday you""".split()  # noqa: SIM905
)
_TERM = re.compile(r"[a-z0-9]+")

Matrix = npt.NDArray[np.float64]


def terms(text: str) -> list[str]:
    """Lower-cased words, stop words and single characters dropped, cut to six letters."""
    # Prefix stemming ("invested", "investment" → "invest") is crude but cheap and stable.
    return [w[:6] for w in _TERM.findall(text.lower()) if w not in STOP_WORDS and len(w) > 1]


class TfIdf:
    """Smoothed TF-IDF vectors (unit length) of a fixed set of documents.

    IDF is ``log((1 + n) / (1 + df)) + 1``: a term in every document still counts a
    little, and a term no document has counts as much as the rarest.
    """

    def __init__(self, documents: Sequence[str]) -> None:
        counts = [Counter(terms(d)) for d in documents]
        self.vocabulary: dict[str, int] = {}
        for doc in counts:
            for term in doc:
                self.vocabulary.setdefault(term, len(self.vocabulary))
        n = len(documents)
        tf = np.zeros((n, len(self.vocabulary)), dtype=np.float64)
        for i, doc in enumerate(counts):
            for term, count in doc.items():
                tf[i, self.vocabulary[term]] = count
        df = np.count_nonzero(tf, axis=0)
        self.idf: Matrix = np.log((1 + n) / (1 + df)) + 1.0
        self._unseen = math.log(1 + n) + 1.0
        self.matrix: Matrix = _unit_rows(tf * self.idf)

    def similarities(self, text: str) -> Matrix:
        """Cosine similarity of ``text`` to each document (0 for no shared term)."""
        query = np.zeros(len(self.vocabulary), dtype=np.float64)
        unseen = 0.0
        for term, count in Counter(terms(text)).items():
            index = self.vocabulary.get(term)
            if index is None:
                unseen += (count * self._unseen) ** 2  # no match, but it dilutes the rest
            else:
                query[index] = count * self.idf[index]
        norm = math.sqrt(float(query @ query) + unseen) or 1.0
        result: Matrix = self.matrix @ (query / norm)
        return result

    def pairwise(self) -> Matrix:
        """Cosine similarities between every two documents."""
        result: Matrix = self.matrix @ self.matrix.T
        return result


def _unit_rows(matrix: Matrix) -> Matrix:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    result: Matrix = matrix / np.where(norms > 0, norms, 1.0)
    return result
