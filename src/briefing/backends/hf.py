"""The transformers (PyTorch) engine: AutoTokenizer + AutoModelForSeq2SeqLM + generate."""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from ..errors import ModelLoadError
from . import GenerationSettings, HFTokenizerMixin, ModelInfo, defaults_from, input_window

log = logging.getLogger("briefing")


class _LengthNoticeFilter(logging.Filter):
    """Drops transformers' notice that max/min_new_tokens override the model's
    max/min_length: briefing sets the new-token limits on purpose, on every call."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "seem to have been set" not in record.getMessage()


_length_filter = _LengthNoticeFilter()


@cache
def configure_torch(threads: int | None) -> None:
    """Process-wide settings, once per thread count: torch's CPU threads, and the filter
    above on transformers' generation logger."""
    import torch

    if threads:
        torch.set_num_threads(threads)
    logging.getLogger("transformers.generation.utils").addFilter(_length_filter)


@contextmanager
def _quiet_loading() -> Iterator[None]:
    """No "Loading weights" bar from a library call unless the caller asked briefing for
    INFO logs: Python users get a clean terminal, as the CLI does without -v."""
    from transformers.utils import logging as transformers_logging

    if (
        logging.getLogger("briefing").isEnabledFor(logging.INFO)
        or not transformers_logging.is_progress_bar_enabled()
    ):
        yield
        return
    transformers_logging.disable_progress_bar()
    try:
        yield
    finally:
        transformers_logging.enable_progress_bar()


@cache
def _shared_cache_support() -> tuple[str, type, type] | None:
    """(generate keyword, cache class, DynamicCache) where the v5 cache layout this relies on
    is present, else None, which keeps the stock path."""
    try:
        import torch
        import transformers
        from transformers.cache_utils import DynamicCache, EncoderDecoderCache
        from transformers.generation.utils import ALL_CACHE_NAMES
    except ImportError:
        return None
    if not transformers.__version__.startswith("5."):
        return None
    keyword = next((k for k in ("cache", "past_key_values") if k in ALL_CACHE_NAMES), None)
    if keyword is None or not hasattr(EncoderDecoderCache, "reorder_cache"):
        return None

    class SharedCrossAttentionCache(EncoderDecoderCache):
        """Reorders only the self-attention cache during beam search."""

        num_beams = 1

        def reorder_cache(self, beam_idx: Any) -> None:
            # Beam search only moves beams within their input's group; check that cheaply
            # and do the full reorder if it ever does otherwise.
            own = torch.arange(len(beam_idx), device=beam_idx.device) // self.num_beams
            if bool((beam_idx // self.num_beams == own).all()):
                self.self_attention_cache.reorder_cache(beam_idx)
            else:
                super().reorder_cache(beam_idx)

    return keyword, SharedCrossAttentionCache, DynamicCache


def _shared_cross_attention_cache(model: Any, num_beams: int) -> tuple[str, Any] | None:
    """A fresh cache for one beam-search ``generate`` call that skips reordering cross attention.

    transformers v5 beam search gathers the whole EncoderDecoderCache at every step, cross
    attention included, though all beams of one input attend to the same encoder output, so
    the gathered cross-attention rows are copies of rows already in place. Reordering only
    the self-attention cache gives the same sequences and makes batches 2-3x faster
    (PERF-NOTES.md; tests/test_ct2.py checks identical output). Returns (generate keyword,
    cache), or None where the assumptions do not hold.
    """
    support = _shared_cache_support()
    if support is None or num_beams < 2 or not model.config.is_encoder_decoder:
        return None
    if hasattr(model, "_reorder_cache"):  # generate would bypass the cache's own method
        return None
    keyword, cache_class, dynamic = support
    config = model.config.get_text_config(decoder=True)
    shared = cache_class(dynamic(config=config), dynamic(config=config))
    shared.num_beams = num_beams
    return keyword, shared


class TransformersSeq2Seq(HFTokenizerMixin):
    """One seq2seq model on one device, loaded once; fp16 on CUDA, fp32 on CPU."""

    def __init__(
        self,
        ref: Any,
        *,
        device: str = "cpu",
        threads: int | None = None,
        allow_pickle: bool = False,
        share_cross_attention: bool = True,
    ) -> None:
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        configure_torch(threads)
        dtype = torch.float16 if device.startswith("cuda") else torch.float32
        try:
            # trust_remote_code stays False (the default): model folders never run code here.
            self.tokenizer = AutoTokenizer.from_pretrained(ref.path, local_files_only=True)
            with _quiet_loading():
                self.model = AutoModelForSeq2SeqLM.from_pretrained(
                    ref.path,
                    local_files_only=True,
                    use_safetensors=None if allow_pickle else True,
                    dtype=dtype,
                )
        except OSError as exc:
            hint = (
                "it has no safetensors weights; run `briefing download` again or pass "
                "allow_pickle=True if you trust the file"
                if not allow_pickle and not list(ref.path.glob("*.safetensors"))
                else "the folder may be incomplete: run `briefing download` again"
            )
            raise ModelLoadError(f"cannot load model {ref.name!r} from {ref.path}: {hint}") from exc
        self.model.eval().to(device)
        self.device = device
        self.config = self.model.config
        self.max_input_tokens = input_window(self.tokenizer, self.config)
        self.defaults = defaults_from(self.model.generation_config)
        self.info = ModelInfo(
            name=ref.name,
            path=str(ref.path),
            backend="transformers",
            family=self.config.model_type,
            device=device,
            precision=str(dtype).removeprefix("torch."),
        )
        self._torch = torch
        # Beam search without copying the cross-attention cache (see the helper above).
        self.share_cross_attention = share_cross_attention

    def generate(self, texts: list[str], settings: GenerationSettings) -> list[str]:
        if not texts:
            return []
        encoded = self.tokenizer(
            texts, return_tensors="pt", padding=True, truncation=False, verbose=False
        )
        longest = encoded["input_ids"].shape[1]
        if longest > self.max_input_tokens:
            # Callers chunk to the window first; reaching here is a bug, never cut silently.
            raise ValueError(f"input of {longest} tokens exceeds window {self.max_input_tokens}")
        config = copy.deepcopy(self.model.generation_config)
        # Lengths come from max/min_new_tokens, which take precedence over the model's
        # max_length/min_length (e.g. distilbart's 142/56).
        config.num_beams = settings.num_beams
        config.num_return_sequences = 1
        config.length_penalty = settings.length_penalty
        config.no_repeat_ngram_size = settings.no_repeat_ngram_size
        config.early_stopping = settings.early_stopping
        config.max_new_tokens = settings.max_new_tokens
        config.min_new_tokens = settings.min_new_tokens
        if settings.forced_bos_token is not None:
            config.forced_bos_token_id = self.tokenizer.convert_tokens_to_ids(
                settings.forced_bos_token
            )
        encoded = encoded.to(self.device)
        extra: dict[str, Any] = {}
        if self.share_cross_attention:
            shared = _shared_cross_attention_cache(self.model, settings.num_beams)
            if shared is not None:
                extra[shared[0]] = shared[1]
        with self._torch.inference_mode():
            output = self.model.generate(**encoded, generation_config=config, **extra)
        return self.decode(output)
