"""Measuring briefs against references: ROUGE, chrF, BLEU, lengths and speed.

Data is JSONL, one article per line: ``{"article": …, "summary_zh": …}`` plus, optionally,
``"summary_en"`` and ``"id"``. Each configuration (models and options) briefs every
article through ``Pipeline.run_many``; the report has one row per configuration.

Chinese is scored on characters (a Latin word or a number counts as one token), English
on lower-cased words with Porter stemming, as rouge-score does for CNN/DailyMail. ROUGE is
the mean of per-article F1; chrF and BLEU are sacrebleu's corpus scores (BLEU with its
Chinese tokenizer). All scores are on a 0–100 scale.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .brief import Brief, BriefOptions
from .errors import ConfigError, InputError
from .options import check_positive, unknown_option_error
from .pipeline import Pipeline
from .settings import ModelChoice

log = logging.getLogger("briefing")

_ZH_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[A-Za-z0-9]+")
_CONFIG_KEYS = ("name", "summarizer", "translator")


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class EvalItem:
    """One article and its reference briefs."""

    id: str
    article: str
    summary_zh: str
    summary_en: str | None = None


def _lines(handle: Any, path: Path) -> Any:
    """The file's lines; a file that is not UTF-8 text is one InputError, not a traceback."""
    try:
        yield from handle
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not UTF-8 text ({exc.reason}): pass a JSONL file") from None


def load_eval_data(path: str | Path, limit: int | None = None) -> list[EvalItem]:
    """Read JSONL with ``article`` and ``summary_zh`` (``summary_en``, ``id`` optional)."""
    path = Path(path)
    check_positive("limit", limit, allow_none=True)
    if path.exists() and not path.is_file():  # /dev/zero would be read for ever
        raise InputError(f"{path} is not a file: pass a JSONL file")
    items: list[EvalItem] = []
    with path.open(encoding="utf-8", errors="strict") as handle:
        for number, line in enumerate(_lines(handle, path), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{number} is not valid JSON ({exc.msg})") from None
            if not isinstance(record, dict) or not all(
                isinstance(record.get(k), str) and record[k].strip()
                for k in ("article", "summary_zh")
            ):
                raise InputError(
                    f"{path}:{number} needs non-empty string fields 'article' and 'summary_zh'"
                )
            english = record.get("summary_en")
            items.append(
                EvalItem(
                    id=str(record.get("id", number)),
                    article=record["article"],
                    summary_zh=record["summary_zh"],
                    summary_en=english if isinstance(english, str) and english.strip() else None,
                )
            )
            if limit and len(items) >= limit:
                break
    if not items:
        raise InputError(f"{path} holds no articles: write one JSON object per line")
    return items


# --------------------------------------------------------------------------- metrics


@dataclass(frozen=True)
class Scores:
    """Scores of one configuration on one language, 0–100."""

    rouge1: float
    rouge2: float
    rougeL: float
    chrf: float
    bleu: float


class _ChineseTokenizer:
    """rouge-score tokenizer: one token per Chinese character or Latin/number run."""

    def tokenize(self, text: str) -> list[str]:
        return [t.lower() for t in _ZH_TOKEN.findall(text)]


@cache
def _rouge_scorer(language: str) -> Any:
    from rouge_score import rouge_scorer

    types = ["rouge1", "rouge2", "rougeL"]
    if language == "zh":
        return rouge_scorer.RougeScorer(types, tokenizer=_ChineseTokenizer())
    return rouge_scorer.RougeScorer(types, use_stemmer=True)


def rouge(hypotheses: Sequence[str], references: Sequence[str], language: str) -> dict[str, float]:
    """Mean ROUGE-1/2/L F1 (0–100) over pairs; ``language`` is ``zh`` or ``en``."""
    if len(hypotheses) != len(references):
        raise ValueError("rouge needs one reference per hypothesis")
    if not hypotheses:
        return {"rouge1": 0.0, "rouge2": 0.0, "rougeL": 0.0}
    scorer = _rouge_scorer(language)
    totals = {"rouge1": 0.0, "rouge2": 0.0, "rougeL": 0.0}
    for hypothesis, reference in zip(hypotheses, references, strict=True):
        # rouge-score's signature is (target, prediction).
        for name, score in scorer.score(reference, hypothesis).items():
            totals[name] += score.fmeasure
    return {name: 100.0 * total / len(hypotheses) for name, total in totals.items()}


def score(hypotheses: Sequence[str], references: Sequence[str], language: str) -> Scores:
    """ROUGE-1/2/L, chrF and BLEU of hypotheses against one reference each."""
    import sacrebleu

    r = rouge(hypotheses, references, language)
    hyps, refs = list(hypotheses), [list(references)]
    chrf = sacrebleu.corpus_chrf(hyps, refs).score
    bleu = sacrebleu.corpus_bleu(hyps, refs, tokenize="zh" if language == "zh" else "13a").score
    return Scores(r["rouge1"], r["rouge2"], r["rougeL"], chrf, bleu)


def chinese_length(text: str) -> int:
    """Length in the units ROUGE counts for Chinese."""
    return len(_ZH_TOKEN.findall(text))


# --------------------------------------------------------------------------- configs


@dataclass(frozen=True)
class EvalConfig:
    """Models and flat brief options for one row of the report."""

    name: str
    summarizer: str | None = None
    translator: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def parse(cls, spec: str, base_options: Mapping[str, Any] | None = None) -> EvalConfig:
        """``"name=ext,summarizer=extractive,length=short"`` → EvalConfig.

        Keys: name, summarizer, translator and any brief option (length, script, sentences,
        glossary, num_beams…); values that look like integers become integers.
        """
        values: dict[str, Any] = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            key, sep, value = part.partition("=")
            key = key.strip().replace("-", "_")
            if not sep or not value.strip():
                raise ConfigError(f"--compare {spec!r}: write key=value pairs separated by commas")
            valid = (*_CONFIG_KEYS, *BriefOptions.option_names())
            if key not in valid:
                raise ConfigError(
                    f"--compare {spec!r}: {unknown_option_error([key], valid, 'key')}"
                )
            value = value.strip()
            values[key] = int(value) if value.isdigit() else value
        name = str(values.pop("name", "") or spec)
        summarizer = values.pop("summarizer", None)
        translator = values.pop("translator", None)
        return cls(
            name,
            summarizer and str(summarizer),
            translator and str(translator),
            {**(base_options or {}), **values},
        )


# --------------------------------------------------------------------------- report


@dataclass
class ItemResult:
    """One article under one configuration."""

    id: str
    summary: str
    translation: str
    rougeL_zh: float
    seconds: float


@dataclass
class ConfigReport:
    """Scores, lengths and speed of one configuration over the whole data set."""

    name: str
    summarizer: str
    translator: str
    options: dict[str, Any]
    articles: int
    zh: Scores
    en: Scores | None  # None when the data has no summary_en references
    mean_chars_zh: float  # characters (Latin words count one) of the Chinese briefs
    mean_ref_chars_zh: float
    mean_words_en: float
    mean_ref_words_en: float | None
    seconds_per_article: float  # wall time of the configuration's run_many calls / articles
    load_seconds: float
    items: list[ItemResult]


@dataclass
class EvalReport:
    """One row per configuration."""

    data: str
    articles: int
    configs: list[ConfigReport]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, default=str, **kwargs)

    def table(self) -> str:
        """A plain-text table, one configuration per row."""
        header = [
            "config", "R1-zh", "R2-zh", "RL-zh", "chrF-zh", "BLEU-zh",
            "R1-en", "R2-en", "RL-en", "chars-zh", "words-en", "s/article",
        ]  # fmt: skip
        rows = [header]
        for c in self.configs:
            en = [f"{c.en.rouge1:.1f}", f"{c.en.rouge2:.1f}", f"{c.en.rougeL:.1f}"] if c.en else [
                "-", "-", "-",
            ]  # fmt: skip
            rows.append(
                [
                    c.name,
                    f"{c.zh.rouge1:.1f}",
                    f"{c.zh.rouge2:.1f}",
                    f"{c.zh.rougeL:.1f}",
                    f"{c.zh.chrf:.1f}",
                    f"{c.zh.bleu:.1f}",
                    *en,
                    f"{c.mean_chars_zh:.0f}",
                    f"{c.mean_words_en:.0f}",
                    f"{c.seconds_per_article:.2f}",
                ]
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        lines = [
            "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in
                      enumerate(zip(row, widths, strict=True)))
            for row in rows
        ]  # fmt: skip
        refs = self.configs[0].mean_ref_chars_zh if self.configs else 0.0
        lines.append(f"{self.articles} articles from {self.data}; references {refs:.0f} chars")
        return "\n".join(lines)


def evaluate(
    items: Sequence[EvalItem],
    configs: Sequence[EvalConfig],
    *,
    data: str = "",
    models: ModelChoice | None = None,
    batch_size: int = 8,
    progress: Callable[[str, int, int], None] | None = None,
) -> EvalReport:
    """Brief every item under every configuration and score the briefs.

    ``models`` sets how models load (device, backend, threads…) and the models of any
    configuration that names none. Configurations with the same models share a Pipeline.
    """
    if not configs:
        raise ConfigError("evaluate needs at least one configuration")
    check_positive("batch_size", batch_size)
    base = models or ModelChoice()
    pipelines: dict[ModelChoice, tuple[Pipeline, float]] = {}
    reports = []
    for config in configs:
        key = dataclasses.replace(
            base,
            summarizer=config.summarizer or base.summarizer,
            translator=config.translator or base.translator,
        ).resolved()
        if key not in pipelines:
            started = time.perf_counter()
            pipe = Pipeline.from_choice(key)
            pipelines[key] = (pipe, time.perf_counter() - started)
        pipe, load_seconds = pipelines[key]
        briefs = []
        seconds = 0.0
        for start in range(0, len(items), batch_size):
            batch = items[start : start + batch_size]
            opts = BriefOptions.coerce(dict(config.options))
            for item in batch:  # name the bad line before any model work
                try:
                    pipe.prepare(item.article, opts.clean)
                except InputError as exc:
                    raise InputError(f"article {item.id!r}: {exc}; fix or drop that line") from exc
            started = time.perf_counter()
            briefs.extend(pipe.run_many([item.article for item in batch], opts))
            seconds += time.perf_counter() - started
            if progress:
                progress(config.name, min(start + batch_size, len(items)), len(items))
        reports.append(_report(config, pipe, briefs, items, seconds, load_seconds))
        log.info("eval %s: %.2f s/article", config.name, seconds / len(items))
    return EvalReport(data=data, articles=len(items), configs=reports)


def _report(
    config: EvalConfig,
    pipe: Pipeline,
    briefs: Sequence[Brief],
    items: Sequence[EvalItem],
    seconds: float,
    load_seconds: float,
) -> ConfigReport:
    chinese = [b.translation for b in briefs]
    english = [b.summary for b in briefs]
    references_zh = [item.summary_zh for item in items]
    with_en = [i for i, item in enumerate(items) if item.summary_en]
    en_scores = None
    mean_ref_words = None
    if with_en:
        references_en = [items[i].summary_en or "" for i in with_en]
        en_scores = score([english[i] for i in with_en], references_en, "en")
        mean_ref_words = sum(len(r.split()) for r in references_en) / len(with_en)
    per_item = [
        _rouge_scorer("zh").score(ref, hyp)["rougeL"].fmeasure * 100
        for hyp, ref in zip(chinese, references_zh, strict=True)
    ]
    n = len(items)
    summarizer, translator = pipe.models
    return ConfigReport(
        name=config.name,
        summarizer=summarizer.name,
        translator=translator.name,
        options={k: str(v) for k, v in config.options.items()},
        articles=n,
        zh=score(chinese, references_zh, "zh"),
        en=en_scores,
        mean_chars_zh=sum(map(chinese_length, chinese)) / n,
        mean_ref_chars_zh=sum(map(chinese_length, references_zh)) / n,
        mean_words_en=sum(len(e.split()) for e in english) / n,
        mean_ref_words_en=mean_ref_words,
        seconds_per_article=seconds / n,
        load_seconds=load_seconds,
        items=[
            ItemResult(item.id, b.summary, b.translation, r, b.info.seconds.total)
            for item, b, r in zip(items, briefs, per_item, strict=True)
        ],
    )
