"""HTML on every route: one door (reader.to_text) for pages and fragments, the markup limit
on markup, the character limit on the text, and the page title kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from article_text import SENTENCES
from briefing.clean import CleanOptions, looks_like_html
from briefing.errors import InputError
from briefing.pipeline import Pipeline
from briefing.reader import MAX_MARKUP_CHARS, parse_article, read_article, to_text

PARAGRAPHS = [" ".join(SENTENCES[0:3]), " ".join(SENTENCES[3:6]), " ".join(SENTENCES[6:9])]
FRAGMENT = "<div>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</div>"


def _page(padding: int = 0) -> str:
    # Real pages carry 0.2–1.6 MB of scripts and styles around ~10 kB of article text.
    script = "<script>var tracking = {'id': 12345, 'events': []};</script>\n" * padding
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (
        "<!DOCTYPE html><html><head><title>Coffee prices hit a record high</title>"
        f"{script}</head><body><nav>Home | World</nav><article><h1>Coffee prices hit a "
        f"record high</h1>{body}</article><footer>© 2024 Example News</footer></body></html>"
    )


def test_fragment_is_recognised_and_no_tags_reach_the_sentences() -> None:
    assert looks_like_html(FRAGMENT)
    assert looks_like_html("<p>One short paragraph of text.</p>")
    assert not looks_like_html("Prices rose 3% <b>after</b> the report, officials said.")
    source = to_text(FRAGMENT)
    assert source.kind == "html" and "<" not in source.text
    prepared = Pipeline.prepare(FRAGMENT, CleanOptions())
    assert prepared.segments == SENTENCES[:9]


def test_large_page_markup_is_accepted_and_title_kept() -> None:
    page = _page(padding=25_000)  # ~1.5 MB of markup, far over the 100,000-character limit
    assert len(page) > 1_000_000
    prepared = Pipeline.prepare(page, CleanOptions())
    assert prepared.segments == SENTENCES[:9]
    assert prepared.title == "Coffee prices hit a record high"


def test_markup_over_its_limit_names_the_markup_limit() -> None:
    with pytest.raises(InputError, match=f"markup, over the limit of {MAX_MARKUP_CHARS:,}"):
        to_text(_page(padding=90_000))


def test_text_limit_applies_to_the_extracted_text() -> None:
    long_text = "<div>" + "<p>The company said revenue grew again this year.</p>" * 5_000 + "</div>"
    with pytest.raises(InputError, match="over the limit of 100,000"):
        Pipeline.prepare(long_text, CleanOptions())
    small = "<div>" + "<p>The company said revenue grew.</p>" * 100 + "</div>"
    with pytest.raises(InputError, match="over the limit of 1,000"):
        Pipeline.prepare(small, CleanOptions(max_chars=1_000))


@pytest.mark.parametrize("name", ["page.html", "page.txt"])
def test_file_and_upload_route(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(_page(padding=25_000), encoding="utf-8")
    article = read_article(path)
    assert article.kind == "html"
    assert article.title == "Coffee prices hit a record high"
    assert "<" not in article.text
    assert parse_article(path.read_bytes(), name).text == article.text


def test_fragment_file_route(tmp_path: Path) -> None:
    path = tmp_path / "fragment.txt"
    path.write_text(FRAGMENT, encoding="utf-8")
    assert Pipeline.prepare(read_article(path).text, CleanOptions()).segments == SENTENCES[:9]


def test_file_over_the_byte_limit_names_it(tmp_path: Path) -> None:
    path = tmp_path / "big.html"
    path.write_text(_page(padding=10), encoding="utf-8")
    with pytest.raises(InputError, match="over the 100-byte limit for one file"):
        read_article(path, max_bytes=100)


def test_plain_text_passes_through() -> None:
    source = to_text("\n".join(PARAGRAPHS))
    assert source.kind == "text" and source.title is None
    assert source.text == "\n".join(PARAGRAPHS)


def test_brief_carries_title_header_and_removed_lines(tiny_models) -> None:  # type: ignore[no-untyped-def]
    import json

    pipe = Pipeline(str(tiny_models.bart), str(tiny_models.marian), device="cpu")
    text = (
        "Markets rally on rate hopes\nBy Jane Smith, Reuters\nMarch 3, 2024\n\n"
        + "\n".join(PARAGRAPHS)
        + "\nPhoto: Getty Images\nReporting by Jane Smith; Editing by Tom Brown"
    )
    brief = pipe.run(text)
    assert brief.title == "Markets rally on rate hopes"
    assert brief.segments == SENTENCES[:9]
    assert [(h.kind, h.text) for h in brief.info.header] == [
        ("headline", "Markets rally on rate hopes"),
        ("byline", "By Jane Smith, Reuters"),
        ("dateline", "March 3, 2024"),
    ]
    data = json.loads(brief.to_json())
    assert data["title"] == "Markets rally on rate hopes"
    assert data["info"]["removed"] == [
        {"text": "Photo: Getty Images", "rule": "photo"},
        {"text": "Reporting by Jane Smith; Editing by Tom Brown", "rule": "wire"},
    ]
    assert data["info"]["kept_back"] is None
    # A page's <title> is the brief's title.
    assert pipe.run(_page()).title == "Coffee prices hit a record high"
