"""The whole article in Chinese, sentence by sentence, paragraph by paragraph.

``translate_article(pipeline, text_or_article)`` cleans and segments the article exactly as
a brief does, then puts every segment through the pipeline's Translator (batched, with the
glossary and script of the options). Each segment is translated exactly once and stays
aligned with its Chinese; a segment longer than the translator's window is translated in
consecutive pieces that are joined again (the Translator splits, it never truncates). The
same translation check as for briefs flags numbers the Chinese lost or changed.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any, Protocol, Self

from .backends import ModelInfo
from .clean import CleanOptions, looks_like_html
from .errors import ConfigError, InputError
from .options import Progress, unknown_option_error
from .reader import page_title
from .segment import segment
from .translator import AppliedTerm, TranslationOptions, Translator
from .trust import Flag, check_translation, format_flags

log = logging.getLogger("briefing")

_STAGES = ("clean", "translation")


@dataclass(frozen=True)
class ArticleOptions:
    """Options of a whole-article translation: cleaning and translation (no summary).

    Coerces like BriefOptions: ``ArticleOptions.coerce(None, script="traditional")``,
    ``ArticleOptions.coerce({"translation": {"batch_size": 8}})``, or a BriefOptions (its
    ``clean`` and ``translation`` parts are used).
    """

    clean: CleanOptions = field(default_factory=CleanOptions)
    translation: TranslationOptions = field(default_factory=TranslationOptions)

    @classmethod
    def coerce(cls, value: Any = None, **flat: Any) -> Self:
        if isinstance(value, cls):
            base = value
        elif value is None or isinstance(value, Mapping):
            value = dict(value or {})
            nested = {k: value.pop(k) for k in list(value) if k in _STAGES}
            flat = {**value, **flat}
            base = cls(
                clean=CleanOptions.coerce(nested.get("clean")),
                translation=TranslationOptions.coerce(nested.get("translation")),
            )
        elif isinstance(getattr(value, "clean", None), CleanOptions) and isinstance(
            getattr(value, "translation", None), TranslationOptions
        ):  # a BriefOptions: its summary part has no say here
            base = cls(clean=value.clean, translation=value.translation)
        else:
            raise ConfigError(
                f"options must be ArticleOptions, BriefOptions, a dict or None, "
                f"not {type(value).__name__}"
            )
        if not flat:
            return base
        routed: dict[str, dict[str, Any]] = {stage: {} for stage in _STAGES}
        for key, val in flat.items():
            stage = next((s for s in _STAGES if key in cls._names(s)), None)
            if stage is None:
                raise unknown_option_error(
                    [key], cls.option_names(), where="for a whole-article translation"
                )
            routed[stage][key] = val
        return cls(
            clean=CleanOptions.coerce(base.clean, **routed["clean"]),
            translation=TranslationOptions.coerce(base.translation, **routed["translation"]),
        )

    @staticmethod
    def _names(stage: str) -> tuple[str, ...]:
        return (CleanOptions if stage == "clean" else TranslationOptions).field_names()

    @classmethod
    def option_names(cls) -> list[str]:
        return [*CleanOptions.field_names(), *TranslationOptions.field_names()]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class ArticleSeconds:
    clean: float = 0.0
    translate: float = 0.0
    total: float = 0.0


@dataclass
class ArticleInfo:
    """How a whole-article translation was made: model, options, counts, timings."""

    translator: ModelInfo
    options: ArticleOptions
    words_in: int
    chars_in: int
    segments: int
    paragraphs: int
    # Segments over the translator's window, translated in consecutive pieces.
    long_segments: int
    seconds: ArticleSeconds
    version: str


@dataclass
class ArticleTranslation:
    """An article and its Chinese translation, aligned sentence by sentence.

    ``sentence_pairs`` holds every segment of the cleaned article exactly once, in order;
    ``paragraph_index[i]`` is the paragraph of pair ``i``; ``paragraphs[p]`` is the Chinese
    of paragraph ``p`` (its sentences joined) and ``translation`` the paragraphs joined by
    blank lines. ``flags`` are numbers of a segment that its Chinese lost or changed.
    """

    title: str
    source: str  # the URL it was fetched from (final, after redirects), or ""
    sentence_pairs: list[tuple[str, str]]
    paragraph_index: list[int]
    paragraphs: list[str]
    translation: str
    info: ArticleInfo
    flags: list[Flag] = field(default_factory=list)
    glossary_terms: list[AppliedTerm] = field(default_factory=list)

    @property
    def english_paragraphs(self) -> list[str]:
        """The cleaned article's paragraphs (its segments joined by spaces)."""
        grouped: list[list[str]] = [[] for _ in self.paragraphs]
        for (en, _), p in zip(self.sentence_pairs, self.paragraph_index, strict=True):
            grouped[p].append(en)
        return [" ".join(sentences) for sentences in grouped]

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["sentence_pairs"] = [list(pair) for pair in self.sentence_pairs]
        return data

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, default=str, **kwargs)

    def to_text(self, *, bilingual: bool = False) -> str:
        """The Chinese translation; ``bilingual``: each English paragraph, then its Chinese."""
        if not bilingual:
            return self.translation + "\n"
        blocks = zip(self.english_paragraphs, self.paragraphs, strict=True)
        return "\n\n".join(f"{en}\n\n{zh}" for en, zh in blocks) + "\n"

    def to_markdown(self) -> str:
        """Bilingual Markdown: each English paragraph quoted, then its Chinese."""
        lines = [f"# {_one_line(self.title) or 'Article'}", ""]
        if self.source:
            lines += [f"Source: <{self.source}>", ""]
        for en, zh in zip(self.english_paragraphs, self.paragraphs, strict=True):
            lines += [f"> {en}", "", zh, ""]
        if self.flags:
            lines += ["## Checks", ""]
            lines += [f"- {line}" for line in format_flags(self.flags)]
            lines.append("")
        info = self.info
        lines += [
            f"_Translated by {info.translator.name}, script {info.options.translation.script}; "
            f"{info.segments} sentences in {info.paragraphs} paragraphs._",
            "",
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"ArticleTranslation(title={_one_line(self.title)[:60]!r}, "
            f"sentences={len(self.sentence_pairs)}, paragraphs={len(self.paragraphs)}, "
            f"chinese_chars={len(self.translation)}, flags={len(self.flags)})"
        )


class _Prepared(Protocol):
    cleaned: str
    segments: list[str]


class _PipelineLike(Protocol):
    """What translate_article needs of a Pipeline: its Translator and its article checks."""

    translator: Translator

    def prepare(self, text: str, options: CleanOptions) -> _Prepared: ...


def group_paragraphs(cleaned: str, segments: list[str]) -> list[list[str]]:
    """The segments of a cleaned article grouped by its paragraphs (blank-line separated).

    Every segment appears exactly once, in order; should the paragraph-wise segmentation
    ever disagree with ``segments``, they are kept as one paragraph rather than altered.
    """
    blocks = [block for block in cleaned.split("\n\n") if block.strip()]
    grouped = [sentences for block in blocks if (sentences := segment(block))]
    if [s for paragraph in grouped for s in paragraph] != segments:
        log.warning("paragraphs do not match the article's segments: one paragraph kept")
        return [list(segments)] if segments else []
    return grouped


def translate_article(
    pipeline: _PipelineLike,
    text_or_article: Any,
    options: Any = None,
    progress: Progress | None = None,
    **flat: Any,
) -> ArticleTranslation:
    """Translate a whole article into Chinese, sentence-aligned.

    ``text_or_article``: article text (plain, Markdown-ish or HTML), or an object with
    ``text`` and ``title`` (a fetched WebArticle or a reader Article; its ``final_url`` or
    ``url`` becomes ``source``). ``options``: ArticleOptions, BriefOptions, a dict or None;
    flat keywords (``script=``, ``glossary=``, ``batch_size=``, ``max_chars=``…) override.
    ``progress("translate", done, total)`` is called after each sentence batch (``total``
    counts pieces: a sentence over the window counts once per piece). Holds the pipeline's
    model lock (``_lock``, if it has one) while translating, so ``Pipeline.translate_article``
    should delegate here without taking it.
    """
    opts = ArticleOptions.coerce(options, **flat)
    text, title, source = _unpack(text_or_article)
    started = time.perf_counter()
    prepared = pipeline.prepare(text, opts.clean)  # the same cleaning and checks as a brief
    cleaned = prepared.cleaned
    grouped = group_paragraphs(cleaned, prepared.segments)
    sentences = [s for paragraph in grouped for s in paragraph]
    paragraph_index = [p for p, paragraph in enumerate(grouped) for _ in paragraph]
    clean_seconds = time.perf_counter() - started
    translator = pipeline.translator
    window = translator.model.max_input_tokens // 2  # the Translator's own per-piece budget
    long_segments = sum(n > window for n in translator.model.count_tokens(sentences))
    started = time.perf_counter()
    with getattr(pipeline, "_lock", None) or nullcontext():
        translations = translator.translate_detailed(sentences, opts.translation, progress)
    translate_seconds = time.perf_counter() - started
    pairs = [(en, zh.text) for en, zh in zip(sentences, translations, strict=True)]
    chinese = [""] * len(grouped)
    for (_, zh), p in zip(pairs, paragraph_index, strict=True):
        chinese[p] += zh
    terms = [
        dataclasses.replace(term, sentence=i)
        for i, zh in enumerate(translations)
        for term in zh.terms
    ]
    seconds = ArticleSeconds(clean_seconds, translate_seconds, clean_seconds + translate_seconds)
    info = ArticleInfo(
        translator=translator.model.info,
        options=opts,
        words_in=len(cleaned.split()),
        chars_in=len(text),
        segments=len(pairs),
        paragraphs=len(grouped),
        long_segments=long_segments,
        seconds=seconds,
        version=_version(),
    )
    log.info(
        "translated %d sentences (%d over the window) in %.1fs",
        len(pairs),
        long_segments,
        translate_seconds,
    )
    return ArticleTranslation(
        title=title,
        source=source,
        sentence_pairs=pairs,
        paragraph_index=paragraph_index,
        paragraphs=chinese,
        translation="\n\n".join(chinese),
        info=info,
        flags=translation_flags(pairs),
        glossary_terms=terms,
    )


def translation_flags(pairs: Sequence[tuple[str, str]]) -> list[Flag]:
    """Numbers of each English sentence that its Chinese lost or changed (the briefs' check).

    Every sentence is its own source here, so only the translation check can flag anything.
    """
    return [
        dataclasses.replace(flag, reason=flag.reason.replace("Chinese brief", "Chinese"))
        for flag in check_translation(pairs)
    ]


def _unpack(value: Any) -> tuple[str, str, str]:
    """(text, title, source) of a str or an article object."""
    if isinstance(value, str):
        return value, page_title(value) if looks_like_html(value) else "", ""
    text = getattr(value, "text", None)
    if not isinstance(text, str):
        raise InputError(
            f"translate_article takes article text or an article object, not {type(value).__name__}"
        )
    source = getattr(value, "final_url", None) or getattr(value, "url", None) or ""
    return text, str(getattr(value, "title", "") or ""), str(source)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _version() -> str:
    from . import __version__

    return __version__
