"""Faults a hostile tester found in `briefing batch` (issue 15), each with its reproduction."""

from __future__ import annotations

import errno
import json
import os
import subprocess
from pathlib import Path

import pytest

from batch_corpus import ARTICLES, make_articles
from briefing import Pipeline, summarize_folder
from briefing.batch import RECORDS_FILE, confined_path, discover, latest_records
from briefing.batch.discovery import FileTask
from briefing.batch.options import BatchOptions, BatchPlan
from briefing.batch.work import load_file
from briefing.batch.writer import Writer
from briefing.brief import BriefOptions
from briefing.errors import ConfigError, OutputError
from briefing.settings import ModelChoice

RUN = {"length": "short", "progress": False}


@pytest.fixture(scope="module")
def pipe(tiny_models) -> Pipeline:  # type: ignore[no-untyped-def]
    return Pipeline(str(tiny_models.bart), str(tiny_models.marian), device="cpu", threads=1)


def _plan(root: Path) -> BatchPlan:
    return BatchPlan(root, BriefOptions(), BatchOptions(), ModelChoice(), {}, {})


# ------------------------------------------------------------- 1: names that are not UTF-8


def test_a_name_that_is_not_utf8_is_briefed_and_recorded(tmp_path: Path, pipe: Pipeline) -> None:
    src = tmp_path / "in"
    make_articles(src, ["cafe", "rail"])
    os.rename(src / "cafe.txt", src / "a.txt")
    os.rename(src / "rail.txt", src / "c.txt")
    (src / "b.txt").write_text(f"B news\n\n{ARTICLES['harbour']}", "utf-8")
    os.rename(os.fsencode(src / "b.txt"), os.fsencode(src) + b"/b\xff.txt")
    out = tmp_path / "out"

    report = summarize_folder(src, out, pipeline=pipe, batch_size=1, **RUN)

    assert (report.done, report.failed) == (3, 0), report.table()
    records = latest_records(out / RECORDS_FILE)
    assert sorted(records) == ["a.txt", "b\\xff.txt", "c.txt"]  # a stable, readable escape
    assert (out / "b\\xff.txt.md").read_text("utf-8").strip()
    again = summarize_folder(src, out, pipeline=pipe, batch_size=1, **RUN)
    assert (again.skipped, again.done, again.failed) == (3, 0, 0)


# ------------------------------------------------------------- 3: disk full


class _FullDisk:
    """A records file whose disk fills up after ``room`` lines."""

    def __init__(self, handle, room: int) -> None:  # type: ignore[no-untyped-def]
        self.handle = handle
        self.room = room

    def write(self, data: bytes) -> int:
        if self.room <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= 1
        return int(self.handle.write(data))

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.handle, name)


def test_disk_full_is_one_fatal_message_with_a_summary(
    tmp_path: Path, pipe: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "in"
    make_articles(src, ["cafe", "rail", "harbour"])
    out = tmp_path / "out"
    opened = Writer.open

    def open_nearly_full(self: Writer):  # type: ignore[no-untyped-def]
        priors = opened(self)
        self._handle = _FullDisk(self._handle, room=1)
        return priors

    monkeypatch.setattr(Writer, "open", open_nearly_full)
    with pytest.raises(OutputError) as caught:
        summarize_folder(src, out, pipeline=pipe, batch_size=1, **RUN)
    message = str(caught.value)
    assert "\n" not in message and "No space left" in message and "free some space" in message
    assert caught.value.exit_code == 5
    report = caught.value.report
    assert report is not None and report.done == 1 and "interrupted" in report.table()
    # What was written is whole, and the same command finishes the rest.
    monkeypatch.setattr(Writer, "open", opened)
    assert len(latest_records(out / RECORDS_FILE)) == 1
    again = summarize_folder(src, out, pipeline=pipe, batch_size=1, **RUN)
    assert (again.skipped, again.done) == (1, 2)


def test_disk_full_on_a_real_tmpfs(tmp_path: Path, pipe: Pipeline) -> None:
    """The reproduction itself: --out on a 2 MB tmpfs that is already nearly full."""
    mount = tmp_path / "small"
    mount.mkdir()
    if (
        os.geteuid() != 0
        or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True
        ).returncode
    ):
        pytest.skip("mounting a tmpfs needs root")
    try:
        fd = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(fd, b"x" * 4096)
        except OSError:
            os.ftruncate(fd, os.fstat(fd).st_size - 3 * 4096)  # room for a few pages only
        finally:
            os.close(fd)
        src = tmp_path / "in"
        make_articles(src, ["cafe", "rail", "harbour", "xiaomi", "kingsoft", "cloud"])
        with pytest.raises(OutputError) as caught:
            summarize_folder(src, mount / "out", pipeline=pipe, batch_size=1, **RUN)
        assert caught.value.exit_code == 5 and "\n" not in str(caught.value)
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_other_markdown_write_errors_fail_only_that_file(
    tmp_path: Path, pipe: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "in"
    make_articles(src, ["cafe"])
    out = tmp_path / "out"
    import briefing.batch.writer as writer_module

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(writer_module, "atomic_file", refuse)
    report = summarize_folder(src, out, pipeline=pipe, **RUN)
    assert report.failed == 1 and "Markdown could not be written" in report.failures[0].reason


# ------------------------------------------------------------- 4: --out is the input folder


def test_out_equal_to_the_input_folder_is_refused(tmp_path: Path, pipe: Pipeline) -> None:
    src = tmp_path / "in"
    make_articles(src, ["cafe"])
    with pytest.raises(ConfigError, match="is the input folder"):
        summarize_folder(src, src, pipeline=pipe, **RUN)
    with pytest.raises(ConfigError, match="is the input folder"):
        summarize_folder(src, src / "." / "", pipeline=pipe, **RUN)
    assert sorted(p.name for p in src.iterdir()) == ["cafe.txt"]  # nothing written


# ------------------------------------------------------------- 7: symlinks leading outside


def test_a_symlink_outside_the_input_is_refused_before_reading(
    tmp_path: Path, pipe: Pipeline
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:SECRET first line\n\n" + ARTICLES["rail"], "utf-8")
    src = tmp_path / "in"
    make_articles(src, ["cafe"])
    (src / "x.txt").symlink_to(secret)
    (src / "inside.txt").symlink_to(src / "cafe.txt")  # a link within the folder is fine
    out = tmp_path / "out"

    report = summarize_folder(src, out, pipeline=pipe, **RUN)

    assert report.done == 2 and [f.path for f in report.failures] == ["x.txt"]
    assert "leads outside the input folder" in report.failures[0].reason
    written = (out / RECORDS_FILE).read_text("utf-8")
    assert "SECRET" not in written and "root:x" not in written
    record = latest_records(out / RECORDS_FILE)["x.txt"]
    assert record.title == "" and record.sha256 is None


# ------------------------------------------------------------- 8: symlinked folder in --out


def test_a_symlinked_output_folder_leading_outside_gets_nothing_created(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / "sub").symlink_to(elsewhere)
    with pytest.raises(ConfigError, match="leads outside"):
        confined_path(out, "sub/deeper/a.txt", ".md")
    assert list(elsewhere.iterdir()) == []  # not even the folder "deeper"
    target = confined_path(out, "fine/deeper/a.txt", ".md")
    assert target == out / "fine" / "deeper" / "a.txt.md" and target.parent.is_dir()


# ------------------------------------------------------------- 9: deleted files, leftovers


def test_a_file_deleted_mid_run_is_reported_as_gone(tmp_path: Path) -> None:
    src = tmp_path / "in"
    make_articles(src, ["cafe"])
    (task,) = discover(src)
    (src / "cafe.txt").unlink()
    item = load_file(task, _plan(src), None)
    assert item.record is not None and item.record.error is not None
    assert "no longer exists" in item.record.error
    assert "permission" not in item.record.error


def test_unreadable_file_still_names_permissions(tmp_path: Path) -> None:
    item = load_file(FileTask("x.txt", str(tmp_path)), _plan(tmp_path), None)
    assert item.record is not None and item.record.error is not None
    assert "no longer exists" not in item.record.error  # a folder, not a deleted file


def test_leftover_temporary_files_are_removed(tmp_path: Path, pipe: Pipeline) -> None:
    src = tmp_path / "in"
    make_articles(src, ["cafe"])
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    (out / ".cafe.txt.md.tmp").write_text("half a brief")
    (out / "sub" / ".old.txt.md.tmp").write_text("half")
    (out / ".briefs.csv.tmp").write_text("half")
    keep = out / "notes.tmp"  # not one of ours (not hidden)
    keep.write_text("mine")
    summarize_folder(src, out, pipeline=pipe, **RUN)
    left = sorted(p.name for p in out.rglob("*.tmp"))
    assert left == ["notes.tmp"]
    assert json.loads((out / RECORDS_FILE).read_text("utf-8").splitlines()[0])["path"] == "cafe.txt"
