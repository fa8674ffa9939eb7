"""Chinese brief: sentence-by-sentence translation in batches, aligned one to one."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import cache

from .backends import Seq2Seq
from .options import StageOptions, check_choice, check_positive
from .segment import split_to_fit
from .summarize import Progress

SCRIPTS = ("simplified", "traditional", "taiwan")
# Language tags some models leave in their output (Marian ">>cmn_Hans<<", M2M "__zh__").
_LANG_TAG = re.compile(r">>[A-Za-z_]+<<|__[a-z]{2,3}__|\b[a-z]{3}_[A-Z][a-z]{3}\b")
_CJK = (
    r"\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
)
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")


@dataclass(frozen=True)
class TranslationOptions(StageOptions):
    """How the brief is put into Chinese.

    script: simplified | traditional | taiwan (Traditional with Taiwan phrasing, via OpenCC).
    batch_size: sentences per generate call.
    num_beams: beam width; None keeps the model's generation_config value.
    """

    script: str = "simplified"
    batch_size: int = 16
    num_beams: int | None = None

    def validated(self) -> TranslationOptions:
        check_choice("script", self.script, SCRIPTS)
        check_positive("batch_size", self.batch_size)
        check_positive("num_beams", self.num_beams, allow_none=True)
        return self


@cache
def _opencc(config: str):  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC(config)


def convert_script(text: str, script: str) -> str:
    """Simplified text to the requested script with OpenCC (``s2t`` / ``s2twp``)."""
    if script == "simplified":
        return text
    return _opencc("s2t" if script == "traditional" else "s2twp").convert(text)


def tidy_chinese(text: str) -> str:
    """Drop language tags and the spaces tokenizers leave between CJK characters."""
    text = _LANG_TAG.sub("", text)
    text = _SPACE_BETWEEN_CJK.sub("", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class _Target:
    """How one model is told to write Chinese in one script."""

    prefix: str = ""  # Marian: a ">>cmn_Hans<< " token in the source text
    forced_bos: str | None = None  # NLLB / M2M100: the first generated token
    convert_to: str = "simplified"  # OpenCC conversion still needed after generation


class Translator:
    """An English→Chinese seq2seq model plus language tokens, batching and script handling."""

    def __init__(self, model: Seq2Seq) -> None:
        self.model = model
        vocab = model.tokenizer.get_vocab()
        # Multilingual tokenizers mark the source language; it is always English, so set it
        # once here rather than per call (tokenizers are shared between threads).
        for code, token in (("eng_Latn", "eng_Latn"), ("en", "__en__")):
            if token in vocab and hasattr(model.tokenizer, "src_lang"):
                model.tokenizer.src_lang = code
                break
        self.targets = {script: self._target(vocab, script) for script in SCRIPTS}

    @staticmethod
    def _target(vocab: dict[str, int], script: str) -> _Target:
        hant = script != "simplified"
        # Taiwan phrasing comes from OpenCC's s2twp, so it starts from Simplified output.
        native_hant = script == "traditional"
        if ">>cmn_Hans<<" in vocab:  # Helsinki-NLP/opus-mt-en-zh and other multi-target Marian
            if native_hant and ">>cmn_Hant<<" in vocab:
                return _Target(prefix=">>cmn_Hant<< ")
            return _Target(prefix=">>cmn_Hans<< ", convert_to=script)
        if "zho_Hans" in vocab:  # NLLB-200
            if native_hant and "zho_Hant" in vocab:
                return _Target(forced_bos="zho_Hant")
            return _Target(forced_bos="zho_Hans", convert_to=script)
        if "__zh__" in vocab:  # M2M100: one Chinese code, Simplified in practice
            return _Target(forced_bos="__zh__", convert_to=script)
        return _Target(convert_to=script if hant else "simplified")

    def translate(
        self,
        sentences: list[str],
        options: TranslationOptions,
        progress: Progress | None = None,
    ) -> list[str]:
        """One Chinese sentence per English sentence, same order; empty in, empty out.

        A sentence too long for the model is translated in consecutive pieces that are
        joined again, so nothing is dropped and the alignment stays one to one.
        """
        target = self.targets[options.script]
        count = self.model.count_tokens
        # Half the window for the input leaves the decoder room for the Chinese output.
        budget = self.model.max_input_tokens // 2
        pieces: list[tuple[int, str]] = []  # (sentence index, text with prefix)
        for i, (sentence, n) in enumerate(
            zip(sentences, count([target.prefix + s for s in sentences]), strict=True)
        ):
            if not sentence.strip():
                continue
            parts = [sentence] if n <= budget else split_to_fit(sentence, budget, count)
            pieces.extend((i, target.prefix + part) for part in parts)
        order = sorted(range(len(pieces)), key=lambda k: len(pieces[k][1]))
        tokens = count([pieces[k][1] for k in order])
        translated = [""] * len(pieces)
        for start in range(0, len(order), options.batch_size):
            batch = order[start : start + options.batch_size]
            longest = max(tokens[start : start + len(batch)])
            settings = dataclasses.replace(
                self.model.defaults,
                num_beams=options.num_beams or self.model.defaults.num_beams,
                min_new_tokens=0,
                # Chinese needs about as many tokens as English; 2× + 10 leaves room.
                max_new_tokens=min(self.model.max_input_tokens - 2, 2 * longest + 10),
                length_penalty=1.0,
                no_repeat_ngram_size=0,
                forced_bos_token=target.forced_bos,
            )
            outputs = self.model.generate([pieces[k][1] for k in batch], settings)
            for k, text in zip(batch, outputs, strict=True):
                translated[k] = convert_script(tidy_chinese(text), target.convert_to)
            if progress:
                progress("translate", min(start + len(batch), len(order)), len(order))
        result = [""] * len(sentences)
        for (i, _), text in zip(pieces, translated, strict=True):
            result[i] += text
        return result
