"""`briefing batch` from the command line (exit codes, messages) and its progress bar."""

from __future__ import annotations

import errno
import io
import os
from pathlib import Path

import pytest

from batch_corpus import make_articles
from briefing import Pipeline, summarize_folder
from briefing.batch.records import Outcome
from briefing.batch.run import BatchReport, _Bar
from briefing.batch.work import article_progress, brief_many, load_file, short_title
from briefing.batch.writer import Writer
from web_fixture import serve


@pytest.fixture
def env(tiny_models, monkeypatch: pytest.MonkeyPatch) -> list[str]:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BRIEFING_SUMMARIZER", str(tiny_models.bart))
    monkeypatch.setenv("BRIEFING_TRANSLATOR", str(tiny_models.marian))
    return ["--threads", "1", "--length", "short", "-q"]


def test_empty_input_exits_2_naming_the_patterns(
    tmp_path: Path, env: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    from briefing import cli

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "notes.pdf").write_bytes(b"%PDF")
    code = cli.main(["batch", str(tmp_path / "in"), "--out", str(tmp_path / "out"), *env])
    err = capsys.readouterr().err
    assert code == 2 and "no article files" in err and "*.txt, *.md, *.html, *.htm" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "out").exists()  # nothing created for nothing to do


def test_out_equal_to_input_exits_2(
    tmp_path: Path, env: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    from briefing import cli

    make_articles(tmp_path / "in", ["cafe"])
    code = cli.main(["batch", str(tmp_path / "in"), "--out", str(tmp_path / "in"), *env])
    err = capsys.readouterr().err
    assert code == 2 and "is the input folder" in err and len(err.strip().splitlines()) == 1


def test_disk_full_exits_5_with_the_summary_and_one_line(
    tmp_path: Path,
    env: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from briefing import cli

    make_articles(tmp_path / "in", ["cafe", "rail"])

    def full(self, record):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Writer, "write", full)
    code = cli.main(["batch", str(tmp_path / "in"), "--out", str(tmp_path / "out"), *env])
    captured = capsys.readouterr()
    assert code == 5, captured.err
    assert "files found" in captured.out and "interrupted" in captured.out  # the summary
    err_lines = captured.err.strip().splitlines()
    assert len(err_lines) == 1 and "No space left" in err_lines[0]


def test_urls_and_digest_from_the_command_line(
    tmp_path: Path, env: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    from briefing import cli

    listing = tmp_path / "links.txt"
    out = tmp_path / "out"
    with serve() as server:
        listing.write_text(f"# two links\n{server.url('/article')}\n{server.url('/latin1')}\n")
        args = ["batch", "--urls", str(listing), "--out", str(out), "--digest", *env]
        assert cli.main(args) == 0, capsys.readouterr().err
        assert cli.main(args) == 0  # resumed: nothing new, the digest still complete
    assert "Council backs harbour wall" in (out / "digest.html").read_text("utf-8")
    assert (out / "digest.md").read_text("utf-8").count("\n## ") >= 3  # contents + 2 articles
    assert cli.main(["batch", str(tmp_path), "--urls", str(listing), "--out", str(out)]) == 2


# --------------------------------------------------------------------------- progress


class _FakeTqdm:
    def __init__(self, initial: int = 0) -> None:
        self.n = initial
        self.postfix = ""

    def update(self, n: int) -> None:
        self.n += n

    def set_postfix_str(self, text: str, refresh: bool = True) -> None:
        self.postfix = text


def test_bar_counts_done_files_at_start_and_failures_apart() -> None:
    bar = _Bar(_FakeTqdm(initial=2), {"a.txt", "b.txt"})
    report = BatchReport("in", "out", "local")
    bar.advance(Outcome("a.txt", "skipped"), report)  # counted at the start already
    assert bar.bar.n == 2
    bar.partial(1)  # one article of a model batch of three is done
    bar.partial(2)
    assert bar.bar.n == 4
    for rel in ("c", "d", "e"):
        bar.advance(Outcome(rel, "done"), report)
    assert bar.bar.n == 5  # the two shown early were not counted twice
    report.failures.append(object())  # type: ignore[arg-type]
    bar.advance(Outcome("f", "failed"), report)
    assert bar.bar.n == 6 and bar.bar.postfix == "1 failed"


def test_run_many_reports_articles_inside_a_model_batch(tmp_path: Path, tiny_models) -> None:  # type: ignore[no-untyped-def]
    from briefing.batch.discovery import discover
    from briefing.batch.options import BatchOptions, BatchPlan
    from briefing.brief import BriefOptions
    from briefing.settings import ModelChoice
    from briefing.summarizer import SummaryOptions
    from briefing.translator import TranslationOptions

    names = ["cafe", "rail", "harbour", "xiaomi"]
    make_articles(tmp_path, names)
    # Generate calls smaller than the article batch (as with real, multi-chunk articles).
    options = BriefOptions(
        summary=SummaryOptions(batch_size=1), translation=TranslationOptions(batch_size=2)
    )
    plan = BatchPlan(tmp_path, options, BatchOptions(), ModelChoice(), {}, {})
    items = [load_file(task, plan, None) for task in discover(tmp_path)]
    pipe = Pipeline(str(tiny_models.bart), str(tiny_models.marian), device="cpu", threads=1)
    seen: list[int] = []
    records = brief_many(pipe, items, plan, seen.append)
    assert all(r.ok for r in records) and len(records) == 4
    assert seen == sorted(seen) and 0 < max(seen) < 4  # advanced during the batch
    assert len(set(seen)) >= 3  # article by article, not one jump


def test_article_progress_never_claims_the_whole_batch() -> None:
    seen: list[int] = []
    progress = article_progress(2, seen.append)
    assert progress is not None
    progress("summarize", 2, 2)
    progress("translate", 5, 5)
    assert seen == [1, 1]


def test_rerun_bar_total_never_shrinks(tmp_path: Path, tiny_models) -> None:  # type: ignore[no-untyped-def]
    make_articles(tmp_path / "in", ["cafe", "rail"])
    pipe = Pipeline(str(tiny_models.bart), str(tiny_models.marian), device="cpu", threads=1)
    summarize_folder(
        tmp_path / "in", tmp_path / "out", pipeline=pipe, length="short", progress=False
    )
    import tqdm.auto

    stream = io.StringIO()
    real = tqdm.auto.tqdm

    def captured(*args, **kwargs):  # type: ignore[no-untyped-def]
        return real(*args, file=stream, **kwargs)

    pytest.MonkeyPatch().setattr(tqdm.auto, "tqdm", captured)
    try:
        summarize_folder(tmp_path / "in", tmp_path / "out", pipeline=pipe, length="short")
    finally:
        pytest.MonkeyPatch().setattr(tqdm.auto, "tqdm", real)
    text = stream.getvalue()
    assert "2/2" in text and "/1" not in text and "/0" not in text
    assert "2 already done" in text


def test_titles_are_cut_at_a_word_boundary() -> None:
    line = "Kingsoft founder and CEO " + "said the company would build more data centres " * 5
    title = short_title(line)
    assert len(title) <= 121 and title.endswith("…")
    assert line.startswith(title[:-1]) and line[len(title) - 1] == " "
    assert short_title("Short  title\n") == "Short title"


@pytest.mark.slow
def test_bar_in_a_terminal_and_silent_when_piped(tmp_path: Path, tiny_models) -> None:  # type: ignore[no-untyped-def]
    import fcntl
    import pty
    import struct
    import subprocess
    import sys
    import termios

    make_articles(tmp_path / "in", ["cafe", "rail", "harbour"])
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    env = {
        **os.environ,
        "BRIEFING_SUMMARIZER": str(tiny_models.bart),
        "BRIEFING_TRANSLATOR": str(tiny_models.marian),
        "COLUMNS": "120",
    }
    command = [
        sys.executable,
        "-m",
        "briefing.cli",
        "batch",
        str(tmp_path / "in"),
        "--threads",
        "1",
    ]
    command += ["--length", "short", "--batch-size", "2"]
    master, slave = pty.openpty()
    # A terminal of 120 columns (a bare pty has 0, and tqdm then draws an empty bar).
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen(
        [*command, "--out", str(tmp_path / "tty")], stdout=subprocess.PIPE, stderr=slave, env=env
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(master)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 1  # empty.txt failed
    assert "4/4" in shown and "1 failed" in shown, shown

    piped = subprocess.run(
        [*command, "--out", str(tmp_path / "piped")], capture_output=True, text=True, env=env
    )
    assert piped.returncode == 1 and "4/4" not in piped.stderr and "files found" in piped.stdout
