"""The digest: every record, input order, failures apart, and hostile text kept inert."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from briefing import Pipeline
from briefing.batch import RECORDS_FILE, BatchRecord, summarize_folder
from briefing.digest import DIGEST_HTML, DIGEST_MD, build_digest, write_digest

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _record(path: str, title: str, summary: str = "", zh: str = "", **extra) -> BatchRecord:  # type: ignore[no-untyped-def]
    url = extra.pop("url", None)
    brief = {"summary": summary, "translation": zh, "flags": extra.pop("flags", []), **extra}
    return BatchRecord(
        url=url,
        path=path,
        title=title,
        sha256="0" * 64,
        encoding="utf-8",
        options={},
        models={},
        brief=brief if summary else {},
        error=None if summary else "the article is empty: pass the text",
        error_kind=None if summary else "input",
    )


def _write(folder: Path, records: list[BatchRecord]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / RECORDS_FILE).open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(record.to_json() + "\n")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.add(tag)
        self.attrs += attrs

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        self.text.append(data)


def test_every_record_in_input_order_failures_apart(tmp_path: Path) -> None:
    records = [
        _record("b.txt", "Second story", "Rates rose.", "利率上升。"),
        _record("a.txt", "First story", "Rain fell.", "下雨了。", flags=[{"sentence": 0}]),
        _record("empty.txt", ""),
        _record("c.txt", "Third story", "Markets fell.", "市场下跌。"),
        # A resumed run briefed b.txt again: its latest record counts, in its first place.
        _record("b.txt", "Second story, updated", "Rates rose again.", "利率再次上升。"),
    ]
    _write(tmp_path, records)
    paths = write_digest(tmp_path, order=["a.txt", "b.txt", "c.txt", "empty.txt"])
    assert (paths.articles, paths.failed) == (3, 1)
    assert paths.markdown == tmp_path / DIGEST_MD and paths.html == tmp_path / DIGEST_HTML
    markdown = paths.markdown.read_text(encoding="utf-8")
    page = paths.html.read_text(encoding="utf-8")
    for text in (markdown, page):
        first, second, third = (text.index(t) for t in ("First story", "Second story", "Third"))
        assert first < second < third
        assert "Rates rose again." in text and "利率再次上升。" in text
        assert "Rates rose." not in text  # the superseded record is gone
        assert "Not briefed" in text and "empty.txt" in text
        assert "1 flag to check" in text and text.count("no flags") == 2
    # Table of contents links to every article.
    for anchor in ("a1", "a2", "a3"):
        assert f'href="#{anchor}"' in page and f'id="{anchor}"' in page
        assert f"(#{anchor})" in markdown and f'<a id="{anchor}"></a>' in markdown


def test_hostile_text_stays_inert(tmp_path: Path) -> None:
    records = [
        _record(
            'x"><svg onload=alert(1)>.txt',
            HOSTILE,
            f"Summary {HOSTILE}",
            f"摘要{HOSTILE}",
            url="javascript:alert(1)",
        ),
        _record("ok.html", "Fine", "A fine brief.", "很好。", url="https://news.example/a?b=1&c=2"),
        _record(f"bad{HOSTILE}.txt", ""),
    ]
    _write(tmp_path, records)
    page = write_digest(tmp_path).html.read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(page)
    assert parser.tags <= {
        "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "p", "nav",
        "ol", "ul", "li", "a", "article", "section", "span",
    }  # fmt: skip
    assert "script" not in parser.tags and "img" not in parser.tags and "svg" not in parser.tags
    assert not any(name.startswith("on") for name, _ in parser.attrs)
    hrefs = [value for name, value in parser.attrs if name == "href"]
    assert "https://news.example/a?b=1&c=2" in hrefs
    assert not any(h and h.lower().startswith("javascript") for h in hrefs)
    text = "".join(parser.text)
    assert text.count(HOSTILE) >= 4  # shown as text: title (twice), summary, translation…
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    markdown = (tmp_path / DIGEST_MD).read_text(encoding="utf-8")
    assert not re.search(r"(?<!\\)<(script|img|svg)", markdown)  # only as escaped text


def test_empty_or_missing_records(tmp_path: Path) -> None:
    paths = write_digest(tmp_path)
    assert (paths.articles, paths.failed) == (0, 0)
    assert "0 articles" in paths.html.read_text(encoding="utf-8")
    digest = build_digest([], generated_at="2026-11-27T00:00:00Z")
    assert digest.to_markdown().startswith("# Briefing digest\n")


@pytest.mark.slow
def test_digest_of_a_real_batch(tmp_path: Path, tiny_models) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "in"
    src.mkdir()
    data = Path(__file__).resolve().parents[1] / "src/briefing/data"
    names = sorted(p.name for p in data.glob("example-*.txt"))
    for name in names:
        (src / name).write_text((data / name).read_text(encoding="utf-8"), encoding="utf-8")
    (src / "zz-empty.txt").write_text("   ", encoding="utf-8")
    pipe = Pipeline(str(tiny_models.bart), str(tiny_models.marian), device="cpu")
    summarize_folder(src, tmp_path / "out", pipeline=pipe, progress=False)
    paths = write_digest(tmp_path / "out", order=[*names, "zz-empty.txt"])
    assert (paths.articles, paths.failed) == (len(names), 1)
    records = [
        json.loads(line)
        for line in (tmp_path / "out" / RECORDS_FILE).read_text(encoding="utf-8").splitlines()
    ]
    page = paths.html.read_text(encoding="utf-8")
    for record in records:
        if record["error"] is None:
            assert _esc(record["translation"]) in page and _esc(record["summary"]) in page


def _esc(text: str) -> str:
    import html

    return html.escape(" ".join(text.split()), quote=True)
