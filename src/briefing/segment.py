"""Sentences and token-budget chunks.

Sentences come from pysbd, a rule-based splitter that knows abbreviations ("Dec. 1",
"U.S.", "Mr. Lei"), decimals and quotes. Chunks pack consecutive sentences under the
summarizer's input window, counted with the summarizer's own tokenizer.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pysbd

from .layout import text_paragraphs

TokenCounter = Callable[[list[str]], list[int]]
"""Counts tokens of each text, special tokens included (one tokenizer call for the list)."""

_segmenter_local = threading.local()
_QUOTE_ONLY = re.compile(r"^[\"'”’)\]]+$")


def _segmenter() -> pysbd.Segmenter:
    # pysbd keeps per-call state on the instance, so each thread gets its own.
    segmenter = getattr(_segmenter_local, "segmenter", None)
    if segmenter is None:
        segmenter = pysbd.Segmenter(language="en", clean=False)
        _segmenter_local.segmenter = segmenter
    return segmenter


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph, stripped, none empty; text is preserved up to spacing."""
    sentences: list[str] = []
    for piece in _segmenter().segment(paragraph):
        piece = piece.strip()
        if not piece:
            continue
        # pysbd sometimes leaves a closing quote on its own; it belongs to the sentence before.
        if sentences and _QUOTE_ONLY.match(piece):
            sentences[-1] += piece
        else:
            sentences.append(piece)
    return sentences


def segment(cleaned: str) -> list[str]:
    """Sentences of a cleaned article, in order, across its paragraphs (wrapped lines of
    raw text are joined first, so a sentence is never cut at a line end)."""
    return [s for paragraph in text_paragraphs(cleaned) for s in split_sentences(paragraph)]


@dataclass(frozen=True)
class Chunk:
    """Consecutive segment pieces that fit the model window together."""

    text: str
    segment_ids: tuple[int, ...]  # index in the segment list of each piece, in order
    tokens: int


def split_to_fit(text: str, budget: int, count: TokenCounter) -> list[str]:
    """Split one over-long sentence into word-bounded pieces that each fit ``budget``."""
    words = text.split(" ")
    if len(words) == 1:  # no spaces at all (a URL, a CJK run): cut by characters
        size = max(1, len(text) * budget // max(1, count([text])[0]))
        words = [text[i : i + size] for i in range(0, len(text), size)]
        joiner = ""
    else:
        joiner = " "
    overhead = count([""])[0]
    word_tokens = [n - overhead for n in count(words)]
    pieces: list[str] = []
    current: list[str] = []
    used = overhead
    for word, n in zip(words, word_tokens, strict=True):
        if current and used + n > budget:
            pieces.append(joiner.join(current))
            current, used = [], overhead
        current.append(word)
        used += n
    if current:
        pieces.append(joiner.join(current))
    # Sub-word counts summed per word can undercount a join; re-check and recurse. When the
    # packing made no progress (one piece, the whole text), halve it instead.
    result: list[str] = []
    for piece, n in zip(pieces, count(pieces), strict=True):
        if n <= budget:
            result.append(piece)
        elif piece != text:
            result.extend(split_to_fit(piece, budget, count))
        else:
            middle = len(words) // 2
            halves = [joiner.join(words[:middle]), joiner.join(words[middle:])]
            for half in halves:
                result.extend(split_to_fit(half, budget, count))
    return result


def chunk_segments(segments: Sequence[str], budget: int, count: TokenCounter) -> list[Chunk]:
    """Pack consecutive segments into chunks of at most ``budget`` tokens.

    Each segment is counted once (one batched tokenizer call); a chunk's size is the sum of
    its segments' counts, checked once more as a whole. A segment over the budget is split
    into consecutive pieces. Every segment lands in the chunks exactly once, in order.
    """
    if budget < 8:
        raise ValueError(f"token budget {budget} is too small to chunk text")
    if not segments:
        return []
    overhead = count([""])[0]
    counts = count(list(segments))
    pieces: list[tuple[int, str, int]] = []  # (segment id, text, tokens without specials)
    for index, (text, n) in enumerate(zip(segments, counts, strict=True)):
        if n <= budget:
            pieces.append((index, text, n - overhead))
        else:
            parts = split_to_fit(text, budget, count)
            for part, m in zip(parts, count(parts), strict=True):
                pieces.append((index, part, m - overhead))

    groups: list[list[tuple[int, str, int]]] = [[]]
    used = overhead
    for piece in pieces:
        # +1 for the space joining two pieces, which can add a token at the boundary.
        if groups[-1] and used + piece[2] + 1 > budget:
            groups.append([])
            used = overhead
        groups[-1].append(piece)
        used += piece[2] + 1

    texts = [" ".join(p[1] for p in group) for group in groups]
    chunks: list[Chunk] = []
    for group, text, n in zip(groups, texts, count(texts), strict=True):
        if n > budget and len(group) > 1:  # rare: joined text tokenises longer than its parts
            chunks.extend(_bisect(group, budget, count))
        else:
            chunks.append(Chunk(text, tuple(p[0] for p in group), n))
    return chunks


def _bisect(group: list[tuple[int, str, int]], budget: int, count: TokenCounter) -> list[Chunk]:
    """Halve a group that overflowed once joined until every half fits."""
    text = " ".join(p[1] for p in group)
    n = count([text])[0]
    if n <= budget or len(group) == 1:
        return [Chunk(text, tuple(p[0] for p in group), n)]
    half = len(group) // 2
    return _bisect(group[:half], budget, count) + _bisect(group[half:], budget, count)
