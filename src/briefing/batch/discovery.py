"""Finding the article files of an input folder."""

from __future__ import annotations

import fnmatch
import logging
import os
import re
import stat
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .options import DEFAULT_PATTERNS

log = logging.getLogger("briefing")


@dataclass(frozen=True)
class FileTask:
    """A file found in the input folder. ``problem`` says why it cannot even be opened.

    ``rel`` is the name records, Markdown and logs use: always valid UTF-8 (see
    ``safe_name``); ``path`` is the real file-system name, which may not be.
    """

    rel: str  # POSIX path relative to the input folder, valid UTF-8 (or the URL)
    path: str
    problem: str | None = None
    url: str | None = None  # set for a task from --urls: fetched, not read


def safe_name(name: str) -> str:
    """``name`` as valid UTF-8 text: bytes that are not UTF-8 (which Python keeps as lone
    surrogates) become ``\\xff``-style escapes, so ``b\\xff.txt`` is recorded and
    written stably instead of crashing every UTF-8 writer."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def discover(
    input_dir: Path, patterns: tuple[str, ...] = DEFAULT_PATTERNS, skip: Path | None = None
) -> list[FileTask]:
    """Matching files under ``input_dir``, recursively, sorted by relative path.

    Hidden files and folders and the ``skip`` folder (the output) are left out. Directory
    symlinks are never followed, so a symlink loop cannot trap the walk; file symlinks are
    followed, and one that loops, dangles, is not a regular file or leads outside
    ``input_dir`` gets a ``problem`` (nothing of it is read).
    """
    root = Path(input_dir)
    root_real = os.path.realpath(root)
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
            rel = safe_name(Path(full).relative_to(root).as_posix())
            if not _matches(name, rel, patterns):
                continue
            found.append(FileTask(rel, full, _unreadable(full, root_real)))
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


def _unreadable(path: str, root_real: str) -> str | None:
    try:
        info = os.stat(path)  # follows file symlinks; raises on loops and dangling links
    except OSError as exc:
        if os.path.islink(path):
            return f"the symlink cannot be followed ({exc.strerror}): point it at a real file"
        return f"cannot open the file ({exc.strerror})"
    if os.path.islink(path) and not _inside(os.path.realpath(path), root_real):
        # Refused before a byte is read, so nothing of the target (not even a title that
        # would be its first line) reaches the records.
        return (
            "the symlink leads outside the input folder: copy the file into the folder "
            "instead of linking to it"
        )
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (a device, pipe or socket): pass article files only"
    return None


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)
