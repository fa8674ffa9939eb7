"""Extractive (LexRank) and lead modes: the article's own sentences, no summarizer weights."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

import briefing
from briefing import Pipeline
from briefing.errors import ConfigError
from briefing.extractive import SENTENCES, ExtractiveSummarizer, lexrank
from briefing.summarizer import SummaryOptions

ARTICLE = (
    "Kingsoft will invest US$1 billion in cloud services, its chairman Lei Jun said.\n"
    "The weather in Beijing was sunny and warm on Monday afternoon.\n"
    "Kingsoft cloud services will compete with Alibaba cloud services and Tencent.\n"
    "Lei Jun said cloud services are the future of Kingsoft.\n"
    "A local football team won its third match in a row."
)


def test_lexrank_prefers_central_sentences() -> None:
    sentences = [s for s in ARTICLE.splitlines()]
    scores = lexrank(sentences)
    assert len(scores) == 5 and abs(sum(scores) - 1.0) < 1e-6
    central = {0, 2, 3}  # the three that share "Kingsoft", "cloud", "services"
    assert min(scores[i] for i in central) > max(scores[1], scores[4])
    assert lexrank([]) == [] and lexrank(["!!", "??"]) == [0.5, 0.5]


@pytest.mark.parametrize(
    ("mode", "options", "expected"),
    [
        ("lead", SummaryOptions(length="short"), [0, 1]),
        ("lead", SummaryOptions(sentences=4), [0, 1, 2, 3]),
        ("extractive", SummaryOptions(sentences=3), [0, 2, 3]),
        ("extractive", SummaryOptions(length="long"), [0, 1, 2, 3, 4]),  # 5 = all of them
    ],
)
def test_modes_pick_segments(mode: str, options: SummaryOptions, expected: list[int]) -> None:
    segments = ARTICLE.splitlines()
    [result] = ExtractiveSummarizer(mode).summarize_many([segments], options)
    assert result.source_ids == expected
    assert result.sentences == [segments[i] for i in expected]
    assert result.summary == " ".join(result.sentences)
    assert [c.segment_ids for c in result.chunks] == [(i,) for i in expected]
    assert result.rounds == 0


def test_length_presets_map_to_sentence_counts() -> None:
    segments = [f"Sentence number {i} is about topic {i % 3}." for i in range(12)]
    for length, count in SENTENCES.items():
        [result] = ExtractiveSummarizer().summarize_many([segments], SummaryOptions(length=length))
        assert len(result.sentences or []) == count
    assert SENTENCES["short"] < SENTENCES["medium"] < SENTENCES["long"]
    with pytest.raises(ConfigError):
        SummaryOptions(sentences=0)


@pytest.fixture(scope="module")
def pipe(tiny_models: Any) -> Pipeline:
    from briefing import pipeline

    with mock.patch.object(pipeline, "resolve_model", wraps=pipeline.resolve_model) as resolve:
        pipe = Pipeline("extractive", str(tiny_models.marian), device="cpu")
    # Only the translator was looked up: no summarizer model exists for this mode.
    assert [c.args[0] for c in resolve.call_args_list] == [str(tiny_models.marian)]
    return pipe


def test_pipeline_extractive_brief_points_at_segments(pipe: Pipeline) -> None:
    brief = pipe.run(ARTICLE, {"translation": {"num_beams": 1}}, sentences=2)
    ids = brief.info.extracted_ids
    assert ids is not None and len(ids) == 2 and ids == sorted(ids)
    assert set(ids) <= {0, 2, 3}  # the central sentences, in article order
    assert [en for en, _ in brief.sentence_pairs] == [brief.segments[i] for i in ids]
    assert brief.chunks == [brief.segments[i] for i in ids]
    assert brief.summary == " ".join(en for en, _ in brief.sentence_pairs)
    assert all(zh for _, zh in brief.sentence_pairs)
    info = brief.info
    assert info.summarizer.name == "extractive" and info.summarizer.family == "lexrank"
    assert info.summary_rounds == 0 and info.input_tokens == len(" ".join(brief.segments).split())
    assert json.loads(brief.to_json())["info"]["extracted_ids"] == ids


def test_summarize_function_and_lead(tiny_models: Any) -> None:
    brief = briefing.summarize(
        ARTICLE, summarizer="lead", translator=str(tiny_models.marian), device="cpu",
        sentences=1, num_beams=1,
    )  # fmt: skip
    assert brief.info.extracted_ids == [0]
    assert brief.summary == ARTICLE.splitlines()[0]


def test_cli_brief_lead_with_glossary(tiny_models: Any, tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    glossary = Path(briefing.__file__).parent / "data/glossary-example.csv"
    done = subprocess.run(
        [sys.executable, "-m", "briefing.cli", "brief", str(article), "--summarizer", "lead",
         "--sentences", "1", "--glossary", str(glossary), "--json",
         "--translator", str(tiny_models.marian)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["info"]["extracted_ids"] == [0]
    assert [t["chinese"] for t in data["glossary_terms"]] == ["金山软件", "雷军"]
    assert "金山软件" in data["translation"] and "雷军" in data["translation"]


def test_batch_and_eval_accept_the_flags() -> None:
    from briefing.cli import _run_options, build_parser

    for argv in (["batch", "in", "--out", "o"], ["eval", "d.jsonl"], ["brief", "f.txt"]):
        args = build_parser().parse_args(
            [*argv, "--glossary", "g.csv", "--summarizer", "extractive", "--sentences", "2"]
        )
        assert _run_options(args)["glossary"] == "g.csv"
        assert _run_options(args)["sentences"] == 2 and args.summarizer == "extractive"
