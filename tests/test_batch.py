"""briefing batch: discovery, records, Markdown, resume, faults, kills and exit codes."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import random
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from batch_corpus import ARTICLES, Corpus, make_articles, make_corpus
from briefing import Pipeline, summarize_folder
from briefing.batch import (
    RECORDS_FILE,
    BatchOptions,
    BatchRecord,
    ModelChoice,
    confined_path,
    discover,
    latest_records,
    read_records,
)
from briefing.errors import ConfigError, InputError
from briefing.pipeline import Brief, BriefOptions
from tiny_models import has_cjk

RUN = {"length": "short", "progress": False}  # short briefs keep the tiny models quick


class CountingPipeline:
    """A real Pipeline that counts the articles it is asked to brief."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.calls: list[int] = []

    @property
    def models(self):  # type: ignore[no-untyped-def]
        return self.pipeline.models

    def run_many(self, texts, options=None, **kwargs):  # type: ignore[no-untyped-def]
        self.calls.append(len(texts))
        return self.pipeline.run_many(texts, options, **kwargs)


@pytest.fixture(scope="module")
def real_pipe(tiny_models) -> Pipeline:  # type: ignore[no-untyped-def]
    # One thread: the test machine's cores are shared, and oversubscribed torch crawls.
    return Pipeline(str(tiny_models.bart), str(tiny_models.marian), device="cpu", threads=1)


@pytest.fixture
def pipe(real_pipe: Pipeline) -> CountingPipeline:
    return CountingPipeline(real_pipe)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return make_corpus(tmp_path_factory.mktemp("batch") / "in")


@pytest.fixture(scope="module")
def first(corpus: Corpus, real_pipe: Pipeline):  # type: ignore[no-untyped-def]
    """One run over the mixed corpus; the output folder sits inside the input folder."""
    counting = CountingPipeline(real_pipe)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report = summarize_folder(
        corpus.root,
        corpus.root / "_out",
        pipeline=counting,
        batch_size=2,
        formats="jsonl,md,csv",
        **RUN,
    )
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    return report, counting, peak_kb


def _lines(path: Path) -> list[dict]:
    # Every line must be whole JSON: briefs.jsonl always parses.
    return [json.loads(line) for line in path.read_bytes().split(b"\n") if line]


# --------------------------------------------------------------------------- no models


def test_discovery_sorted_skips_hidden_output_and_loops(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "in", with_huge=False)
    (tmp_path / "in" / "_out").mkdir()
    (tmp_path / "in" / "_out" / "old.txt.md").write_text("# an earlier brief", "utf-8")
    (tmp_path / "in" / "STORY.TXT").write_text(ARTICLES["rail"], "utf-8")
    tasks = discover(tmp_path / "in", skip=tmp_path / "in" / "_out")
    rels = [t.rel for t in tasks]
    assert rels == sorted(rels)
    assert set(rels) == corpus.files | {"STORY.TXT"}
    assert not set(rels) & set(corpus.hidden)
    problems = {t.rel: t.problem for t in tasks if t.problem}
    assert list(problems) == ["self.txt"] and "symlink" in problems["self.txt"]
    only_md = discover(tmp_path / "in", ("*.md",))
    assert [t.rel for t in only_md] == ["_out/old.txt.md", "world/xiaomi.md"]
    assert [t.rel for t in discover(tmp_path / "in", ("world/*.txt",))] == ["world/zh.txt"]


def test_output_paths_are_confined(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert confined_path(out, "a/b.txt", ".md") == out / "a" / "b.txt.md"
    for crafted in ("../evil.txt", "a/../../evil.txt", "/etc/passwd", ""):
        with pytest.raises(ConfigError, match="outside"):
            confined_path(out, crafted, ".md")
    os.symlink(tmp_path, out / "escape")  # a folder in the output that leads elsewhere
    with pytest.raises(ConfigError, match="outside"):
        confined_path(out, "escape/x.txt", ".md")
    assert not (tmp_path / "x.txt.md").exists()


def test_options_routing_and_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        summarize_folder(tmp_path / "missing", tmp_path / "out")
    with pytest.raises(ConfigError, match="unknown option"):
        summarize_folder(tmp_path, tmp_path / "out", colour="red")
    with pytest.raises(ConfigError, match="batch_size"):
        summarize_folder(tmp_path, tmp_path / "out", batch_size=0)
    with pytest.raises(ConfigError, match="format"):
        BatchOptions.coerce(None, formats="jsonl,pdf")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError, match="is a file"):
        summarize_folder(tmp_path, tmp_path / "file")
    assert BatchOptions.coerce({"formats": "jsonl,csv"}).formats == ("jsonl", "csv")
    assert ModelChoice(summarizer=str(tmp_path)).key()["summarizer"] == str(tmp_path.resolve())


# --------------------------------------------------------------------------- one run


def test_records_one_per_file_with_brief_fields(first, corpus: Corpus, tiny_models) -> None:  # type: ignore[no-untyped-def]
    report, counting, _ = first
    records = read_records(corpus.root / "_out" / RECORDS_FILE)
    by_path = {r.path: r for r in records}
    assert len(records) == len(by_path) == len(corpus.files)
    assert set(by_path) == corpus.files
    assert report.found == len(corpus.files)
    assert (report.done, report.skipped, report.failed) == (len(corpus.good), 0, len(corpus.bad))
    assert sum(counting.calls) == len(corpus.good)  # bad files never reach the models
    assert max(counting.calls) == 2  # batched across files

    brief_fields = {f for f in Brief.__dataclass_fields__}
    lines = _lines(corpus.root / "_out" / RECORDS_FILE)
    for line in lines:  # the same keys for good and bad records
        assert brief_fields | {"path", "sha256", "error", "chunk_count", "models"} <= set(line)
    options = json.loads(json.dumps(BriefOptions.coerce(None, length="short").to_dict()))
    for rel, encoding in corpus.good.items():
        record = by_path[rel]
        assert record.ok, record.error
        assert record.encoding == encoding
        raw = (corpus.root / rel).read_bytes()
        assert record.sha256 == hashlib.sha256(raw).hexdigest()
        assert record.summary and has_cjk(record.translation)
        assert record.chunk_count == len(record.brief["chunks"]) >= 1
        assert record.options == options
        assert record.models == {
            "summarizer": str(Path(tiny_models.bart).resolve()),
            "translator": str(Path(tiny_models.marian).resolve()),
        }
        assert record.brief["info"]["articles_in_call"] in (1, 2)
    assert by_path["tech/cloud.html"].title == "Cloud price war"  # the HTML <title>
    assert by_path["world/xiaomi.md"].title == "Xiaomi results"
    assert by_path["latin1.txt"].title == "Café chain expands"
    assert "café" in " ".join(by_path["latin1.txt"].brief["segments"]).lower()


def test_bad_files_get_clear_error_records(first, corpus: Corpus) -> None:  # type: ignore[no-untyped-def]
    report, _, peak_kb = first
    by_path = {r.path: r for r in read_records(corpus.root / "_out" / RECORDS_FILE)}
    reasons = {f.path: f.reason for f in report.failures}
    assert set(reasons) == set(corpus.bad)
    for rel, word in corpus.bad.items():
        record = by_path[rel]
        assert record.error and record.error_kind == "input"
        assert word in record.error, (rel, record.error)
        assert reasons[rel] == record.error
        assert record.summary == "" and record.brief == {}
    assert "2,147,483,648 bytes" in by_path["huge.txt"].error
    assert by_path["huge.txt"].sha256 is None  # never read
    assert by_path["empty.txt"].sha256 == hashlib.sha256(b"").hexdigest()
    # The 2 GB file was not read into memory (ru_maxrss is in KiB on Linux).
    assert peak_kb < 512 * 1024


def test_markdown_mirrors_the_tree_and_csv_lists_every_file(first, corpus: Corpus) -> None:  # type: ignore[no-untyped-def]
    out = corpus.root / "_out"
    by_path = latest_records(out / RECORDS_FILE)
    for rel in corpus.good:
        text = (out / f"{rel}.md").read_text("utf-8")
        record = by_path[rel]
        assert text.startswith(f"# {record.title}\n")
        assert record.translation in text and record.summary in text
        assert f"Source: {rel}" in text
    for rel in corpus.bad:
        assert not (out / f"{rel}.md").exists()
    leftovers = [p for p in out.rglob(".*") if p.name != ".briefing-batch.lock"]
    assert leftovers == []  # no temporary files
    with (out / "briefs.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["path"] for row in rows} == corpus.files
    for row in rows:
        assert (row["error"] == "") == (row["path"] in corpus.good)
        assert row["translation"] == by_path[row["path"]].translation


def test_second_run_does_no_model_work(first, corpus: Corpus, pipe: CountingPipeline) -> None:  # type: ignore[no-untyped-def]
    out = corpus.root / "_out"
    before = (out / RECORDS_FILE).read_bytes()
    report = summarize_folder(corpus.root, out, pipeline=pipe, batch_size=2, **RUN)
    assert pipe.calls == []  # the models were never asked
    assert (report.done, report.skipped, report.failed) == (0, len(corpus.good), len(corpus.bad))
    # The outputs inside the input folder were not picked up as articles, and the same
    # failures were not appended again.
    assert report.found == len(corpus.files)
    assert (out / RECORDS_FILE).read_bytes() == before
    assert "failed" in report.table() and "empty.txt" in report.table()


# --------------------------------------------------------------------------- resume rules


def test_changed_file_is_redone_and_force_redoes(tmp_path: Path, pipe: CountingPipeline) -> None:
    make_articles(tmp_path / "in", ["rail"])
    out = tmp_path / "out"
    assert summarize_folder(tmp_path / "in", out, pipeline=pipe, **RUN).done == 1
    (tmp_path / "in" / "rail.txt").write_text(ARTICLES["harbour"], "utf-8")
    assert summarize_folder(tmp_path / "in", out, pipeline=pipe, **RUN).done == 1
    report = summarize_folder(tmp_path / "in", out, pipeline=pipe, **RUN)
    assert (report.done, report.skipped) == (0, 1)
    assert summarize_folder(tmp_path / "in", out, pipeline=pipe, force=True, **RUN).done == 1
    # Other options are other work.
    report = summarize_folder(tmp_path / "in", out, pipeline=pipe, script="traditional", **RUN)
    assert report.done == 1
    assert pipe.calls == [1, 1, 1, 1]
    records = read_records(out / RECORDS_FILE)
    assert len(records) == 4 and all(r.ok for r in records)
    assert records[0].sha256 != records[1].sha256 == records[2].sha256
    latest = latest_records(out / RECORDS_FILE)["rail.txt"]
    assert latest.options["translation"]["script"] == "traditional"


def test_model_error_fails_only_its_article(
    tmp_path: Path, pipe: CountingPipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_articles(tmp_path / "in", ["cafe", "harbour", "rail"])
    model = pipe.pipeline.summarizer.model
    real_generate = model.generate

    def generate(texts, settings):  # type: ignore[no-untyped-def]
        if any("Ningbo" in text for text in texts):  # only harbour.txt mentions Ningbo
            raise RuntimeError("injected fault: the model fell over")
        return real_generate(texts, settings)

    monkeypatch.setattr(model, "generate", generate)
    out = tmp_path / "out"
    report = summarize_folder(tmp_path / "in", out, pipeline=pipe, batch_size=3, **RUN)
    assert pipe.calls == [3, 1, 1, 1]  # the batch failed, then one by one
    assert (report.done, report.failed) == (2, 1)
    by_path = latest_records(out / RECORDS_FILE)
    assert by_path["cafe.txt"].ok and by_path["rail.txt"].ok
    failed = by_path["harbour.txt"]
    assert failed.error_kind == "run" and "injected fault" in failed.error
    assert "RuntimeError" in failed.error
    # A model failure is not the file's fault: the next run retries it, and only it.
    monkeypatch.setattr(model, "generate", real_generate)
    pipe.calls.clear()
    report = summarize_folder(tmp_path / "in", out, pipeline=pipe, batch_size=3, **RUN)
    assert (report.done, report.skipped, report.failed) == (1, 2, 0)
    assert pipe.calls == [1]
    assert latest_records(out / RECORDS_FILE)["harbour.txt"].ok


def test_torn_last_line_is_repaired(tmp_path: Path, pipe: CountingPipeline) -> None:
    paths = make_articles(tmp_path / "in", ["cafe", "rail"])
    out = tmp_path / "out"
    summarize_folder(tmp_path / "in", out, pipeline=pipe, batch_size=1, **RUN)
    log = out / RECORDS_FILE
    lines = log.read_bytes().splitlines(keepends=True)
    assert len(lines) == 2
    # As if killed while writing the last record: half of it, no newline.
    log.write_bytes(lines[0] + lines[1][: len(lines[1]) // 2])
    pipe.calls.clear()
    report = summarize_folder(tmp_path / "in", out, pipeline=pipe, batch_size=1, **RUN)
    assert (report.done, report.skipped) == (1, 1)
    records = [BatchRecord.from_dict(line) for line in _lines(log)]
    assert sorted(r.path for r in records) == sorted(paths)
    assert all(r.ok for r in records)


def test_ctrl_c_stops_after_the_current_batch(tmp_path: Path, pipe: CountingPipeline) -> None:
    make_articles(tmp_path / "in", ["cafe", "harbour", "rail"])
    out = tmp_path / "out"
    real = pipe.run_many

    def run_many(texts, options=None, **kwargs):  # type: ignore[no-untyped-def]
        signal.raise_signal(signal.SIGINT)  # Ctrl-C while the models work
        return real(texts, options, **kwargs)

    pipe.run_many = run_many  # type: ignore[method-assign]
    handler = signal.getsignal(signal.SIGINT)
    report = summarize_folder(tmp_path / "in", out, pipeline=pipe, batch_size=1, **RUN)
    assert report.interrupted and report.done == 1 and not report.ok
    assert [r.path for r in read_records(out / RECORDS_FILE)] == ["cafe.txt"]
    assert signal.getsignal(signal.SIGINT) is handler  # restored
    pipe.run_many = real  # type: ignore[method-assign]
    report = summarize_folder(tmp_path / "in", out, pipeline=pipe, batch_size=1, **RUN)
    assert (report.done, report.skipped, report.interrupted) == (2, 1, False)


def test_stop_event_from_another_thread(tmp_path: Path, pipe: CountingPipeline) -> None:
    make_articles(tmp_path / "in", ["cafe", "rail"])
    stop = threading.Event()
    stop.set()
    report = summarize_folder(tmp_path / "in", tmp_path / "out", pipeline=pipe, stop=stop, **RUN)
    assert report.interrupted and report.done == 0 and pipe.calls == []


# --------------------------------------------------------------------------- command line


def test_cli_exit_codes_and_summary_table(
    tmp_path: Path, tiny_models, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    from briefing import cli

    monkeypatch.setenv("BRIEFING_SUMMARIZER", str(tiny_models.bart))
    monkeypatch.setenv("BRIEFING_TRANSLATOR", str(tiny_models.marian))
    make_articles(tmp_path / "in", ["cafe"])
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    out = str(tmp_path / "out")
    args = ["batch", str(tmp_path / "in"), "--out", out, "--threads", "1", "--length", "short"]
    assert cli.main([*args, "--quiet", "--format", "jsonl,csv"]) == 1  # some failed
    printed = capsys.readouterr().out
    assert "done" in printed and "empty.txt: the file is empty" in printed
    assert (tmp_path / "out" / "briefs.csv").exists()
    assert not (tmp_path / "out" / "cafe.txt.md").exists()  # md was not asked for
    (tmp_path / "in" / "empty.txt").unlink()
    assert cli.main([*args, "--quiet"]) == 0  # all ok now (nothing left to do)
    assert cli.main(["batch", str(tmp_path / "missing"), "--out", out]) == 2
    assert cli.main([*args, "--batch-size", "0"]) == 2
    with pytest.raises(SystemExit) as exc:
        cli.main([*args, "--length", "huge"])
    assert exc.value.code == 2


# --------------------------------------------------------------------------- kill -9


@pytest.mark.slow
def test_sigkill_at_random_points_then_resume(tmp_path: Path, tiny_models) -> None:  # type: ignore[no-untyped-def]
    names = ["cafe", "harbour", "rail", "xiaomi"]
    good = make_articles(tmp_path / "in", names)
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    (tmp_path / "in" / "binary.txt").write_bytes(b"\x00\x01" * 100)
    out = tmp_path / "out"
    log = out / RECORDS_FILE
    env = {
        **os.environ,
        "BRIEFING_SUMMARIZER": str(tiny_models.bart),
        "BRIEFING_TRANSLATOR": str(tiny_models.marian),
    }
    command = [sys.executable, "-m", "briefing.cli", "batch", str(tmp_path / "in")]
    command += ["--out", str(out), "--batch-size", "1", "--threads", "1", "--length", "short"]
    command += ["--quiet", "--format", "jsonl,md"]
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)

    def count() -> int:
        return log.read_bytes().count(b"\n") if log.exists() else 0

    kills = 0
    for _ in range(3):
        if count() >= len(good) + 1:
            break
        start = count()
        errors = (tmp_path / "stderr.txt").open("wb")  # a file: a full pipe would block it
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        deadline = time.monotonic() + 90
        while count() == start and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(rng.uniform(0, 1.5))  # somewhere in the next article's work or writes
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=30)
        errors.close()
        stderr = (tmp_path / "stderr.txt").read_text("utf-8", "replace")[-2000:]
        assert proc.returncode == -signal.SIGKILL or count() > start, stderr
        # Whatever the kill interrupted, every whole line parses.
        assert all(json.loads(line) for line in log.read_bytes().split(b"\n")[:-1]), seed
    assert kills >= 1, f"no run was killed (seed {seed})"

    final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)
    assert final.returncode == 1, final.stderr  # the two bad files fail
    lines = _lines(log)  # the whole file parses
    ok = [line["path"] for line in lines if line["error"] is None]
    assert sorted(ok) == sorted(good), f"lost or duplicated work (seed {seed})"
    failed = [line["path"] for line in lines if line["error"] is not None]
    assert sorted(failed) == ["binary.txt", "empty.txt"], seed  # each recorded once
    for rel in good:
        assert (out / f"{rel}.md").read_text("utf-8").startswith("# ")
    assert not [p for p in out.rglob("*.tmp")], "temporary files left behind"
    assert "skipped" in final.stdout


def test_records_written_before_the_batch_package_still_read() -> None:
    """A failed record line as batch.py wrote it (before the batch/ package): same keys, same
    values, same resume key, so earlier output folders resume."""
    old = {
        "path": "a/empty.txt",
        "title": "",
        "sha256": hashlib.sha256(b"").hexdigest(),
        "encoding": None,
        "error": "the file is empty: pass a file with article text",
        "error_kind": "input",
        "summary": "",
        "translation": "",
        "sentence_pairs": [],
        "segments": [],
        "chunks": [],
        "info": None,
        "glossary_terms": [],
        "sources": [],
        "flags": [],
        "options": {"summary": {"length": "short"}},
        "models": {"summarizer": "s", "translator": "t"},
        "chunk_count": 0,
        "seconds": 0.01,
    }
    record = BatchRecord.from_dict(json.loads(json.dumps(old)))
    assert record.error_kind == "input" and record.brief == {}
    assert record.to_dict() == old
    assert list(record.to_dict()) == list(old)  # key order too: the lines look the same
    assert record.key() == json.dumps(
        [old["sha256"], old["options"], old["models"]], sort_keys=True, ensure_ascii=False
    )
