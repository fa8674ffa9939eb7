"""The one engine: article text → cleaned segments → English brief → Chinese brief.

Every entry point (``summarize()``, the CLI, batch, the web UI) goes through
``Pipeline.run_many``; nothing else talks to the models.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .article import ArticleOptions, ArticleTranslation, translate_article
from .backends import ModelInfo, load_model
from .brief import Brief, BriefInfo, BriefOptions, StageSeconds
from .clean import CleanOptions, CleanResult, check_article, clean
from .errors import ConfigError
from .extractive import MODES as EXTRACTIVE_MODES
from .extractive import ExtractiveSummarizer
from .models import pick_device, resolve_model
from .options import Progress
from .reader import to_text
from .segment import segment, split_sentences
from .settings import ModelChoice, model_id
from .summarizer import ModelSummarizer, Summarizer
from .translator import Translator
from .trust import check_brief

# Re-exported: these lived here before brief.py and settings.py.
__all__ = [
    "Brief",
    "BriefInfo",
    "BriefOptions",
    "ModelChoice",
    "Pipeline",
    "StageSeconds",
    "get_pipeline",
    "model_id",
    "summarize",
    "translate",
]

log = logging.getLogger("briefing")


@dataclass
class _Prepared:
    text: str
    cleaned: str
    segments: list[str]
    seconds: float
    cleaning: CleanResult | None = None
    title: str | None = None


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
        """Keyword form of ``Pipeline.from_choice(ModelChoice(...))``."""
        choice = ModelChoice(
            summarizer, translator, device, backend, threads, compute_type
        ).resolved()
        self.choice = choice
        self.device = pick_device(choice.device)
        summarizer_name = choice.summarizer or ""
        # "extractive" / "lead" pick the article's own sentences: no model to resolve.
        extractive = summarizer_name in EXTRACTIVE_MODES
        summarizer_ref = None if extractive else resolve_model(summarizer_name)
        translator_ref = resolve_model(choice.translator or "")
        load = functools.partial(
            load_model,
            backend=choice.backend,
            device=self.device,
            threads=choice.threads,
            compute_type=choice.compute_type,  # CTranslate2 only
            allow_pickle=allow_pickle,  # transformers only
        )
        started = time.perf_counter()
        self.summarizer: Summarizer = (
            ExtractiveSummarizer(summarizer_name)
            if summarizer_ref is None
            else ModelSummarizer(load(summarizer_ref))
        )
        self.translator = Translator(load(translator_ref))
        self.load_seconds = time.perf_counter() - started
        self._lock = threading.Lock()
        log.info(
            "loaded %s and %s on %s in %.1fs",
            self.summarizer.info.name,
            translator_ref.name,
            self.device,
            self.load_seconds,
        )

    @classmethod
    def from_choice(cls, choice: ModelChoice, *, allow_pickle: bool = False) -> Pipeline:
        """Load the models that ``choice`` names (the entry points' way in)."""
        return cls(
            choice.summarizer,
            choice.translator,
            device=choice.device,
            backend=choice.backend,
            threads=choice.threads,
            compute_type=choice.compute_type,
            allow_pickle=allow_pickle,
        )

    def translate_article(
        self,
        text_or_article: Any,
        options: Any = None,
        *,
        progress: Progress | None = None,
        **flat: Any,
    ) -> ArticleTranslation:
        """The whole article in Chinese, sentence by sentence (``article.translate_article``).

        ``text_or_article``: text, HTML, or a fetched ``WebArticle`` / reader ``Article``;
        ``options``: ArticleOptions, BriefOptions, a dict or None; flat keywords
        (``script=``, ``glossary=``…) override. Takes the model lock itself.
        """
        return translate_article(self, text_or_article, options, progress, **flat)

    @property
    def models(self) -> tuple[ModelInfo, ModelInfo]:
        return self.summarizer.info, self.translator.model.info

    @staticmethod  # no models needed: batch checks files with it before loading any
    def prepare(text: str, options: CleanOptions) -> _Prepared:
        """Clean, check and segment one article; raise InputError when it cannot be briefed."""
        started = time.perf_counter()
        # Text or a web page/fragment (markup limit on markup, text limit on its text).
        source = to_text(text, max_chars=options.max_chars)
        cleaning = clean(source.text, options)
        check_article(source.text, cleaning.text, options)
        segments = segment(cleaning.text)
        seconds = time.perf_counter() - started
        title = source.title or cleaning.title
        return _Prepared(text, cleaning.text, segments, seconds, cleaning, title)

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
        on_english: Callable[[list[list[str]]], None] | None = None,
        **flat: Any,
    ) -> list[Brief]:
        """Brief several articles, batching their chunks and sentences through the models.

        Raises InputError for the first article that cannot be briefed, before any model work.
        ``on_english`` gets each article's English brief sentences once they are ready, before
        translation starts (the web page shows the English brief while the Chinese is made).
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
            if on_english:
                on_english(english)
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
                summarizer=self.summarizer.info,
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
                header=list(prep.cleaning.header) if prep.cleaning else [],
                removed=list(prep.cleaning.removed) if prep.cleaning else [],
                kept_back=prep.cleaning.kept_back if prep.cleaning else None,
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
                    title=prep.title,
                )
            )
        return briefs


def _version() -> str:
    from . import __version__

    return __version__


_cache: dict[ModelChoice, Pipeline] = {}
_cache_lock = threading.Lock()


def get_pipeline(
    summarizer: str | ModelChoice | None = None,
    translator: str | None = None,
    device: str = "auto",
    **settings: Any,
) -> Pipeline:
    """The shared Pipeline for these models, loaded on first use.

    Takes a ``ModelChoice``, or its fields as arguments; the cache is keyed by all of them
    (backend, threads and compute type included), with default names filled in.
    """
    if isinstance(summarizer, ModelChoice):
        choice = summarizer
    else:
        choice = ModelChoice.coerce(
            None, summarizer=summarizer, translator=translator, device=device, **settings
        )
    key = choice.resolved()
    with _cache_lock:
        if key not in _cache:
            _cache[key] = Pipeline.from_choice(key)
        return _cache[key]


def summarize(
    text: str,
    summarizer: str | None = None,
    translator: str | None = None,
    length: str = "medium",
    script: str = "simplified",
    *,
    device: str = "auto",
    models: ModelChoice | None = None,
    **options: Any,
) -> Brief:
    """Brief one English article in English and Chinese, with cached models.

    ``models`` (a ``ModelChoice``) replaces ``summarizer``, ``translator`` and ``device``.
    """
    # Options are checked before any model loads: a typo costs no loading time.
    opts = BriefOptions.coerce(None, length=length, script=script, **options)
    pipe = get_pipeline(models or ModelChoice(summarizer, translator, device))
    return pipe.run(text, opts)


def translate(
    text_or_article: Any,
    translator: str | None = None,
    script: str = "simplified",
    *,
    device: str = "auto",
    models: ModelChoice | None = None,
    progress: Progress | None = None,
    **options: Any,
) -> ArticleTranslation:
    """Translate a whole English article into Chinese, with cached models.

    Reuses a cached Pipeline with the same translator settings (whatever its summarizer);
    otherwise loads the translator alone (the summarizer is ``lead``: no model).
    ``models`` (a ``ModelChoice``) replaces ``translator`` and ``device``.
    """
    opts = ArticleOptions.coerce(None, script=script, **options)
    # The summarizer plays no part: compare and load with "lead", which needs no model (a
    # summarizer named in ``models``, or the default one, is neither loaded nor required).
    choice = dataclasses.replace(
        models or ModelChoice(translator=translator, device=device), summarizer="lead"
    ).resolved()
    with _cache_lock:
        pipe = next(
            (p for c, p in _cache.items() if dataclasses.replace(c, summarizer="lead") == choice),
            None,
        )
    return (pipe or get_pipeline(choice)).translate_article(
        text_or_article, opts, progress=progress
    )
