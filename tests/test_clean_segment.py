"""Cleaning, sentence splitting and chunking."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.clean import CleanOptions, check_article, clean_text, normalize_unicode
from briefing.errors import InputError
from briefing.segment import chunk_segments, segment, split_sentences

SAMPLE = Path(__file__).resolve().parents[1] / "src/briefing/data/sample-kingsoft-cloud.txt"


@pytest.fixture(scope="module")
def sample() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def test_sample_trailers_removed_and_sentences_kept(sample: str) -> None:
    cleaned = clean_text(sample)
    assert "source:-" not in cleaned
    assert "0 comments" not in cleaned
    assert "Post a Comment" not in cleaned
    # Every article line of the sample survives, word for word.
    article_lines = sample.strip().splitlines()[:-3]
    assert len(article_lines) == 10
    for line in article_lines:
        assert line.strip() in cleaned
    assert cleaned.rstrip().endswith('US$1 billion," Lei said')


@pytest.mark.parametrize(
    "chrome",
    [
        "Posted by Jane Smith at 10:42 AM",
        "Labels: cloud, Xiaomi, Kingsoft",
        "Subscribe to: Post Comments (Atom)",
        "Copyright © 2014 Want China Times. All rights reserved.",
        "Share this article: Facebook Twitter Email",
        "Related articles:",
        "Read more »",
        "Facebook | Twitter | Email",
        "© 2024 Example News",
    ],
)
def test_chrome_lines_removed(chrome: str) -> None:
    text = f"Xiaomi raised prices on Monday.\n{chrome}\nThe company said demand was strong."
    cleaned = clean_text(text)
    assert chrome not in cleaned
    assert "Xiaomi raised prices on Monday." in cleaned
    assert "The company said demand was strong." in cleaned


@pytest.mark.parametrize(
    "sentence",
    [
        "Readers left 40 comments on the story about the copyright case.",
        "Share prices rose 3% after the company posted results.",
        "Related companies, including Baidu, were not named.",
        "The source of the leak was not disclosed.",
        "He said the labels on the products were misleading.",
    ],
)
def test_article_sentences_mentioning_chrome_words_are_kept(sentence: str) -> None:
    assert sentence in clean_text(f"{sentence}\nAnother sentence follows here.")


def test_everything_after_comment_trailer_dropped() -> None:
    text = "Sentence one.\nSentence two.\nSentence three.\n3 Comments:\nSpam said buy now."
    assert clean_text(text) == "Sentence one.\n\nSentence two.\n\nSentence three."


def test_unicode_normalisation_is_safe() -> None:
    text = "ＡＢＣ\u3000Corp earned US$1\u00a0million over 3 km² in the ﬁrst half\u200b.\x07"
    out = normalize_unicode(text)
    assert out.startswith("ABC Corp")  # full-width letters and ideographic space
    assert "km²" in out  # superscripts keep their meaning
    assert "first" in out  # ligature
    assert "\u200b" not in out and "\x07" not in out
    assert normalize_unicode("a\ud800b\x00c") == "abc"  # lone surrogate and NUL


def test_whitespace_and_paragraphs() -> None:
    text = "First   paragraph\nwrapped here.\n\n\n\tSecond  one.\r\nstill second."
    assert clean_text(text) == "First paragraph wrapped here.\n\nSecond one. still second."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "On Dec. 1, 21Vianet announced an investment of US$296 million. It rose.",
            ["On Dec. 1, 21Vianet announced an investment of US$296 million.", "It rose."],
        ),
        (
            "Mr. Lei met U.S. officials in Washington. They agreed on 3.5 percent.",
            ["Mr. Lei met U.S. officials in Washington.", "They agreed on 3.5 percent."],
        ),
        (
            'He said, "We decided that cloud is the strategy." Then he left.',
            ['He said, "We decided that cloud is the strategy."', "Then he left."],
        ),
        (
            "Lei invested US$222 million for a 14% stake. Dr. Zhang agreed.",
            ["Lei invested US$222 million for a 14% stake.", "Dr. Zhang agreed."],
        ),
    ],
)
def test_sentence_splitter_respects_abbreviations(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_sample_segments(sample: str) -> None:
    segments = segment(clean_text(sample))
    assert segments[1].startswith("On Dec. 1, 21Vianet announced")
    assert all("Post a Comment" not in s for s in segments)
    # Ten paragraphs; one holds two sentences. The closing quote keeps its two quoted
    # sentences together with the attribution ("…," Lei said).
    assert len(segments) == 11
    assert segments[9] == "In October, his plan was approved by Kingsoft's board of directors."


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("   \n\t  ", "empty"),
        ("雷军表示，金山软件将在未来三年投资十亿美元发展云计算业务。" * 5, "not look English"),
        ("Le gouvernement a annoncé une nouvelle réforme des retraites pour les salariés " * 4,
         "not look English"),
        ("0 comments:\nPost a Comment", "nothing is left"),
        ("12345 67890 !!! ???", "no words"),
    ],
)
def test_bad_input_messages(text: str, fragment: str) -> None:
    options = CleanOptions()
    with pytest.raises(InputError, match=fragment):
        check_article(text, clean_text(text, options), options)


def test_size_limit() -> None:
    options = CleanOptions(max_chars=1_000)
    text = "The company said revenue grew. " * 50
    with pytest.raises(InputError, match="over the limit of 1,000"):
        check_article(text, clean_text(text, options), options)


def _word_counter(texts: list[str]) -> list[int]:
    # A stand-in tokenizer: one token per word plus two specials.
    return [len(t.split()) + 2 for t in texts]


def test_chunks_cover_every_segment_in_order_within_budget() -> None:
    segments = [(f"Sentence number {i} has " + "word " * (i % 17)).strip() for i in range(300)]
    chunks = chunk_segments(segments, 64, _word_counter)
    assert all(c.tokens <= 64 for c in chunks)
    assert [i for c in chunks for i in c.segment_ids] == list(range(300))
    assert " ".join(c.text for c in chunks) == " ".join(segments)


def test_over_long_sentence_spans_consecutive_chunks() -> None:
    long_sentence = " ".join(f"w{i}" for i in range(500))
    segments = ["Short one.", long_sentence, "Short two."]
    chunks = chunk_segments(segments, 50, _word_counter)
    assert all(c.tokens <= 50 for c in chunks)
    ids = [i for c in chunks for i in c.segment_ids]
    assert ids == sorted(ids) and set(ids) == {0, 1, 2}
    assert ids.count(1) >= 10
    rebuilt = " ".join(c.text for c in chunks)
    assert rebuilt == " ".join(segments)
