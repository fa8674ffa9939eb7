"""Trust checks: sources of brief sentences, flags for unbacked facts, the page's check view.

Hand-made briefs whose truth is known, checked against the sample article; one end-to-end
run through the Pipeline with the tiny models. (The check view in a real browser is tested
in test_web_browser.py.)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing import Brief, Pipeline
from briefing.clean import clean_text
from briefing.segment import segment, split_sentences
from briefing.trust import (
    Flag,
    SourceLink,
    check_brief,
    chinese_numbers,
    english_numbers,
    find_sources,
    format_flags,
)
from briefing.web.render import check_html

SAMPLE = Path(__file__).resolve().parents[1] / "src/briefing/data/sample-kingsoft-cloud.txt"

# Hand translations of sample sentences 1, 3 and 4, every number in a usual Chinese form.
ZH = {
    1: "12月1日，世纪互联宣布投资2.96亿美元，购买金山软件公司、小米和新加坡主权财富基金"
    "淡马锡的6990万股A类普通股和1.288亿股B类普通股。",
    3: "雷军说，未来他将在云市场投资10亿美元，跻身前五名甚至前三名云市场参与者之列，"
    "在百度、阿里巴巴和腾讯之间开辟一席之地。",
    4: "金山软件首席执行官张宏江表示，进入云市场的决定只用了19个小时。",
}


# Short, so the tiny translator has little to do; numbers and names the briefs must keep.
SHORT_ARTICLE = (
    "Kingsoft will invest US$1 billion in cloud computing over the next three years, CEO "
    "Zhang Hongjiang said on Monday.\n\nThe cloud unit of the company grew 14% last year.\n\n"
    "Analysts said the plan was bold but that the market was already crowded."
)


@pytest.fixture(scope="module")
def segments() -> list[str]:
    return segment(clean_text(SAMPLE.read_text(encoding="utf-8")))


def _facts(flags: list[Flag]) -> set[tuple[int, str, str, str]]:
    return {(f.sentence, f.kind, f.text, f.reason) for f in flags}


# --------------------------------------------------------------------------- sources


def test_extractive_brief_points_at_copied_segments_without_flags(segments: list[str]) -> None:
    chosen = [1, 3, 4]
    assert segments[1].startswith("On Dec. 1, 21Vianet")
    # What the pipeline does with an extractive summary: join, then split into sentences.
    english = split_sentences(" ".join(segments[i] for i in chosen))
    assert english == [segments[i] for i in chosen]
    trust = check_brief([(en, ZH[i]) for en, i in zip(english, chosen, strict=True)], segments)
    assert trust.sources == [[SourceLink(i, 1.0)] for i in chosen]
    assert trust.flags == []


def test_copied_sentences_repeated_or_merged(segments: list[str]) -> None:
    repeated = ["Kingsoft will build a cloud.", "Short one.", "Kingsoft will build a cloud."]
    assert find_sources(repeated[::2], repeated) == [[SourceLink(0, 1.0)], [SourceLink(2, 1.0)]]
    merged = segments[3] + " " + segments[4]
    assert find_sources([merged], segments) == [[SourceLink(3, 1.0), SourceLink(4, 1.0)]]


def test_paraphrase_links_to_its_segment_and_unrelated_to_none(segments: list[str]) -> None:
    sources = find_sources(
        [
            "Zhang Hongjiang said Kingsoft needed 19 hours to decide on entering cloud computing.",
            "The weather in Paris was sunny over the long weekend.",
        ],
        segments,
    )
    best = sources[0][0]
    assert best.segment == 4 and 0.2 <= best.score < 1.0
    assert [s.score for s in sources[0]] == sorted((s.score for s in sources[0]), reverse=True)
    assert sources[1] == []


# --------------------------------------------------------------------------- flags


def test_changed_number_invented_name_and_chinese_side_are_flagged(segments: list[str]) -> None:
    pairs = [
        (
            "On Dec. 1, 21Vianet announced an investment of US$269 million in Kingsoft.",
            "12月1日，世纪互联宣布向金山软件投资2.69亿美元。",
        ),
        (
            "Lei Jun and Microsoft chief Satya Nadella will invest US$1 billion in the cloud.",
            "雷军和微软负责人萨蒂亚·纳德拉将在云市场投资10亿美元。",
        ),
        (
            "Kingsoft CEO Zhang Hongjiang said the decision took only 19 hours.",
            "金山软件首席执行官张宏江表示，这个决定只用了几个小时。",
        ),
        (
            "Lei has invested US$222 million for a 14% stake.",
            "雷军已投资2.22亿美元，获得41%的股份。",
        ),
        ("The deal was worth US$296 billion.", "这笔交易价值2960亿美元。"),
    ]
    flags = check_brief(pairs, segments).flags
    assert _facts(flags) == {
        (0, "number", "US$269 million", "not in the article"),
        (1, "name", "Microsoft", "not in the article"),
        (1, "name", "Satya Nadella", "not in the article"),
        (2, "translation", "19", "missing from the Chinese brief"),
        (3, "translation", "14%", "changed in the Chinese brief to 41%"),
        (4, "number", "US$296 billion", "not in the article (it has US$296 million)"),
    }
    by_text = {f.text: f for f in flags}
    # Where the Chinese sentence holds the fact, the flag names it for marking.
    assert by_text["US$269 million"].zh_text == "2.69亿"
    assert by_text["14%"].zh_text == "41%"
    assert by_text["19"].zh_text == ""
    lines = format_flags(flags)
    assert '[sentence 2] name "Microsoft": not in the article' in lines


def test_light_normalisation_against_the_article(segments: list[str]) -> None:
    pairs = [
        ("He plans to invest $1bn in the cloud market.", "他计划在云市场投资10亿美元。"),
        (
            "The plan was approved by KINGSOFT's board in October.",
            "该计划于10月获得金山董事会批准。",
        ),
        (
            "Lei owns 14 per cent of 21Vianet, about 30% of the votes.",
            "雷军持有世纪互联14%的股份。",
        ),
    ]
    flags = check_brief(pairs, segments).flags
    # "$1bn" = "US$1 billion", case and possessive ignored; only 30% is missing in Chinese.
    assert _facts(flags) == {(2, "translation", "30%", "missing from the Chinese brief")}


def test_a_number_repeated_in_a_sentence_is_flagged_once(segments: list[str]) -> None:
    flags = check_brief([("It paid US$7 million, then US$7 million more.", "")], segments).flags
    assert [(f.kind, f.text) for f in flags] == [
        ("number", "US$7 million"),
        ("translation", "US$7 million"),
    ]


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("US$1 billion", "amount", 10**9),
        ("$1 billion", "amount", 10**9),
        ("1bn", "amount", 10**9),
        ("HK$1.5bn", "amount", 1_500_000_000),
        ("US$296 million", "amount", 296_000_000),
        ("296,000,000", "amount", 296_000_000),
        ("14%", "percent", 14),
        ("14 per cent", "percent", 14),
        ("Dec. 1", "date", 1201),
        ("1 December", "date", 1201),
        ("9am", "amount", 9),
    ],
)
def test_english_numbers(text: str, kind: str, value: int) -> None:
    [number] = english_numbers(f"It was {text} then.")
    assert (number.text, number.kind, number.value) == (text, kind, Decimal(value))


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("10亿", "amount", 10**9),
        ("10億", "amount", 10**9),
        ("十亿", "amount", 10**9),
        ("2.96亿", "amount", 296_000_000),
        ("6990万", "amount", 69_900_000),
        ("14%", "percent", 14),
        ("14％", "percent", 14),
        ("百分之十四", "percent", 14),
        ("12月1日", "date", 1201),
    ],
)
def test_chinese_numbers(text: str, kind: str, value: int) -> None:
    [number] = chinese_numbers(f"他说{text}美元")
    assert (number.text, number.kind, number.value) == (text, kind, Decimal(value))


def test_not_numbers() -> None:
    assert english_numbers("21Vianet of Kingsoft") == []
    # "may" is a verb: the 5 is a plain number, not May 5.
    assert [(n.kind, n.value) for n in english_numbers("they may 5")] == [("amount", 5)]
    assert english_numbers("three cloud players") == []  # words only count in the article
    assert [n.value for n in english_numbers("top three", words=True)] == [3]


def _translation_reasons(english: str, chinese: str) -> list[str]:
    flags = check_brief([(english, chinese)], [english]).flags
    return [f.reason for f in flags if f.kind == "translation"]


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("He will invest US$1 billion.", "他将投资10亿美元。"),
        ("It paid US$296 million.", "它支付了2.96亿美元。"),
        ("It owns 14% of it.", "它拥有其中14%的股份。"),
        ("It owns 14% of it.", "它拥有其中百分之十四的股份。"),
        ("It bought 69.9 million shares on Dec. 1.", "它于12月1日购买了6990万股。"),
    ],
)
def test_chinese_keeps_the_numbers(english: str, chinese: str) -> None:
    assert _translation_reasons(english, chinese) == []


@pytest.mark.parametrize(
    ("english", "chinese", "reason"),
    [
        (
            "He will invest US$1 billion.",
            "他将投资1亿美元。",
            "changed in the Chinese brief to 1亿",
        ),
        (
            "It paid US$296 million.",
            "它支付了2.69亿美元。",
            "changed in the Chinese brief to 2.69亿",
        ),
        ("It owns 14% of it.", "它拥有其中百分之四十的股份。", "missing from the Chinese brief"),
        ("It owns 14% of it.", "它拥有其中14的股份。", "missing from the Chinese brief"),
    ],
)
def test_chinese_lost_or_changed_a_number(english: str, chinese: str, reason: str) -> None:
    assert _translation_reasons(english, chinese) == [reason]


@dataclass
class _Brief:
    sentence_pairs: list[tuple[str, str]]
    segments: list[str]
    sources: list[list[SourceLink]] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)


_PIECES = ["US$", "$", "%", "million", " bn", "Dec. ", "百分之", "亿", "万", "月", "日", "<", ">"]
_TEXT = st.lists(
    st.one_of(st.sampled_from(_PIECES), st.text("0123456789., abcKX&'\"一二十", max_size=6)),
    max_size=12,
).map("".join)
_TAG = re.compile(r"</?(?:p|table|colgroup|col|thead|tbody|tr|th|td|ol|li|ul|b|span)\b")


@settings(max_examples=150, deadline=None)
@given(english=_TEXT, chinese=_TEXT, article=st.lists(_TEXT, max_size=4))
def test_any_text_checks_and_renders_safely(english: str, chinese: str, article: list[str]) -> None:
    trust = check_brief([(english, chinese)], article)
    assert len(trust.sources) == 1
    for flag in trust.flags:
        assert flag.text and flag.text in english
        assert not flag.zh_text or flag.zh_text in chinese
    brief = _Brief([(english, chinese)], article, trust.sources, trust.flags)
    page = check_html(brief)  # type: ignore[arg-type]
    # Every "<" in the page opens one of the check view's own tags: input text is all escaped.
    assert all(_TAG.match(page, i) for i, c in enumerate(page) if c == "<")


# --------------------------------------------------------------------------- check view


def _panel_brief(segments: list[str]) -> _Brief:
    pairs = [
        (segments[1].replace("US$296 million", "US$269 million"), ZH[1].replace("2.96", "2.69")),
        (
            "Zhang Hongjiang said Kingsoft needed 19 hours to decide.",
            "张宏江说金山用了19个小时做决定。",
        ),
    ]
    trust = check_brief(pairs, segments)
    return _Brief(pairs, segments, trust.sources, trust.flags)


def test_check_view_escapes_everything_and_marks_flags(segments: list[str]) -> None:
    hostile = [*segments, "<script>alert('x')</script> Kingsoft & Xiaomi agreed."]
    brief = _panel_brief(hostile)
    page = check_html(brief)  # type: ignore[arg-type]
    assert "<script" not in page
    for i, links in enumerate(brief.sources):
        row = page.split(f'data-index="{i}"')[1].split("</tr>")[0]
        for link in links:  # each brief sentence lists its supporting article sentences
            assert f'data-segment="{link.segment}"' in row
    flagged = page.split('data-index="0"')[1].split("</tr>")[0]
    assert page.count('<tr class="pair flagged"') >= 1 and "US$269 million" in flagged
    assert "Zhang Hongjiang" in page and "&lt;" not in flagged


# --------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def pipe(tiny_models) -> Pipeline:  # type: ignore[no-untyped-def]
    return Pipeline(str(tiny_models.bart), str(tiny_models.marian), device="cpu")


def test_pipeline_briefs_carry_sources_and_flags(pipe: Pipeline) -> None:
    greedy = {"summary": {"num_beams": 1}, "translation": {"num_beams": 1}}  # 3x quicker
    brief = pipe.run(SHORT_ARTICLE, greedy, length="short")
    pairs = brief.sentence_pairs
    assert len(brief.sources) == len(pairs) > 0
    for links in brief.sources:
        assert all(isinstance(link, SourceLink) for link in links)
        assert all(
            0 <= link.segment < len(brief.segments) and 0 < link.score <= 1 for link in links
        )
    for flag in brief.flags:
        assert isinstance(flag, Flag) and flag.kind in {"number", "name", "translation"}
        assert flag.text in pairs[flag.sentence][0]
    again = check_brief(pairs, brief.segments)
    assert (brief.sources, brief.flags) == (again.sources, again.flags)
    data = json.loads(brief.to_json())
    assert data["sources"] == [
        [{"segment": s.segment, "score": s.score} for s in links] for links in brief.sources
    ]
    assert [Flag(**f) for f in data["flags"]] == brief.flags


@pytest.fixture(scope="module")
def extractive(tiny_models) -> Pipeline:  # type: ignore[no-untyped-def]
    return Pipeline("extractive", str(tiny_models.marian), device="cpu")


@pytest.fixture(scope="module")
def extractive_brief(extractive: Pipeline) -> Brief:
    return extractive.run(SHORT_ARTICLE, length="short")


def test_extractive_pipeline_sources_are_the_picked_segments(extractive_brief: Brief) -> None:
    brief = extractive_brief
    picked = brief.info.extracted_ids
    assert picked and [en for en, _ in brief.sentence_pairs] == [brief.segments[i] for i in picked]
    assert brief.sources == [[SourceLink(i, 1.0)] for i in picked]
    # Copied sentences hold only the article's own numbers and names.
    assert [f for f in brief.flags if f.kind != "translation"] == []


def test_cli_prints_the_flags_under_the_briefs(
    extractive_brief: Brief, tiny_models, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    from briefing import cli

    article = tmp_path / "article.txt"
    article.write_text(SHORT_ARTICLE, encoding="utf-8")
    args = ["--summarizer", "extractive", "--translator", str(tiny_models.marian)]
    assert cli.main(["brief", str(article), "--length", "short", *args]) == 0
    out = capsys.readouterr().out
    brief = extractive_brief
    assert brief.flags  # the tiny translator's Chinese holds none of the article's amounts
    head, flags = out.split("\n---\n")
    assert head.strip() == f"{brief.summary}\n\n{brief.translation}"
    assert flags.splitlines() == [
        f"Flags ({len(brief.flags)}): facts to check before publishing",
        *(f"  {line}" for line in format_flags(brief.flags)),
    ]


def test_batch_records_carry_trust_and_the_summary_counts_flagged(
    extractive: Pipeline, tmp_path: Path
) -> None:
    from briefing.batch import summarize_folder

    source = tmp_path / "in"
    source.mkdir()
    (source / "kingsoft.txt").write_text(SHORT_ARTICLE, encoding="utf-8")
    # No numbers to lose in translation, and copied sentences hold only the article's names.
    (source / "park.txt").write_text(
        "The city council met on a rainy evening to talk about the old park by the river. "
        "Residents asked for more trees, a safer path and better lights near the school. "
        "The mayor said the plan would be shared with everyone before the summer.",
        encoding="utf-8",
    )
    report = summarize_folder(
        source, tmp_path / "out", pipeline=extractive, length="short", progress=False
    )
    assert report.done == 2 and report.ok
    records = {
        r["path"]: r
        for r in map(json.loads, (tmp_path / "out/briefs.jsonl").read_text().splitlines())
    }
    for record in records.values():
        picked = record["info"]["extracted_ids"]
        assert record["sources"] == [[{"segment": i, "score": 1.0}] for i in picked]
    assert records["park.txt"]["flags"] == [] and records["kingsoft.txt"]["flags"]
    assert report.flagged == 1
    assert re.search(r"^briefs with flags\s+1$", report.table(), re.MULTILINE)
