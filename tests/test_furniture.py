"""The furniture table: per kind, a true removal and a real look-alike sentence that stays;
the comment-section cut and the never-brief-a-fragment guard."""

from __future__ import annotations

from typing import get_args

import pytest

from article_text import SENTENCES, TRAILERS
from briefing import furniture
from briefing.clean import RemovedLine, clean
from briefing.segment import segment

BODY = "\n".join(SENTENCES[:6])

# kind → (a furniture line that must go, an article sentence that looks like one and stays)
CASES: dict[str, tuple[str, str]] = {
    "source": ("source:- wantchinatimes.com",
               "Source: the Reserve Bank's statement shows growth slowing."),
    "comments": ("0 comments:", "Readers left 40 comments on the story within an hour."),
    "share": ("Click to share on Twitter (Opens in new window)",
              "Share prices rose 3% after the company posted results."),
    "navigation": ("Home | World | Business", "Home sales fell for a third month in May."),
    "related": ("Related articles:", "More from the Prime Minister's press conference:"),
    "read-more": ("Read more »", "Read more widely, the report shows a split in the party."),
    "copyright": ("Copyright © 2014 Want China Times. All rights reserved.",
                  "Copyright holders will be able to sue internet providers under the new law."),
    "posted": ("Posted by Jane Smith at 10:42 AM",
               "Posted by courier on Monday, the letters arrived on Friday."),
    "tags": ("Tags: economy, rates, central bank",
             "Tags: the labels on the goods were misleading, inspectors said."),
    "newsletter": ("Sign up for our daily newsletter",
                   "Sign up for the scheme has been slow, the ministry said on Friday."),
    "cookie": ("We use cookies to improve your experience on our site.",
               "We use cookies sparingly, the company's privacy chief told MPs."),
    "photo": ("Photo: Getty Images", "Photo: the minister arrives at the summit in Geneva."),
    "wire": ("Reporting by Jane Smith; Editing by Tom Brown",
             "Reporting by the BBC revealed the cost had doubled."),
    "author": ("About the author", "About the author of the leak, little is known."),
    "paywall": ("Subscribe to continue reading",
                "Subscribers to the service will pay $5 more from March."),
    "syndication": ("This article was originally published on The Conversation.",
                    "This article of the treaty was published in 1992 and never ratified."),
    "advert": ("Advertisement", "Advertising revenue fell 12% in the second quarter."),
}


def test_every_kind_has_a_case() -> None:
    assert set(CASES) == set(get_args(furniture.FurnitureKind))
    assert {rule.kind for rule in furniture.RULES} == set(CASES)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_true_line_removed_and_recorded(kind: str) -> None:
    line, _ = CASES[kind]
    result = clean(f"{BODY}\n{line}\n{SENTENCES[7]}")
    assert RemovedLine(line, kind) in result.removed  # type: ignore[arg-type]
    assert segment(result.text) == [*SENTENCES[:6], SENTENCES[7]]


@pytest.mark.parametrize("kind", sorted(CASES))
def test_look_alike_sentence_kept(kind: str) -> None:
    _, sentence = CASES[kind]
    result = clean(f"{BODY}\n{sentence}\n{SENTENCES[7]}")
    assert sentence in segment(result.text)
    assert result.removed == ()


@pytest.mark.parametrize("line", TRAILERS)
def test_every_common_trailer_line_is_removed(line: str) -> None:
    result = clean(f"{BODY}\n{line}")
    assert [r.text for r in result.removed] == [line]
    assert segment(result.text) == SENTENCES[:6]


@pytest.mark.parametrize(
    "sentence",
    [
        "Image quality has improved, the camera maker said on Monday.",
        "Listen to the experts, the minister told parliament on Tuesday.",
        "Terms of the deal were not disclosed.",
        "Privacy campaigners said the policy went too far.",
        "Newsletters and podcasts now bring in a fifth of the paper's revenue.",
        "Continue to monitor the river levels, residents were told.",
        "Sign language interpreters will attend every briefing.",
        "Topics discussed at the summit included trade and energy.",
    ],
)
def test_more_look_alike_sentences_are_kept(sentence: str) -> None:
    result = clean(f"{BODY}\n{sentence}\n{SENTENCES[7]}")
    assert sentence in segment(result.text) and result.removed == ()


@pytest.mark.parametrize(
    "sentence",
    [
        "(c) the minister must table the report within 15 sitting days.",
        "Copyright holders will be able to sue internet providers under the new law.",
        "Source: the Reserve Bank's statement shows growth slowing.",
        "Posted by courier on Monday, the letters arrived on Friday.",
    ],
)
def test_issue_sentences_are_kept(sentence: str) -> None:
    assert sentence in segment(clean(f"{BODY}\n{sentence}\n{SENTENCES[7]}").text)


def test_more_from_heading_keeps_its_text() -> None:
    text = f"{BODY}\nMore from the Prime Minister's press conference:\n\"We will act,\" he said."
    segments = segment(clean(text).text)
    assert segments[-2:] == [
        "More from the Prime Minister's press conference:", '"We will act," he said.'
    ]


def test_wrapped_sentence_starting_like_furniture_is_kept() -> None:
    text = f"{BODY}\nPosted by courier on Monday, the\nletters arrived on Friday."
    assert "Posted by courier on Monday, the letters arrived on Friday." in segment(
        clean(text).text
    )


def test_comment_count_above_a_short_post_keeps_the_body() -> None:
    result = clean(f"Markets rally on rate hopes\n12 Comments\n{BODY}")
    assert segment(result.text) == SENTENCES[:6]
    assert result.removed == (RemovedLine("12 Comments", "comments"),)


def test_leave_a_comment_mid_article_keeps_the_rest() -> None:
    rest = "\n".join(SENTENCES[6:12])
    result = clean(f"{BODY}\nLeave a comment\n{rest}")
    assert segment(result.text) == SENTENCES[:12]
    assert result.kept_back and "Leave a comment" in result.kept_back


def test_trailing_comment_section_is_cut_and_recorded() -> None:
    comments = [
        "3 Comments",
        "Jane says:",
        "March 3, 2024 at 10:42 am",
        "This is exactly what I said would happen last year, and nobody listened.",
        "Reply",
        "Tom wrote:",
        "Great article, thanks for sharing it with all of us here.",
    ]
    result = clean(BODY + "\n" + "\n".join(comments))
    assert segment(result.text) == SENTENCES[:6]
    assert [r.text for r in result.removed] == comments
    assert result.removed[0].rule == "comments"
    assert {r.rule for r in result.removed[1:]} == {"comment-section"}


def test_removal_that_would_take_the_article_is_kept_back() -> None:
    # Sentences that each match a rule are furniture only when they are a small share.
    lines = [f"This article was originally published on Site {i} with the full text."
             for i in range(8)]
    result = clean("\n".join([SENTENCES[0], *lines]))
    assert len(segment(result.text)) == 9
    assert result.kept_back and "kept 8 lines" in result.kept_back


def test_sample_trailer_removed_with_rules() -> None:
    from pathlib import Path

    sample = Path(__file__).resolve().parents[1] / "src/briefing/data/sample-kingsoft-cloud.txt"
    result = clean(sample.read_text(encoding="utf-8"))
    assert [(r.text, r.rule) for r in result.removed] == [
        ("source:- wantchinatimes.com", "source"),
        ("0 comments:", "comments"),
        ("Post a Comment", "comments"),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "Share: " + "facebook  " * 40 + "!",
        "facebook | " * 60 + "zzz",
        "Reporting by " + "A; Editing by " * 60 + "!",
        "By " + "Aaa " * 300 + "x",
        "Photo: " + "Aaa / " * 80 + "x",
        "x " * 5000 + "y",
    ],
)
def test_long_near_miss_lines_fail_fast(line: str) -> None:
    import time

    from briefing.layout import header_kind

    started = time.perf_counter()
    furniture.match(line)
    furniture.COMMENT_SIGNAL.match(line)
    header_kind(line)
    assert time.perf_counter() - started < 0.5  # no catastrophic backtracking


def test_one_comment_like_line_does_not_make_the_rest_comments() -> None:
    rest = [*SENTENCES[6:10], "Updated 3 hours ago", *SENTENCES[10:14]]
    result = clean("\n".join([*SENTENCES[:2], "Leave a comment", *rest]))
    assert segment(result.text)[-4:] == SENTENCES[10:14]
    assert result.kept_back
