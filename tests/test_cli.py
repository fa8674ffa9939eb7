"""The `briefing` command: output, JSON, exit codes and one-line errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parents[1] / "src/briefing/data/sample-kingsoft-cloud.txt"


@pytest.fixture(scope="module")
def env(tiny_models) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        **os.environ,
        "BRIEFING_SUMMARIZER": str(tiny_models.bart),
        "BRIEFING_TRANSLATOR": str(tiny_models.marian),
        "HF_HUB_OFFLINE": "1",
    }


def briefing_cli(*args: str, env: dict[str, str], stdin: str | None = None):  # type: ignore[no-untyped-def]
    return subprocess.run(
        [sys.executable, "-m", "briefing.cli", *args],
        input=stdin, capture_output=True, text=True, env=env, timeout=300,
    )


def test_brief_prints_both_briefs(env: dict[str, str]) -> None:
    result = briefing_cli("brief", str(SAMPLE), "--length", "short", env=env)
    assert result.returncode == 0, result.stderr
    english, chinese = result.stdout.strip().split("\n\n")
    assert re.search(r"[A-Za-z]", english)
    assert re.search(r"[\u4e00-\u9fff]", chinese)


def test_brief_json_from_stdin(env: dict[str, str]) -> None:
    result = briefing_cli("brief", "-", "--json", "--script", "traditional", env=env,
                          stdin=SAMPLE.read_text(encoding="utf-8"))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["info"]["options"]["translation"]["script"] == "traditional"
    assert data["summary"] == " ".join(en for en, _ in data["sentence_pairs"])
    assert data["segments"][1].startswith("On Dec. 1")


@pytest.mark.parametrize(
    ("stdin", "code", "fragment"),
    [
        ("", 2, "empty"),
        ("雷军表示金山软件将投资十亿美元发展云计算业务。" * 10, 2, "not look English"),
    ],
)
def test_bad_input_is_one_line_with_exit_code(env, stdin, code, fragment) -> None:  # type: ignore[no-untyped-def]
    result = briefing_cli("brief", "-", env=env, stdin=stdin)
    assert result.returncode == code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("briefing: error:") and fragment in lines[0]
    assert "Traceback" not in result.stderr


def test_missing_file(env: dict[str, str], tmp_path: Path) -> None:
    result = briefing_cli("brief", str(tmp_path / "nope.txt"), env=env)
    assert result.returncode == 2
    assert "No such file" in result.stderr and "Traceback" not in result.stderr


def test_missing_model_names_download_command(env: dict[str, str], tmp_path: Path) -> None:
    result = briefing_cli("brief", str(SAMPLE), "--summarizer", "acme/absent-model",
                          env={**env, "BRIEFING_MODELS_DIR": str(tmp_path)})
    assert result.returncode == 3
    assert "briefing download acme/absent-model" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_download_offline_fails_with_one_line(env: dict[str, str], tmp_path: Path) -> None:
    result = briefing_cli("download", "acme/absent-model",
                          env={**env, "BRIEFING_MODELS_DIR": str(tmp_path)})
    assert result.returncode == 4
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "could not download 'acme/absent-model'" in lines[0]


def test_usage_error_exit_code(env: dict[str, str]) -> None:
    result = briefing_cli("brief", str(SAMPLE), "--length", "enormous", env=env)
    assert result.returncode == 2
