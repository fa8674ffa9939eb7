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


@pytest.mark.slow
def test_ray_matches_local_for_urls_odd_names_and_whole_articles(
    tmp_path: Path,
    tiny_models,  # type: ignore[no-untyped-def]
) -> None:
    """Issue 15 and 17 on Ray: a name that is not UTF-8, --translate-article and --urls
    give the same records as the local engine."""
    import os

    from batch_corpus import make_articles
    from web_fixture import serve

    ray = pytest.importorskip("ray", reason="the ray extra is not installed")
    src = tmp_path / "in"
    make_articles(src, ["cafe", "rail"])
    os.rename(os.fsencode(src / "rail.txt"), os.fsencode(src) + b"/r\xff.txt")
    models = {"summarizer": str(tiny_models.bart), "translator": str(tiny_models.marian)}
    local_pipe = Pipeline(models["summarizer"], models["translator"], device="cpu", threads=1)
    extra = {"translate_article": True, "digest": True}
    with serve() as server:
        urls = [server.url("/article"), server.url("/redirect"), server.url("/missing")]
        runs = {}
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        try:
            for name, source, more in (("files", src, {}), ("urls", None, {"urls": urls})):
                local = summarize_folder(
                    source, tmp_path / f"local-{name}", pipeline=local_pipe, **RUN, **extra, **more
                )
                remote = summarize_folder(
                    source,
                    tmp_path / f"ray-{name}",
                    engine="ray",
                    device="cpu",
                    threads=1,
                    models=models,
                    **RUN,
                    **extra,
                    **more,
                )
                runs[name] = (local, remote)
        finally:
            ray.shutdown()
    for name, (local, remote) in runs.items():
        assert (remote.done, remote.failed) == (local.done, local.failed), name
        local_records = latest_records(tmp_path / f"local-{name}" / RECORDS_FILE)
        ray_records = latest_records(tmp_path / f"ray-{name}" / RECORDS_FILE)
        assert set(ray_records) == set(local_records), name
        for path, record in ray_records.items():
            mine, theirs = _comparable(record), _comparable(local_records[path])
            for data in (mine, theirs):
                if data.get("article"):
                    data["article"]["info"].pop("seconds")
            assert mine == theirs, path
    assert "r\\xff.txt" in latest_records(tmp_path / "ray-files" / RECORDS_FILE)
    assert latest_records(tmp_path / "ray-urls" / RECORDS_FILE)[urls[1]].final_url == urls[0]
