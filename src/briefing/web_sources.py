"""The web UI's "sources" panel: the trust checks of a brief drawn in pure HTML + CSS."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Protocol

from .trust import Flag, SourceLink, check_brief, format_flags


class _BriefLike(Protocol):
    sentence_pairs: list[tuple[str, str]]
    segments: list[str]
    sources: list[list[SourceLink]]
    flags: list[Flag]


_PANEL_CSS = """
.bs-panel{font-size:.95em;line-height:1.55}
.bs-panel .bs-briefs{display:grid;grid-template-columns:1fr 1fr;gap:1em;margin-bottom:.8em}
.bs-panel .bs-b{cursor:pointer;border-radius:3px;padding:0 1px;outline:none}
.bs-panel .bs-b:hover,.bs-panel .bs-b:focus{background:#dbeafe}
.bs-panel .bs-b.bs-nosource{text-decoration:underline dotted #b45309}
.bs-panel :is(mark.bs-flag,mark.bs-legend){background:#fecaca;color:inherit;
border-bottom:2px solid #dc2626}
.bs-panel .bs-article{margin:0;padding-left:2.5em}
.bs-panel .bs-seg{color:#6b7280;border-radius:3px}
.bs-panel .bs-seg.bs-support{color:inherit;background:#fef3c7}
.bs-panel .bs-flags{color:#991b1b}
@media (prefers-color-scheme:dark){
.bs-panel .bs-b:hover,.bs-panel .bs-b:focus{background:#1e3a8a}
.bs-panel :is(mark.bs-flag,mark.bs-legend){background:#7f1d1d}
.bs-panel .bs-seg{color:#9ca3af}
.bs-panel .bs-seg.bs-support{background:#78350f}
.bs-panel .bs-flags{color:#fca5a5}}
"""
_ACTIVE_CSS = "background:#fbbf24;color:#111827;outline:2px solid #d97706"


def _marked(text: str, marks: Sequence[tuple[str, str]]) -> str:
    """Escaped ``text`` with each substring of ``marks`` (substring, reason) wrapped in
    ``<mark class="bs-flag">``; reasons for the same substring share one mark."""
    reasons: dict[str, list[str]] = {}
    for needle, reason in marks:
        if needle and needle in text:
            reasons.setdefault(needle, []).append(reason)
    spans: list[tuple[int, int, str]] = []
    for needle, titles in reasons.items():
        start = text.find(needle)
        while start != -1 and any(s < start + len(needle) and start < e for s, e, _ in spans):
            start = text.find(needle, start + 1)
        if start != -1:
            spans.append((start, start + len(needle), "; ".join(titles)))
    out, pos = [], 0
    for start, end, title in sorted(spans):
        out.append(html.escape(text[pos:start]))
        out.append(
            f'<mark class="bs-flag" title="{html.escape(title)}">'
            f"{html.escape(text[start:end])}</mark>"
        )
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def render_sources_html(brief: _BriefLike) -> str:
    """The "sources" panel: both briefs above the article, supporting sentences highlighted.

    Pure HTML + CSS (no JavaScript), every text escaped. Hovering or focusing (clicking,
    Tab) a brief sentence, English or Chinese, highlights the article sentences it came
    from; flagged facts are ``<mark>``-ed in both briefs with the reason as a tooltip.

    Stable structure (for styling and tests)::

        div.bs-panel#bs-panel
          h3.bs-title, p.bs-help (with mark.bs-legend)
          div.bs-briefs
            div.bs-brief.bs-en[lang=en] / div.bs-brief.bs-zh[lang=zh]
              span.bs-b.bs-b{i}[tabindex=0][data-sources="3 7"]#bs-en-{i} / #bs-zh-{i}
                (.bs-nosource when no article sentence supports it)
                mark.bs-flag[title=reason]        a flagged fact
          ol.bs-article
            li.bs-seg#bs-seg-{j}                  article sentence j (0-based)
              .bs-support                         supports some brief sentence
              .bs-for-b{i}                        supports brief sentence i
          ul.bs-flags > li.bs-flag-item           one line per flag

    ``.bs-panel:has(.bs-b{i}:focus) .bs-for-b{i}`` (and ``:hover``) is the highlight rule.
    """
    pairs = list(brief.sentence_pairs)
    sources = list(getattr(brief, "sources", None) or [])
    flags = list(getattr(brief, "flags", None) or [])
    if len(sources) != len(pairs):
        checked = check_brief(pairs, brief.segments)
        sources, flags = checked.sources, checked.flags
    supports: dict[int, list[tuple[int, float]]] = {}
    for i, links in enumerate(sources):
        for link in links:
            supports.setdefault(link.segment, []).append((i, link.score))

    rules = [
        f".bs-panel:has(.bs-b{i}:is(:focus,:hover)) :is(.bs-for-b{i},.bs-b{i}){{{_ACTIVE_CSS}}}"
        for i in range(len(pairs))
    ]
    parts = [
        '<div class="bs-panel" id="bs-panel">',
        f"<style>{_PANEL_CSS}{''.join(rules)}</style>",
        '<h3 class="bs-title">Sources</h3><p class="bs-help">Click a brief sentence to light up '
        "the article sentences it came from (the tooltip gives their numbers). Shaded article "
        "sentences support the brief; "
        '<mark class="bs-legend">marked</mark> facts were not found in the article or the '
        "translation (hover for why).</p>",
        '<div class="bs-briefs">',
    ]
    for side, lang, heading in (("en", "en", "English brief"), ("zh", "zh", "中文摘要")):
        parts.append(f'<div class="bs-brief bs-{side}" lang="{lang}"><h4>{heading}</h4><p>')
        for i, (en, zh) in enumerate(pairs):
            mine = [f for f in flags if f.sentence == i]
            if side == "en":
                body = _marked(en, [(f.text, f"{f.kind}: {f.reason}") for f in mine])
            else:
                body = _marked(zh, [(f.zh_text, f"{f.kind}: {f.reason}") for f in mine])
                # A fact with no Chinese counterpart to mark gets a marker after the sentence.
                unmarked = [f for f in mine if not f.zh_text or f.zh_text not in zh]
                if unmarked:
                    title = "; ".join(f"{f.kind} “{f.text}”: {f.reason}" for f in unmarked)
                    body += f'<mark class="bs-flag" title="{html.escape(title)}">⚑</mark>'
            ids = " ".join(str(link.segment) for link in sources[i])
            extra = "" if sources[i] else " bs-nosource"
            title = (
                f"sources: article sentences {', '.join(str(s.segment + 1) for s in sources[i])}"
                if sources[i]
                else "no article sentence supports this"
            )
            parts.append(
                f'<span class="bs-b bs-b{i}{extra}" id="bs-{side}-{i}" tabindex="0" '
                f'data-sources="{ids}" title="{html.escape(title)}">{body}</span>'
                + (" " if side == "en" else "")
            )
        parts.append("</p></div>")
    parts.append('</div><ol class="bs-article">')
    for j, segment in enumerate(brief.segments):
        backing = supports.get(j, [])
        classes = "bs-seg" + (" bs-support" if backing else "")
        classes += "".join(f" bs-for-b{i}" for i, _ in backing)
        title = "; ".join(f"brief sentence {i + 1} (score {score:.2f})" for i, score in backing)
        title_attr = f' title="{html.escape(title)}"' if title else ""
        parts.append(
            f'<li class="{classes}" id="bs-seg-{j}"{title_attr}>{html.escape(segment)}</li>'
        )
    parts.append("</ol>")
    if flags:
        parts.append('<ul class="bs-flags">')
        parts += [
            f'<li class="bs-flag-item">{html.escape(line)}</li>' for line in format_flags(flags)
        ]
        parts.append("</ul>")
    parts.append("</div>")
    return "".join(parts)
