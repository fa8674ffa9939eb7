"""The one engine: article text → cleaned segments → English brief → Chinese brief.

Every entry point (``summarize()``, the CLI, batch, the web UI) goes through
``Pipeline.run_many``; nothing else talks to the models.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from .backends import ModelInfo, load_model
from .clean import CleanOptions, check_article, check_size, clean_text, looks_like_html
from .errors import ConfigError, InputError
from .extractive import MODES as EXTRACTIVE_MODES
from .extractive import ExtractiveSummarizer
from .models import default_summarizer, default_translator, pick_device, resolve_model
from .options import StageOptions
from .reader import html_to_text
from .segment import segment, split_sentences
from .summarize import Progress, Summarizer, SummaryOptions
from .translate import AppliedTerm, TranslationOptions, Translator
from .trust import Flag, SourceLink, check_brief

log = logging.getLogger("briefing")


@dataclass(frozen=True)
class BriefOptions:
    """All per-run options, one dataclass per stage.

    Flat keywords are routed to the stage that owns them, so
    ``BriefOptions.coerce(None, length="short", script="traditional")`` works, and so does
    ``BriefOptions.coerce({"summary": {"length": "short"}})``.
    """

    clean: CleanOptions = field(default_factory=CleanOptions)
    summary: SummaryOptions = field(default_factory=SummaryOptions)
    translation: TranslationOptions = field(default_factory=TranslationOptions)

    @classmethod
    def coerce(cls, value: Self | Mapping[str, Any] | None = None, **flat: Any) -> Self:
        if isinstance(value, cls):
            base = value
        elif value is None or isinstance(value, Mapping):
            value = dict(value or {})
            stages = {f.name: f.type for f in dataclasses.fields(cls)}
            nested = {k: value.pop(k) for k in list(value) if k in stages}
            flat = {**value, **flat}  # flat keys inside the mapping are allowed too
            base = cls(
                clean=CleanOptions.coerce(nested.get("clean")),
                summary=SummaryOptions.coerce(nested.get("summary")),
                translation=TranslationOptions.coerce(nested.get("translation")),
            )
        else:
            raise ConfigError(f"options must be BriefOptions, a dict or None, not {type(value)}")
        if not flat:
            return base
        routed: dict[str, dict[str, Any]] = {"clean": {}, "summary": {}, "translation": {}}
        for key, val in flat.items():
            for stage in routed:
                if key in type(getattr(base, stage)).field_names():
                    routed[stage][key] = val
                    break
            else:
                raise ConfigError(f"unknown option {key!r}; valid: {', '.join(cls.option_names())}")
        return cls(
            **{
                stage: type(getattr(base, stage)).coerce(getattr(base, stage), **routed[stage])
                for stage in routed
            }
        )

    @classmethod
    def option_names(cls) -> list[str]:
        return [
            *CleanOptions.field_names(),
            *SummaryOptions.field_names(),
            *TranslationOptions.field_names(),
        ]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class StageSeconds:
    """Wall-clock seconds per stage. In ``run_many`` batched stages are shared by the
    articles of the call and are divided evenly among them."""

    clean: float = 0.0
    summarize: float = 0.0
    translate: float = 0.0
    total: float = 0.0


@dataclass
class BriefInfo:
    """How a brief was made: models, options, sizes and timings."""

    summarizer: ModelInfo
    translator: ModelInfo
    options: BriefOptions
    words_in: int
    chars_in: int
    input_tokens: int  # summarizer tokens of all segments
    chunk_tokens: list[int]  # summarizer tokens of each first-pass chunk
    summary_rounds: int  # generate passes: 1 = fits the window, 2+ = map-reduce
    summary_tokens: int
    articles_in_call: int
    seconds: StageSeconds
    version: str
    # extractive/lead summarizers: segment index of each brief sentence (None otherwise).
    extracted_ids: list[int] | None = None


@dataclass
class Brief:
    """An article's English brief and Chinese brief, sentence-aligned.

    ``summary == " ".join(en for en, _ in sentence_pairs)`` and
    ``translation == "".join(zh for _, zh in sentence_pairs)``.
    """

    summary: str
    translation: str
    sentence_pairs: list[tuple[str, str]]
    segments: list[str]
    chunks: list[str]
    info: BriefInfo
    # Glossary terms found in the English brief, each present verbatim in the Chinese one.
    glossary_terms: list[AppliedTerm] = field(default_factory=list)
    # Trust checks (trust.py): per English sentence, the supporting segments; and the facts
    # that the article or the Chinese brief does not back.
    sources: list[list[SourceLink]] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["sentence_pairs"] = [list(pair) for pair in self.sentence_pairs]
        return data

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)

    def to_markdown(self, title: str | None = None, source: str | None = None) -> str:
        lines = [f"# {title}" if title else "# Brief", ""]
        lines += ["## 中文摘要", "", self.translation, "", "## English brief", "", self.summary, ""]
        if source:
            lines += [f"Source: {source}", ""]
        lines += [
            f"_Models: {self.info.summarizer.name} → {self.info.translator.name}; "
            f"length {self.info.options.summary.length}, "
            f"script {self.info.options.translation.script}._",
            "",
        ]
        return "\n".join(lines)


@dataclass
class _Prepared:
    text: str
    cleaned: str
    segments: list[str]
    seconds: float


class Pipeline:
    """Models loaded once; ``run``/``run_many`` brief articles with per-call options.

    Calls are serialised by a lock: the models already use every core, and tokenizers are
    not safe to share between threads mid-call.
    """

    def __init__(
        self,
        summarizer: str | None = None,
        translator: str | None = None,
        *,
        device: str = "auto",
        backend: str = "auto",
        threads: int | None = None,
        allow_pickle: bool = False,
        compute_type: str | None = None,
    ) -> None:
        self.device = pick_device(device)
        summarizer_name = summarizer or default_summarizer()
        # "extractive" / "lead" pick the article's own sentences: no model to resolve.
        extractive = summarizer_name in EXTRACTIVE_MODES
        summarizer_ref = None if extractive else resolve_model(summarizer_name)
        translator_ref = resolve_model(translator or default_translator())
        load = {
            "backend": backend,
            "device": self.device,
            "threads": threads,
            "allow_pickle": allow_pickle,
            "compute_type": compute_type,  # CTranslate2 only
        }
        started = time.perf_counter()
        self.summarizer: Summarizer | ExtractiveSummarizer = (
            ExtractiveSummarizer(summarizer_name)
            if summarizer_ref is None
            else Summarizer(load_model(summarizer_ref, **load))
        )
        self.translator = Translator(load_model(translator_ref, **load))
        self.load_seconds = time.perf_counter() - started
        self._lock = threading.Lock()
        log.info(
            "loaded %s and %s on %s in %.1fs",
            self.summarizer.model.info.name,
            translator_ref.name,
            self.device,
            self.load_seconds,
        )

    @property
    def models(self) -> tuple[ModelInfo, ModelInfo]:
        return self.summarizer.model.info, self.translator.model.info

    @staticmethod  # no models needed: batch checks files with it before loading any
    def prepare(text: str, options: CleanOptions) -> _Prepared:
        """Clean, check and segment one article; raise InputError when it cannot be briefed."""
        started = time.perf_counter()
        if not isinstance(text, str):
            raise InputError(f"the article must be text (str), not {type(text).__name__}")
        # Refuse far-oversized input before spending time cleaning it (chrome rarely
        # makes up more than half of a page).
        check_size(len(text), options.max_chars * 2, options)
        # A pasted web page (markup and all) is reduced to its main text first.
        source = html_to_text(text)[0] if looks_like_html(text) else text
        cleaned = clean_text(source, options)
        check_article(source, cleaned, options)
        segments = segment(cleaned)
        return _Prepared(text, cleaned, segments, time.perf_counter() - started)

    def run(
        self, text: str, options: BriefOptions | Mapping[str, Any] | None = None, **flat: Any
    ) -> Brief:
        """Brief one article. Flat keywords (``length=``, ``script=``…) override ``options``."""
        return self.run_many([text], options, **flat)[0]

    def run_many(
        self,
        texts: Sequence[str],
        options: BriefOptions | Mapping[str, Any] | None = None,
        *,
        progress: Progress | None = None,
        **flat: Any,
    ) -> list[Brief]:
        """Brief several articles, batching their chunks and sentences through the models.

        Raises InputError for the first article that cannot be briefed, before any model work.
        """
        opts = BriefOptions.coerce(options, **flat)
        if isinstance(texts, str):
            raise ConfigError("run_many takes a list of articles; use run() for one")
        prepared = [self.prepare(text, opts.clean) for text in texts]
        if not prepared:
            return []
        with self._lock:
            started = time.perf_counter()
            results = self.summarizer.summarize_many(
                [p.segments for p in prepared], opts.summary, progress
            )
            summarize_seconds = time.perf_counter() - started
            started = time.perf_counter()
            english = [
                r.sentences if r.sentences is not None else split_sentences(r.summary)
                for r in results
            ]
            flat_sentences = [s for sentences in english for s in sentences]
            chinese = iter(
                self.translator.translate_detailed(flat_sentences, opts.translation, progress)
            )
            translate_seconds = time.perf_counter() - started
        n = len(prepared)
        briefs = []
        for prep, result, sentences in zip(prepared, results, english, strict=True):
            translations = [next(chinese) for _ in sentences]
            pairs = [(en, zh.text) for en, zh in zip(sentences, translations, strict=True)]
            terms = [
                dataclasses.replace(term, sentence=j)
                for j, zh in enumerate(translations)
                for term in zh.terms
            ]
            seconds = StageSeconds(
                clean=prep.seconds,
                summarize=summarize_seconds / n,
                translate=translate_seconds / n,
            )
            seconds.total = seconds.clean + seconds.summarize + seconds.translate
            chunk_tokens = [c.tokens for c in result.chunks]
            info = BriefInfo(
                summarizer=self.summarizer.model.info,
                translator=self.translator.model.info,
                options=opts,
                words_in=len(prep.cleaned.split()),
                chars_in=len(prep.text),
                input_tokens=sum(self.summarizer.count_tokens(prep.segments)),
                chunk_tokens=chunk_tokens,
                summary_rounds=result.rounds,
                summary_tokens=result.summary_tokens,
                articles_in_call=n,
                seconds=seconds,
                version=_version(),
                extracted_ids=result.source_ids,
            )
            # Cheap (no model, ~ms per brief); extractive briefs know their source segments.
            trust = check_brief(pairs, prep.segments, result.source_ids)
            briefs.append(
                Brief(
                    summary=" ".join(en for en, _ in pairs),
                    translation="".join(zh for _, zh in pairs),
                    sentence_pairs=pairs,
                    segments=prep.segments,
                    chunks=[c.text for c in result.chunks],
                    info=info,
                    glossary_terms=terms,
                    sources=trust.sources,
                    flags=trust.flags,
                )
            )
        return briefs


def _version() -> str:
    from . import __version__

    return __version__


@dataclass(frozen=True)
class ModelChoice(StageOptions):
    """Which models to load and how: the arguments of ``Pipeline`` as one value that a
    batch passes to each worker (and records, by name, in its resume key)."""

    summarizer: str | None = None
    translator: str | None = None
    device: str = "auto"
    backend: str = "auto"
    threads: int | None = None
    compute_type: str | None = None

    def resolved(self) -> ModelChoice:
        """Names filled in from the environment here, so that every worker loads the same."""
        from .models import default_summarizer, default_translator

        return dataclasses.replace(
            self,
            summarizer=self.summarizer or default_summarizer(),
            translator=self.translator or default_translator(),
        )

    def key(self) -> dict[str, str]:
        """The models part of the resume key: what was asked for, by name.

        The device or engine that ran them is recorded in each brief's ``info`` but does
        not make finished work count as undone.
        """
        chosen = self.resolved()
        return {
            "summarizer": model_id(chosen.summarizer),
            "translator": model_id(chosen.translator),
        }

    def load(self) -> Pipeline:
        chosen = self.resolved()
        return Pipeline(
            chosen.summarizer,
            chosen.translator,
            device=self.device,
            backend=self.backend,
            threads=self.threads,
            compute_type=self.compute_type,
        )


def model_id(name: str | None) -> str:
    """A model name as recorded in resume keys."""
    # A folder given as "./m" or "/abs/m" is the same model: compare absolute paths.
    name = name or ""
    path = Path(name).expanduser()
    with suppress(OSError):
        if path.exists():
            return str(path.resolve())
    return name


_cache: dict[tuple[str, str, str], Pipeline] = {}
_cache_lock = threading.Lock()


def get_pipeline(
    summarizer: str | None = None, translator: str | None = None, device: str = "auto"
) -> Pipeline:
    """The shared Pipeline for these models, loaded on first use."""
    key = (summarizer or default_summarizer(), translator or default_translator(), device)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = Pipeline(key[0], key[1], device=device)
        return _cache[key]


def summarize(
    text: str,
    summarizer: str | None = None,
    translator: str | None = None,
    length: str = "medium",
    script: str = "simplified",
    *,
    device: str = "auto",
    **options: Any,
) -> Brief:
    """Brief one English article in English and Chinese, with cached models."""
    pipe = get_pipeline(summarizer, translator, device)
    return pipe.run(text, length=length, script=script, **options)
