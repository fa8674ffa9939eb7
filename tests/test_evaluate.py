"""The evaluation harness: metrics on known strings, data loading, configs, the report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from briefing.errors import ConfigError, InputError
from briefing.evaluate import (
    EvalConfig,
    EvalItem,
    chinese_length,
    evaluate,
    load_eval_data,
    rouge,
    score,
)
from briefing.settings import ModelChoice

DATA = Path(__file__).resolve().parent / "data/eval-sample.jsonl"
ZH = "雷军表示，金山软件将在未来三年投资十亿美元发展云服务。"
EN = "Lei Jun said Kingsoft will spend one billion dollars on cloud services."


def test_identical_is_100_and_disjoint_is_0() -> None:
    same = score([ZH], [ZH], "zh")
    assert (same.rouge1, same.rouge2, same.rougeL, same.chrf, same.bleu) == pytest.approx(
        (100, 100, 100, 100, 100)
    )
    apart = score(["天气很好"], ["股价上涨"], "zh")
    assert (apart.rouge1, apart.rouge2, apart.rougeL, apart.chrf, apart.bleu) == (0, 0, 0, 0, 0)
    english = score([EN], [EN.upper()], "en")  # English ROUGE ignores case
    assert english.rouge1 == english.rougeL == pytest.approx(100)
    assert score(["The cat sat."], ["Dogs run fast."], "en").rouge1 == 0


def test_rouge_by_hand() -> None:
    # 小米公司 / 小米集团: 2 of 4 characters shared, 1 of 3 bigrams, LCS 2.
    r = rouge(["小米公司"], ["小米集团"], "zh")
    assert r["rouge1"] == pytest.approx(50.0)
    assert r["rouge2"] == pytest.approx(100 / 3)
    assert r["rougeL"] == pytest.approx(50.0)
    # Order matters only to ROUGE-L: 米小 vs 小米 shares both characters, LCS 1.
    r = rouge(["米小"], ["小米"], "zh")
    assert (r["rouge1"], r["rouge2"], r["rougeL"]) == pytest.approx((100.0, 0.0, 50.0))
    # Mean over pairs; punctuation is not a token; a Latin word or number counts once.
    r = rouge(["小米，小米", "天"], ["小米。小米", "地"], "zh")
    assert r["rouge1"] == pytest.approx(50.0)
    assert chinese_length("雷军在2010年创办Xiaomi。") == 8  # 雷 军 在 2010 年 创 办 Xiaomi
    # English: 3 of 4 words (stemmed: "sells" = "sell"), recall 3/4, precision 3/3.
    r = rouge(["Xiaomi sells phones"], ["Xiaomi sell many phones"], "en")
    assert r["rouge1"] == pytest.approx(100 * 2 * (1 * 0.75) / 1.75)


def test_load_eval_data(tmp_path: Path) -> None:
    items = load_eval_data(DATA)
    assert 3 <= len(items) <= 5 and all(i.article and i.summary_zh for i in items)
    assert items[0].id == "cloud-deal" and items[0].summary_en
    assert load_eval_data(DATA, limit=2) == items[:2]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"article": "x", "summary_zh": "y"}\n{"article": "x"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.jsonl:2 needs"):
        load_eval_data(bad)
    bad.write_text("not json\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.jsonl:1 is not valid JSON"):
        load_eval_data(bad)


def test_config_parse() -> None:
    config = EvalConfig.parse("name=lead3,summarizer=lead,sentences=3", {"script": "traditional"})
    assert config == EvalConfig(
        "lead3", "lead", None, {"script": "traditional", "sentences": 3}
    )
    assert EvalConfig.parse("summarizer=extractive").name == "summarizer=extractive"
    with pytest.raises(ConfigError, match="unknown key 'beams'"):
        EvalConfig.parse("beams=2")
    with pytest.raises(ConfigError, match="key=value"):
        EvalConfig.parse("lead")


def _lead_data(tmp_path: Path) -> tuple[Path, list[EvalItem]]:
    """Items whose English reference is exactly the article's first two sentences."""
    items = load_eval_data(DATA, limit=2)
    path = tmp_path / "lead.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for item in items:
            lead = " ".join(item.article.splitlines()[:2])
            record = {"article": item.article, "summary_zh": item.summary_zh, "summary_en": lead}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path, load_eval_data(path)


def test_report_with_tiny_models(tiny_models: Any, tmp_path: Path) -> None:
    path, items = _lead_data(tmp_path)
    fast = {"translation": {"num_beams": 1}}
    configs = [
        EvalConfig("lead", "lead", str(tiny_models.m2m100), {**fast, "sentences": 2}),
        EvalConfig("extractive", "extractive", str(tiny_models.m2m100), {**fast, "sentences": 1}),
    ]
    report = evaluate(items, configs, data=str(path), models=ModelChoice(device="cpu"))
    assert [c.name for c in report.configs] == ["lead", "extractive"]
    lead, extractive = report.configs
    # The lead configuration reproduces the English references exactly.
    assert lead.en is not None and lead.en.rouge1 == pytest.approx(100)
    assert extractive.en is not None and 0 < extractive.en.rouge1 < 100
    for config in report.configs:
        chinese = [i.translation for i in config.items]
        assert config.zh == score(chinese, [i.summary_zh for i in items], "zh")
        assert config.mean_chars_zh == pytest.approx(sum(map(chinese_length, chinese)) / 2)
        assert config.mean_ref_chars_zh == pytest.approx(
            sum(chinese_length(i.summary_zh) for i in items) / 2
        )
        assert config.articles == 2 and config.seconds_per_article > 0
        assert config.translator == str(tiny_models.m2m100)
    table = report.table()
    assert table.splitlines()[0].split()[:3] == ["config", "R1-zh", "R2-zh"]
    assert "100.0" in table.splitlines()[1]  # lead's English ROUGE-1
    assert json.loads(report.to_json())["configs"][1]["name"] == "extractive"


def test_cli_eval_compare(tiny_models: Any) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "briefing.cli", "-q", "eval", str(DATA), "--limit", "1",
         "--translator", str(tiny_models.m2m100), "--summarizer", "lead", "--json",
         "--compare", "name=lead1,sentences=1",
         "--compare", "name=ext1,summarizer=extractive,sentences=1"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [c["name"] for c in report["configs"]] == ["lead1", "ext1"]
    assert [c["summarizer"] for c in report["configs"]] == ["lead", "extractive"]
    assert report["articles"] == 1
    assert all(0 <= c["zh"]["rouge1"] <= 100 for c in report["configs"])


def test_bad_article_is_named(tiny_models: Any) -> None:
    items = [*load_eval_data(DATA, limit=1), EvalItem("zh-7", "这是一篇中文文章。" * 20, "摘要")]
    with pytest.raises(InputError, match=r"article 'zh-7': .*fix or drop that line"):
        evaluate(
            items,
            [EvalConfig("lead", "lead", str(tiny_models.m2m100))],
            models=ModelChoice(device="cpu"),
        )
