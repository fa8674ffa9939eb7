"""Chinese brief: sentence-by-sentence translation in batches, aligned one to one.

Per sentence: glossary terms are replaced by placeholders, the model translates, and the
output is checked. When every placeholder came back exactly once, each is replaced by the
term's rendering; otherwise the pieces of English between the terms are translated on
their own and the renderings are spliced between them. Either way every glossary term of
the English sentence appears verbatim in the Chinese one. Typography and the script
(OpenCC) are applied before the renderings go in, so they never alter a rendering.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .backends import Seq2Seq
from .glossary import Glossary, GlossaryMatch
from .languages import ChineseTarget, find_chinese_target, register_language_tokens
from .options import StageOptions, check_choice, check_positive
from .segment import split_to_fit
from .summarizer import Progress
from .typography import convert_script, normalize_chinese, strip_language_tags

__all__ = [
    "SCRIPTS",
    "AppliedTerm",
    "Translation",
    "TranslationOptions",
    "Translator",
    "convert_script",
]

SCRIPTS = ("simplified", "traditional", "taiwan")

# A placeholder looks like a product code ("ZX1"), which translation models tend to copy
# through. Read back leniently ("zx 1"); anything else counts as lost.
_PLACEHOLDER = "ZX{}"
_PLACEHOLDER_RE = re.compile(r"(?<![A-Za-z])[Zz]\s?[Xx]\s?(\d{1,3})(?!\d)")
# Private Use Area characters stand for renderings while typography and OpenCC run:
# typography.py treats them as Chinese text and OpenCC leaves them alone.
_SENTINEL = 0xE000
_HAS_WORDS = re.compile(r"\w")

log = logging.getLogger("briefing")


@dataclass(frozen=True)
class TranslationOptions(StageOptions):
    """How the brief is put into Chinese.

    script: simplified | traditional | taiwan (Traditional with Taiwan phrasing, via OpenCC).
    batch_size: sentences per generate call.
    num_beams: beam width; None keeps the model's generation_config value.
    glossary: fixed renderings of English terms: a Glossary, a CSV/TSV/YAML path, or a
        dict ``{english: chinese}``; stored as a Glossary (entries + content digest).
    """

    script: str = "simplified"
    batch_size: int = 16
    num_beams: int | None = None
    glossary: Glossary | None = None

    def __post_init__(self) -> None:
        glossary: Any = self.glossary
        if isinstance(glossary, str | Path | Mapping):
            object.__setattr__(self, "glossary", Glossary.coerce(glossary))
        super().__post_init__()

    def validated(self) -> TranslationOptions:
        check_choice("script", self.script, SCRIPTS)
        check_positive("batch_size", self.batch_size)
        check_positive("num_beams", self.num_beams, allow_none=True)
        glossary: Any = self.glossary  # typed Glossary, but callers may pass anything
        if glossary is not None and not isinstance(glossary, Glossary):
            Glossary.coerce(glossary)  # raises ConfigError naming the accepted types
        return self


@dataclass(frozen=True)
class AppliedTerm:
    """A glossary term found in the English brief and put into the Chinese brief.

    method: ``placeholder`` when the model carried the placeholder through, ``spliced``
    when the text around the term was translated separately and the rendering spliced in.
    """

    sentence: int  # index in the sentence list (brief.sentence_pairs in a Brief)
    found: str  # the English text as it appears in the brief
    english: str  # the glossary entry that matched
    chinese: str  # its rendering, present verbatim in the Chinese sentence
    method: Literal["placeholder", "spliced"]


@dataclass
class Translation:
    """One Chinese sentence and the glossary terms applied to it."""

    text: str
    terms: list[AppliedTerm] = field(default_factory=list)


@dataclass(frozen=True)
class _Target:
    """How one model is told to write Chinese in one script."""

    prefix: str = ""  # Marian: a ">>cmn_Hans<< " token in the source text
    forced_bos: str | None = None  # NLLB / M2M100 / mBART-50: the first generated token
    native: bool = False  # the model has a token for this exact script


class Translator:
    """An English→Chinese seq2seq model plus language tokens, batching, glossary, script.

    The Chinese target comes from the model's own tokenizer (briefing.languages); a
    multilingual model without one raises NoChineseTargetError. The target and the rule that
    found it are recorded in ``model.info`` (``brief.info.translator``).
    """

    def __init__(self, model: Seq2Seq) -> None:
        self.model = model
        vocab_size = getattr(model.config, "vocab_size", None)
        self.chinese = find_chinese_target(
            model.tokenizer, model.info.name, vocab_size if isinstance(vocab_size, int) else None
        )
        # So that decoding drops language tokens a tokenizer does not list (M2M100 in v5).
        register_language_tokens(model.tokenizer)
        if self.chinese.source_lang is not None:
            # The source is always English: set it once here rather than per call
            # (tokenizers are shared between threads).
            model.tokenizer.src_lang = self.chinese.source_lang
        model.info = dataclasses.replace(
            model.info,
            target=self.chinese.hans,
            target_traditional=self.chinese.hant,
            target_rule=self.chinese.rule,
        )
        log.info(
            "%s writes Chinese by %s %s", model.info.name, self.chinese.rule, self.chinese.hans
        )
        self.targets = {script: self._target(self.chinese, script) for script in SCRIPTS}

    @staticmethod
    def _target(chinese: ChineseTarget, script: str) -> _Target:
        # Taiwan phrasing comes from OpenCC's s2twp, so it starts from Simplified output.
        # OpenCC also runs after a native token: models let the other script slip in.
        if chinese.hans is None:  # single-target model: used as is
            return _Target()
        native = script == "traditional" and chinese.hant is not None
        token = chinese.hant if native else chinese.hans
        assert token is not None
        # Only a script-specific token is "native"; M2M100's __zh__ / mBART's zh_CN are not.
        exact = native or (script == "simplified" and "Hans" in token)
        if chinese.rule == "prefix":
            return _Target(prefix=token + " ", native=exact)
        return _Target(forced_bos=token, native=exact)

    def translate(
        self,
        sentences: list[str],
        options: TranslationOptions,
        progress: Progress | None = None,
    ) -> list[str]:
        """One Chinese sentence per English sentence, same order; empty in, empty out."""
        return [t.text for t in self.translate_detailed(sentences, options, progress)]

    def translate_detailed(
        self,
        sentences: list[str],
        options: TranslationOptions,
        progress: Progress | None = None,
    ) -> list[Translation]:
        """Like ``translate``, with the glossary terms applied to each sentence."""
        target = self.targets[options.script]
        glossary = options.glossary
        matches = [glossary.find(s) if glossary else [] for s in sentences]
        protected = [_protect(s, found) for s, found in zip(sentences, matches, strict=True)]
        outputs = self._generate(protected, target, options, progress)

        drafts: list[str] = []
        methods: list[Literal["placeholder", "spliced"]] = []
        retry: list[int] = []
        for i, (sentence, found, out) in enumerate(
            zip(sentences, matches, outputs, strict=True)
        ):
            restored = _restore(out, len(found)) if found else out
            # A sentence that already holds placeholder-like text cannot be checked.
            if restored is None or (found and _PLACEHOLDER_RE.search(sentence)):
                retry.append(i)
                drafts.append("")
                methods.append("spliced")
            else:
                drafts.append(restored)
                methods.append("placeholder")

        if retry:
            # Fallback: translate the English between the terms, splice the renderings in.
            gaps = {i: _gaps(sentences[i], matches[i]) for i in retry}
            jobs = [gap for i in retry for gap in gaps[i] if _HAS_WORDS.search(gap)]
            done = iter(self._generate(jobs, target, options, None))
            for i in retry:
                parts = [next(done) if _HAS_WORDS.search(gap) else gap for gap in gaps[i]]
                drafts[i] = parts[0] + "".join(
                    _sentinel(k) + part for k, part in enumerate(parts[1:])
                )

        results = []
        for i, (draft, found) in enumerate(zip(drafts, matches, strict=True)):
            text = convert_script(normalize_chinese(draft), options.script)
            for k, match in enumerate(found):
                text = text.replace(_sentinel(k), match.chinese)
            terms = [
                AppliedTerm(i, m.found, m.english, m.chinese, methods[i]) for m in found
            ]
            results.append(Translation(text, terms))
        return results

    def _generate(
        self,
        sentences: list[str],
        target: _Target,
        options: TranslationOptions,
        progress: Progress | None,
    ) -> list[str]:
        """Raw model output per sentence (language tags dropped), batched by length.

        A sentence too long for the model is translated in consecutive pieces that are
        joined again, so nothing is dropped and the alignment stays one to one.
        """
        count = self.model.count_tokens
        # Half the window for the input leaves the decoder room for the Chinese output.
        budget = self.model.max_input_tokens // 2
        pieces: list[tuple[int, str]] = []  # (sentence index, text with prefix)
        sizes: list[int] = []  # tokens of each piece, counted once
        for i, (sentence, n) in enumerate(
            zip(sentences, count([target.prefix + s for s in sentences]), strict=True)
        ):
            if not sentence.strip():
                continue
            if n <= budget:
                pieces.append((i, target.prefix + sentence))
                sizes.append(n)
                continue
            parts = [target.prefix + part for part in split_to_fit(sentence, budget, count)]
            pieces.extend((i, part) for part in parts)
            sizes.extend(count(parts))
        # Each piece's output limit depends on its own length only (never on the batch it
        # lands in), so run() and run_many() give the same translation; pieces are batched
        # with others of the same limit, in length order to keep padding small.
        limits = [output_limit(n, self.model.max_input_tokens) for n in sizes]
        order = sorted(range(len(pieces)), key=lambda k: (limits[k], sizes[k]))
        batches: list[list[int]] = []
        for k in order:
            if batches and len(batches[-1]) < options.batch_size and (
                limits[batches[-1][0]] == limits[k]
            ):
                batches[-1].append(k)
            else:
                batches.append([k])
        translated = [""] * len(pieces)
        done = 0
        for batch in batches:
            settings = dataclasses.replace(
                self.model.defaults,
                num_beams=options.num_beams or self.model.defaults.num_beams,
                min_new_tokens=0,
                max_new_tokens=limits[batch[0]],
                length_penalty=1.0,
                no_repeat_ngram_size=0,
                forced_bos_token=target.forced_bos,
            )
            outputs = self.model.generate([pieces[k][1] for k in batch], settings)
            for k, text in zip(batch, outputs, strict=True):
                translated[k] = strip_language_tags(text).strip()
            done += len(batch)
            if progress:
                progress("translate", done, len(order))
        result = [""] * len(sentences)
        for (i, _), text in zip(pieces, translated, strict=True):
            result[i] += text
        return result


def output_limit(input_tokens: int, window: int) -> int:
    """Most new tokens for a translation of ``input_tokens``: Chinese needs about as many
    tokens as English, so 2× + 10 leaves room; rounded up to a multiple of 16 so that
    sentences of similar length share a limit (and a batch), within the decoder's window."""
    return min(window - 2, -(-(2 * input_tokens + 10) // 16) * 16)


def _sentinel(k: int) -> str:
    return chr(_SENTINEL + k)


def _protect(sentence: str, found: list[GlossaryMatch]) -> str:
    """The sentence with its k-th glossary match replaced by placeholder k+1."""
    parts = _gaps(sentence, found)
    return parts[0] + "".join(
        _PLACEHOLDER.format(k + 1) + part for k, part in enumerate(parts[1:])
    )


def _gaps(sentence: str, found: list[GlossaryMatch]) -> list[str]:
    """The English before, between and after the matches (len(found) + 1 pieces)."""
    edges = [0, *(x for m in found for x in (m.start, m.end)), len(sentence)]
    return [sentence[edges[j] : edges[j + 1]] for j in range(0, len(edges), 2)]


def _restore(output: str, n: int) -> str | None:
    """Output with placeholders 1..n swapped for sentinels, or None if any was lost,
    duplicated or invented."""
    seen = [int(m.group(1)) for m in _PLACEHOLDER_RE.finditer(output)]
    if sorted(seen) != list(range(1, n + 1)):
        return None
    return _PLACEHOLDER_RE.sub(lambda m: _sentinel(int(m.group(1)) - 1), output)
