"""Briefing a folder of article files: discovery, reading, records, resume, the local engine.

One record per file goes to ``OUTPUT_DIR/briefs.jsonl`` as a single flushed and fsynced
line, after the file's Markdown brief has been written atomically (temporary file +
``os.replace``). The JSON line is the commit point: a run killed at any moment leaves
whole records only, and the next run redoes exactly the files without one. The writes
happen in one place (``_Writer``, in the calling process) whichever engine does the work.
"""

from __future__ import annotations

import csv
import dataclasses
import fnmatch
import hashlib
import json
import logging
import os
import queue
import re
import signal
import stat
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal

from .errors import ConfigError, InputError
from .options import StageOptions, check_choice, check_positive
from .reader import MAX_FILE_BYTES, read_article
from .settings import ModelChoice, model_id

if TYPE_CHECKING:
    from .pipeline import Brief, BriefOptions, Pipeline

log = logging.getLogger("briefing")

DEFAULT_PATTERNS = ("*.txt", "*.md", "*.html", "*.htm")
FORMATS = ("jsonl", "md", "csv")
ENGINES = ("local", "ray")
RECORDS_FILE = "briefs.jsonl"
CSV_FILE = "briefs.csv"
LOCK_FILE = ".briefing-batch.lock"  # hidden, so a later run over the same tree skips it

Status = Literal["todo", "skipped", "failed"]


# --------------------------------------------------------------------------- options


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
    engine: ``local`` (this process) or ``ray`` (Ray Data; see distributed.py).
    address / num_workers / gpus_per_worker: the Ray cluster and its actor pool.
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

    def __post_init__(self) -> None:
        # Accept "jsonl,md", one pattern as a string, and None for the default.
        formats: Any = ("jsonl", "md") if self.formats is None else self.formats
        if isinstance(formats, str):
            formats = [f.strip() for f in formats.split(",") if f.strip()]
        patterns: Any = DEFAULT_PATTERNS if self.patterns is None else self.patterns
        if isinstance(patterns, str):
            patterns = [patterns]
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
        return _canonical([sha256, self.options_dict, self.models_key])


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


# --------------------------------------------------------------------------- records


@dataclass
class BatchRecord:
    """One line of ``briefs.jsonl``: the Brief's own serialisation plus the file's fields.

    ``to_dict()`` holds the file fields (``path`` relative to the input folder, ``title``,
    ``sha256``, ``encoding``, ``error``, ``error_kind``), then every field of
    ``Brief.to_dict()`` (empty for a failed file), then ``options``, ``models``,
    ``chunk_count`` and ``seconds``. ``error_kind`` is ``input`` when the file itself cannot
    be briefed (kept until it changes) and ``run`` when briefing it failed (retried).
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
    error_kind: str | None = None
    brief: dict[str, Any] = field(default_factory=dict)  # Brief.to_dict()
    # Rendered by whoever holds the Brief; written by the driver; not part of the record.
    markdown: str | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def summary(self) -> str:
        return self.brief.get("summary", "")

    @property
    def translation(self) -> str:
        return self.brief.get("translation", "")

    def key(self) -> str:
        return _canonical([self.sha256, self.options, self.models])

    def to_dict(self) -> dict[str, Any]:
        head = {
            "path": self.path,
            "title": self.title,
            "sha256": self.sha256,
            "encoding": self.encoding,
            "error": self.error,
            "error_kind": self.error_kind,
        }
        tail = {
            "options": self.options,
            "models": self.models,
            "chunk_count": self.chunk_count,
            "seconds": self.seconds,
        }
        return {**head, **(self.brief or _empty_brief()), **tail}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, default=str)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BatchRecord:
        own = {f.name for f in dataclasses.fields(cls)} - {"brief", "markdown"}
        missing = {"path", "options", "models"} - set(data)
        if missing:
            raise ValueError(f"not a batch record: no {', '.join(sorted(missing))}")
        values = {k: data.get(k) for k in own if k in data}
        values.setdefault("title", "")
        values.setdefault("sha256", None)
        values.setdefault("encoding", None)
        brief = {k: v for k, v in data.items() if k not in own}
        return cls(**values, brief=brief if data.get("error") is None else {})

    @staticmethod
    def _file_fields(item: Loaded, plan: BatchPlan) -> dict[str, Any]:
        """What every record says about its file and the run, success or not."""
        return {
            "path": item.rel,
            "title": item.title,
            "sha256": item.sha256,
            "encoding": item.encoding,
            "options": plan.options_dict,
            "models": plan.models_key,
        }

    @classmethod
    def success(cls, item: Loaded, brief: Brief, plan: BatchPlan) -> BatchRecord:
        title = item.title or PurePosixPath(item.rel).name
        return cls(
            **cls._file_fields(item, plan),
            chunk_count=len(brief.chunks),
            seconds=round(item.seconds + brief.info.seconds.total, 4),
            brief=brief.to_dict(),
            markdown=brief.to_markdown(title=title, source=item.rel),
        )

    @classmethod
    def failure(
        cls, item: Loaded, plan: BatchPlan, message: str, kind: str, seconds: float = 0.0
    ) -> BatchRecord:
        return cls(
            **cls._file_fields(item, plan),
            seconds=round(item.seconds + seconds, 4),
            error=message,
            error_kind=kind,
        )


def _empty_brief() -> dict[str, Any]:
    """Brief's field names with empty values, so failed records have the same keys."""
    from .pipeline import Brief

    empty: dict[str, Any] = {}
    for f in dataclasses.fields(Brief):
        annotation = str(f.type)
        if f.default_factory is not dataclasses.MISSING:
            empty[f.name] = f.default_factory()
        elif annotation == "str":
            empty[f.name] = ""
        elif annotation.startswith("list"):
            empty[f.name] = []
        else:
            empty[f.name] = None
    return empty


# --------------------------------------------------------------------------- discovery


@dataclass(frozen=True)
class FileTask:
    """A file found in the input folder. ``problem`` says why it cannot even be opened."""

    rel: str  # POSIX path relative to the input folder
    path: str
    problem: str | None = None


def discover(
    input_dir: Path, patterns: tuple[str, ...] = DEFAULT_PATTERNS, skip: Path | None = None
) -> list[FileTask]:
    """Matching files under ``input_dir``, recursively, sorted by relative path.

    Hidden files and folders and the ``skip`` folder (the output) are left out. Directory
    symlinks are never followed, so a symlink loop cannot trap the walk; file symlinks are
    followed, and one that loops, dangles or is not a regular file gets a ``problem``.
    """
    root = Path(input_dir)
    skip_real = os.path.realpath(skip) if skip is not None else None
    found: list[FileTask] = []

    def on_error(exc: OSError) -> None:
        log.warning("cannot list %s: %s", exc.filename, exc.strerror)

    for folder, dirs, files in os.walk(root, onerror=on_error, followlinks=False):
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and os.path.realpath(os.path.join(folder, d)) != skip_real
        )
        for name in files:
            if name.startswith("."):
                continue
            full = os.path.join(folder, name)
            rel = Path(full).relative_to(root).as_posix()
            if not _matches(name, rel, patterns):
                continue
            found.append(FileTask(rel, full, _unreadable(full)))
    return sorted(found, key=lambda t: t.rel)


def _matches(name: str, rel: str, patterns: tuple[str, ...]) -> bool:
    # Case-insensitive, so "STORY.TXT" is found on every platform.
    return any(
        _path_glob(p).fullmatch(rel.lower())
        if "/" in p
        else fnmatch.fnmatchcase(name.lower(), p.lower())
        for p in patterns
    )


@cache
def _path_glob(pattern: str) -> re.Pattern[str]:
    """A relative-path glob: ``*`` and ``?`` stay within a folder, ``**/`` spans folders."""
    out = []
    for part in re.split(r"(\*\*/|\*\*|\*|\?)", pattern.lower()):
        out.append(
            {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}.get(part)
            or fnmatch.translate(part).removeprefix("(?s:").removesuffix(")\\Z")
        )
    return re.compile("".join(out))


def _unreadable(path: str) -> str | None:
    try:
        info = os.stat(path)  # follows file symlinks; raises on loops and dangling links
    except OSError as exc:
        if os.path.islink(path):
            return f"the symlink cannot be followed ({exc.strerror}): point it at a real file"
        return f"cannot open the file ({exc.strerror})"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (a device, pipe or socket): pass article files only"
    return None


# --------------------------------------------------------------------------- reading


@dataclass
class Prior:
    """The latest record of a path in ``briefs.jsonl``: all that resume needs of it."""

    key: str
    error: str | None


@dataclass
class Loaded:
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

    def to_json(self) -> str:
        data = dataclasses.asdict(self)
        data["record"] = self.record.to_dict() if self.record else None
        return json.dumps(data, ensure_ascii=False, default=str)

    @classmethod
    def from_json(cls, text: str) -> Loaded:
        data = json.loads(text)
        record = data.pop("record")
        return cls(**data, record=BatchRecord.from_dict(record) if record else None)


def load_file(task: FileTask, plan: BatchPlan, prior: Prior | None) -> Loaded:
    """Read, decode and check one file; decide whether it needs briefing. Never raises."""
    from .pipeline import Pipeline

    started = time.perf_counter()
    item = Loaded(task.rel, "todo")
    try:
        if task.problem:
            raise InputError(task.problem)
        article = read_article(Path(task.path), plan.batch.max_bytes)
        item.title, item.sha256, item.encoding = article.title, article.sha256, article.encoding
        key = plan.key(article.sha256)
        if prior and prior.error is None and prior.key == key and not plan.batch.force:
            item.status = "skipped"
            return item
        Pipeline.prepare(article.text, plan.options.clean)
        item.text = article.text
    except Exception as exc:  # one bad file must not stop the batch, whatever it raises
        item.status = "failed"
        if item.sha256 is None and not task.problem:
            item.sha256 = _sha256_of(Path(task.path), plan.batch.max_bytes)
        item.seconds = time.perf_counter() - started
        message, kind = _describe(exc)
        item.record = BatchRecord.failure(item, plan, message, kind)
        item.repeat = (
            not plan.batch.force
            and prior is not None
            and prior.key == plan.key(item.sha256)
            and prior.error == message
        )
        return item
    item.seconds = time.perf_counter() - started
    return item


def _sha256_of(path: Path, max_bytes: int) -> str | None:
    """Digest of a small file that failed to decode, so its record still identifies it."""
    try:
        if path.stat().st_size > max_bytes:
            return None
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def _describe(exc: BaseException) -> tuple[str, str]:
    """(message, kind) for an error record."""
    if isinstance(exc, InputError):
        return str(exc), "input"
    if isinstance(exc, OSError):
        return f"cannot read the file ({exc.strerror or exc}): check its permissions", "input"
    if isinstance(exc, UnicodeError):
        return f"cannot decode the file ({exc}): save it as UTF-8", "input"
    return (
        f"briefing failed ({type(exc).__name__}: {exc}); it is retried on the next run",
        "run",
    )


def brief_many(pipeline: Pipeline, items: list[Loaded], plan: BatchPlan) -> list[BatchRecord]:
    """Brief ``items`` in one ``run_many`` call; if it raises, retry them one by one so
    that only the article that fails gets an error record."""
    if not items:
        return []
    started = time.perf_counter()
    try:
        briefs = pipeline.run_many([item.text for item in items], plan.options)
    except Exception as exc:
        if len(items) > 1:
            log.warning(
                "a batch of %d articles failed (%s: %s); retrying them one by one",
                len(items),
                type(exc).__name__,
                exc,
            )
            return [record for item in items for record in brief_many(pipeline, [item], plan)]
        message, kind = _describe(exc)
        log.warning("%s: %s", items[0].rel, message)
        seconds = time.perf_counter() - started
        return [BatchRecord.failure(items[0], plan, message, kind, seconds)]
    return [
        BatchRecord.success(item, brief, plan) for item, brief in zip(items, briefs, strict=True)
    ]


# --------------------------------------------------------------------------- the records file


def read_records(path: str | os.PathLike[str]) -> list[BatchRecord]:
    """Every whole record of a ``briefs.jsonl``, in file order (a torn last line is ignored)."""
    records = []
    with open(path, "rb") as handle:
        for line in handle:
            record = _parse_line(line)
            if record is not None:
                records.append(record)
    return records


def latest_records(path: str | os.PathLike[str]) -> dict[str, BatchRecord]:
    """The last record of each file path: the current state of each file."""
    return {record.path: record for record in read_records(path)}


def _parse_line(line: bytes) -> BatchRecord | None:
    # Split on b"\n" only: str.splitlines() would also split at U+2028 inside a string.
    if not line.endswith(b"\n"):
        return None  # torn: the run was killed while writing it
    try:
        return BatchRecord.from_dict(json.loads(line))
    except (ValueError, TypeError):
        return None


def repair_records(path: Path) -> dict[str, Prior]:
    """Load the resume state, dropping any torn or unreadable line so the file parses."""
    priors: dict[str, Prior] = {}
    if not path.exists():
        return priors
    bad = 0
    good_end = 0  # byte offset just after the last good line
    size = 0
    with path.open("rb") as handle:
        for line in handle:
            size += len(line)
            record = _parse_line(line)
            if record is None:
                bad += 1
            else:
                priors[record.path] = Prior(record.key(), record.error)
                good_end = size
    if bad == 0:
        return priors
    if bad == 1 and good_end < size and _only_tail_is_bad(path, good_end):
        # The usual case, a run killed mid-write: cut the torn last line off.
        log.warning("%s: dropping a torn last line (%d bytes)", path, size - good_end)
        with path.open("r+b") as handle:
            handle.truncate(good_end)
            handle.flush()
            os.fsync(handle.fileno())
    else:
        log.warning("%s: dropping %d unreadable line(s)", path, bad)
        with path.open("rb") as source, _atomic_file(path, "wb") as target:
            for line in source:
                if _parse_line(line) is not None:
                    target.write(line)
    return priors


def _only_tail_is_bad(path: Path, good_end: int) -> bool:
    with path.open("rb") as handle:
        handle.seek(good_end)
        return handle.read(1 << 20).count(b"\n") <= 1


@contextmanager
def _atomic_file(target: Path, mode: str = "w") -> Iterator[Any]:
    """A temporary file beside ``target`` that replaces it only when the block succeeds.

    The temporary name is fixed (the output folder has one writer, under a lock), so a
    temporary left by a killed run is overwritten when that file is written again.
    """
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        text: dict[str, Any] = {} if "b" in mode else {"encoding": "utf-8", "newline": ""}
        with tmp.open(mode, **text) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with suppress(OSError):
            tmp.unlink()
        raise


def confined_path(output_dir: Path, rel: str, suffix: str) -> Path:
    """``output_dir/rel+suffix``, refused if it would land outside ``output_dir``."""
    parts = PurePosixPath(rel).parts
    if not parts or PurePosixPath(rel).is_absolute() or any(p in ("", ".", "..") for p in parts):
        raise ConfigError(f"refusing to write outside the output folder for {rel!r}")
    target = output_dir.joinpath(*parts[:-1], parts[-1] + suffix)
    target.parent.mkdir(parents=True, exist_ok=True)
    root = output_dir.resolve()
    if not target.parent.resolve().is_relative_to(root):
        # A symlinked folder inside the output folder must not lead the write elsewhere.
        raise ConfigError(
            f"refusing to write {target}: its folder leads outside {output_dir} (a symlink?)"
        )
    return target


class _Writer:
    """The single writer of an output folder: Markdown, then the JSON line (the commit)."""

    def __init__(self, output_dir: Path, formats: tuple[str, ...]) -> None:
        self.output_dir = output_dir
        self.formats = formats
        self.path = output_dir / RECORDS_FILE
        self._lock_handle: Any = None
        self._handle: Any = None

    def open(self) -> dict[str, Prior]:
        self.output_dir.mkdir(parents=True, exist_ok=True)
        self._lock()
        priors = repair_records(self.path)
        self._handle = self.path.open("ab")
        return priors

    def _lock(self) -> None:
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks; one run at a time is on the user
            return
        handle = (self.output_dir / LOCK_FILE).open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            handle.close()
            raise ConfigError(
                f"another `briefing batch` is writing to {self.output_dir}: wait for it, "
                "or choose another --out folder"
            ) from exc
        self._lock_handle = handle

    def write(self, record: BatchRecord) -> BatchRecord:
        if record.ok and "md" in self.formats and record.markdown is not None:
            try:
                target = confined_path(self.output_dir, record.path, ".md")
                with _atomic_file(target) as handle:
                    handle.write(record.markdown)
            except (OSError, ConfigError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) else str(exc)
                record = dataclasses.replace(
                    record,
                    error=f"the brief was made but its Markdown could not be written: {reason}",
                    error_kind="run",
                    brief={},
                )
        self._handle.write(record.to_json().encode("utf-8") + b"\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())
        return record

    def write_csv(self) -> None:
        records = latest_records(self.path)
        columns = ["path", "title", "error", "summary", "translation", "chunk_count", "seconds"]
        columns += ["sha256", "encoding", "summarizer", "translator", "length", "script"]
        with _atomic_file(self.output_dir / CSV_FILE) as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for path in sorted(records):
                r = records[path]
                options = r.options or {}
                writer.writerow(
                    [
                        r.path,
                        r.title,
                        r.error or "",
                        r.summary,
                        r.translation,
                        r.chunk_count,
                        r.seconds,
                        r.sha256 or "",
                        r.encoding or "",
                        r.models.get("summarizer", ""),
                        r.models.get("translator", ""),
                        options.get("summary", {}).get("length", ""),
                        options.get("translation", {}).get("script", ""),
                    ]
                )

    def close(self) -> None:
        for handle in (self._handle, self._lock_handle):
            if handle is not None:
                handle.close()
        self._handle = self._lock_handle = None


# --------------------------------------------------------------------------- report


@dataclass(frozen=True)
class BatchFailure:
    path: str
    reason: str


@dataclass
class BatchReport:
    """What a batch run did. ``done`` counts articles briefed in this run."""

    input_dir: str
    output_dir: str
    engine: str
    found: int = 0
    done: int = 0
    skipped: int = 0
    failures: list[BatchFailure] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False
    flagged: int = 0  # briefs done in this run with trust flags (facts to check)

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def ok(self) -> bool:
        return not self.failures and not self.interrupted

    @property
    def articles_per_minute(self) -> float:
        return 60.0 * self.done / self.seconds if self.seconds > 0 else 0.0

    @property
    def records_path(self) -> str:
        return str(Path(self.output_dir) / RECORDS_FILE)

    def table(self) -> str:
        """The end-of-run summary, as plain text."""
        minutes, seconds = divmod(round(self.seconds), 60)
        rows = [
            ("files found", str(self.found)),
            ("done", str(self.done)),
            ("skipped (already done)", str(self.skipped)),
            ("failed", str(self.failed)),
            ("briefs with flags", str(self.flagged)),
            ("time", f"{minutes}m {seconds:02d}s"),
            ("articles per minute", f"{self.articles_per_minute:.1f}"),
        ]
        width = max(len(name) for name, _ in rows)
        lines = [f"{name:<{width}}  {value:>8}" for name, value in rows]
        if self.interrupted:
            lines.append("interrupted: run the same command again to finish the rest")
        if self.failures:
            lines.append("failures:")
            lines += [f"  {f.path}: {f.reason}" for f in self.failures]
        lines.append(f"records: {self.records_path}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- the run


@dataclass
class Outcome:
    """One file settled by an engine: the record to write (None when nothing new)."""

    rel: str
    status: Literal["done", "skipped", "failed"]
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


def summarize_folder(
    input_dir: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    *,
    options: BriefOptions | Mapping[str, Any] | None = None,
    batch: BatchOptions | Mapping[str, Any] | None = None,
    models: ModelChoice | Mapping[str, Any] | None = None,
    pipeline: Pipeline | None = None,
    stop: threading.Event | None = None,
    **flat: Any,
) -> BatchReport:
    """Brief every article file under ``input_dir`` into ``output_dir``; resumable.

    Flat keywords go to the dataclass that owns them: ``BatchOptions`` (``batch_size``,
    ``formats``, ``force``, ``engine``, ``num_workers``…), ``ModelChoice`` (``summarizer``,
    ``translator``, ``device``, ``threads``…) or ``BriefOptions`` (``length``, ``script``…).
    ``pipeline`` reuses loaded models (local engine). Setting ``stop`` (or Ctrl-C, when
    called from the main thread) ends the run after the current batch; a second Ctrl-C
    stops at once. Files that cannot be briefed get error records; the run goes on.
    """
    from .pipeline import BriefOptions

    batch_flat, model_flat, brief_flat = _route(flat)
    batch_opts = BatchOptions.coerce(batch, **batch_flat)
    model_opts = ModelChoice.coerce(models, **model_flat).resolved()
    brief_opts = BriefOptions.coerce(options, **brief_flat)
    if pipeline is not None and batch_opts.engine != "local":
        raise ConfigError("pipeline= works with the local engine only; pass model names instead")
    source = Path(input_dir)
    target = Path(output_dir)
    if not source.is_dir():
        what = "is not a folder" if source.exists() else "does not exist"
        raise InputError(f"the input folder {source} {what}: pass a folder of article files")
    if target.exists() and not target.is_dir():
        raise ConfigError(f"--out {target} is a file: pass a folder for the outputs")

    models_key = (
        {
            "summarizer": model_id(pipeline.models[0].name),
            "translator": model_id(pipeline.models[1].name),
        }
        if pipeline is not None
        else model_opts.key()
    )
    plan = BatchPlan(
        input_dir=source,
        options=brief_opts,
        batch=batch_opts,
        models=model_opts,
        options_dict=json.loads(_canonical(brief_opts.to_dict())),
        models_key=models_key,
    )
    if batch_opts.engine == "ray":
        from .distributed import import_ray, ray_outcomes

        import_ray()  # fail before touching the output folder when the extra is missing
        engine: Callable[..., Iterator[Outcome]] = ray_outcomes
    else:
        engine = _local_outcomes
    report = BatchReport(str(source), str(target), batch_opts.engine)
    started = time.perf_counter()
    stop = stop or threading.Event()
    writer = _Writer(target, batch_opts.formats)
    priors = writer.open()
    try:
        tasks = discover(source, batch_opts.patterns, skip=target)
        report.found = len(tasks)
        log.info("%d files under %s, %d with records", len(tasks), source, len(priors))
        with _progress_bar(len(tasks), batch_opts.progress) as bar, _stop_on_sigint(stop):
            written: set[str] = set()
            for outcome in engine(tasks, plan, priors, stop, pipeline=pipeline):
                if outcome.rel in written:  # an engine retry must not duplicate a record
                    continue
                written.add(outcome.rel)
                _account(report, writer, outcome)
                bar.advance(outcome, report)
        report.interrupted = stop.is_set()
        if "csv" in batch_opts.formats:
            writer.write_csv()
    finally:
        writer.close()
        report.seconds = time.perf_counter() - started
    return report


def _route(flat: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    from .pipeline import BriefOptions

    batch = {k: v for k, v in flat.items() if k in BatchOptions.field_names()}
    models = {k: v for k, v in flat.items() if k in ModelChoice.field_names()}
    rest = {k: v for k, v in flat.items() if k not in batch and k not in models}
    unknown = sorted(set(rest) - set(BriefOptions.option_names()))
    if unknown:
        valid = [
            *BatchOptions.field_names(),
            *ModelChoice.field_names(),
            *BriefOptions.option_names(),
        ]
        raise ConfigError(f"unknown option(s) {', '.join(unknown)}; valid: {', '.join(valid)}")
    return batch, models, rest


def _account(report: BatchReport, writer: _Writer, outcome: Outcome) -> None:
    record = outcome.record
    if record is not None:
        record = writer.write(record)
        if not record.ok:
            outcome = Outcome(outcome.rel, "failed", record, record.error)
    if outcome.status == "done":
        report.done += 1
        if record is not None and record.brief.get("flags"):
            report.flagged += 1
    elif outcome.status == "skipped":
        report.skipped += 1
    else:
        report.failures.append(BatchFailure(outcome.rel, outcome.reason or "unknown error"))


class _Bar:
    """tqdm over the files that need work: skipped files shrink the total instead."""

    def __init__(self, bar: Any, started: float) -> None:
        self.bar = bar
        self.started = started

    def advance(self, outcome: Outcome, report: BatchReport) -> None:
        if self.bar is None:
            return
        if outcome.status == "skipped":
            self.bar.total -= 1
            self.bar.refresh()
            return
        self.bar.update(1)
        minutes = (time.perf_counter() - self.started) / 60
        self.bar.set_postfix(
            failed=report.failed, per_min=f"{report.done / minutes:.1f}" if minutes else "-"
        )


@contextmanager
def _progress_bar(total: int, enabled: bool) -> Iterator[_Bar]:
    if not enabled:
        yield _Bar(None, time.perf_counter())
        return
    from tqdm.auto import tqdm

    with tqdm(total=total, unit="article", desc="briefing", dynamic_ncols=True) as bar:
        yield _Bar(bar, time.perf_counter())


@contextmanager
def _stop_on_sigint(stop: threading.Event) -> Iterator[None]:
    """First Ctrl-C: finish the current batch, then stop. Second: stop now."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        log.warning("stopping after the current batch (Ctrl-C again to stop at once)")

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


_END = object()


def _local_outcomes(
    tasks: list[FileTask],
    plan: BatchPlan,
    priors: dict[str, Prior],
    stop: threading.Event,
    *,
    pipeline: Pipeline | None = None,
) -> Iterator[Outcome]:
    """This process: a thread reads and checks files ahead while the models work."""
    from .pipeline import Pipeline

    ahead: queue.Queue[Any] = queue.Queue(maxsize=2 * plan.batch.batch_size)
    closing = threading.Event()

    def put(item: Any) -> bool:
        while not closing.is_set():
            try:
                ahead.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def read_ahead() -> None:
        try:
            for task in tasks:
                if stop.is_set() or not put(load_file(task, plan, priors.get(task.rel))):
                    break
        finally:
            put(_END)

    reader = threading.Thread(target=read_ahead, name="briefing-read-ahead", daemon=True)
    reader.start()
    loaded: list[Pipeline] = [pipeline] if pipeline is not None else []
    pending: list[Loaded] = []

    def run(items: list[Loaded]) -> Iterator[Outcome]:
        if not loaded:  # models load only once there is work for them
            loaded.append(Pipeline.from_choice(plan.models))
        for record in brief_many(loaded[0], items, plan):
            yield briefed(record)

    try:
        while not stop.is_set():
            item = ahead.get()
            if item is _END:
                break
            if item.status != "todo":
                yield settled(item)
                continue
            pending.append(item)
            if len(pending) >= plan.batch.batch_size:
                yield from run(pending)
                pending = []
        if pending and not stop.is_set():
            yield from run(pending)
    finally:
        closing.set()
        reader.join(timeout=5)
