"""The records file and the other outputs: reading, repairing and the single writer.

One record per file goes to ``OUTPUT_DIR/briefs.jsonl`` as a single flushed and fsynced
line, after the file's Markdown brief has been written atomically (temporary file +
``os.replace``). The JSON line is the commit point: a run killed at any moment leaves
whole records only, and the next run redoes exactly the files without one. The writes
happen in one place (``Writer``, in the calling process) whichever engine does the work.
"""

from __future__ import annotations

import csv
import dataclasses
import errno
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import ConfigError, OutputError
from .options import CSV_FILE, LOCK_FILE, RECORDS_FILE
from .records import BatchRecord, Prior
from .urls import markdown_rel

log = logging.getLogger("briefing")

# Errors that no other file would escape: the whole batch stops with one message (exit 5)
# instead of spending model time on briefs that cannot be saved.
_FATAL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO, errno.EFBIG}
_TMP_SUFFIX = ".tmp"


def output_error(exc: OSError, output_dir: Path, doing: str) -> OutputError:
    """The one-line fatal message for an output folder that cannot be written."""
    reason = exc.strerror or str(exc)
    fix = {
        errno.ENOSPC: "free some space (or choose another --out), then run the same command",
        errno.EDQUOT: "free some of your quota (or choose another --out), then run again",
        errno.EROFS: "choose a writable --out folder",
    }.get(exc.errno or 0, "check the folder and its disk, then run the same command")
    return OutputError(f"cannot write {doing} in {output_dir} ({reason}): {fix}")


def is_fatal(exc: OSError) -> bool:
    return exc.errno in _FATAL_ERRNOS


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
        with path.open("rb") as source, atomic_file(path, "wb") as target:
            for line in source:
                if _parse_line(line) is not None:
                    target.write(line)
    return priors


def _only_tail_is_bad(path: Path, good_end: int) -> bool:
    with path.open("rb") as handle:
        handle.seek(good_end)
        return handle.read(1 << 20).count(b"\n") <= 1


@contextmanager
def atomic_file(target: Path, mode: str = "w") -> Iterator[Any]:
    """A temporary file beside ``target`` that replaces it only when the block succeeds.

    The temporary name is fixed (the output folder has one writer, under a lock), so a
    temporary left by a killed run is overwritten when that file is written again, and
    ``remove_leftovers`` finds the others.
    """
    tmp = target.with_name(f".{target.name}{_TMP_SUFFIX}")
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


def remove_leftovers(output_dir: Path) -> int:
    """Delete the temporary files (``.NAME.tmp``) a killed run left in ``output_dir``.

    Only the writer calls this, under the folder's lock, so no temporary is in use.
    Symlinked folders are not followed. Returns how many were removed.
    """
    removed = 0
    for folder, _dirs, files in os.walk(output_dir, followlinks=False):
        for name in files:
            if name.startswith(".") and name.endswith(_TMP_SUFFIX):
                with suppress(OSError):
                    os.unlink(os.path.join(folder, name))
                    removed += 1
    if removed:
        log.info("removed %d leftover temporary file(s) in %s", removed, output_dir)
    return removed


def confined_path(output_dir: Path, rel: str, suffix: str) -> Path:
    """``output_dir/rel+suffix``, refused if it would land outside ``output_dir``.

    Each folder on the way is checked before it is used, so a symlinked folder inside
    the output folder that leads elsewhere is refused before anything is created through it.
    """
    parts = PurePosixPath(rel).parts
    if not parts or PurePosixPath(rel).is_absolute() or any(p in ("", ".", "..") for p in parts):
        raise ConfigError(f"refusing to write outside the output folder for {rel!r}")
    root = output_dir.resolve()
    folder = output_dir
    for part in parts[:-1]:
        folder = folder / part
        if os.path.lexists(folder) and not folder.resolve().is_relative_to(root):
            raise ConfigError(
                f"refusing to write under {folder}: it leads outside {output_dir} (a symlink?)"
            )
        folder.mkdir(exist_ok=True)
    return folder / (parts[-1] + suffix)


class Writer:
    """The single writer of an output folder: Markdown, then the JSON line (the commit)."""

    def __init__(self, output_dir: Path, formats: tuple[str, ...]) -> None:
        self.output_dir = output_dir
        self.formats = formats
        self.path = output_dir / RECORDS_FILE
        self._lock_handle: Any = None
        self._handle: Any = None

    def open(self) -> dict[str, Prior]:
        try:
            self.output_dir.mkdir(parents=True, exist_ok=True)
            self._lock()
            remove_leftovers(self.output_dir)
            priors = repair_records(self.path)
            self._handle = self.path.open("ab")
        except OSError as exc:
            self.close()
            raise output_error(exc, self.output_dir, "the records file") from exc
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
        """Write one record (and its Markdown). A Markdown file that cannot be written makes
        the record an error record; a full disk or a records file that cannot be written
        raises OutputError (the record is then not written, so the next run redoes it)."""
        if record.ok and "md" in self.formats and record.markdown is not None:
            try:
                rel = markdown_rel(record.url) if record.url else record.path
                target = confined_path(self.output_dir, rel, ".md")
                with atomic_file(target) as handle:
                    handle.write(record.markdown)
            except (OSError, ConfigError) as exc:
                if isinstance(exc, OSError) and is_fatal(exc):
                    raise output_error(exc, self.output_dir, "the Markdown briefs") from exc
                reason = exc.strerror if isinstance(exc, OSError) else str(exc)
                record = dataclasses.replace(
                    record,
                    error=f"the brief was made but its Markdown could not be written: {reason}",
                    error_kind="run",
                    brief={},
                )
        line = record.to_json().encode("utf-8") + b"\n"
        start = self._handle.tell()
        try:
            self._handle.write(line)
            self._handle.flush()
            os.fsync(self._handle.fileno())
        except OSError as exc:
            # Take back a partly written line, so the file stays whole lines; if even that
            # fails, the next run's repair drops the torn line.
            with suppress(OSError):
                self._handle.truncate(start)
            raise output_error(exc, self.output_dir, RECORDS_FILE) from exc
        return record

    def write_csv(self) -> None:
        try:
            self._write_csv()
        except OSError as exc:
            raise output_error(exc, self.output_dir, CSV_FILE) from exc

    def _write_csv(self) -> None:
        records = latest_records(self.path)
        columns = ["path", "title", "error", "summary", "translation", "chunk_count", "seconds"]
        columns += ["sha256", "encoding", "summarizer", "translator", "length", "script"]
        columns += ["final_url"]  # where a --urls page was fetched from (after redirects)
        with atomic_file(self.output_dir / CSV_FILE) as handle:
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
                        r.final_url or "",
                    ]
                )

    def close(self) -> None:
        if self._lock_handle is not None:
            remove_leftovers(self.output_dir)
        for handle in (self._handle, self._lock_handle):
            if handle is not None:
                with suppress(OSError):  # a full disk may refuse the final flush too
                    handle.close()
        self._handle = self._lock_handle = None
