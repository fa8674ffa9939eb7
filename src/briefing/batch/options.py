"""What a batch run is asked to do: its options, and the plan every worker follows."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..brief import BriefOptions
from ..errors import ConfigError
from ..options import StageOptions, check_choice, check_positive
from ..reader import MAX_FILE_BYTES
from ..settings import ModelChoice

DEFAULT_PATTERNS = ("*.txt", "*.md", "*.html", "*.htm")
FORMATS = ("jsonl", "md", "csv")
ENGINES = ("local", "ray")
RECORDS_FILE = "briefs.jsonl"
CSV_FILE = "briefs.csv"
LOCK_FILE = ".briefing-batch.lock"  # hidden, so a later run over the same tree skips it


@dataclass(frozen=True)
class BatchOptions(StageOptions):
    """How a folder is worked through (the brief itself is set by ``BriefOptions``).

    patterns: file-name globs (a pattern with ``/`` matches the relative path instead).
    batch_size: articles per ``Pipeline.run_many`` call (batched across files).
    formats: outputs besides ``briefs.jsonl``, which is always written (it is the resume
        log): ``md`` (one Markdown brief per article) and ``csv`` (``briefs.csv``).
    force: redo files that already have a successful record.
    progress: draw a tqdm progress bar on stderr.
    max_bytes: files larger than this are refused without being read.
    engine: ``local`` (this process) or ``ray`` (Ray Data; see ray_engine.py).
    address / num_workers / gpus_per_worker: the Ray cluster and its actor pool.
    urls: brief these URLs instead of a folder's files: a list of URLs, or the path of a
        text file with one a line (``#`` comments and blank lines ignored).
    digest: also write ``digest.md`` and ``digest.html``, from every record, on every run.
    translate_article: add the whole article in Chinese, sentence by sentence, to each
        record (``article``) and its Markdown.
    """

    patterns: tuple[str, ...] = DEFAULT_PATTERNS
    batch_size: int = 8
    formats: tuple[str, ...] = ("jsonl", "md")
    force: bool = False
    progress: bool = True
    max_bytes: int = MAX_FILE_BYTES
    engine: str = "local"
    address: str | None = None
    num_workers: int = 1
    gpus_per_worker: float = 0.0
    urls: tuple[str, ...] | None = None
    digest: bool = False
    translate_article: bool = False

    def __post_init__(self) -> None:
        # Accept "jsonl,md", one pattern as a string, and None for the default.
        formats: Any = ("jsonl", "md") if self.formats is None else self.formats
        if isinstance(formats, str):
            formats = [f.strip() for f in formats.split(",") if f.strip()]
        patterns: Any = DEFAULT_PATTERNS if self.patterns is None else self.patterns
        if isinstance(patterns, str):
            patterns = [patterns]
        urls: Any = self.urls
        if isinstance(urls, str | os.PathLike):
            from .urls import read_url_list

            urls = read_url_list(urls)
        elif urls is not None:
            from .urls import parse_url_list

            urls = parse_url_list([str(u) for u in urls], "urls")
        object.__setattr__(self, "urls", urls)
        try:
            object.__setattr__(self, "formats", tuple(formats))
            object.__setattr__(self, "patterns", tuple(patterns))
        except TypeError as exc:
            raise ConfigError(f"formats and patterns must be lists of strings ({exc})") from exc
        super().__post_init__()

    def validated(self) -> BatchOptions:
        if not self.patterns or not all(isinstance(p, str) and p for p in self.patterns):
            raise ConfigError(f"patterns must be non-empty globs like '*.txt', not {self.patterns}")
        for name in self.formats:
            check_choice("format", name, FORMATS)
        check_positive("batch_size", self.batch_size)
        check_positive("num_workers", self.num_workers)
        check_positive("max_bytes", self.max_bytes)
        check_choice("engine", self.engine, ENGINES)
        if not isinstance(self.gpus_per_worker, int | float) or self.gpus_per_worker < 0:
            raise ConfigError(f"gpus_per_worker must be 0 or more, not {self.gpus_per_worker!r}")
        return self


@dataclass(frozen=True)
class BatchPlan:
    """Everything a worker needs to read and brief files the same way as the driver."""

    input_dir: Path
    options: BriefOptions
    batch: BatchOptions
    models: ModelChoice
    options_dict: dict[str, Any]
    models_key: dict[str, str]

    def key(self, sha256: str | None) -> str:
        """The resume key of a file with this content under this plan."""
        return canonical([sha256, self.options_dict, self.models_key])


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
