"""The English brief: the ``Summarizer`` protocol, and map-reduce over chunks with a model.

Nothing is ever cut to fit the window. ``extractive.ExtractiveSummarizer`` is the other
implementation of the protocol (the article's own sentences, no model).
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import Protocol

from .backends import GenerationSettings, ModelInfo, Seq2Seq
from .errors import BriefingError
from .options import Progress, StageOptions, check_choice, check_positive
from .segment import Chunk, chunk_segments, split_sentences

log = logging.getLogger("briefing")

__all__ = [
    "LENGTHS",
    "ModelSummarizer",
    "Progress",
    "Summarizer",
    "SummaryOptions",
    "SummaryResult",
]

# (min_new_tokens, max_new_tokens) of the final brief. "medium" is distilbart-cnn's own
# 56–142 range; "short" is about two sentences, "long" about a paragraph and a half.
LENGTHS: dict[str, tuple[int, int]] = {"short": (20, 60), "medium": (56, 142), "long": (110, 256)}


@dataclass(frozen=True)
class SummaryOptions(StageOptions):
    """How the English brief is written.

    length: short | medium | long (see LENGTHS for new-token ranges).
    num_beams: beam width; None keeps the model's own generation_config value.
    batch_size: chunks per generate call (across articles in run_many).
    max_rounds: reduce rounds allowed before giving up (each round shrinks the text ~3×).
    sentences: sentences picked by the extractive and lead summarizers; None follows
        ``length`` (see extractive.SENTENCES). Ignored by model summarizers.
    """

    length: str = "medium"
    num_beams: int | None = None
    batch_size: int = 4
    max_rounds: int = 6
    sentences: int | None = None

    def validated(self) -> SummaryOptions:
        check_choice("length", self.length, tuple(LENGTHS))
        check_positive("num_beams", self.num_beams, allow_none=True)
        check_positive("batch_size", self.batch_size)
        check_positive("max_rounds", self.max_rounds)
        check_positive("sentences", self.sentences, allow_none=True)
        return self


@dataclass
class SummaryResult:
    """One article's English brief and how it was reached."""

    summary: str
    chunks: list[Chunk]  # the first pass, over the article's segments
    rounds: int  # generate passes: 1 when the article fits the window
    summary_tokens: int
    # Extractive modes only: the brief's sentences and the segment index of each, so the
    # pipeline need not re-split the summary and each sentence points at its source.
    sentences: list[str] | None = None
    source_ids: list[int] | None = None


class Summarizer(Protocol):
    """What ``Pipeline`` needs of a summarizer: what it is, a size measure, and briefs."""

    @property
    def info(self) -> ModelInfo:
        """Recorded in every Brief as ``info.summarizer``."""
        ...

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Size of each text in the summarizer's own unit (model tokens, or words)."""
        ...

    def summarize_many(
        self,
        segment_lists: list[list[str]],
        options: SummaryOptions,
        progress: Progress | None = None,
    ) -> list[SummaryResult]:
        """One result per article, same order."""
        ...


class ModelSummarizer:
    """A seq2seq model plus the stage logic around it: prefix, budget, length, map-reduce."""

    def __init__(self, model: Seq2Seq) -> None:
        self.model = model
        params = getattr(model.config, "task_specific_params", None) or {}
        # T5-style models were trained with a task prefix ("summarize: ").
        self.prefix: str = (params.get("summarization") or {}).get("prefix", "") or ""
        prefix_tokens = model.count_tokens([self.prefix])[0] - model.count_tokens([""])[0]
        self.budget = model.max_input_tokens - prefix_tokens

    @property
    def info(self) -> ModelInfo:
        return self.model.info

    def count_tokens(self, texts: list[str]) -> list[int]:
        return self.model.count_tokens(texts)

    def chunk(self, segments: list[str]) -> list[Chunk]:
        return chunk_segments(segments, self.budget, self.model.count_tokens)

    def _settings(
        self, options: SummaryOptions, input_tokens: int, final: bool
    ) -> GenerationSettings:
        low, high = LENGTHS[options.length]
        # The decoder has the same position limit as the encoder (start + BOS tokens aside).
        high = min(high, self.model.max_input_tokens - 2)
        if not final:
            # Partial summaries must shrink the text so that the reduce converges.
            high = min(high, max(16, self.budget // 3))
        # A short input cannot support a long minimum without the model padding it out.
        low = min(low, high // 2, max(1, input_tokens // 2))
        return dataclasses.replace(
            self.model.defaults,
            num_beams=options.num_beams or self.model.defaults.num_beams,
            min_new_tokens=low,
            max_new_tokens=high,
            forced_bos_token=None,
        )

    def _generate(
        self, jobs: list[tuple[Chunk, bool]], options: SummaryOptions, progress: Progress | None
    ) -> list[str]:
        """Summaries of (chunk, is_final) jobs, batched by length to waste little padding."""
        outputs: list[str] = [""] * len(jobs)
        order = sorted(range(len(jobs)), key=lambda i: (jobs[i][1], jobs[i][0].tokens))
        done = 0
        for start in range(0, len(order), options.batch_size):
            batch = order[start : start + options.batch_size]
            # Jobs in one call share settings: split the batch where the settings change.
            groups: dict[GenerationSettings, list[int]] = {}
            for i in batch:
                chunk, final = jobs[i]
                groups.setdefault(self._settings(options, chunk.tokens, final), []).append(i)
            for settings, members in groups.items():
                texts = [self.prefix + jobs[i][0].text for i in members]
                for i, text in zip(members, self.model.generate(texts, settings), strict=True):
                    outputs[i] = text
            done += len(batch)
            if progress:
                progress("summarize", done, len(jobs))
        return outputs

    def summarize_many(
        self,
        segment_lists: list[list[str]],
        options: SummaryOptions,
        progress: Progress | None = None,
    ) -> list[SummaryResult]:
        """Map-reduce every article at once so that chunks of all articles share batches."""
        first = [self.chunk(segments) for segments in segment_lists]
        current = list(first)
        rounds = [0] * len(first)
        summaries: list[str | None] = [None] * len(first)
        while any(s is None for s in summaries):
            active = [a for a, s in enumerate(summaries) if s is None]
            for a in active:
                if rounds[a] >= options.max_rounds:
                    raise BriefingError(
                        f"the summary did not converge in {options.max_rounds} rounds; "
                        "raise max_rounds or use a model with a longer input window"
                    )
            jobs = [(chunk, len(current[a]) == 1) for a in active for chunk in current[a]]
            outputs = iter(self._generate(jobs, options, progress))
            for a in active:
                parts = [next(outputs) for _ in current[a]]
                rounds[a] += 1
                if len(parts) == 1:
                    summaries[a] = parts[0]
                else:
                    joined = [s for part in parts for s in split_sentences(part)]
                    log.debug("article %d: reduce round %d over %d parts", a, rounds[a], len(parts))
                    current[a] = self.chunk(joined) or [Chunk("", (), 0)]
        texts = [" ".join((s or "").split()) for s in summaries]
        tokens = self.model.count_tokens(texts)
        return [
            SummaryResult(text, chunks, n_rounds, n)
            for text, chunks, n_rounds, n in zip(texts, first, rounds, tokens, strict=True)
        ]
