"""The work on one file (or URL) that both engines share: read and check it, brief it."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from pathlib import Path

from ..article import ArticleTranslation, translate_article
from ..errors import FetchError, InputError
from ..options import Progress
from ..pipeline import Pipeline
from ..reader import read_article, short_title
from .discovery import FileTask
from .options import BatchPlan
from .records import BatchRecord, ErrorKind, Loaded, Prior

log = logging.getLogger("briefing")


def load_file(task: FileTask, plan: BatchPlan, prior: Prior | None) -> Loaded:
    """Read (or fetch), decode and check one file; decide whether it needs briefing.
    Never raises."""
    started = time.perf_counter()
    item = Loaded(task.rel, "todo", url=task.url)
    try:
        if task.problem:
            raise InputError(task.problem)
        if task.url is not None:
            text = _fetch(task.url, item)
        else:
            article = read_article(Path(task.path), plan.batch.max_bytes)
            item.title = short_title(article.title)
            item.sha256, item.encoding, text = article.sha256, article.encoding, article.text
        key = plan.key(item.sha256)
        if prior and prior.error is None and prior.key == key and not plan.batch.force:
            item.status = "skipped"
            return item
        Pipeline.prepare(text, plan.options.clean)
        item.text = text
    except Exception as exc:  # one bad file must not stop the batch, whatever it raises
        item.status = "failed"
        if item.sha256 is None and not task.problem and task.url is None:
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


def _fetch(url: str, item: Loaded) -> str:
    """Fetch a listed URL into ``item``; returns the page's main text.

    The record's ``sha256`` is of that main text, not of the raw page: a page whose ads or
    timestamps change between runs is still the same article, and resume skips it.
    """
    from ..fetch import fetch_article  # httpx is loaded only by batches of URLs

    page = fetch_article(url)  # the user's own list: fetched as given, like `brief URL`
    item.title = short_title(page.title)
    item.final_url, item.encoding = page.final_url, page.encoding
    item.sha256 = hashlib.sha256(page.text.encode("utf-8")).hexdigest()
    return page.text


def already_done(task: FileTask, plan: BatchPlan, prior: Prior | None) -> bool:
    """True when ``prior`` is a brief of this file's current content under this plan (the
    file is hashed, not parsed: cheap enough to count skipped files before the run).
    A URL is never known to be done before it is fetched."""
    if prior is None or prior.error is not None or task.problem or task.url is not None:
        return False
    return prior.key == plan.key(_sha256_of(Path(task.path), plan.batch.max_bytes))


def _sha256_of(path: Path, max_bytes: int) -> str | None:
    """Digest of a small file that failed to decode, so its record still identifies it."""
    try:
        if path.stat().st_size > max_bytes:
            return None
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def _describe(exc: BaseException) -> tuple[str, ErrorKind]:
    """(message, kind) for an error record."""
    if isinstance(exc, FetchError):
        # A timeout or a 503 may pass: "run" records are retried on the next run.
        return str(exc), "run" if exc.transient else "input"
    if isinstance(exc, InputError):
        return str(exc), "input"
    if isinstance(exc, FileNotFoundError):
        # Deleted or moved while the batch ran; "run" so it is tried again if it returns.
        return "the file no longer exists (deleted or moved during the run)", "run"
    if isinstance(exc, PermissionError):
        return f"cannot read the file ({exc.strerror}): check its permissions", "input"
    if isinstance(exc, OSError):
        return f"cannot read the file ({exc.strerror or exc}): check the file and its disk", "input"
    if isinstance(exc, UnicodeError):
        return f"cannot decode the file ({exc}): save it as UTF-8", "input"
    return (
        f"briefing failed ({type(exc).__name__}: {exc}); it is retried on the next run",
        "run",
    )


ArticleProgress = Callable[[int], None]
"""Called with how many articles of the current model batch are as good as done."""


def article_progress(count: int, report: ArticleProgress | None) -> Progress | None:
    """A ``Pipeline.run_many`` progress callback that reports whole articles of a batch of
    ``count``: summarizing is the first half of the work, translating the second."""
    if report is None:
        return None
    fractions = {"summarize": 0.0, "translate": 0.0}

    def progress(stage: str, done: int, total: int) -> None:
        if stage in fractions and total > 0:
            fractions[stage] = min(1.0, done / total)
            if stage == "translate":
                fractions["summarize"] = 1.0
            share = (fractions["summarize"] + fractions["translate"]) / 2
            # Never a whole batch here: the last article counts when its record arrives.
            report(min(count - 1, int(count * share)))

    return progress


def brief_many(
    pipeline: Pipeline,
    items: list[Loaded],
    plan: BatchPlan,
    progress: ArticleProgress | None = None,
) -> list[BatchRecord]:
    """Brief ``items`` in one ``run_many`` call; if it raises, retry them one by one so
    that only the article that fails gets an error record. ``progress`` hears how many
    articles of this call are as good as done while the models work."""
    if not items:
        return []
    started = time.perf_counter()
    try:
        briefs = pipeline.run_many(
            [item.text for item in items],
            plan.options,
            progress=article_progress(len(items), progress),
        )
    except Exception as exc:
        if len(items) > 1:
            log.warning(
                "a batch of %d articles failed (%s: %s); retrying them one by one",
                len(items),
                type(exc).__name__,
                exc,
            )
            return [
                record for item in items for record in brief_many(pipeline, [item], plan, progress)
            ]
        message, kind = _describe(exc)
        log.warning("%s: %s", items[0].rel, message)
        seconds = time.perf_counter() - started
        return [BatchRecord.failure(items[0], plan, message, kind, seconds)]
    if not plan.batch.translate_article:
        return [
            BatchRecord.success(item, brief, plan)
            for item, brief in zip(items, briefs, strict=True)
        ]
    records = []
    for item, brief in zip(items, briefs, strict=True):
        try:
            article = _whole_article(pipeline, item, plan)
        except Exception as exc:  # an error record; a run error is retried next time
            message, kind = _describe(exc)
            log.warning("%s: translating the whole article failed: %s", item.rel, message)
            records.append(BatchRecord.failure(item, plan, message, kind))
            continue
        records.append(BatchRecord.success(item, brief, plan, article))
    return records


def _whole_article(pipeline: Pipeline, item: Loaded, plan: BatchPlan) -> ArticleTranslation:
    """The whole article in Chinese, sentence by sentence (``--translate-article``); the
    Loaded item is the article object (its text, title, final_url and url are used)."""
    return translate_article(pipeline, item, plan.options)
