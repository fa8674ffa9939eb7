"""briefing batch --engine ray: the same records as the local engine, on a small local Ray."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from batch_corpus import make_corpus
from briefing import Pipeline, summarize_folder
from briefing.batch import RECORDS_FILE, latest_records, read_records
from briefing.errors import BackendUnavailableError, BriefingError

RUN = {"length": "short", "progress": False, "batch_size": 1}


def _comparable(record: Any) -> dict[str, Any]:
    """A record without what depends on timing or on how articles were grouped."""
    data = record.to_dict()
    data.pop("seconds")
    info = data.get("info")
    if info:
        info.pop("seconds")
        info.pop("articles_in_call")
    return data


@pytest.mark.slow
def test_ray_engine_matches_local_and_resumes(tmp_path: Path, tiny_models) -> None:  # type: ignore[no-untyped-def]
    ray = pytest.importorskip("ray", reason="the ray extra is not installed")
    corpus = make_corpus(tmp_path / "in")
    for rel in ("world/asia/kingsoft.txt", "world/xiaomi.md", "utf16.txt"):
        (corpus.root / rel).unlink()  # two good files are enough; keep the bad ones
    good = {"tech/cloud.html", "latin1.txt"}
    bad = set(corpus.bad)

    # Batches of one article on both engines: the same inputs to every generate call.
    local_pipe = Pipeline(str(tiny_models.bart), str(tiny_models.marian), device="cpu", threads=1)
    local = summarize_folder(corpus.root, tmp_path / "local", pipeline=local_pipe, **RUN)
    assert (local.done, local.failed) == (len(good), len(bad))

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        models = {"summarizer": str(tiny_models.bart), "translator": str(tiny_models.marian)}
        report = summarize_folder(
            corpus.root,
            tmp_path / "ray",
            engine="ray",
            num_workers=1,
            device="cpu",
            threads=1,
            models=models,
            **RUN,
        )
        assert report.engine == "ray"
        assert (report.done, report.skipped, report.failed) == (len(good), 0, len(bad))
        assert sorted(f.path for f in report.failures) == sorted(f.path for f in local.failures)

        ray_records = read_records(tmp_path / "ray" / RECORDS_FILE)
        assert len(ray_records) == len(good) + len(bad)  # one record per file, no duplicates
        local_records = latest_records(tmp_path / "local" / RECORDS_FILE)
        assert {r.path for r in ray_records} == set(local_records)
        for record in ray_records:
            assert _comparable(record) == _comparable(local_records[record.path]), record.path
        for rel in good:
            ray_md = (tmp_path / "ray" / f"{rel}.md").read_text("utf-8")
            assert ray_md == (tmp_path / "local" / f"{rel}.md").read_text("utf-8")

        before = (tmp_path / "ray" / RECORDS_FILE).read_bytes()
        again = summarize_folder(
            corpus.root, tmp_path / "ray", engine="ray", device="cpu", models=models, **RUN
        )
        assert (again.done, again.skipped, again.failed) == (0, len(good), len(bad))
        assert (tmp_path / "ray" / RECORDS_FILE).read_bytes() == before

        # Models a worker cannot load stop the run with the same error and exit code as
        # the local engine, instead of one error record per article.
        missing = {**models, "summarizer": str(tmp_path / "no-such-model")}
        with pytest.raises(BriefingError, match="could not load the models") as exc:
            summarize_folder(corpus.root, tmp_path / "ray2", engine="ray", models=missing, **RUN)
        assert exc.value.exit_code == 3 and "no-such-model" in str(exc.value)
        assert all(r.error_kind == "input" for r in read_records(tmp_path / "ray2" / RECORDS_FILE))
    finally:
        ray.shutdown()


def test_without_ray_the_engine_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from briefing import cli

    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now fails
    (tmp_path / "in").mkdir()
    with pytest.raises(BackendUnavailableError, match=r"briefing\[ray\]"):
        summarize_folder(tmp_path / "in", tmp_path / "out", engine="ray", progress=False)
    assert not (tmp_path / "out").exists()
    code = cli.main(
        ["batch", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--engine", "ray"]
    )
    assert code == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pip install 'briefing[ray]'" in err[0]
