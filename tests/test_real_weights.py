"""The real default models, when they are on this machine (skipped otherwise).

Fetch them once with `briefing download`; these tests then check what tiny random models
cannot: that the brief is about the article and the Chinese is a translation of it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefing.errors import ModelNotFoundError
from briefing.models import DEFAULT_SUMMARIZER, DEFAULT_TRANSLATOR, resolve_model

SAMPLE = Path(__file__).resolve().parents[1] / "src/briefing/data/sample-kingsoft-cloud.txt"


def _available() -> bool:
    try:
        resolve_model(DEFAULT_SUMMARIZER)
        resolve_model(DEFAULT_TRANSLATOR)
    except ModelNotFoundError:
        return False
    return True


pytestmark = [
    pytest.mark.real_weights,
    pytest.mark.skipif(not _available(), reason="real weights absent: run `briefing download`"),
]


@pytest.fixture(scope="module")
def pipe():  # type: ignore[no-untyped-def]
    from briefing import Pipeline

    return Pipeline(DEFAULT_SUMMARIZER, DEFAULT_TRANSLATOR)


def test_sample_brief_is_about_the_article(pipe) -> None:  # type: ignore[no-untyped-def]
    brief = pipe.run(SAMPLE.read_text(encoding="utf-8"))
    assert re.search(r"Lei|Xiaomi|Kingsoft|21Vianet", brief.summary)
    assert re.search(r"[\u4e00-\u9fff]{10,}", brief.translation)
    assert not re.search(r">>cmn_|[\u4e00-\u9fff] [\u4e00-\u9fff]", brief.translation)
    assert all(zh for _, zh in brief.sentence_pairs)


def test_traditional_script(pipe) -> None:  # type: ignore[no-untyped-def]
    brief = pipe.run(SAMPLE.read_text(encoding="utf-8"), script="traditional", length="short")
    assert re.search(r"[\u4e00-\u9fff]", brief.translation)
