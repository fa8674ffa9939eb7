"""The web UI's handlers and server rules, without a running server (tiny models)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import gradio as gr
import pytest

from briefing import Pipeline, cli, web
from briefing.clean import CleanOptions
from briefing.errors import ConfigError, FetchError, InputError, ModelNotFoundError
from briefing.models import ModelStatus
from briefing.web import handlers as web_handlers
from briefing.web import render

SAMPLE = Path(__file__).resolve().parents[1] / "src/briefing/data/sample-kingsoft-cloud.txt"
CJK = re.compile(r"[\u4e00-\u9fff]")
PAYLOAD = (
    'Officials said <script>window.__pwned = 1</script> the plan is <img src=x onerror="alert(1)"> '
    "ready, see [the report](javascript:alert(2)) and **bold** claims."
)
OUT = {name: i for i, name in enumerate(web.Handlers.OUTPUTS)}


@pytest.fixture(scope="module")
def pipe(tiny_models) -> Pipeline:  # type: ignore[no-untyped-def]
    # One thread: on the suite's shared 2-core machines more threads are many times slower.
    return Pipeline(str(tiny_models.bart), str(tiny_models.marian), device="cpu", threads=1)


@pytest.fixture(scope="module")
def handlers(pipe: Pipeline, tmp_path_factory) -> web.Handlers:  # type: ignore[no-untyped-def]
    return web.Handlers(pipe, download_root=tmp_path_factory.mktemp("downloads"))


@pytest.fixture(scope="module")
def sample() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def short_article() -> str:
    """The sample's first three paragraphs: the same kind of text, a third of the model work."""
    return "\n".join(SAMPLE.read_text(encoding="utf-8").splitlines()[:3])


class _Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[object, str | None]] = []

    def __call__(self, value: object, desc: str | None = None, **_: object) -> None:
        self.calls.append((value, desc))


@pytest.fixture(scope="module")
def sample_result(handlers: web.Handlers, short_article: str):  # type: ignore[no-untyped-def]
    recorder = _Recorder()
    return handlers.brief(short_article, "short", "simplified", recorder), recorder.calls


@pytest.fixture(scope="module")
def page_run(handlers: web.Handlers, sample: str) -> list[tuple]:  # type: ignore[type-arg]
    """Every view the page's run yields for the whole sample (several summary rounds)."""
    return list(handlers.run(sample, "short", "simplified", None))


# --------------------------------------------------------------------------- the named API


def test_brief_matches_pipeline_run(pipe: Pipeline, short_article: str, sample_result) -> None:  # type: ignore[no-untyped-def]
    (english, chinese, data), _ = sample_result
    expected = pipe.run(short_article, length="short", script="simplified")
    assert english == expected.summary and english
    assert chinese == expected.translation and CJK.search(chinese)
    assert data["sentence_pairs"] == [list(p) for p in expected.sentence_pairs]
    assert data["segments"] == expected.segments
    assert data["info"]["options"]["summary"]["length"] == "short"


def test_result_dict_drops_server_model_paths(pipe: Pipeline, short_article: str) -> None:
    brief = pipe.run(short_article, length="short")
    data = web.result_dict(brief)
    full = brief.to_dict()
    assert full["info"]["summarizer"]["path"]  # the library keeps the folder…
    for role in ("summarizer", "translator"):
        assert "path" not in data["info"][role]  # …the page and API do not show it
        assert data["info"][role]["name"] == full["info"][role]["name"]
    assert data["summary"] == full["summary"]


def test_api_progress_goes_forward_through_the_stages(sample_result) -> None:  # type: ignore[no-untyped-def]
    (_, _, data), calls = sample_result
    descs = [d for _, d in calls if d]
    assert any(d.startswith("Summarizing") for d in descs)
    assert any(d.startswith("Translating") for d in descs)
    n = len(data["sentence_pairs"])
    assert [d for d in descs if d.startswith("Translating")][-1] == f"Translating {n}/{n}…"
    values = [v for v, _ in calls]
    assert values == sorted(values)  # one overall progress: never goes back


def test_script_option_reaches_the_translator(handlers: web.Handlers, pipe: Pipeline) -> None:
    text = SAMPLE.read_text(encoding="utf-8").split("\n")[1]
    _, chinese, data = handlers.brief(text, "short", "traditional", _Recorder())
    assert data["info"]["options"]["translation"]["script"] == "traditional"
    assert chinese == pipe.run(text, length="short", script="traditional").translation


BAD_INPUT = [
    ("", "Paste an article first."),
    ("   \n\t ", "Paste an article first."),
    (None, "Paste an article first."),
    ("这是一篇关于云计算投资的中文新闻文章。" * 20, "This looks like Chinese text"),
    (
        "Ceci est un article en français sur les nuages et les banques. " * 20,
        "not look like English",
    ),
    ("word " * 120_000, "characters"),
]


@pytest.mark.parametrize(("text", "needle"), BAD_INPUT)
def test_bad_input_is_a_friendly_error(handlers: web.Handlers, text, needle) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(gr.Error) as info:
        handlers.brief(text, "medium", "simplified", _Recorder())
    assert needle in str(info.value)
    assert "Traceback" not in str(info.value) and "Latin" not in str(info.value)


@pytest.mark.parametrize(("text", "needle"), BAD_INPUT)
def test_bad_input_on_the_page_is_an_alert(handlers: web.Handlers, text, needle) -> None:  # type: ignore[no-untyped-def]
    views = list(handlers.run(text, "medium", "simplified", None))
    last = views[-1]
    assert needle in last[OUT["alert"]] and 'role="alert"' in last[OUT["alert"]]
    assert last[OUT["english"]] == "" and last[OUT["chinese"]] == ""
    assert last[OUT["button"]]["interactive"] is True  # the visitor can fix it and retry
    assert last[OUT["download_md"]]["visible"] is False


def test_unknown_option_is_a_friendly_error(handlers: web.Handlers) -> None:
    with pytest.raises(gr.Error, match="length"):
        handlers.brief(SAMPLE.read_text(encoding="utf-8"), "huge", "simplified", _Recorder())


def test_friendly_error_words() -> None:
    assert render.friendly_error(InputError("the article is empty: paste")) == (
        "Paste an article first."
    )
    chinese = "这是一篇中文新闻。" * 10
    message = "the article does not look English: only 0% of its letters are Latin"
    assert render.friendly_error(InputError(message), chinese) == (
        "This looks like Chinese text; briefing summarizes English articles."
    )
    assert "ZeroDivisionError" in render.friendly_error(ZeroDivisionError("x"))
    # An empty page behind a link says so; it is not "paste an article first".
    empty_page = FetchError("http://a.example/ returned an empty page: nothing to brief")
    assert render.friendly_error(empty_page) == (
        "http://a.example/ returned an empty page: nothing to brief."
    )


# --------------------------------------------------------------------------- the page's run


def test_page_run_streams_stages_english_before_chinese(
    page_run, pipe: Pipeline, sample: str
) -> None:  # type: ignore[no-untyped-def]
    expected = pipe.run(sample, length="short", script="simplified")
    assert expected.info.summary_rounds >= 2  # the sample needs a reduce round
    labels = [v[OUT["button"]]["value"] for v in page_run]
    assert labels[0] == "Reading the article…"
    assert any(label.startswith("Summarizing ") for label in labels)
    assert any(label.startswith("Summarizing, round 2") for label in labels)
    assert any(label.startswith("Translating") for label in labels)
    # busy until the end: the button cannot start a second run
    assert all(v[OUT["button"]]["interactive"] is False for v in page_run[:-1])
    assert page_run[-1][OUT["button"]] == {
        "value": "Brief it",
        "interactive": True,
        "__type__": "update",
    }
    # the English brief is on the page while the Chinese one is still being made
    early = [v for v in page_run if v[OUT["english"]] and not v[OUT["chinese"]]]
    assert early and early[0][OUT["english"]] == expected.summary
    last = page_run[-1]
    assert (last[OUT["english"]], last[OUT["chinese"]]) == (expected.summary, expected.translation)
    assert last[OUT["alert"]] == ""


def test_page_progress_is_one_forward_bar(page_run) -> None:  # type: ignore[no-untyped-def]
    values = [
        int(re.search(r'aria-valuenow="(\d+)"', v[OUT["progress"]]).group(1)) for v in page_run
    ]
    assert values == sorted(values), values  # never restarts, across summary rounds too
    assert values[0] < 10 and values[-1] == 100
    assert "Done in" in page_run[-1][OUT["progress"]]


def test_tracker_never_goes_back() -> None:
    tracker = render.Tracker()
    seen = [tracker.start().fraction]
    for stage, done, total in [
        ("summarize", 1, 4),
        ("summarize", 4, 4),
        ("summarize", 1, 2),
        ("summarize", 2, 2),
        ("summarize", 1, 1),
        ("translate", 1, 3),
        ("translate", 3, 3),
    ]:
        seen.append(tracker.report(stage, done, total).fraction)
    seen.append(tracker.done(1.0).fraction)
    assert seen == sorted(seen) and seen[-1] == 1.0
    assert tracker.round == 3


def test_page_result_downloads_check_and_details(page_run, sample: str) -> None:  # type: ignore[no-untyped-def]
    last = page_run[-1]
    data = last[OUT["result"]]
    md_path = Path(last[OUT["download_md"]]["value"])
    json_path = Path(last[OUT["download_json"]]["value"])
    assert md_path.parent == json_path.parent
    # named after the briefed article (its first line here)
    assert md_path.name.startswith("the-first-batch-of-the-us-222-million")
    assert md_path.suffix == ".md" and json_path.suffix == ".json"
    markdown = md_path.read_text(encoding="utf-8")
    assert markdown.startswith("# The first batch of the US$222 million investment")
    assert data["summary"] in markdown and data["translation"] in markdown
    assert json.loads(json_path.read_text(encoding="utf-8")) == json.loads(json.dumps(data))
    details = last[OUT["details"]]
    assert f"{data['info']['words_in']:,} words in" in details and "summary round" in details
    check = last[OUT["check"]]
    assert check.count('<tr class="pair') == len(data["sentence_pairs"])
    n = len(data["flags"])
    badge = last[OUT["badge"]]
    assert badge["visible"] is (n > 0)
    if n:
        assert badge["value"] == f"⚠ {n} fact{'s' * (n != 1)} to check"


def test_upload_title_names_the_downloads(handlers: web.Handlers, short_article: str) -> None:
    info = (web_handlers.digest(short_article), "Cloud deal: Xiaomi's founder bets big")
    last = list(handlers.run(short_article, "short", "simplified", info))[-1]
    md_path = Path(last[OUT["download_md"]]["value"])
    assert md_path.name == "cloud-deal-xiaomi-s-founder-bets-big.md"
    assert md_path.read_text(encoding="utf-8").startswith("# Cloud deal: Xiaomi's founder bets big")
    # the text was edited after the upload: the title no longer belongs to it
    edited = short_article + "\nOne more line."
    last = list(handlers.run(edited, "short", "simplified", info))[-1]
    assert Path(last[OUT["download_md"]]["value"]).name.startswith("the-first-batch")


def test_download_folders_are_bounded(
    pipe: Pipeline, short_article: str, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(web_handlers, "MAX_DOWNLOAD_FOLDERS", 5)
    handlers = web.Handlers(pipe, download_root=tmp_path)
    brief = pipe.run(short_article, length="short")
    for _ in range(30):  # as many direct calls as anyone cares to make
        md_path, _ = handlers.write_downloads(brief, "A title")
        assert md_path.exists()
    assert len(list(tmp_path.iterdir())) <= 5


def test_only_the_run_writes_files(pipe: Pipeline, tmp_path: Path) -> None:
    """Clearing, examples and uploads write nothing: download files come only with a brief."""
    handlers = web.Handlers(pipe, download_root=tmp_path / "downloads", upload_root=tmp_path)
    handlers.cleared()
    handlers.example(web.EXAMPLES[0][1], True)
    handlers.read_upload(str(_upload(tmp_path, "a.txt", b"The firm said sales rose.")))
    list(handlers.run("", "short", "simplified", None))
    assert not (tmp_path / "downloads").exists()


def test_cleared_view_is_empty(handlers: web.Handlers) -> None:
    view = handlers.cleared()
    assert view[OUT["english"]] == "" and view[OUT["chinese"]] == "" and view[OUT["check"]] == ""
    assert view[OUT["badge"]]["visible"] is False and view[OUT["download_md"]]["visible"] is False


def test_check_view_escapes_model_and_article_text(pipe: Pipeline, short_article: str) -> None:
    brief = pipe.run(short_article, length="short")
    brief.sentence_pairs = [(PAYLOAD, "<b>中文</b> & <script>x</script>")]
    brief.segments = [PAYLOAD]
    brief.sources = [[]]
    page = web.check_html(brief)
    assert "<script>" not in page and "<img" not in page and "<b>中文" not in page
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert "[the report](javascript:alert(2))" in page  # Markdown stays literal text


def test_examples_ship_and_load(handlers: web.Handlers, sample: str) -> None:
    assert web.sample_article() == sample and "Kingsoft" in sample
    assert len(web.EXAMPLES) >= 4
    for _, name in web.EXAMPLES:
        text, info, *view = handlers.example(name, True)
        assert len(text.split()) > 150 and info is None
        assert view[OUT["english"]] == ""
    # the visitor said no: nothing changes
    skipped = handlers.example(web.EXAMPLES[1][1], False)
    assert all(isinstance(v, type(gr.skip())) for v in skipped)


def test_file_stem() -> None:
    assert web_handlers.file_stem("Coffee Prices Climb: 30%!") == "coffee-prices-climb-30"
    assert web_handlers.file_stem("中文标题") == "brief"
    assert web_handlers.file_stem(None) == "brief"
    assert len(web_handlers.file_stem("word " * 50)) <= 60


# --------------------------------------------------------------------------- missing models


def _statuses() -> list[ModelStatus]:
    return [
        ModelStatus("summarizer", "org/absent-sum", None, False, 0, (), True, "x"),
        ModelStatus("translator", "org/absent-tr", None, False, 0, (), True, "x"),
    ]


def test_missing_models_page_names_every_model_and_one_command() -> None:
    error = ModelNotFoundError("org/absent-sum")
    page = web.missing_models_html(_statuses(), error)
    assert "org/absent-sum" in page and "org/absent-tr" in page and 'id="model-error"' in page
    (command,) = re.findall(r'<pre class="fetch-command"><code>(.*?)</code>', page)
    assert command.endswith("download org/absent-sum org/absent-tr")
    handlers = web.Handlers(None, error)
    with pytest.raises(gr.Error, match="models are missing"):
        handlers.brief("Some English text about a company.", "medium", "simplified")
    assert "org/absent-sum" in web.models_text(None, error)


def test_build_app_without_models_disables_the_button(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BRIEFING_MODELS_DIR", str(tmp_path))
    monkeypatch.setenv("BRIEFING_SUMMARIZER", "org/absent-model")
    monkeypatch.setenv("BRIEFING_TRANSLATOR", "org/absent-translator")
    app = web.build_app(None, ModelNotFoundError("org/absent-model"))
    config = app.get_config_file()
    props = {c.get("props", {}).get("elem_id"): c.get("props", {}) for c in config["components"]}
    box = props["model-error-box"]["value"]
    assert "download org/absent-model org/absent-translator" in box
    assert props["brief-button"]["interactive"] is False
    assert props["results"]["visible"] is False  # no empty result boxes


def test_api_endpoint_has_three_outputs_and_optional_options(pipe: Pipeline) -> None:
    app = web.build_app(pipe)
    info = app.get_api_info()["named_endpoints"]["/brief"]
    params = info["parameters"]
    assert [p["parameter_name"] for p in params] == ["text", "length", "script"]
    assert not params[0]["parameter_has_default"]
    assert all(p["parameter_has_default"] for p in params[1:])
    assert [p["parameter_default"] for p in params[1:]] == ["medium", "simplified"]
    assert [r["component"] for r in info["returns"]] == ["Textbox", "Textbox", "Json"]
    queue = app._queue
    assert queue.default_concurrency_limit == web.CONCURRENCY_LIMIT
    assert queue.max_size == web.QUEUE_MAX_SIZE


def test_article_box_has_a_length_limit(pipe: Pipeline) -> None:
    app = web.build_app(pipe)
    config = app.get_config_file()
    (article,) = [c for c in config["components"] if c.get("props", {}).get("elem_id") == "article"]
    # a pasted web page fits the box; its text is held to MAX_ARTICLE_CHARS by the handlers
    assert article["props"]["max_length"] == web.MAX_MARKUP_CHARS == 2_000_000
    assert web.MAX_REQUEST_BYTES <= 3_000_000


# --------------------------------------------------------------------------- uploads


@pytest.fixture
def uploads(tmp_path: Path) -> Path:
    root = tmp_path / "gradio-uploads"
    root.mkdir()
    return root


def _upload(root: Path, name: str, data: bytes) -> Path:
    folder = root / "3f2a9c"  # Gradio keeps each upload in a hash-named folder
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def _read(handlers: web.Handlers, path: Path) -> str:
    text, info, *view = handlers.read_upload(str(path))
    assert not view[OUT["alert"]], view[OUT["alert"]]
    assert view[OUT["english"]] == ""  # the previous result is cleared
    assert info[0] == web_handlers.digest(text)
    return text


def _refused(handlers: web.Handlers, path: Path) -> str:
    _, info, *view = handlers.read_upload(str(path))
    assert info is None
    return view[OUT["alert"]]


def test_upload_txt_md_html(pipe: Pipeline, uploads: Path, sample: str) -> None:
    handlers = web.Handlers(pipe, upload_root=uploads)
    assert _read(handlers, _upload(uploads, "a.txt", sample.encode())) == sample
    md = "# Title\n\nThe **company** said [profits](http://x.test) rose.\n"
    assert _read(handlers, _upload(uploads, "b.md", md.encode())).split() == [
        "Title",
        "The",
        "company",
        "said",
        "profits",
        "rose.",
    ]
    page = (
        "<html><head><title>T</title></head><body><nav>Home | About</nav><article>"
        + "".join(f"<p>{line}</p>" for line in sample.splitlines() if line.strip())
        + "</article></body></html>"
    )
    path = _upload(uploads, "c.HTML", page.encode())
    text = _read(handlers, path)
    assert "21Vianet" in text and "<p>" not in text
    assert handlers.read_upload(str(path))[1][1] == "T"  # the page's <title> names the brief


@pytest.mark.parametrize(
    ("name", "data", "needle"),
    [
        ("report.pdf", b"%PDF-1.7 binary", "Only .txt"),
        ("noext", b"plain text", "without an extension"),
        ("fake.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        ("empty.txt", b"  \n", "empty"),
        ("page.html", b"<html><body><script>x()</script></body></html>", "No article text"),
    ],
)
def test_upload_refuses_wrong_types(pipe: Pipeline, uploads: Path, name, data, needle) -> None:  # type: ignore[no-untyped-def]
    handlers = web.Handlers(pipe, upload_root=uploads)
    assert needle in _refused(handlers, _upload(uploads, name, data))


def test_upload_size_limit_is_enforced_before_reading(pipe: Pipeline, uploads: Path) -> None:
    handlers = web.Handlers(pipe, max_upload_bytes=1000, upload_root=uploads)
    assert _read(handlers, _upload(uploads, "ok.txt", b"The firm grew. " * 60))
    assert "limit is 1,000" in _refused(
        handlers, _upload(uploads, "big.txt", b"The firm grew. " * 100)
    )


def test_upload_outside_the_upload_folder_is_refused(
    pipe: Pipeline, uploads: Path, tmp_path: Path
) -> None:
    handlers = web.Handlers(pipe, upload_root=uploads)
    outside = tmp_path / "secret.txt"
    outside.write_text("The server's own file. " * 10)
    assert "not uploaded" in _refused(handlers, outside)
    link = uploads / "link.txt"
    link.symlink_to(outside)
    assert "not uploaded" in _refused(handlers, link)
    assert "not uploaded" in _refused(handlers, uploads / ".." / "secret.txt")


def test_upload_file_name_is_never_used_as_a_path(
    pipe: Pipeline, uploads: Path, tmp_path: Path
) -> None:
    handlers = web.Handlers(pipe, upload_root=uploads)
    name = "..%2F..%2Fescape; rm -rf ~ $(id) `x`.txt"
    path = _upload(uploads, name, b"The company said it would invest more in cloud services.")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    assert "invest more" in _read(handlers, path)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    assert not (tmp_path.parent / "escape").exists()


def test_default_upload_root_is_gradio_temp_folder(
    pipe: Pipeline, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio"))
    handlers = web.Handlers(pipe)
    inside = _upload(tmp_path / "gradio", "a.txt", b"The company said revenue rose sharply.")
    assert "revenue" in _read(handlers, inside)
    outside = tmp_path / "b.txt"
    outside.write_bytes(b"The company said revenue rose sharply.")
    assert "not uploaded" in _refused(handlers, outside)


# --------------------------------------------------------------------------- server rules


def test_serve_defaults_bind_loopback_without_share() -> None:
    args = cli.build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.share) == ("127.0.0.1", 7860, False)


@pytest.mark.parametrize(
    ("host", "share", "auth", "expected"),
    [
        ("127.0.0.1", False, None, 0),
        ("localhost", False, None, 0),
        ("::1", False, None, 0),
        ("0.0.0.0", False, None, 1),
        ("192.168.1.5", False, None, 1),
        ("127.0.0.1", True, None, 1),
        ("0.0.0.0", True, None, 2),
        ("0.0.0.0", True, ("u", "p"), 0),
    ],
)
def test_security_warnings(host, share, auth, expected) -> None:  # type: ignore[no-untyped-def]
    warnings = web.security_warnings(host, share, auth)
    assert len(warnings) == expected
    assert all("BRIEFING_AUTH" in w for w in warnings)


def test_parse_auth() -> None:
    assert web.parse_auth(None) is None and web.parse_auth("") is None
    assert web.parse_auth("ann:s3cret:with:colons") == ("ann", "s3cret:with:colons")
    for bad in ("nocolon", ":pw", "user:"):
        with pytest.raises(ConfigError, match="user:password"):
            web.parse_auth(bad)


@pytest.fixture
def launched(monkeypatch) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """Record what ``briefing serve`` would launch instead of opening a port."""
    calls: list[dict[str, object]] = []

    def fake_launch(app: gr.Blocks, **kwargs: object) -> None:
        calls.append({"app": app, **kwargs})

    monkeypatch.setattr(web, "launch", fake_launch)
    monkeypatch.delenv("BRIEFING_AUTH", raising=False)
    return calls


def test_serve_warns_on_open_host_without_auth(tiny_models, launched, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BRIEFING_SUMMARIZER", str(tiny_models.bart))
    monkeypatch.setenv("BRIEFING_TRANSLATOR", str(tiny_models.marian))
    assert cli.main(["serve", "--host", "0.0.0.0", "--port", "7999"]) == 0
    err = capsys.readouterr().err
    assert "warning" in err and "0.0.0.0" in err and "BRIEFING_AUTH" in err
    call = launched[-1]
    assert (call["host"], call["port"], call["share"], call["auth"]) == (
        "0.0.0.0",
        7999,
        False,
        None,
    )
    monkeypatch.setenv("BRIEFING_AUTH", "ann:pw")
    assert cli.main(["serve", "--host", "0.0.0.0", "--share"]) == 0
    assert "warning" not in capsys.readouterr().err
    assert launched[-1]["auth"] == ("ann", "pw") and launched[-1]["share"] is True


def test_serve_starts_without_models(launched, monkeypatch, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BRIEFING_MODELS_DIR", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("BRIEFING_SUMMARIZER", "org/absent-summarizer")
    assert cli.main(["serve"]) == 0
    assert "org/absent-summarizer" in capsys.readouterr().err
    config = launched[-1]["app"].get_config_file()
    values = json.dumps([c.get("props", {}).get("value") for c in config["components"]])
    assert "briefing download org/absent-summarizer" in values


def test_serve_bad_auth_is_a_usage_error(launched, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BRIEFING_AUTH", "no-colon")
    assert cli.main(["serve"]) == 2
    assert "user:password" in capsys.readouterr().err
    assert launched == []


def test_web_module_has_no_import_side_effects() -> None:
    import subprocess
    import sys

    code = (
        "import threading, briefing.web as w; "
        "assert threading.active_count() == 1, threading.enumerate(); print('ok')"
    )
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode == 0, out.stderr


def test_details_show_the_removed_page_furniture(
    handlers: web.Handlers, short_article: str
) -> None:
    text = f"Advertisement\n{short_article}\nShare this article\nAll rights reserved.\n"
    last = list(handlers.run(text, "short", "simplified", None))[-1]
    details = last[OUT["details"]]
    n = len(last[OUT["result"]]["info"]["removed"])
    assert n >= 2
    assert f"{n} lines of page furniture removed — show" in details
    assert "Advertisement" in details and "<details" in details


def test_link_fills_the_article_with_the_page_title(pipe: Pipeline, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import web_fixture

    handlers = web.Handlers(pipe)
    with web_fixture.serve() as server:
        # the page refuses private addresses (the server's own network) unless allowed
        monkeypatch.delenv("BRIEFING_ALLOW_PRIVATE_URLS", raising=False)
        _, _, *view = handlers.read_link(server.url("/article"))
        assert "Cannot use that link" in view[OUT["alert"]]
        monkeypatch.setenv("BRIEFING_ALLOW_PRIVATE_URLS", "1")
        text, info, *view = handlers.read_link(server.url("/article"))
        assert not view[OUT["alert"]] and view[OUT["english"]] == ""
        assert "harbour wall" in text and "<p>" not in text and "Home" not in text
        assert (
            info == (web_handlers.digest(text), web_fixture.TITLE) or web_fixture.TITLE in info[1]
        )
        _, _, *view = handlers.read_link(server.url("/missing"))
        assert "Cannot use that link" in view[OUT["alert"]]
    _, _, *view = handlers.read_link("  ")
    assert "Paste a link first." in view[OUT["alert"]]
    _, _, *view = handlers.read_link("file:///etc/passwd")
    assert "Cannot use that link" in view[OUT["alert"]]


def test_api_brief_url(pipe: Pipeline, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import web_fixture

    handlers = web.Handlers(pipe)
    info = web.build_app(pipe).get_api_info()["named_endpoints"]["/brief_url"]
    assert [p["parameter_name"] for p in info["parameters"]] == ["url", "length", "script"]
    assert [r["component"] for r in info["returns"]] == ["Textbox", "Textbox", "Json"]
    with web_fixture.serve() as server:
        monkeypatch.delenv("BRIEFING_ALLOW_PRIVATE_URLS", raising=False)
        with pytest.raises(gr.Error, match="Cannot use that link"):
            handlers.brief_url(server.url("/article"), "short", "simplified", _Recorder())
        monkeypatch.setenv("BRIEFING_ALLOW_PRIVATE_URLS", "1")
        english, chinese, data = handlers.brief_url(
            server.url("/article"), "short", "simplified", _Recorder()
        )
    assert english == data["summary"] and chinese == data["translation"] and CJK.search(chinese)
    assert any("harbour wall" in s for s in data["segments"])


# --------------------------------------------------------------------------- whole article


@pytest.fixture(scope="module")
def article_run(handlers: web.Handlers, sample: str) -> list[tuple]:  # type: ignore[type-arg]
    """Every view the page's whole-article run yields for the sample."""
    return list(handlers.run_article(sample, "simplified", None))


def _cells(page: str, kind: str) -> list[str]:
    import html

    return [html.unescape(c) for c in re.findall(rf'<td class="art-{kind}"[^>]*>(.*?)</td>', page)]


def test_whole_article_shows_every_segment_once_in_order(
    article_run, pipe: Pipeline, sample: str
) -> None:  # type: ignore[no-untyped-def]
    segments = pipe.prepare(sample, CleanOptions()).segments
    page = article_run[-1][OUT["article_view"]]
    english = _cells(page, "en")
    assert english == segments  # every segment exactly once, in order
    chinese = [re.sub(r'<div class="art-flag">.*', "", c) for c in _cells(page, "zh")]
    assert len(chinese) == len(segments) and all(CJK.search(zh) for zh in chinese)
    expected = pipe.translate_article(sample, script="simplified")
    assert page.count('<tbody class="art-para"') == len(expected.paragraphs) > 1
    assert chinese == [zh for _, zh in expected.sentence_pairs]
    assert page.count('class="art-pair flagged"') == len({f.sentence for f in expected.flags})


def test_whole_article_run_progress_buttons_and_download(article_run, sample: str) -> None:  # type: ignore[no-untyped-def]
    first, last = article_run[0], article_run[-1]
    assert first[OUT["tabs"]].get("selected") == "article"  # the view the visitor asked for
    labels = [v[OUT["article_button"]].get("value") for v in article_run[:-1]]
    assert labels[0] == "Reading the article…"
    assert any(label and re.fullmatch(r"Translating \d+/\d+ sentences…", label) for label in labels)
    # both buttons are disabled until the end: no second run can start
    for view in article_run[:-1]:
        assert view[OUT["article_button"]]["interactive"] is False
        assert view[OUT["button"]]["interactive"] is False
    assert last[OUT["article_button"]]["interactive"] is True
    assert last[OUT["button"]]["interactive"] is True
    values = [
        int(re.search(r'aria-valuenow="(\d+)"', v[OUT["progress"]]).group(1)) for v in article_run
    ]
    assert values == sorted(values) and values[-1] == 100
    # the brief's results are left as they are
    skip = type(gr.skip())
    assert all(isinstance(v[OUT["english"]], skip) for v in article_run)
    path = Path(last[OUT["article_download"]]["value"])
    assert path.name.startswith("the-first-batch-of-the-us-222-million")
    assert path.name.endswith("-translation.md")
    markdown = path.read_text(encoding="utf-8")
    assert markdown.startswith("# The first batch of the US$222 million investment")
    assert "> The first batch" in markdown and CJK.search(markdown)


def test_whole_article_bad_input_is_an_alert(handlers: web.Handlers) -> None:
    (view,) = list(handlers.run_article("  ", "simplified", None))
    assert "Paste an article first." in view[OUT["alert"]]
    assert view[OUT["article_button"]]["interactive"] is True
    views = list(handlers.run_article("这是一篇关于云计算投资的中文新闻文章。" * 20, "simplified"))
    assert "This looks like Chinese text" in views[-1][OUT["alert"]]
    assert views[-1][OUT["article_button"]]["interactive"] is True


def test_api_translate(handlers: web.Handlers, pipe: Pipeline, short_article: str) -> None:
    recorder = _Recorder()
    chinese, data = handlers.translate(short_article, "traditional", recorder)
    expected = pipe.translate_article(short_article, script="traditional")
    assert chinese == expected.translation and CJK.search(chinese)
    assert data["sentence_pairs"] == [list(p) for p in expected.sentence_pairs]
    assert "path" not in data["info"]["translator"]
    assert json.loads(json.dumps(data)) == data
    descs = [d for _, d in recorder.calls if d and d.startswith("Translating")]
    n = len(expected.sentence_pairs)
    assert descs and descs[-1] == f"Translating {n}/{n} sentences…"
    with pytest.raises(gr.Error, match="Paste an article first"):
        handlers.translate("", "simplified", _Recorder())
    info = web.build_app(pipe).get_api_info()["named_endpoints"]["/translate"]
    assert [p["parameter_name"] for p in info["parameters"]] == ["text", "script"]
    assert [r["component"] for r in info["returns"]] == ["Textbox", "Json"]


def test_article_view_escapes_everything(pipe: Pipeline, short_article: str) -> None:
    import dataclasses

    from briefing.trust import Flag

    result = pipe.translate_article(short_article)
    result = dataclasses.replace(
        result,
        title="<b>Title</b>",
        sentence_pairs=[(PAYLOAD, "<b>中文</b> & <script>x</script>")],
        paragraph_index=[0],
        paragraphs=["<b>中文</b>"],
        flags=[Flag(0, "translation", "<i>5</i>", "not in the <u>Chinese</u>", "")],
    )
    page = web.article_html(result)
    assert "<script>" not in page and "<img" not in page and "<b>中文" not in page
    assert "<i>" not in page and "<u>" not in page and "<b>Title" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert 'class="art-pair flagged"' in page


def test_editing_clears_the_whole_article(handlers: web.Handlers) -> None:
    view = handlers.cleared()
    assert view[OUT["article_view"]] == render.ARTICLE_EMPTY
    assert view[OUT["article_download"]]["visible"] is False


# --------------------------------------------------------------------------- pasted web pages


def test_pasted_web_page_of_1_5_mb_briefs_with_its_title(handlers: web.Handlers) -> None:
    from web_servers import PAGE_TITLE, big_page

    page = big_page()
    assert 1_400_000 < len(page) <= web.MAX_MARKUP_CHARS and len(page) > web.MAX_ARTICLE_CHARS
    assert handlers.refusal(page) is None
    last = list(handlers.run(page, "short", "simplified", None))[-1]
    assert not last[OUT["alert"]], last[OUT["alert"]]
    data = last[OUT["result"]]
    assert any("21Vianet" in s for s in data["segments"])
    assert not any("<" in s or "window.__" in s for s in data["segments"])
    md_path = Path(last[OUT["download_md"]]["value"])
    assert md_path.name == "kingsoft-cloud-lands-a-us-296-million-investment.md"
    assert md_path.read_text(encoding="utf-8").startswith(f"# {PAGE_TITLE}")
    english, chinese, api_data = handlers.brief(page, "short", "simplified", _Recorder())
    assert english == data["summary"] and chinese == data["translation"]
    assert api_data["segments"] == data["segments"]


def test_web_limits_markup_and_text_apart(handlers: web.Handlers) -> None:
    too_much_text = "The firm said sales rose. " * (web.MAX_ARTICLE_CHARS // 26 + 10)
    assert "characters; the page takes up to 200,000" in handlers.refusal(too_much_text)
    huge_page = "<html><body>" + "<p>The firm said sales rose.</p>" * 70_000 + "</body></html>"
    assert len(huge_page) > web.MAX_MARKUP_CHARS
    assert "characters of markup" in handlers.refusal(huge_page)
    # markup within the limit is taken whatever its size; its text is checked after extraction
    fine_page = "<html><body>" + "<p>The firm said sales rose.</p>" * 20_000 + "</body></html>"
    assert handlers.refusal(fine_page) is None
    # the request cap leaves room for a whole page, and stays small per session
    assert web.MAX_REQUEST_BYTES >= web.MAX_MARKUP_CHARS * 1.25
