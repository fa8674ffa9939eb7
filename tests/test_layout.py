"""Paragraph reconstruction and header recognition (layout.py through clean/segment)."""

from __future__ import annotations

import textwrap

import pytest

from article_text import SENTENCES
from briefing.clean import clean, clean_text
from briefing.segment import segment

ARTICLE = [SENTENCES[0:3], SENTENCES[3:7], SENTENCES[7:9], SENTENCES[9:14], SENTENCES[14:19]]


def _sentences(paragraphs: list[list[str]]) -> list[str]:
    return [s for p in paragraphs for s in p]


def test_issue_example_wrap_is_one_sentence() -> None:
    assert segment(clean_text("It was a cold\nnight in the city.")) == [
        "It was a cold night in the city."
    ]


def test_full_width_stop_ends_a_sentence() -> None:
    assert segment(clean_text("The market rose．Prices fell．Trading was calm.")) == [
        "The market rose.", "Prices fell.", "Trading was calm."
    ]
    assert "3.5" in clean_text("Growth was ３．５ percent.")  # a decimal stays one number


@pytest.mark.parametrize("width", [40, 60, 72, 80, 100])
@pytest.mark.parametrize("separator", ["\n", "\n\n"])
def test_wrapped_article_gives_the_unwrapped_sentences(width: int, separator: str) -> None:
    original = "\n".join(" ".join(p) for p in ARTICLE)
    wrapped = separator.join(textwrap.fill(" ".join(p), width) for p in ARTICLE)
    assert segment(clean_text(original)) == _sentences(ARTICLE)
    assert segment(clean_text(wrapped)) == _sentences(ARTICLE)


def test_wrapped_paragraphs_stay_paragraphs() -> None:
    wrapped = "\n\n".join(textwrap.fill(" ".join(p), 72) for p in ARTICLE)
    assert clean_text(wrapped).split("\n\n") == [" ".join(p) for p in ARTICLE]


def test_tab_indented_paragraphs_are_not_joined() -> None:
    text = "\n".join(
        "\t" + textwrap.fill(" ".join(p), 60, subsequent_indent="") for p in ARTICLE[:3]
    )
    assert clean_text(text).split("\n\n") == [" ".join(p) for p in ARTICLE[:3]]


def test_wrap_at_abbreviation_and_hyphen() -> None:
    text = (
        "The delegation, which included several senior trade officials, met Mr.\n"
        "Lei in Washington on Tuesday to discuss a well-\n"
        "known dispute over export controls."
    )
    assert segment(clean_text(text)) == [
        "The delegation, which included several senior trade officials, met Mr. Lei in "
        "Washington on Tuesday to discuss a well-known dispute over export controls."
    ]


def test_lists_and_headings_stay_separate_in_wrapped_text() -> None:
    body = textwrap.fill(" ".join(SENTENCES[:4]), 72)
    text = (
        f"{body}\nWhat happens next\n{textwrap.fill(' '.join(SENTENCES[4:6]), 72)}\n"
        "- Talks resume in Geneva on Monday\n- A vote is due in March\n"
        "1. The first stage ends in\n   June next year\n"
    )
    paragraphs = clean_text(text).split("\n\n")
    assert paragraphs[1] == "What happens next"
    assert paragraphs[-3:] == [
        "- Talks resume in Geneva on Monday",
        "- A vote is due in March",
        "1. The first stage ends in June next year",
    ]


@pytest.mark.parametrize("blank", [True, False])
def test_header_is_title_and_metadata_not_a_sentence(blank: bool) -> None:
    body = "\n\n".join(textwrap.fill(" ".join(p), 72) for p in ARTICLE)
    header = "Markets rally on rate hopes\nBy Jane Smith, Reuters\nMarch 3, 2024 10:42 GMT"
    result = clean(header + ("\n\n" if blank else "\n") + body)
    assert result.title == "Markets rally on rate hopes"
    assert result.byline == "By Jane Smith, Reuters"
    assert result.dateline == "March 3, 2024 10:42 GMT"
    assert [f.kind for f in result.header] == ["headline", "byline", "dateline"]
    assert segment(result.text) == _sentences(ARTICLE)


def test_headline_above_one_paragraph_per_line_body() -> None:
    text = "Coffee prices hit a record high\n" + "\n".join(" ".join(p) for p in ARTICLE)
    result = clean(text)
    assert result.title == "Coffee prices hit a record high"
    assert segment(result.text) == _sentences(ARTICLE)


@pytest.mark.parametrize(
    "first",
    [
        "Why does it matter?",  # a question opening the article is a sentence, not a title
        "By Monday, the letters had arrived at the ministry.",
        "March 3 was the day the strike began, officials said.",
    ],
)
def test_sentences_that_look_like_header_lines_stay_in_the_body(first: str) -> None:
    text = first + "\n" + " ".join(ARTICLE[0])
    result = clean(text)
    assert result.header == ()
    assert segment(result.text)[0] == first


def test_text_that_is_all_header_stays_text() -> None:
    result = clean("Markets rally on rate hopes")
    assert result.text == "Markets rally on rate hopes" and result.title is None


def test_clean_is_idempotent() -> None:
    wrapped = "\n".join(textwrap.fill(" ".join(p), 50) for p in ARTICLE)
    once = clean_text(wrapped)
    assert clean_text(once) == once


def test_file_title_of_a_wrapped_article_is_not_half_a_line() -> None:
    from briefing.reader import parse_article

    wrapped = b"It was a cold\nnight in the city. The mayor said\nthe budget would rise.\n"
    assert parse_article(wrapped, "a.txt").title.startswith("It was a cold night in the city.")
    headed = b"Mayor raises budget\n\nBy Jane Doe\n\nIt was a cold night. The mayor spoke.\n"
    assert parse_article(headed, "a.txt").title == "Mayor raises budget"
