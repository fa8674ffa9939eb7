"""Inference engines behind one small protocol, so stages never depend on an engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from ..languages import TargetRule

BACKENDS = ("auto", "transformers", "ctranslate2")


@dataclass(frozen=True)
class GenerationSettings:
    """Decoding settings, mapped by each backend to its own arguments."""

    num_beams: int = 4
    min_new_tokens: int = 0
    max_new_tokens: int = 128
    length_penalty: float = 1.0
    no_repeat_ngram_size: int = 0
    early_stopping: bool = True
    forced_bos_token: str | None = None  # e.g. NLLB "zho_Hans": first generated token


@dataclass
class ModelInfo:
    """What answered: recorded in every Brief."""

    name: str
    path: str
    backend: str
    family: str  # model_type from config.json: bart, t5, marian, m2m_100, …
    device: str
    precision: str
    extra: dict[str, Any] = field(default_factory=dict)
    # Translators only (briefing.languages): the Chinese target token, a native Traditional
    # one if the model has it, and the rule that found them. None: not a translator, or a
    # Brief saved before these were recorded.
    target: str | None = None
    target_traditional: str | None = None
    target_rule: TargetRule | None = None


class Seq2Seq(Protocol):
    """A loaded encoder-decoder model plus its Hugging Face tokenizer."""

    info: ModelInfo
    tokenizer: Any
    config: Any
    max_input_tokens: int
    defaults: GenerationSettings

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Tokens of each text, special tokens included, in one tokenizer call."""
        ...

    def generate(self, texts: list[str], settings: GenerationSettings) -> list[str]:
        """Decoded outputs, special tokens removed, one per input, same order."""
        ...


class HFTokenizerMixin:
    """Counting and decoding shared by every engine: all of them use the model's own
    Hugging Face tokenizer, so chunk budgets mean the same thing whatever runs the model."""

    tokenizer: Any

    def count_tokens(self, texts: list[str]) -> list[int]:
        if not texts:
            return []
        encoded = self.tokenizer(texts, add_special_tokens=True, truncation=False, verbose=False)
        return [len(ids) for ids in encoded["input_ids"]]

    def decode(self, sequences: Any) -> list[str]:
        """Texts of generated id sequences, special tokens removed."""
        return [self.tokenizer.decode(ids, skip_special_tokens=True).strip() for ids in sequences]


def input_window(tokenizer: Any, config: Any) -> int:
    """Longest input the model accepts, from its config and tokenizer (never a constant)."""
    limits = [
        n
        for n in (
            getattr(config, "max_position_embeddings", None),
            getattr(config, "n_positions", None),
            getattr(tokenizer, "model_max_length", None),
        )
        if isinstance(n, int) and 0 < n < 1_000_000  # tokenizers say 1e30 for "unset"
    ]
    if not limits:
        raise ValueError("cannot tell the model's input window: set model_max_length")
    return min(limits)


def defaults_from(generation_config: Any) -> GenerationSettings:
    """Decoding defaults recorded with the model (beams, length penalty, no-repeat n-gram)."""
    return GenerationSettings(
        num_beams=generation_config.num_beams or 1,
        length_penalty=float(generation_config.length_penalty or 1.0),
        no_repeat_ngram_size=generation_config.no_repeat_ngram_size or 0,
        early_stopping=bool(generation_config.early_stopping),
        max_new_tokens=generation_config.max_length or 128,
        min_new_tokens=generation_config.min_length or 0,
    )


def load_model(
    ref: Any,
    *,
    backend: str = "auto",
    device: str = "cpu",
    threads: int | None = None,
    compute_type: str | None = None,
    allow_pickle: bool = False,
) -> Seq2Seq:
    """Load ``ref`` (a ModelRef) with the chosen engine.

    ``auto`` is CTranslate2 when a converted model exists (``briefing convert``), else
    transformers. ``compute_type`` only applies to CTranslate2 (default int8 on CPU,
    int8_float16 on CUDA).
    """
    if backend not in BACKENDS:
        from ..errors import ConfigError

        raise ConfigError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    from ..models import find_converted, is_ct2_dir

    if backend in ("auto", "ctranslate2"):
        folder = find_converted(ref)
        if folder is not None:
            from .ct2 import CTranslate2Seq2Seq

            return CTranslate2Seq2Seq(
                ref, folder, device=device, threads=threads, compute_type=compute_type
            )
        if backend == "ctranslate2":
            from ..errors import BackendUnavailableError

            raise BackendUnavailableError(
                f"{ref.name!r} has no CTranslate2 conversion: run `briefing convert {ref.path}` "
                "or use backend='transformers'"
            )
    if is_ct2_dir(ref.path):
        from ..errors import ModelLoadError

        raise ModelLoadError(
            f"{ref.path} is a CTranslate2 model: use backend='ctranslate2' or 'auto', or pass "
            "the Hugging Face folder it was converted from"
        )
    if compute_type is not None:
        # auto fell back to transformers, which has no compute types: say so, not silently.
        import logging

        logging.getLogger("briefing").warning(
            "%s has no CTranslate2 conversion: compute type %r not used (run `briefing "
            "convert` for it)",
            ref.name,
            compute_type,
        )
    from .hf import TransformersSeq2Seq

    return TransformersSeq2Seq(ref, device=device, threads=threads, allow_pickle=allow_pickle)
