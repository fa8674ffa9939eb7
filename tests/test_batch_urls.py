"""briefing batch --urls / --digest / --translate-article (issue 17), on a loopback server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from batch_corpus import make_articles
from briefing import Pipeline, summarize_folder
from briefing.batch import RECORDS_FILE, BatchOptions, BatchRecord, latest_records
from briefing.batch.urls import markdown_rel, parse_url_list, read_url_list
from briefing.errors import ConfigError, InputError
from web_fixture import TITLE, serve

RUN = {"length": "short", "progress": False, "batch_size": 2}


@pytest.fixture(scope="module")
def pipe(tiny_models) -> Pipeline:  # type: ignore[no-untyped-def]
    return Pipeline(str(tiny_models.bart), str(tiny_models.marian), device="cpu", threads=1)


@pytest.fixture(scope="module")
def server():  # type: ignore[no-untyped-def]
    with serve() as running:
        yield running


def test_url_list_comments_blanks_duplicates_and_bad_lines(tmp_path: Path) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text(
        "# morning links\n\nhttps://a.example/x#part\n  http://b.example/y  \n"
        "https://a.example/x#part\n",
        "utf-8",
    )
    assert read_url_list(listing) == ("https://a.example/x#part", "http://b.example/y")
    with pytest.raises(ConfigError, match="line 2: 'ftp://x' is not an http"):
        parse_url_list(["https://ok.example/", "ftp://x"])
    for bad in ("http://[bad", "http://:80/"):  # unparsable, or no host name
        with pytest.raises(ConfigError, match=r"line 1: .* is not an http"):
            parse_url_list([bad])
    with pytest.raises(ConfigError, match="does not exist"):
        read_url_list(tmp_path / "missing.txt")
    only_comments = tmp_path / "links.txt"
    only_comments.write_text("# nothing yet\n\n", "utf-8")
    with pytest.raises(InputError, match=r"links\.txt has no URLs"):
        read_url_list(only_comments)
    assert BatchOptions(urls=str(listing)).urls == read_url_list(listing)
    assert markdown_rel("https://a.example/x/y?q=1").startswith("urls/a-example-x-y-")


def test_batch_of_urls_records_resume_and_errors(
    tmp_path: Path,
    pipe: Pipeline,
    server,  # type: ignore[no-untyped-def]
) -> None:
    listing = tmp_path / "urls.txt"
    urls = [server.url(p) for p in ("/article", "/redirect", "/latin1", "/missing", "/error")]
    listing.write_text("# today\n" + "\n\n".join(urls) + "\n", "utf-8")
    out = tmp_path / "out"

    report = summarize_folder(None, out, pipeline=pipe, urls=str(listing), digest=True, **RUN)

    assert (report.found, report.done, report.failed) == (5, 3, 2), report.table()
    records = latest_records(out / RECORDS_FILE)
    assert sorted(records) == sorted(urls)  # keyed by URL
    moved = records[server.url("/redirect")]
    assert moved.url == server.url("/redirect") and moved.final_url == server.url("/article")
    assert moved.title.startswith(TITLE) and moved.ok and moved.translation
    assert records[server.url("/missing")].error_kind == "input"
    assert records[server.url("/error")].error_kind == "run"  # 503: retried next time
    md = out / (markdown_rel(server.url("/article")) + ".md")
    assert TITLE in md.read_text("utf-8") and server.url("/article") in md.read_text("utf-8")
    digest = (out / "digest.md").read_text("utf-8")
    assert digest.count("## ") >= 4 and "Not briefed" in digest

    # Resume: same URLs and content → skipped (refetched, not rebriefed); failures retried.
    again = summarize_folder(None, out, pipeline=pipe, urls=str(listing), digest=True, **RUN)
    assert (again.skipped, again.done, again.failed) == (3, 0, 2)

    # A longer list later: the digest still lists every article (built from the records).
    listing.write_text("\n".join([*urls, server.url("/plain")]), "utf-8")
    third = summarize_folder(None, out, pipeline=pipe, urls=str(listing), digest=True, **RUN)
    assert (third.skipped, third.done) == (3, 1)
    html = (out / "digest.html").read_text("utf-8")
    assert html.count("<article ") == 4 and "<script" not in html


def test_urls_and_folder_together_or_neither_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not both"):
        summarize_folder(tmp_path, tmp_path / "out", urls=["https://a.example/"])
    with pytest.raises(ConfigError, match="input folder"):
        summarize_folder(None, tmp_path / "out")
    (tmp_path / "empty.txt").write_text("# nothing\n")
    with pytest.raises(InputError, match="no URLs"):
        summarize_folder(None, tmp_path / "out", urls=str(tmp_path / "empty.txt"))


def test_translate_article_adds_the_whole_article(tmp_path: Path, pipe: Pipeline) -> None:
    src = tmp_path / "in"
    make_articles(src, ["cafe", "rail"])
    out = tmp_path / "out"
    plain = summarize_folder(src, out, pipeline=pipe, **RUN)
    assert plain.done == 2
    assert latest_records(out / RECORDS_FILE)["cafe.txt"].article is None

    # Asking for the whole article redoes the files (the option is part of the resume key).
    report = summarize_folder(src, out, pipeline=pipe, translate_article=True, **RUN)
    assert (report.done, report.skipped) == (2, 0)
    record = latest_records(out / RECORDS_FILE)["cafe.txt"]
    article = record.article
    assert article is not None and article["translation"]
    english = [en for en, _ in article["sentence_pairs"]]
    assert english and all(en in (src / "cafe.txt").read_text("utf-8") for en in english)
    assert record.options["translate_article"] is True
    markdown = (out / "cafe.txt.md").read_text("utf-8")
    assert "## Whole article, sentence by sentence" in markdown and f"> {english[0]}" in markdown
    again = summarize_folder(src, out, pipeline=pipe, translate_article=True, **RUN)
    assert again.skipped == 2


def test_records_from_before_the_url_fields_still_load() -> None:
    old = {
        "path": "a.txt",
        "title": "A",
        "sha256": "0" * 64,
        "encoding": "utf-8",
        "error": None,
        "error_kind": None,
        "summary": "S.",
        "translation": "T。",
        "options": {},
        "models": {},
        "chunk_count": 1,
        "seconds": 1.0,
    }
    record = BatchRecord.from_dict(json.loads(json.dumps(old)))
    assert (record.url, record.final_url, record.article) == (None, None, None)
    assert record.summary == "S." and "url" not in record.brief
