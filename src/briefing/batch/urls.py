"""Batches of links (``briefing batch --urls FILE``): the list file and where outputs go.

A URL's record is keyed by the URL itself (its ``path``), so resume, the digest order and
the Markdown file all follow the list. Fetching happens in ``work.load_file``, like
reading a file, so both engines do it the same way.
"""

from __future__ import annotations

import hashlib
import os
import re
from urllib.parse import urlsplit

from ..errors import ConfigError, InputError
from .discovery import FileTask

URLS_FOLDER = "urls"  # Markdown briefs of URLs go in OUTPUT_DIR/urls/


def read_url_list(path: str | os.PathLike[str]) -> tuple[str, ...]:
    """The URLs of a list file: one a line; blank lines and ``#`` comments are ignored,
    and a URL listed twice is briefed once. Raises ConfigError naming the bad line."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            lines = handle.read().splitlines()
    except FileNotFoundError as exc:
        raise ConfigError(f"the URL list {path} does not exist: pass a text file of URLs") from exc
    except (OSError, UnicodeError) as exc:
        raise ConfigError(
            f"cannot read the URL list {path} ({exc}): save it as UTF-8 text, one URL a line"
        ) from exc
    return parse_url_list(lines, str(path))


def parse_url_list(lines: list[str], name: str = "the URL list") -> tuple[str, ...]:
    urls: dict[str, None] = {}  # ordered and de-duplicated
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#"):  # a "#" inside a URL is its fragment
            continue
        try:
            parts = urlsplit(text)
            host = parts.hostname
        except ValueError:  # "http://[bad": not a URL either
            host = None
        if not host or parts.scheme.lower() not in ("http", "https") or " " in text:
            raise ConfigError(
                f"{name}, line {number}: {text[:80]!r} is not an http(s) URL: "
                "write one URL a line (# starts a comment)"
            )
        urls[text] = None
    if not urls:
        raise InputError(f"{name} has no URLs: write one URL a line (# starts a comment)")
    return tuple(urls)


def url_tasks(urls: tuple[str, ...]) -> list[FileTask]:
    """One task per URL, in list order (the record's ``path`` is the URL)."""
    return [FileTask(url, url, url=url) for url in urls]


def markdown_rel(url: str) -> str:
    """Where a URL's Markdown brief goes, relative to the output folder: a readable name
    from the host and path, made unique by a hash of the whole URL."""
    parts = urlsplit(url)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", f"{parts.hostname or ''} {parts.path}").strip("-")
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:10]
    return f"{URLS_FOLDER}/{slug[:80] or 'page'}-{digest}"
