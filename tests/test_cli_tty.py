"""Stage progress: on stderr when it is a terminal (a pseudo-terminal here), silent on a
pipe, and one line per configuration for eval."""

from __future__ import annotations

import os
import pty
import select
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


def run_on_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """Run briefing with stderr on a pseudo-terminal; stdout stays a pipe."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "briefing.cli", *args],
        stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL, env=env,
    )
    os.close(slave)
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        if not ready:
            process.kill()
            raise AssertionError(f"no output for 120 s: {seen!r}")
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal (EIO on Linux)
            break
        if not chunk:
            break
        seen += chunk
    out = process.stdout.read().decode() if process.stdout else ""
    code = process.wait(timeout=60)
    os.close(master)
    return code, out, seen.decode("utf-8", "replace")


def test_brief_shows_stages_on_a_terminal(env: dict[str, str]) -> None:
    code, out, terminal = run_on_terminal(["brief", str(SAMPLE), "--backend", "transformers"], env)
    assert code == 0, terminal
    for stage in ("loading models…", "cleaning…", "summarizing: ", "translating: "):
        assert stage in terminal, terminal
    assert "Loading weights" not in terminal and "Traceback" not in terminal
    assert out.strip()  # the briefs still go to stdout


def test_quiet_on_a_terminal_and_silent_on_a_pipe(env: dict[str, str]) -> None:
    code, _, terminal = run_on_terminal(
        ["brief", str(SAMPLE), "--backend", "transformers", "-q"], env
    )
    assert code == 0 and terminal.strip() == "", terminal
    piped = subprocess.run(
        [sys.executable, "-m", "briefing.cli", "brief", str(SAMPLE), "--backend", "transformers"],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert piped.returncode == 0 and piped.stderr == "", piped.stderr


def test_stdin_closed_is_one_line(env: dict[str, str]) -> None:
    result = subprocess.run(
        f"'{sys.executable}' -m briefing.cli brief - <&-",
        shell=True, capture_output=True, text=True, env=env, timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip().startswith("briefing: error: standard input is closed")
    assert len(result.stderr.strip().splitlines()) == 1


def test_eval_progress_one_line_per_configuration(env: dict[str, str], tmp_path: Path) -> None:
    import json

    data = tmp_path / "data.jsonl"
    article = SAMPLE.read_text(encoding="utf-8")
    data.write_text(
        "\n".join(json.dumps({"article": article, "summary_zh": "金山云"}) for _ in range(2)),
        encoding="utf-8",
    )
    args = ["eval", str(data), "--backend", "transformers",
            "--compare", "name=first,summarizer=lead", "--compare", "name=second,summarizer=lead"]
    code, _, terminal = run_on_terminal(args, env)
    assert code == 0, terminal
    lines = [line.split("\r")[-1] for line in terminal.replace("\r\n", "\n").split("\n")]
    finals = [line for line in lines if line.strip()]
    assert "first: 2/2" in finals and "second: 2/2" in finals, finals
    assert not any("first" in line and "second" in line for line in finals), finals
    piped = subprocess.run(
        [sys.executable, "-m", "briefing.cli", *args],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert piped.returncode == 0, piped.stderr
    assert piped.stderr.splitlines() == ["first: 2/2", "second: 2/2"]
