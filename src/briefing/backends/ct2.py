"""The CTranslate2 engine: a converted model (int8 on CPU) plus the Hugging Face tokenizer.

The converted folder is self-contained (see ``models.convert``): ``model.bin`` with
CTranslate2's own ``config.json``, the tokenizer files, ``generation_config.json`` and the
Hugging Face config as ``hf_config.json``.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from ..errors import BackendUnavailableError, ConfigError, ModelLoadError
from ..models import HF_CONFIG_NAME
from . import GenerationSettings, HFTokenizerMixin, ModelInfo, defaults_from, input_window

log = logging.getLogger("briefing")


def default_compute_type(device: str) -> str:
    """int8 weights everywhere; activations in fp16 on CUDA, fp32 on CPU."""
    return "int8_float16" if device.startswith("cuda") else "int8"


def default_threads() -> int:
    """Every core this process may use: one translation at a time, all cores on it."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class CTranslate2Seq2Seq(HFTokenizerMixin):
    """One converted seq2seq model on one device, loaded once."""

    def __init__(
        self,
        ref: Any,
        folder: Path,
        *,
        device: str = "cpu",
        threads: int | None = None,
        inter_threads: int = 1,
        compute_type: str | None = None,
    ) -> None:
        try:
            import ctranslate2
        except ImportError as exc:
            raise BackendUnavailableError(
                "CTranslate2 is not installed: `pip install ctranslate2`, or use "
                "backend='transformers'"
            ) from exc
        from transformers import AutoConfig, AutoTokenizer, GenerationConfig

        kind, _, index = device.partition(":")
        compute_type = compute_type or default_compute_type(device)
        intra = threads or (default_threads() if kind == "cpu" else 0)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
            self.config = AutoConfig.from_pretrained(folder / HF_CONFIG_NAME)
        except (OSError, ValueError) as exc:
            raise ModelLoadError(
                f"cannot load the tokenizer of {ref.name!r} from {folder}: convert it again "
                f"with `briefing convert {ref.path}`"
            ) from exc
        try:
            generation_config = GenerationConfig.from_pretrained(folder, local_files_only=True)
        except OSError:  # older models keep generation settings in config.json only
            generation_config = GenerationConfig.from_model_config(self.config)
        try:
            self.translator = ctranslate2.Translator(
                str(folder),
                device=kind,
                device_index=int(index or 0),
                compute_type=compute_type,
                inter_threads=inter_threads,
                intra_threads=intra,
            )
        except ValueError as exc:  # unsupported compute type on this device
            supported = ", ".join(sorted(ctranslate2.get_supported_compute_types(kind)))
            raise ConfigError(
                f"CTranslate2 cannot run {ref.name!r} as {compute_type!r} on {kind} ({exc}); "
                f"choose one of: {supported}"
            ) from exc
        except RuntimeError as exc:
            raise ModelLoadError(
                f"cannot load the CTranslate2 model in {folder} ({exc}): convert it again "
                f"with `briefing convert {ref.path} --force`"
            ) from exc
        self.device = device
        self.max_input_tokens = input_window(self.tokenizer, self.config)
        self.defaults = defaults_from(generation_config)
        # Tokens transformers' generate adds by itself, which CTranslate2 must be told about:
        # BART's forced "<s>" after the "</s>" decoder start (the start token itself is in the
        # converted config), and the forced "</s>" on the last step, which takes that step.
        forced_bos = generation_config.forced_bos_token_id
        self._forced_bos = (
            None if forced_bos is None else self.tokenizer.convert_ids_to_tokens(forced_bos)
        )
        self._forced_eos = generation_config.forced_eos_token_id is not None
        # CTranslate2 maps an unknown token to <unk> without a word: target tokens are
        # checked against its own vocabulary instead (see _check_target).
        self._target_vocab = _target_vocabulary(folder)
        self._ref_path = ref.path
        self.info = ModelInfo(
            name=ref.name,
            path=str(folder),
            backend="ctranslate2",
            family=self.config.model_type,
            device=device,
            precision=self.translator.compute_type,
            extra={"intra_threads": intra, "inter_threads": inter_threads},
        )

    def generate(self, texts: list[str], settings: GenerationSettings) -> list[str]:
        hypotheses = self.generate_tokens(texts, settings)
        ids = [self.tokenizer.convert_tokens_to_ids(tokens) for tokens in hypotheses]
        return self.decode(ids)

    def generate_tokens(self, texts: list[str], settings: GenerationSettings) -> list[list[str]]:
        """Best hypothesis of each text as target tokens: the forced first token included,
        the decoder start and end tokens not."""
        if not texts:
            return []
        encoded = self.tokenizer(texts, add_special_tokens=True, truncation=False, verbose=False)
        ids = encoded["input_ids"]
        longest = max(len(row) for row in ids)
        if longest > self.max_input_tokens:
            # Callers chunk to the window first; reaching here is a bug, never cut silently.
            raise ValueError(f"input of {longest} tokens exceeds window {self.max_input_tokens}")
        source = [self.tokenizer.convert_ids_to_tokens(row) for row in ids]
        first = settings.forced_bos_token or self._forced_bos
        if first is not None:
            self._check_target(first)
        max_length = settings.max_new_tokens - (1 if self._forced_eos else 0)
        results = self.translator.translate_batch(
            source,
            target_prefix=[[first]] * len(source) if first else None,
            beam_size=settings.num_beams,
            # patience 1 = stop once beam_size hypotheses are finished, like transformers'
            # early_stopping=True.
            patience=1,
            length_penalty=settings.length_penalty,
            no_repeat_ngram_size=settings.no_repeat_ngram_size,
            # Both count the forced first token and exclude the decoder start token.
            min_decoding_length=settings.min_new_tokens,
            max_decoding_length=max(1, max_length),
            max_input_length=0,  # the window was checked above; never truncate
            return_scores=False,
        )
        return [result.hypotheses[0] for result in results]

    def _check_target(self, token: str) -> None:
        if self._target_vocab is not None and token not in self._target_vocab:
            raise ModelLoadError(
                f"the CTranslate2 model of {self.info.name!r} has no {token!r} token, which its "
                f"tokenizer has: convert it again with `briefing convert {self._ref_path} --force`"
            )


def _target_vocabulary(folder: Path) -> frozenset[str] | None:
    """The target tokens of a converted model, or None when the folder has no vocabulary
    file this version knows."""
    for stem in ("target_vocabulary", "shared_vocabulary"):
        path = folder / f"{stem}.json"
        if path.exists():
            return frozenset(json.loads(path.read_text(encoding="utf-8")))
        path = folder / f"{stem}.txt"
        if path.exists():
            return frozenset(path.read_text(encoding="utf-8").splitlines())
    return None
