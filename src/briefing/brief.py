"""What a run returns: the brief, how it was made, and the per-run options that made it."""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Self

from .backends import ModelInfo
from .clean import CleanOptions, RemovedLine
from .errors import ConfigError
from .layout import HeaderField
from .options import unknown_option_error
from .summarizer import SummaryOptions
from .translator import AppliedTerm, TranslationOptions
from .trust import Flag, SourceLink, format_flags


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
                raise unknown_option_error([key], cls.option_names())
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
    # Cleaning (clean.CleanResult): header lines recognised above the body (headline,
    # bylines, dates), every line dropped as page furniture with its rule, and why lines
    # that matched a rule were kept (None when none were).
    header: list[HeaderField] = field(default_factory=list)
    removed: list[RemovedLine] = field(default_factory=list)
    kept_back: str | None = None


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
    # Trust checks (briefing.trust): per English sentence, the supporting segments; and the facts
    # that the article or the Chinese brief does not back.
    sources: list[list[SourceLink]] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    # The article's headline: the page <title>, or the headline line above the body.
    title: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["sentence_pairs"] = [list(pair) for pair in self.sentence_pairs]
        return data

    @classmethod
    def empty_dict(cls) -> dict[str, Any]:
        """The keys of ``to_dict()`` with empty values (what a failed batch record holds)."""
        empty: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.default_factory is not dataclasses.MISSING:
                empty[f.name] = f.default_factory()
            elif f.default is not dataclasses.MISSING:
                empty[f.name] = f.default
            else:
                empty[f.name] = copy.copy(_REQUIRED_EMPTY.get(f.name))
        return empty

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)

    def __repr__(self) -> str:
        """Short: the start of both briefs, the models and the counts (not the whole dump)."""
        return (
            f"Brief(summary={_start(self.summary, 8)!r}, "
            f"translation={_start(self.translation, 24, chars=True)!r}, "
            f"models={self.info.summarizer.name!r}→{self.info.translator.name!r}, "
            f"sentences={len(self.sentence_pairs)}, segments={len(self.segments)}, "
            f"chunks={len(self.chunks)}, flags={len(self.flags)})"
        )

    def __str__(self) -> str:
        """The two briefs as plain text, English first."""
        return f"{self.summary}\n\n{self.translation}"

    def to_markdown(self, title: str | None = None, source: str | None = None) -> str:
        title = title or self.title
        lines = [f"# {title}" if title else "# Brief", ""]
        lines += ["## 中文摘要", "", self.translation, "", "## English brief", "", self.summary, ""]
        if self.flags:  # a checker reading the Markdown must see what to verify
            lines += [f"## Facts to check ({len(self.flags)})", ""]
            lines += [f"- {line}" for line in format_flags(self.flags)]
            lines.append("")
        if source:
            lines += [f"Source: {source}", ""]
        lines += [
            f"_Models: {self.info.summarizer.name} → {self.info.translator.name}; "
            f"length {self.info.options.summary.length}, "
            f"script {self.info.options.translation.script}._",
            "",
        ]
        return "\n".join(lines)


def _start(text: str, size: int, *, chars: bool = False) -> str:
    """The first ``size`` words (or characters, for Chinese) of ``text``, with … if cut."""
    if chars:
        return text if len(text) <= size else text[:size] + "…"
    words = text.split()
    return " ".join(words[:size]) + (" …" if len(words) > size else "")


# Empty values of the fields without a default; ``info`` has none (None).
_REQUIRED_EMPTY: dict[str, Any] = {
    "summary": "",
    "translation": "",
    "sentence_pairs": [],
    "segments": [],
    "chunks": [],
}
