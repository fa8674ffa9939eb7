"""The batch record (one line of ``briefs.jsonl``) and the values engines pass around.

``BatchRecord.to_dict``/``from_dict`` is the one serialisation of a record: the records
file, the resume state and the Ray engine's messages (``Loaded`` and ``Outcome``, through
``to_json``/``from_json``) all go through it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Literal, Self, cast

from ..article import ArticleTranslation
from ..brief import Brief
from .options import BatchPlan, canonical

Status = Literal["todo", "skipped", "failed"]
OutcomeStatus = Literal["done", "skipped", "failed"]
ErrorKind = Literal["input", "run"]

# Keys of a record around the Brief's own (``Brief.to_dict()``), in file order.
_HEAD = ("path", "title", "sha256", "encoding", "error", "error_kind", "url", "final_url")
_TAIL = ("options", "models", "chunk_count", "seconds", "article")
# Written only when set, so a file's record reads exactly as before these fields existed.
_OPTIONAL = ("url", "final_url", "article")
# Carried between processes with a record, never written to the records file.
_MARKDOWN = "markdown"


@dataclass
class BatchRecord:
    """One line of ``briefs.jsonl``: the Brief's own serialisation plus the file's fields.

    ``to_dict()`` holds the file fields (``path`` relative to the input folder, or the
    URL for ``--urls``; ``title``, ``sha256``, ``encoding``, ``error``, ``error_kind``,
    ``url`` and ``final_url`` for a URL), then every field of ``Brief.to_dict()`` (empty
    for a failed file), then ``options``, ``models``, ``chunk_count``, ``seconds`` and
    ``article`` (``ArticleTranslation.to_dict()``, with ``--translate-article`` only).
    ``error_kind`` is ``input`` when the file itself cannot be briefed (kept until it
    changes) and ``run`` when briefing it failed (retried). Fields added later have
    defaults, so records written by older versions load.
    """

    path: str
    title: str
    sha256: str | None
    encoding: str | None
    options: dict[str, Any]
    models: dict[str, str]
    chunk_count: int = 0
    seconds: float = 0.0
    error: str | None = None
    error_kind: ErrorKind | None = None
    brief: dict[str, Any] = field(default_factory=dict)  # Brief.to_dict()
    url: str | None = None  # as listed in the --urls file
    final_url: str | None = None  # after redirects
    article: dict[str, Any] | None = None  # ArticleTranslation.to_dict()
    # Rendered by whoever holds the Brief; written by the driver; not part of the record.
    markdown: str | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def summary(self) -> str:
        return str(self.brief.get("summary", ""))

    @property
    def translation(self) -> str:
        return str(self.brief.get("translation", ""))

    def key(self) -> str:
        return canonical([self.sha256, self.options, self.models])

    def to_dict(self, *, markdown: bool = False) -> dict[str, Any]:
        """The record as written; ``markdown=True`` adds the rendered brief for transport."""
        data = {name: getattr(self, name) for name in _HEAD}
        # The record's own fields win over a Brief field of the same name.
        brief = self.brief or Brief.empty_dict()
        data.update({k: v for k, v in brief.items() if k not in _HEAD and k not in _TAIL})
        data.update({name: getattr(self, name) for name in _TAIL})
        for name in _OPTIONAL:
            if data[name] is None:
                del data[name]
        if markdown:
            data[_MARKDOWN] = self.markdown
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, default=str)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BatchRecord:
        """A record from ``to_dict()`` output, including lines written by older versions."""
        missing = {"path", "options", "models"} - set(data)
        if missing:
            raise ValueError(f"not a batch record: no {', '.join(sorted(missing))}")
        own = {*_HEAD, *_TAIL}
        values = {k: data[k] for k in own if k in data}
        values.setdefault("title", "")
        values.setdefault("sha256", None)
        values.setdefault("encoding", None)
        brief = {k: v for k, v in data.items() if k not in own and k != _MARKDOWN}
        return cls(
            **values,
            brief=brief if data.get("error") is None else {},
            markdown=data.get(_MARKDOWN),
        )

    @staticmethod
    def _file_fields(item: Loaded, plan: BatchPlan) -> dict[str, Any]:
        """What every record says about its file and the run, success or not."""
        return {
            "path": item.rel,
            "title": item.title,
            "sha256": item.sha256,
            "encoding": item.encoding,
            "url": item.url,
            "final_url": item.final_url,
            "options": plan.options_dict,
            "models": plan.models_key,
        }

    @classmethod
    def success(
        cls,
        item: Loaded,
        brief: Brief,
        plan: BatchPlan,
        article: ArticleTranslation | None = None,
    ) -> BatchRecord:
        title = item.title or (item.url or PurePosixPath(item.rel).name)
        markdown = brief.to_markdown(title=title, source=item.final_url or item.rel)
        seconds = item.seconds + brief.info.seconds.total
        if article is not None:
            # The whole article after the brief, under its own heading (not a second title).
            body = article.to_markdown().split("\n", 1)[1]
            markdown += "\n## Whole article, sentence by sentence\n" + body
            seconds += article.info.seconds.total
        return cls(
            **cls._file_fields(item, plan),
            chunk_count=len(brief.chunks),
            seconds=round(seconds, 4),
            brief=brief.to_dict(),
            article=article.to_dict() if article is not None else None,
            markdown=markdown,
        )

    @classmethod
    def failure(
        cls, item: Loaded, plan: BatchPlan, message: str, kind: ErrorKind, seconds: float = 0.0
    ) -> BatchRecord:
        return cls(
            **cls._file_fields(item, plan),
            seconds=round(item.seconds + seconds, 4),
            error=message,
            error_kind=kind,
        )


class _Wire:
    """JSON for values that cross a process boundary (Ray): their own fields, with the
    ``record`` field through ``BatchRecord.to_dict``/``from_dict``."""

    record: BatchRecord | None

    def to_json(self) -> str:
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(cast(Any, self))}
        data["record"] = self.record.to_dict(markdown=True) if self.record else None
        return json.dumps(data, ensure_ascii=False, default=str)

    @classmethod
    def from_json(cls, text: str) -> Self:
        data = json.loads(text)
        record = data.pop("record")
        build: Callable[..., Self] = cls  # a dataclass: its fields are the keywords
        return build(**data, record=BatchRecord.from_dict(record) if record else None)


@dataclass
class Prior:
    """The latest record of a path in ``briefs.jsonl``: all that resume needs of it."""

    key: str
    error: str | None


@dataclass
class Loaded(_Wire):
    """A file read, decoded and checked (clean + segment), ready to brief or already settled.

    ``record`` is the error record of a file that cannot be briefed; ``repeat`` is true when
    ``briefs.jsonl`` already holds that same failure (it is then not written again).
    """

    rel: str
    status: Status
    title: str = ""
    sha256: str | None = None
    encoding: str | None = None
    text: str = ""
    seconds: float = 0.0
    record: BatchRecord | None = None
    repeat: bool = False
    url: str | None = None
    final_url: str | None = None


@dataclass
class Outcome(_Wire):
    """One file settled by an engine: the record to write (None when nothing new)."""

    rel: str
    status: OutcomeStatus
    record: BatchRecord | None = None
    reason: str | None = None


def settled(item: Loaded) -> Outcome:
    """The outcome of a file that needed no model work."""
    if item.status == "skipped":
        return Outcome(item.rel, "skipped")
    assert item.record is not None
    return Outcome(item.rel, "failed", None if item.repeat else item.record, item.record.error)


def briefed(record: BatchRecord) -> Outcome:
    return Outcome(record.path, "done" if record.ok else "failed", record, record.error)
