"""The web UI's handlers and server rules, without a running server (tiny models)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import gradio as gr
import pytest

from briefing import Pipeline, cli, web
from briefing.errors import ConfigError, ModelNotFoundError

SAMPLE = Path(__file__).resolve().parents[1] / "src/briefing/data/sample-kingsoft-cloud.txt"
CJK = re.compile(r"[\u4e00-\u9fff]")
PAYLOAD = (
    'Officials said <script>window.__pwned = 1</script> the plan is <img src=x onerror="alert(1)"> '
    "ready, see [the report](javascript:alert(2)) and **bold** claims."
)


@pytest.fixture(scope="module")
def pipe(tiny_models) -> Pipeline:  # type: ignore[no-untyped-def]
    # One thread: on the suite's shared 2-core machines more threads are many times slower.
    return Pipeline(str(tiny_models.bart), str(tiny_models.marian), device="cpu", threads=1)


@pytest.fixture(scope="module")
def handlers(pipe: Pipeline) -> web.Handlers:
    return web.Handlers(pipe)


@pytest.fixture(scope="module")
def sample() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def short_article() -> str:
    """The sample's first three paragraphs: the same kind of text, a third of the model work."""
    return "\n".join(SAMPLE.read_text(encoding="utf-8").splitlines()[:3])


@pytest.fixture(scope="module")
def sample_result(handlers: web.Handlers, short_article: str):  # type: ignore[no-untyped-def]
    calls: list[tuple[object, str | None]] = []

    def progress(value: object, desc: str | None = None, **_: object) -> None:
        calls.append((value, desc))

    return handlers.brief(short_article, "short", "simplified", progress), calls


class _Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[object, str | None]] = []

    def __call__(self, value: object, desc: str | None = None, **_: object) -> None:
        self.calls.append((value, desc))


# --------------------------------------------------------------------------- briefing


def test_brief_matches_pipeline_run(pipe: Pipeline, short_article: str, sample_result) -> None:  # type: ignore[no-untyped-def]
    (english, chinese, data, brief), _ = sample_result
    expected = pipe.run(short_article, length="short", script="simplified")
    assert english == expected.summary and english
    assert chinese == expected.translation and CJK.search(chinese)
    assert data["sentence_pairs"] == [list(p) for p in expected.sentence_pairs]
    assert data["segments"] == expected.segments
    assert data["info"]["options"]["summary"]["length"] == "short"
    assert brief.summary == english


def test_result_dict_drops_server_model_paths(sample_result) -> None:  # type: ignore[no-untyped-def]
    (_, _, data, brief), _ = sample_result
    full = brief.to_dict()
    assert full["info"]["summarizer"]["path"]  # the library keeps the folder…
    for role in ("summarizer", "translator"):
        assert "path" not in data["info"][role]  # …the page and API do not show it
        assert data["info"][role]["name"] == full["info"][role]["name"]
    assert data["summary"] == full["summary"]


def test_progress_reports_each_stage_per_chunk_and_sentence(sample_result) -> None:  # type: ignore[no-untyped-def]
    (_, _, _, brief), calls = sample_result
    descs = [d for _, d in calls if d]
    assert any(d.startswith("Summarizing: chunk") for d in descs)
    assert any(d.startswith("Translating: sentence") for d in descs)
    translate_steps = [v for v, d in calls if d and d.startswith("Translating")]
    # the last translate report covers every sentence of the brief
    assert translate_steps[-1] == (len(brief.sentence_pairs), len(brief.sentence_pairs))


def test_script_option_reaches_the_translator(handlers: web.Handlers, pipe: Pipeline) -> None:
    text = SAMPLE.read_text(encoding="utf-8").split("\n")[1]
    _, chinese, data, _ = handlers.brief(text, "short", "traditional", _Recorder())
    assert data["info"]["options"]["translation"]["script"] == "traditional"
    assert chinese == pipe.run(text, length="short", script="traditional").translation


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        (None, "empty"),
        ("这是一篇关于云计算投资的中文新闻文章。" * 20, "English"),
        ("word " * 120_000, "limit"),
    ],
)
def test_bad_input_is_a_friendly_error(handlers: web.Handlers, text, needle) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(gr.Error) as info:
        handlers.brief(text, "medium", "simplified", _Recorder())
    assert needle in str(info.value)
    assert "Traceback" not in str(info.value)


def test_unknown_option_is_a_friendly_error(handlers: web.Handlers) -> None:
    with pytest.raises(gr.Error, match="length"):
        handlers.brief(SAMPLE.read_text(encoding="utf-8"), "huge", "simplified", _Recorder())


def test_missing_models_error_names_model_and_command() -> None:
    error = ModelNotFoundError("org/absent-model")
    handlers = web.Handlers(None, error)
    with pytest.raises(gr.Error) as info:
        handlers.brief("Some English text about a company.", "medium", "simplified")
    assert "org/absent-model" in str(info.value)
    assert "briefing download org/absent-model" in str(info.value)
    page = web.missing_models_html(error)
    assert "briefing download org/absent-model" in page and 'id="model-error"' in page
    assert "org/absent-model" in web.models_text(None, error)


def test_build_app_without_models_still_builds() -> None:
    app = web.build_app(None, ModelNotFoundError("org/absent-model"))
    config = app.get_config_file()
    values = json.dumps([c.get("props", {}).get("value") for c in config["components"]])
    assert "briefing download org/absent-model" in values


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


# --------------------------------------------------------------------------- outputs


def test_extras_write_downloads_and_stats(handlers: web.Handlers, sample_result) -> None:  # type: ignore[no-untyped-def]
    (_, _, data, brief), _ = sample_result
    bilingual, stats, md_button, json_button, _sources = handlers.extras(brief, SAMPLE.read_text())
    md_path, json_path = Path(md_button["value"]), Path(json_button["value"])
    assert md_path.parent == json_path.parent
    assert md_path.parent.parent.name.startswith("briefing-downloads-")
    assert json.loads(json_path.read_text(encoding="utf-8")) == json.loads(json.dumps(data))
    markdown = md_path.read_text(encoding="utf-8")
    assert brief.summary in markdown and brief.translation in markdown
    assert f"{brief.info.words_in:,} words in" in stats
    assert f"{len(brief.info.chunk_tokens)} chunk" in stats
    assert re.search(r"summarize \d+\.\d\d s", stats) and re.search(r"translate \d+\.\d\d s", stats)
    assert bilingual.count('<tr class="pair"') == len(brief.sentence_pairs)
    # a second result gets its own folder: concurrent users never share a download
    _, _, md_again, _, _ = handlers.extras(brief, None)
    assert Path(md_again["value"]).parent != md_path.parent


def test_extras_without_a_result_hide_downloads(handlers: web.Handlers) -> None:
    bilingual, stats, md_button, json_button, sources = handlers.extras(None)
    assert (bilingual, stats, sources) == ("", "", "")
    assert md_button["visible"] is False and json_button["visible"] is False


def test_bilingual_view_escapes_model_and_article_text(sample_result) -> None:  # type: ignore[no-untyped-def]
    (_, _, _, brief), _ = sample_result
    brief.sentence_pairs = [(PAYLOAD, "<b>中文</b> & <script>x</script>")]
    page = web.bilingual_html(brief)
    assert "<script>" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert "[the report](javascript:alert(2))" in page  # Markdown stays literal text


def test_sample_is_the_shipped_article(handlers: web.Handlers, sample: str) -> None:
    assert handlers.sample() == sample
    assert "Kingsoft" in handlers.sample()


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


def test_upload_txt_md_html(pipe: Pipeline, uploads: Path, sample: str) -> None:
    handlers = web.Handlers(pipe, upload_root=uploads)
    assert handlers.read_upload(str(_upload(uploads, "a.txt", sample.encode()))) == sample
    md = "# Title\n\nThe **company** said [profits](http://x.test) rose.\n"
    assert handlers.read_upload(str(_upload(uploads, "b.md", md.encode()))).split() == [
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
    text = handlers.read_upload(str(_upload(uploads, "c.HTML", page.encode())))
    assert "21Vianet" in text and "<p>" not in text


@pytest.mark.parametrize(
    ("name", "data", "needle"),
    [
        ("report.pdf", b"%PDF-1.7 binary", "Only .txt"),
        ("noext", b"plain text", "without an extension"),
        ("fake.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        ("empty.txt", b"  \n", "empty"),
        ("page.html", b"<html><body><script>x()</script></body></html>", "no article text"),
    ],
)
def test_upload_refuses_wrong_types(pipe: Pipeline, uploads: Path, name, data, needle) -> None:  # type: ignore[no-untyped-def]
    handlers = web.Handlers(pipe, upload_root=uploads)
    with pytest.raises(gr.Error) as info:
        handlers.read_upload(str(_upload(uploads, name, data)))
    assert needle in str(info.value)


def test_upload_size_limit_is_enforced_before_reading(pipe: Pipeline, uploads: Path) -> None:
    handlers = web.Handlers(pipe, max_upload_bytes=1000, upload_root=uploads)
    assert handlers.read_upload(str(_upload(uploads, "ok.txt", b"The firm grew. " * 60)))
    with pytest.raises(gr.Error, match="limit is 1,000"):
        handlers.read_upload(str(_upload(uploads, "big.txt", b"The firm grew. " * 100)))


def test_upload_outside_the_upload_folder_is_refused(
    pipe: Pipeline, uploads: Path, tmp_path: Path
) -> None:
    handlers = web.Handlers(pipe, upload_root=uploads)
    outside = tmp_path / "secret.txt"
    outside.write_text("The server's own file. " * 10)
    with pytest.raises(gr.Error, match="not uploaded"):
        handlers.read_upload(str(outside))
    link = uploads / "link.txt"
    link.symlink_to(outside)
    with pytest.raises(gr.Error, match="not uploaded"):
        handlers.read_upload(str(link))
    with pytest.raises(gr.Error, match="not uploaded"):
        handlers.read_upload(str(uploads / ".." / "secret.txt"))


def test_upload_file_name_is_never_used_as_a_path(
    pipe: Pipeline, uploads: Path, tmp_path: Path
) -> None:
    handlers = web.Handlers(pipe, upload_root=uploads)
    name = "..%2F..%2Fescape; rm -rf ~ $(id) `x`.txt"
    path = _upload(uploads, name, b"The company said it would invest more in cloud services.")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    assert "invest more" in handlers.read_upload(str(path))
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    assert not (tmp_path.parent / "escape").exists()


def test_default_upload_root_is_gradio_temp_folder(
    pipe: Pipeline, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio"))
    handlers = web.Handlers(pipe)
    inside = _upload(tmp_path / "gradio", "a.txt", b"The company said revenue rose sharply.")
    assert "revenue" in handlers.read_upload(str(inside))
    outside = tmp_path / "b.txt"
    outside.write_bytes(b"The company said revenue rose sharply.")
    with pytest.raises(gr.Error, match="not uploaded"):
        handlers.read_upload(str(outside))


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
