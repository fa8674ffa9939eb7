"""A batch's briefs as one page to read: ``digest.md`` and a self-contained ``digest.html``.

Built from ``briefs.jsonl`` alone (the latest record of each article), so a resumed batch
gives the full digest. Per article, in input order: title, source, the Chinese brief, the
English brief and its flag count, with a table of contents; failed articles are listed
apart. The HTML has no scripts and no external resources (a Content-Security-Policy says
so too); every piece of text is escaped, and only http(s) sources become links.
"""

from __future__ import annotations

import html
import logging
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

# Submodules, not the package: batch/run.py can then import this module without a cycle.
from .batch.options import RECORDS_FILE
from .batch.records import BatchRecord
from .batch.writer import atomic_file, latest_records

log = logging.getLogger("briefing")

DIGEST_MD = "digest.md"
DIGEST_HTML = "digest.html"
DEFAULT_TITLE = "Briefing digest"
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|!])")
_CSS = """
:root{color-scheme:light dark}
body{margin:0 auto;max-width:46rem;padding:1rem;line-height:1.65;font-size:17px;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,"PingFang SC","Hiragino Sans GB",
"Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei",sans-serif;
color:#1f2937;background:#fff;overflow-wrap:anywhere}
h1{font-size:1.5rem;margin:.5rem 0}h2{font-size:1.2rem;margin:0 0 .3rem}
.meta,.source{color:#6b7280;font-size:.85rem}
nav ol{padding-left:1.4rem}nav li{margin:.2rem 0}
article{border-top:1px solid #e5e7eb;padding:1rem 0}
.zh{font-size:1.08rem;margin:.4rem 0}.en{color:#374151;margin:.4rem 0}
.label{font-size:.75rem;font-weight:600;color:#6b7280;text-transform:uppercase}
.flags{font-size:.85rem;color:#047857}.flags.warn{color:#b45309}
.failed li{margin:.3rem 0}.error{color:#b91c1c}
a{color:#1d4ed8}
@media (prefers-color-scheme:dark){body{color:#e5e7eb;background:#111827}
.en{color:#d1d5db}article{border-color:#374151}a{color:#93c5fd}}
"""


@dataclass(frozen=True)
class DigestEntry:
    """One article of the digest (or one that failed: ``error`` set)."""

    anchor: str  # "a1", "a2", …: made from the position, never from the text
    title: str
    source: str  # the file path in the input folder, or the article URL
    translation: str = ""
    summary: str = ""
    flag_count: int = 0
    error: str | None = None


@dataclass(frozen=True)
class Digest:
    title: str
    generated_at: str  # ISO 8601 UTC
    entries: list[DigestEntry] = field(default_factory=list)
    failures: list[DigestEntry] = field(default_factory=list)

    def to_markdown(self) -> str:
        lines = [f"# {_md(self.title)}", "", f"_{self._counts()} · {self.generated_at}_", ""]
        if self.entries:
            lines += ["## Contents", ""]
            lines += [f"{i}. [{_md(e.title)}](#{e.anchor})" for i, e in enumerate(self.entries, 1)]
            lines.append("")
        for entry in self.entries:
            lines += [
                f'<a id="{entry.anchor}"></a>',
                "",
                f"## {_md(entry.title)}",
                "",
                f"Source: {_md(entry.source)} · {_flag_text(entry.flag_count)}",
                "",
                "**中文摘要**",
                "",
                _md(entry.translation),
                "",
                "**English brief**",
                "",
                _md(entry.summary),
                "",
            ]
        if self.failures:
            lines += ["## Not briefed", ""]
            lines += [f"- {_md(e.source)}: {_md(e.error or '')}" for e in self.failures]
            lines.append("")
        return "\n".join(lines)

    def to_html(self) -> str:
        esc = _esc
        parts = [
            "<!doctype html>",
            '<html lang="zh">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            # Nothing may load or run: the page is only text and this inline style.
            '<meta http-equiv="Content-Security-Policy" '
            "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
            '<meta name="referrer" content="no-referrer">',
            f"<title>{esc(self.title)}</title>",
            f"<style>{_CSS}</style>",
            "</head>",
            "<body>",
            f"<header><h1>{esc(self.title)}</h1>",
            f'<p class="meta">{esc(self._counts())} · {esc(self.generated_at)}</p></header>',
        ]
        if self.entries:
            parts.append('<nav aria-label="Contents"><ol>')
            parts += [f'<li><a href="#{e.anchor}">{esc(e.title)}</a></li>' for e in self.entries]
            parts.append("</ol></nav>")
        for entry in self.entries:
            warn = " warn" if entry.flag_count else ""
            parts += [
                f'<article id="{entry.anchor}">',
                f"<h2>{esc(entry.title)}</h2>",
                f'<p class="source">{_source_html(entry.source)}</p>',
                '<p class="label">中文摘要</p>',
                *(f'<p class="zh" lang="zh">{esc(p)}</p>' for p in _paragraphs(entry.translation)),
                '<p class="label" lang="en">English brief</p>',
                *(f'<p class="en" lang="en">{esc(p)}</p>' for p in _paragraphs(entry.summary)),
                f'<p class="flags{warn}" lang="en">{esc(_flag_text(entry.flag_count))}</p>',
                "</article>",
            ]
        if self.failures:
            parts += ['<section class="failed" lang="en"><h2>Not briefed</h2><ul>']
            parts += [
                f"<li>{_source_html(e.source)}: "
                f'<span class="error">{esc(e.error or "")}</span></li>'
                for e in self.failures
            ]
            parts.append("</ul></section>")
        parts += ["</body>", "</html>", ""]
        return "\n".join(parts)

    def _counts(self) -> str:
        text = f"{len(self.entries)} article{'s' if len(self.entries) != 1 else ''}"
        return f"{text}, {len(self.failures)} not briefed" if self.failures else text


@dataclass(frozen=True)
class DigestPaths:
    markdown: Path
    html: Path
    articles: int
    failed: int


def build_digest(
    records: Iterable[BatchRecord],
    order: Sequence[str] | None = None,
    *,
    title: str = DEFAULT_TITLE,
    generated_at: str | None = None,
) -> Digest:
    """The digest of these records (one per article: pass the latest of each).

    ``order``: the articles' paths (or URLs) in input order; records not in it follow, in
    their own order. Without it, records keep the order they come in.
    """
    ranked = list(records)
    if order is not None:
        position = {path: i for i, path in enumerate(order)}
        ranked.sort(key=lambda r: position.get(r.path, len(position)))  # stable: ties keep order
    entries: list[DigestEntry] = []
    failures: list[DigestEntry] = []
    for record in ranked:
        source = _source(record)
        name = " ".join((record.title or "").split()) or source
        if record.error is not None:
            failures.append(DigestEntry(f"f{len(failures) + 1}", name, source, error=record.error))
            continue
        entries.append(
            DigestEntry(
                anchor=f"a{len(entries) + 1}",
                title=name,
                source=source,
                translation=record.translation,
                summary=record.summary,
                flag_count=len(record.brief.get("flags") or []),
            )
        )
    stamp = generated_at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Digest(title, stamp, entries, failures)


def write_digest(
    out_dir: str | os.PathLike[str],
    order: Sequence[str] | None = None,
    *,
    title: str = DEFAULT_TITLE,
) -> DigestPaths:
    """Write ``digest.md`` and ``digest.html`` next to ``briefs.jsonl`` in ``out_dir``,
    from the latest record of each article; each file is replaced atomically."""
    folder = Path(out_dir)
    records_file = folder / RECORDS_FILE
    records = latest_records(records_file).values() if records_file.exists() else []
    digest = build_digest(records, order, title=title)
    paths = DigestPaths(
        folder / DIGEST_MD, folder / DIGEST_HTML, len(digest.entries), len(digest.failures)
    )
    _write_atomic(paths.markdown, digest.to_markdown())
    _write_atomic(paths.html, digest.to_html())
    log.info("digest of %d articles (%d failed) in %s", paths.articles, paths.failed, folder)
    return paths


def _source(record: BatchRecord) -> str:
    """Where the article came from: its URL when the record has one, else its file path."""
    if record.final_url or record.url:
        return str(record.final_url or record.url)
    for key in ("final_url", "url", "source"):  # records from before the URL fields
        value = record.brief.get(key)
        if isinstance(value, str) and value:
            return value
    return record.path


def _write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` at once, so a reader never sees half a digest (the batch writer's
    temporary naming, so a batch removes what a killed run left)."""
    with atomic_file(path) as handle:
        handle.write(text)


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _md(text: str) -> str:
    """Text for Markdown: one line per paragraph, syntax characters escaped (so inert)."""
    return "\n\n".join(_MD_SPECIAL.sub(r"\\\1", p) for p in _paragraphs(text))


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text or "") if p.strip()]


def _source_html(source: str) -> str:
    if re.match(r"https?://", source, re.I):
        href = _esc(source)
        return f'<a href="{href}" rel="noopener noreferrer nofollow">{href}</a>'
    return _esc(source)


def _flag_text(count: int) -> str:
    if not count:
        return "no flags"
    return f"{count} flag{'s' if count != 1 else ''} to check"
