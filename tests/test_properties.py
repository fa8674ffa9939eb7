"""Property tests of cleaning, segmentation and chunking (hypothesis)."""

from __future__ import annotations

import string
import textwrap

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from article_text import BYLINES, DATELINES, HEADLINES, SENTENCES, TRAILERS
from briefing.clean import CleanOptions, clean, clean_text, is_chrome_line
from briefing.segment import chunk_segments, segment, split_sentences

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

words = st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=10)
sentences = st.builds(
    lambda ws, end: (" ".join(ws)).capitalize() + end,
    st.lists(words, min_size=3, max_size=25),
    st.sampled_from([".", "!", "?"]),
)


@FAST
@given(st.text(max_size=3000))
def test_clean_and_segment_never_raise(text: str) -> None:
    cleaned = clean_text(text)
    assert "\x00" not in cleaned
    for s in segment(cleaned):
        assert s == s.strip() and s


@FAST
@given(st.lists(sentences, min_size=1, max_size=30), st.booleans())
def test_cleaning_keeps_every_non_boilerplate_sentence(items: list[str], blank: bool) -> None:
    text = ("\n\n" if blank else "\n").join(items)
    cleaned = clean_text(text)
    for sentence in items:
        if not is_chrome_line(sentence):
            assert sentence in cleaned


@FAST
@given(st.lists(sentences, min_size=1, max_size=20))
def test_sentence_split_preserves_text(items: list[str]) -> None:
    paragraph = " ".join(items)
    assert " ".join(split_sentences(paragraph)) == " ".join(paragraph.split())


def _counter(texts: list[str]) -> list[int]:
    # Characters / 4 + 2 specials: a tokenizer-like count that is not word-aligned.
    return [len(t) // 4 + 2 for t in texts]


@FAST
@given(
    st.lists(st.text(alphabet=string.ascii_letters + " .,", min_size=1, max_size=400)
             .map(lambda s: " ".join(s.split())).filter(bool), min_size=1, max_size=40),
    st.integers(min_value=16, max_value=200),
)
def test_chunks_cover_segments_once_and_fit(items: list[str], budget: int) -> None:
    chunks = chunk_segments(items, budget, _counter)
    assert all(c.tokens <= budget for c in chunks)
    ids = [i for c in chunks for i in c.segment_ids]
    assert ids == sorted(ids) and set(ids) == set(range(len(items)))
    # Pieces of an over-long segment are consecutive and rebuild it.
    rebuilt = " ".join(c.text for c in chunks).replace(" ", "")
    assert rebuilt == " ".join(items).replace(" ", "")


@settings(max_examples=40, deadline=None)
@given(st.lists(sentences, min_size=1, max_size=60))
def test_chunks_fit_the_real_tokenizer_window(tiny_models, items: list[str]) -> None:  # type: ignore[no-untyped-def]
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_models.bart)

    def count(texts: list[str]) -> list[int]:
        return [len(ids) for ids in tokenizer(texts, verbose=False)["input_ids"]]

    chunks = chunk_segments(items, 128, count)
    assert all(n <= 128 for n in count([c.text for c in chunks]))
    assert [i for c in chunks for i in c.segment_ids] == sorted(
        i for c in chunks for i in c.segment_ids
    )


def test_default_limit_documented() -> None:
    assert CleanOptions().max_chars == 100_000


# Real articles: paragraphs of real sentences, laid out as people paste them.
real_paragraphs = st.lists(
    st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=4), min_size=1, max_size=6
)
headers = st.one_of(
    st.just([]),
    st.tuples(
        st.sampled_from(HEADLINES),
        st.lists(st.sampled_from(BYLINES), max_size=1),
        st.lists(st.sampled_from(DATELINES), max_size=2, unique=True),
    ).map(lambda t: [t[0], *t[1], *t[2]]),
)
COMMENTS = ["12 Comments", "Jane says:", "March 3, 2024 at 10:42 am",
            "This is exactly what I said would happen, and nobody listened.", "Reply"]


@FAST
@given(
    real_paragraphs,
    st.one_of(st.none(), st.integers(min_value=30, max_value=120)),
    st.sampled_from(["\n", "\n\n"]),
    headers,
    st.lists(st.sampled_from(TRAILERS), max_size=5, unique=True),
    st.booleans(),
)
def test_any_layout_gives_the_article_sentences(
    paragraphs: list[list[str]],
    width: int | None,
    separator: str,
    header: list[str],
    trailers: list[str],
    comments: bool,
) -> None:
    """Wrapped at any width (or one paragraph per line), with a header above and any mix of
    trailers (and a comment section) below, the segments are the article's sentences."""
    body = separator.join(
        textwrap.fill(" ".join(p), width, break_long_words=False, break_on_hyphens=False)
        if width
        else " ".join(p)
        for p in paragraphs
    )
    # A lone headline glued by one newline to a body wrapped narrower than the headline
    # cannot be told from a wrapped sentence; with a byline or date under it, it can.
    top = "\n".join(header) + ("\n" if len(header) > 1 else "\n\n") if header else ""
    bottom = "".join(f"\n{line}" for line in trailers + (COMMENTS if comments else []))
    result = clean(top + body + bottom)
    assert segment(result.text) == [s for p in paragraphs for s in p]
    assert result.title == (header[0] if header else None)
    assert [r.text for r in result.removed] == trailers + (COMMENTS if comments else [])
