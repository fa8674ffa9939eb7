"""Whole-article translation on tiny random models: coverage, alignment, window, checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefing import BriefOptions, Pipeline
from briefing.article import ArticleOptions, translate_article, translation_flags
from briefing.clean import clean_text
from briefing.errors import ConfigError, InputError
from briefing.fetch import WebArticle, fetch_article
from briefing.segment import segment

DATA = Path(__file__).resolve().parents[1] / "src/briefing/data"


@pytest.fixture(scope="module")
def pipe(tiny_models) -> Pipeline:  # type: ignore[no-untyped-def]
    return Pipeline(str(tiny_models.bart), str(tiny_models.marian), device="cpu")


@pytest.fixture(scope="module")
def long_article() -> str:
    """~2,000 words in paragraphs: the example articles, repeated with numbered parts."""
    paragraphs = [
        p
        for name in sorted(DATA.glob("*.txt"))
        for p in name.read_text(encoding="utf-8").split("\n\n")
        if p.strip()
    ]
    out: list[str] = []
    words = 0
    part = 0
    while words < 2000:
        part += 1
        for paragraph in paragraphs:
            out.append(f"Part {part}. {paragraph}")
            words += len(out[-1].split())
            if words >= 2000:
                break
    return "\n\n".join(out)


def test_every_segment_once_in_order(pipe: Pipeline, long_article: str) -> None:
    calls: list[tuple[str, int, int]] = []
    result = translate_article(
        pipe, long_article, batch_size=8, progress=lambda *a: calls.append(a)
    )
    cleaned = clean_text(long_article)
    expected = segment(cleaned)
    assert result.info.words_in >= 2000 and len(expected) > 80
    assert [en for en, _ in result.sentence_pairs] == expected
    assert all(zh.strip() for _, zh in result.sentence_pairs)
    # Paragraphs follow the article's; each Chinese paragraph is its sentences' Chinese.
    blocks = cleaned.split("\n\n")
    assert len(result.paragraphs) == len(blocks) == result.info.paragraphs > 20
    assert result.english_paragraphs == [" ".join(segment(b)) for b in blocks]
    for p, zh in enumerate(result.paragraphs):
        mine = [
            z
            for (_, z), q in zip(result.sentence_pairs, result.paragraph_index, strict=True)
            if q == p
        ]
        assert zh == "".join(mine)
    assert result.translation == "\n\n".join(result.paragraphs)
    # Progress after each batch of at most 8 sentences, ending at the total.
    assert len(calls) >= len(expected) / 8
    assert {stage for stage, _, _ in calls} == {"translate"}
    assert [done for _, done, _ in calls] == sorted(done for _, done, _ in calls)
    assert calls[-1][1] == calls[-1][2] >= len(expected)


def test_same_chinese_as_the_translator_gives(pipe: Pipeline) -> None:
    text = (DATA / "example-rail-strike.txt").read_text(encoding="utf-8")
    result = translate_article(pipe, text)
    english = [en for en, _ in result.sentence_pairs]
    direct = pipe.translator.translate(english, ArticleOptions().translation)
    assert [zh for _, zh in result.sentence_pairs] == direct


def test_long_sentence_is_split_to_the_window_never_cut(pipe: Pipeline, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    markers = [f"item{i}" for i in range(150)]
    sentence = "The report lists " + " ".join(f"{m} of the town and the" for m in markers) + " end."
    text = "Officials published a long report on Monday.\n\n" + sentence
    model = pipe.translator.model
    seen: list[str] = []
    real = model.generate

    def spy(inputs, settings):  # type: ignore[no-untyped-def]
        seen.extend(inputs)
        return real(inputs, settings)

    monkeypatch.setattr(model, "generate", spy)
    result = translate_article(pipe, text)
    assert len(result.sentence_pairs) == 2 and result.info.long_segments == 1
    assert len(seen) > 2  # the long sentence went in several pieces
    # Each piece fits the model's window (the Translator packs to half of it, plus the
    # target-language prefix), so the tokenizer never truncates one.
    assert max(model.count_tokens(seen)) <= model.max_input_tokens // 2 + 8
    fed = " ".join(seen)
    assert all(marker in fed.split() for marker in markers)  # nothing dropped


def test_fetched_article_markdown_json_and_repr(pipe: Pipeline) -> None:
    text = (DATA / "example-coffee-prices.txt").read_text(encoding="utf-8")
    fetched = WebArticle(
        text=text,
        title="Coffee <prices> climb",
        url="http://example.com/a",
        final_url="https://example.com/news/a",
        fetched_at="2026-11-27T12:00:00Z",
        content_type="text/html",
        encoding="utf-8",
        sha256="0" * 64,
    )
    result = translate_article(pipe, fetched, script="traditional")
    assert result.title == "Coffee <prices> climb"
    assert result.source == "https://example.com/news/a"
    assert result.info.options.translation.script == "traditional"
    markdown = result.to_markdown()
    assert markdown.startswith("# Coffee <prices> climb\n")
    assert "Source: <https://example.com/news/a>" in markdown
    for en, zh in zip(result.english_paragraphs, result.paragraphs, strict=True):
        assert f"> {en}\n\n{zh}\n" in markdown
    data = json.loads(result.to_json())
    assert data["sentence_pairs"] == [list(p) for p in result.sentence_pairs]
    assert data["info"]["segments"] == len(result.sentence_pairs)
    bilingual = result.to_text(bilingual=True)
    assert result.english_paragraphs[0] in bilingual and result.paragraphs[0] in bilingual
    assert result.to_text() == result.translation + "\n"
    assert repr(result).startswith("ArticleTranslation(title='Coffee <prices> climb'")
    assert len(repr(result)) < 200


def test_a_fetched_page_end_to_end(pipe: Pipeline) -> None:
    import web_fixture

    with web_fixture.serve() as server:
        page = fetch_article(server.url("/redirect"))
    result = translate_article(pipe, page)
    assert result.title == web_fixture.TITLE and result.source == server.url("/article")
    english = " ".join(en for en, _ in result.sentence_pairs)
    for paragraph in web_fixture.PARAGRAPHS:
        assert paragraph in english
    assert "Share this article" not in english


def test_number_check_flags_lost_and_changed_numbers() -> None:
    pairs = [
        ("The plan costs $12 million.", "该计划耗资1200万美元。"),
        ("Prices rose 14% in March.", "价格在三月上涨。"),
        ("About 300 people came.", "大约有400人来了。"),
    ]
    flags = translation_flags(pairs)
    assert [(f.sentence, f.text) for f in flags] == [(1, "14%"), (2, "300")]
    assert flags[0].reason == "missing from the Chinese"
    assert "400" in flags[1].reason


def test_options_and_bad_input(pipe: Pipeline) -> None:
    assert ArticleOptions.coerce(BriefOptions.coerce(None, script="taiwan")).translation.script == (
        "taiwan"
    )
    assert ArticleOptions.coerce({"translation": {"batch_size": 4}}).translation.batch_size == 4
    with pytest.raises(ConfigError, match="unknown option 'length'"):
        translate_article(pipe, "Some text.", length="short")
    with pytest.raises(InputError):
        translate_article(pipe, "   ")
    with pytest.raises(InputError, match=r"max_chars|limit"):
        translate_article(pipe, "word " * 5000, max_chars=1000)
    with pytest.raises(InputError):
        translate_article(pipe, 42)
