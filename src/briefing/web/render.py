"""What the web page shows, as escaped HTML or plain text: no Gradio here, easy to test.

Every string that an article, a model or an error provides goes through ``html.escape``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..article import ArticleTranslation
from ..brief import Brief
from ..errors import BriefingError, InputError, ModelNotFoundError
from ..models import ModelStatus
from ..trust import Flag, SourceLink

# Length options explained in words (what the summarizer's token ranges give in practice).
LENGTHS = [
    ("Short · 2–3 sentences", "short"),
    ("Medium · 3–5 sentences", "medium"),
    ("Long · 5–8 sentences", "long"),
]
SCRIPTS = [
    ("Simplified 简体", "simplified"),
    ("Traditional 繁體", "traditional"),
    ("Traditional, Taiwan 臺灣", "taiwan"),
]
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LETTER = re.compile(r"[^\W\d_]")


def escape(text: object) -> str:
    return html.escape(str(text), quote=True)


# --------------------------------------------------------------------------- errors


def friendly_error(exc: BaseException, text: str | None = None) -> str:
    """A library error in the plain words a visitor needs (the fix, not the internals)."""
    message = str(exc)
    lower = message.lower()
    if isinstance(exc, InputError) and "empty" in lower and "file" not in lower:
        return "Paste an article first."  # an empty page behind a link is not the visitor's
    if "does not look english" in lower:
        letters = _LETTER.findall(text or "")
        cjk = sum(1 for c in letters if _CJK.match(c))
        if letters and cjk / len(letters) > 0.3:
            return "This looks like Chinese text; briefing summarizes English articles."
        return "This does not look like English text; briefing summarizes English articles."
    if "over the limit" in lower and "characters" in lower:
        return (
            "The article is too long for one brief. Paste a single article, or split it into parts."
        )
    if "nothing is left after cleaning" in lower:
        return (
            "Only web page furniture (share, comment and copyright lines) was found. "
            "Paste the article's own text."
        )
    if "has no words" in lower:
        return "The text has no words. Paste an English news article."
    if "unknown option" in lower or "must be one of" in lower:
        return f"That option is not available ({message})."
    if isinstance(exc, BriefingError):
        if not message.startswith(("http://", "https://")):  # a URL keeps its own case
            message = message[:1].upper() + message[1:]
        return message + ("" if message.endswith(".") else ".")
    return (
        f"Briefing failed unexpectedly ({type(exc).__name__}); the server log has details. "
        "Try again, or try another article."
    )


def alert_html(message: str | None) -> str:
    """The alert area above the results; empty when there is nothing to say."""
    if not message:
        return ""
    return (
        '<div class="brief-alert" role="alert"><span aria-hidden="true">⚠</span> '
        f"{escape(message)}</div>"
    )


# --------------------------------------------------------------------------- progress


@dataclass
class Stage:
    """Where a run is: one overall fraction (never going back) and what runs now."""

    fraction: float
    label: str


class Tracker:
    """Maps the pipeline's per-stage reports to one overall, forward-only progress.

    Cleaning takes the first 5 %, the summary rounds up to 70 % (each new round gets 60 % of
    what is left of that share, as the number of rounds is known only at the end), and the
    translation the rest.
    """

    SUMMARY = (0.05, 0.70)
    TRANSLATION = (0.72, 0.98)

    def __init__(self) -> None:
        self.fraction = 0.0
        self.round = 0
        self._last_done = 0
        self._round_span = (self.SUMMARY[0], self.SUMMARY[0])

    def _advance(self, fraction: float, label: str) -> Stage:
        self.fraction = max(self.fraction, min(fraction, 1.0))
        return Stage(self.fraction, label)

    def start(self) -> Stage:
        return self._advance(0.02, "Reading the article…")

    def report(self, stage: str, done: int, total: int) -> Stage:
        total = max(total, 1)
        if stage == "summarize":
            if self.round == 0 or done <= self._last_done:
                self.round += 1  # the map-reduce started a new round
                lo = max(self._round_span[1], self.fraction)
                self._round_span = (lo, lo + (self.SUMMARY[1] - lo) * 0.6)
            self._last_done = done
            lo, hi = self._round_span
            name = "Summarizing" if self.round == 1 else f"Summarizing, round {self.round}:"
            return self._advance(lo + (hi - lo) * done / total, f"{name} {done}/{total}…")
        if stage == "translate":
            lo, hi = self.TRANSLATION
            return self._advance(lo + (hi - lo) * done / total, f"Translating {done}/{total}…")
        return self._advance(self.fraction, f"{stage.capitalize()} {done}/{total}…")

    def article(self, done: int, total: int) -> Stage:
        """A whole-article translation: one stage, sentence batch by sentence batch."""
        fraction = 0.05 + 0.93 * done / max(total, 1)
        return self._advance(fraction, f"Translating {done}/{total} sentences…")

    def english_ready(self) -> Stage:
        return self._advance(self.TRANSLATION[0], "Translating…")

    def done(self, seconds: float) -> Stage:
        return self._advance(1.0, f"Done in {seconds:.1f} s")


def progress_html(stage: Stage | None) -> str:
    if stage is None:
        return ""
    percent = round(stage.fraction * 100)
    done = " done" if percent >= 100 else ""
    return (
        f'<div class="brief-progress{done}" role="progressbar" aria-valuemin="0" '
        f'aria-valuemax="100" aria-valuenow="{percent}" aria-label="Briefing progress">'
        f'<div class="bar" style="width:{percent}%"></div>'
        f'<span class="label">{escape(stage.label)}</span></div>'
    )


# --------------------------------------------------------------------------- results


def result_dict(brief: Brief) -> dict[str, object]:
    """``brief.to_dict()`` without the server's model folders.

    Visitors need not learn the server's file layout, and gradio_client (sse_v3) takes any
    dict with a string ``path`` in a result for a file to download, which would break
    ``Client.predict``.
    """
    data = brief.to_dict()
    for role in ("summarizer", "translator"):
        data["info"][role].pop("path", None)
    return data


def badge_label(brief: Brief) -> str:
    n = len(brief.flags)
    return f"⚠ {n} fact{'s' * (n != 1)} to check"


def stats_line(brief: Brief) -> str:
    info = brief.info
    s = info.seconds
    chunks = len(info.chunk_tokens)
    return (
        f"{info.words_in:,} words in · {chunks} chunk{'s' * (chunks != 1)} · "
        f"{info.summary_rounds} summary round{'s' * (info.summary_rounds != 1)} · "
        f"clean {s.clean:.2f} s · summarize {s.summarize:.2f} s · "
        f"translate {s.translate:.2f} s · total {s.total:.2f} s"
    )


def removed_lines(brief: Brief) -> list[str]:
    """Lines the cleaner dropped as page furniture, each with the rule that dropped it."""
    return [f"{line.text}  ({line.rule})" for line in brief.info.removed]


def details_html(brief: Brief) -> str:
    """Small print: sizes and timings, and the page furniture the cleaner removed."""
    parts = [f'<p class="brief-stats" id="stats-line">{escape(stats_line(brief))}</p>']
    removed = removed_lines(brief)
    if removed:
        n = len(removed)
        items = "".join(f"<li>{escape(line)}</li>" for line in removed)
        parts.append(
            f'<details class="brief-removed" id="removed-lines"><summary>{n} line'
            f"{'s' * (n != 1)} of page furniture removed — show</summary><ul>{items}</ul>"
            "</details>"
        )
    return "".join(parts)


def _flag_items(flags: Sequence[Flag]) -> str:
    if not flags:
        return '<span class="check-ok">—</span>'
    items = "".join(
        f"<li><b>{escape(f.kind)}</b> “{escape(f.text)}”: {escape(f.reason)}</li>" for f in flags
    )
    return f'<ul class="check-flags">{items}</ul>'


def _source_items(links: Sequence[SourceLink], segments: Sequence[str]) -> str:
    if not links:
        return '<span class="check-nosource">No article sentence supports this.</span>'
    items = "".join(
        f'<li value="{link.segment + 1}" class="check-seg" data-segment="{link.segment}">'
        f"{escape(segments[link.segment])}</li>"
        for link in links
        if 0 <= link.segment < len(segments)
    )
    return f'<ol class="check-sources">{items}</ol>'


def check_html(brief: Brief) -> str:
    """The check view: per brief sentence its Chinese, its article sources and its flags.

    One table with fixed columns on wide screens; on narrow ones each row becomes a card
    (CSS in ``app.CSS``). Every string is escaped.
    """
    pairs = list(brief.sentence_pairs)
    sources = list(brief.sources) if len(brief.sources) == len(pairs) else [[] for _ in pairs]
    rows = []
    for i, (en, zh) in enumerate(pairs):
        mine = [f for f in brief.flags if f.sentence == i]
        flagged = " flagged" if mine else ""
        rows.append(
            f'<tr class="pair{flagged}" data-index="{i}">'
            f'<td class="pair-en" lang="en" data-label="Brief">{escape(en)}</td>'
            f'<td class="pair-zh" lang="zh" data-label="中文">{escape(zh)}</td>'
            f'<td class="pair-src" data-label="From the article">'
            f"{_source_items(sources[i], brief.segments)}</td>"
            f'<td class="pair-flags" data-label="To check">{_flag_items(mine)}</td></tr>'
        )
    n = len(brief.flags)
    summary = (
        f"{n} fact{'s' * (n != 1)} could not be found in the article or the translation; "
        "they are listed in the last column."
        if n
        else "Every number and name of the brief was found in the article and its translation."
    )
    return (
        f'<p class="check-summary">{escape(summary)}</p>'
        '<table class="check-table" id="check-table">'
        '<colgroup><col class="c-en"><col class="c-zh"><col class="c-src"><col class="c-flags">'
        "</colgroup><thead><tr><th>Brief sentence</th><th>中文</th>"
        "<th>From the article</th><th>To check</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


# --------------------------------------------------------------------------- whole article


ARTICLE_EMPTY = (
    '<p class="art-empty">Press <b>Translate the whole article</b> to read the article '
    "sentence by sentence beside its Chinese.</p>"
)


def article_html(result: ArticleTranslation) -> str:
    """The whole article, sentence by sentence beside its Chinese, paragraph by paragraph.

    One table (English, 中文); each paragraph is its own ``tbody``, so paragraphs stay
    visible; a sentence with a flag is marked and says what to check. On narrow screens each
    row becomes a card (CSS in ``app.CSS``). Every string is escaped.
    """
    flags: dict[int, list[Flag]] = {}
    for flag in result.flags:
        flags.setdefault(flag.sentence, []).append(flag)
    bodies: list[list[str]] = [[] for _ in result.paragraphs]
    for i, ((en, zh), p) in enumerate(
        zip(result.sentence_pairs, result.paragraph_index, strict=True)
    ):
        mine = flags.get(i, [])
        notes = "".join(
            f'<div class="art-flag">⚠ “{escape(f.text)}”: {escape(f.reason)}</div>' for f in mine
        )
        flagged = " flagged" if mine else ""
        bodies[p].append(
            f'<tr class="art-pair{flagged}" data-index="{i}">'
            f'<td class="art-en" lang="en" data-label="English">{escape(en)}</td>'
            f'<td class="art-zh" lang="zh" data-label="中文">{escape(zh)}{notes}</td></tr>'
        )
    n = len(result.flags)
    sentences = len(result.sentence_pairs)
    summary = (
        f"{sentences} sentence{'s' * (sentences != 1)} in {len(result.paragraphs)} "
        f"paragraph{'s' * (len(result.paragraphs) != 1)}. "
        + (
            f"⚠ {n} number{'s' * (n != 1)} of the article could not be found in the Chinese: "
            "they are marked below."
            if n
            else "Every number of the article was found in the Chinese."
        )
    )
    title = f'<h3 class="art-title">{escape(result.title)}</h3>' if result.title else ""
    paragraphs = "".join(
        f'<tbody class="art-para" data-paragraph="{p}">{"".join(rows)}</tbody>'
        for p, rows in enumerate(bodies)
    )
    return (
        f'{title}<p class="art-summary">{escape(summary)}</p>'
        '<table class="art-table" id="article-table">'
        '<colgroup><col class="c-en"><col class="c-zh"></colgroup>'
        f"<thead><tr><th>English</th><th>中文</th></tr></thead>{paragraphs}</table>"
    )


# --------------------------------------------------------------------------- models


def missing_models_html(statuses: Sequence[ModelStatus], error: BriefingError | None) -> str:
    """Which models are missing (every one) and the one command that fetches them."""
    missing = [s for s in statuses if not s.installed]
    if missing:
        names = [s.name for s in missing]
        command = _fetch_command(names)
        items = "".join(
            f"<li>{escape(s.role or 'model')}: <code>{escape(s.name)}</code></li>" for s in missing
        )
        return (
            '<div id="model-error" role="alert"><strong>Models missing: the page cannot brief '
            f"articles yet.</strong><ul>{items}</ul><p>Fetch "
            f"{'them' if len(missing) > 1 else 'it'} on the server (needs internet), then "
            "restart the page:</p>"
            f'<pre class="fetch-command"><code>{escape(command)}</code></pre></div>'
        )
    detail = escape(error) if error else "The models could not be loaded."
    how = "Fix the model folder on the server (see above), then restart the page."
    if isinstance(error, ModelNotFoundError):
        how = (
            "Fetch it on the server (needs internet), then restart the page:"
            f'<pre class="fetch-command"><code>{escape(_fetch_command([error.model]))}</code></pre>'
        )
    return (
        '<div id="model-error" role="alert"><strong>Models missing: the page cannot brief '
        f"articles yet.</strong><p>{detail}</p><p>{how}</p></div>"
    )


def _fetch_command(names: list[str]) -> str:
    from ..models import fetch_command

    return fetch_command(names)
