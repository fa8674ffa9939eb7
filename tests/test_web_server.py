"""The web UI as users meet it: a real server on loopback, gradio_client, headless Chromium.

Two servers start once per module with the tiny models: ``app.py`` with the tiny BART and
Marian (the page and API), and ``briefing serve`` with the extractive summarizer, whose
briefs copy article sentences verbatim, so hostile article text reaches every output (the
inert-rendering and soak tests). Both run the models on one thread: the machines that run
the suite have two shared cores, and oversubscribed torch threads are 10x slower there.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import gradio as gr
import httpx
import psutil
import pytest
from gradio_client import Client

from briefing import Pipeline, web
from briefing.clean import CleanOptions
from briefing.errors import ModelNotFoundError
from browser import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "src/briefing/data/sample-kingsoft-cloud.txt"
ARTIFACTS = ROOT / "test-artifacts"
START_TIMEOUT = 240  # import torch + gradio and load models on a busy 2-core machine
HOSTILE = (
    "The city council said on Monday that it approved the new budget "
    "<script>window.__pwned = 1; alert(1)</script> for the coming year.\n"
    'Officials said the plan <img src=x onerror="window.__pwned = 2; alert(2)"> would be '
    "published in the spring, after a review by the finance committee.\n"
    "The mayor said residents can read [the full report](javascript:alert(3)) and **comment** "
    "on it online before the final vote in May.\n"
)


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def _start(cmd: list[str], env: dict[str, str], log: Path) -> Server:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*cmd, "--port", str(port), "--threads", "1"],
            cwd=ROOT,
            env={**os.environ, **env, "GRADIO_ANALYTICS_ENABLED": "False"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(url, process, log)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode}:\n{server.log_text()}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.kill()
    pytest.fail(f"server did not answer within {START_TIMEOUT}s:\n{server.log_text()}")


def _stop(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="module")
def model_server(tiny_models, tmp_path_factory) -> Iterator[Server]:  # type: ignore[no-untyped-def]
    env = {
        "BRIEFING_SUMMARIZER": str(tiny_models.bart),
        "BRIEFING_TRANSLATOR": str(tiny_models.marian),
    }
    env.pop("BRIEFING_AUTH", None)
    log = tmp_path_factory.mktemp("server") / "app.log"
    server = _start([sys.executable, "app.py"], env, log)
    yield server
    _stop(server)


@pytest.fixture(scope="module")
def extractive_server(tiny_models, tmp_path_factory) -> Iterator[Server]:  # type: ignore[no-untyped-def]
    env = {"BRIEFING_SUMMARIZER": "extractive", "BRIEFING_TRANSLATOR": str(tiny_models.marian)}
    log = tmp_path_factory.mktemp("server") / "serve.log"
    server = _start([sys.executable, "-m", "briefing.cli", "serve"], env, log)
    yield server
    _stop(server)


@pytest.fixture(scope="module")
def pipe(tiny_models) -> Pipeline:  # type: ignore[no-untyped-def]
    return Pipeline(str(tiny_models.bart), str(tiny_models.marian), device="cpu", threads=1)


@pytest.fixture(scope="module")
def extractive_pipe(tiny_models) -> Pipeline:  # type: ignore[no-untyped-def]
    return Pipeline("extractive", str(tiny_models.marian), device="cpu", threads=1)


def _client(server: Server) -> Client:
    return Client(server.url, verbose=False)


def _article(n: int) -> str:
    """A short, distinct English article per n (the soak and concurrency inputs)."""
    return (
        f"Harbor Works {n} said on Tuesday that profit rose {n % 90 + 5}% in the quarter. "
        f"Harbor Works {n} plans to hire {n * 7 + 3} engineers in Shenzhen next year. "
        f"Shares of Harbor Works {n} closed {n % 9 + 1}% higher in Hong Kong on the news."
    )


# --------------------------------------------------------------------------- server rules


def test_server_binds_loopback_by_default(model_server: Server) -> None:
    listening = [
        c
        for c in psutil.Process(model_server.process.pid).net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN
    ]
    assert listening, "the server listens on no socket"
    assert {c.laddr.ip for c in listening} <= {"127.0.0.1"}
    assert "BRIEFING_AUTH" not in model_server.log_text()  # loopback: no warning needed


def test_upload_over_the_size_limit_is_refused_by_the_server(model_server: Server) -> None:
    big = b"The company said revenue rose. " * (web.MAX_UPLOAD_BYTES // 30 + 10)
    assert len(big) > web.MAX_UPLOAD_BYTES
    response = httpx.post(
        model_server.url + "gradio_api/upload",
        files={"files": ("big.txt", big, "text/plain")},
        timeout=60,
    )
    assert response.status_code == 413, response.text[:300]
    small = httpx.post(
        model_server.url + "gradio_api/upload",
        files={"files": ("../../escape.txt", b"The firm grew.", "text/plain")},
        timeout=60,
    )
    assert small.status_code == 200
    (stored,) = small.json()
    # Gradio keeps it in its temp upload folder under a sanitised name, not at ../../
    assert Path(stored).resolve().is_relative_to(Path(gr.utils.get_upload_folder()).resolve())
    assert not (ROOT.parent / "escape.txt").exists()


# --------------------------------------------------------------------------- named API


def test_api_brief_with_defaults_matches_pipeline(model_server: Server, pipe: Pipeline) -> None:
    text = "\n".join(SAMPLE.read_text(encoding="utf-8").splitlines()[:3])
    english, chinese, data = _client(model_server).predict(text, api_name="/brief")
    expected = pipe.run(text)
    assert (english, chinese) == (expected.summary, expected.translation)
    assert _has_cjk(chinese)
    assert data["sentence_pairs"] == [list(p) for p in expected.sentence_pairs]
    assert data["info"]["options"]["summary"]["length"] == "medium"
    assert "path" not in data["info"]["summarizer"]


def test_api_options_and_errors(model_server: Server, pipe: Pipeline) -> None:
    client = _client(model_server)
    text = _article(1)
    english, chinese, data = client.predict(text, "short", "traditional", api_name="/brief")
    expected = pipe.run(text, length="short", script="traditional")
    assert (english, chinese) == (expected.summary, expected.translation)
    assert data["info"]["options"]["translation"]["script"] == "traditional"
    with pytest.raises(Exception, match="empty"):
        client.predict("   ", api_name="/brief")
    with pytest.raises(Exception, match="not look English"):
        client.predict("这是一篇关于云计算投资的中文新闻文章。" * 10, api_name="/brief")


def test_api_concurrent_calls_each_match_their_own_input(
    model_server: Server, pipe: Pipeline
) -> None:
    texts = [_article(n) for n in range(100, 106)]
    clients = [_client(model_server) for _ in range(3)]
    jobs = [clients[i % 3].submit(text, "short", api_name="/brief") for i, text in enumerate(texts)]
    results = [job.result(timeout=300) for job in jobs]
    for text, (english, chinese, data) in zip(texts, results, strict=True):
        expected = pipe.run(text, length="short")
        assert english == expected.summary
        assert chinese == expected.translation
        assert data["segments"] == expected.segments


# --------------------------------------------------------------------------- soak


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_soak_many_clients_no_failures_no_mixing_bounded_memory(
    extractive_server: Server, extractive_pipe: Pipeline
) -> None:
    clients, per_client = 8, 25
    server = psutil.Process(extractive_server.process.pid)
    connections = [_client(extractive_server) for _ in range(clients)]

    def run(worker: int, requests: int, offset: int) -> list[tuple[str, tuple]]:
        out = []
        for j in range(requests):
            text = _article(1000 * worker + offset + j)
            out.append((text, connections[worker].predict(text, "short", api_name="/brief")))
        return out

    def round_of(requests: int, offset: int) -> list[tuple[str, tuple]]:
        with ThreadPoolExecutor(clients) as pool:
            futures = [pool.submit(run, w, requests, offset) for w in range(clients)]
            return [pair for f in futures for pair in f.result()]

    round_of(3, 500)  # warm-up: every client and code path has run
    warm_rss = server.memory_info().rss
    started = time.monotonic()
    results = round_of(per_client, 0)
    elapsed = time.monotonic() - started
    after_rss = server.memory_info().rss

    assert len(results) == clients * per_client  # zero failed requests (any would raise)
    for k, (text, (english, chinese, data)) in enumerate(results):
        marker = text.split(" said")[0]  # "Harbor Works 3007": in every sentence, unique
        own = extractive_pipe.prepare(text, CleanOptions()).segments
        assert data["segments"] == own
        assert english and marker in english
        assert all(en in own for en, _ in data["sentence_pairs"])
        assert data["summary"] == english and data["translation"] == chinese
        assert "".join(zh for _, zh in data["sentence_pairs"]) == chinese
        assert _has_cjk(chinese)
        if k % per_client == 0:  # full equality with the library, one per client
            expected = extractive_pipe.run(text, length="short")
            assert (english, chinese) == (expected.summary, expected.translation)
    growth = (after_rss - warm_rss) / warm_rss
    print(
        f"soak: {len(results)} requests in {elapsed:.1f}s "
        f"({len(results) / elapsed:.1f}/s); RSS {warm_rss / 2**20:.0f} -> "
        f"{after_rss / 2**20:.0f} MiB ({growth:+.1%})"
    )
    assert growth <= 0.10, f"server RSS grew {growth:.1%} over the soak"


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "install Debian's chromium (apt-get install chromium)"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 1400})
    page = context.new_page()
    page.set_default_timeout(180_000)
    yield page
    context.close()


def _value(page, elem_id: str) -> str:  # type: ignore[no-untyped-def]
    return page.locator(f"#{elem_id} textarea").input_value()


def _wait_for_briefs(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function(
        "() => ['brief-en', 'brief-zh', 'stats'].every("
        "id => (document.querySelector('#' + id + ' textarea') || {}).value)"
    )


@pytest.mark.browser
def test_browser_example_brief_and_empty_error(model_server: Server, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(model_server.url)
    page.locator("#load-example").click()
    page.wait_for_function(
        "() => document.querySelector('#article textarea').value.includes('Kingsoft')"
    )
    assert _value(page, "article") == SAMPLE.read_text(encoding="utf-8")
    page.locator("#length").get_by_text("Short").click()
    page.locator("#brief-button").click()
    _wait_for_briefs(page)
    english, chinese, stats = (_value(page, i) for i in ("brief-en", "brief-zh", "stats"))
    assert english.strip()
    assert _has_cjk(chinese)
    assert "words in" in stats and "chunk" in stats and "translate" in stats
    page.locator("#bilingual-table tr.pair").first.wait_for()
    assert page.locator("#bilingual-table tr.pair").count() >= 1
    page.locator("#download-md").wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-ui.png"), full_page=True)

    page.locator("#article textarea").fill("")
    page.locator("#brief-button").click()
    error = page.get_by_text("The article is empty")
    error.first.wait_for(timeout=60_000)
    assert error.first.is_visible()


@pytest.mark.browser
def test_browser_upload_fills_the_article_and_refuses_other_types(
    model_server: Server,
    page,  # type: ignore[no-untyped-def]
) -> None:
    upload = page.locator("#upload input[type=file]")
    page.goto(model_server.url)
    # The browser's file picker filters by type; set_input_files does not, so the server
    # must refuse the file itself.
    upload.set_input_files(
        files=[{"name": "report.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7"}]
    )
    page.get_by_text("Invalid file type").or_(page.get_by_text("Only .txt")).first.wait_for(
        timeout=60_000
    )
    assert _value(page, "article") == ""
    page.reload()  # a filled File component hides its file input
    markdown = b"# Harbor Works\n\nThe **company** said [profit](http://x.test) rose 9%.\n"
    upload.set_input_files(
        files=[{"name": "../story.md", "mimeType": "text/markdown", "buffer": markdown}]
    )
    page.wait_for_function(
        "() => document.querySelector('#article textarea').value.includes('profit rose')"
    )
    text = _value(page, "article")
    assert "**" not in text and "](" not in text and text.startswith("Harbor Works")


@pytest.mark.browser
def test_browser_clicking_a_brief_sentence_highlights_its_sources(
    extractive_server: Server,
    page,  # type: ignore[no-untyped-def]
) -> None:
    if web._sources_renderer() is None:
        pytest.skip("briefing.trust is not installed yet")
    page.goto(extractive_server.url)
    page.locator("#article textarea").fill(SAMPLE.read_text(encoding="utf-8"))
    page.locator("#brief-button").click()
    _wait_for_briefs(page)
    sentence = page.locator("#sources-panel .bs-b:not(.bs-nosource)").first
    sentence.wait_for()
    segments = (sentence.get_attribute("data-sources") or "").split()
    assert segments, "an extractive brief sentence must point at its article sentence"
    source = page.locator(f"#sources-panel #bs-seg-{segments[0]}")
    before = source.evaluate("e => getComputedStyle(e).backgroundColor")
    sentence.click()
    after = source.evaluate("e => getComputedStyle(e).backgroundColor")
    assert after != before
    others = page.locator("#sources-panel .bs-seg:not(.bs-support)")
    if others.count():
        assert others.first.evaluate("e => getComputedStyle(e).backgroundColor") != after


@pytest.mark.browser
def test_browser_hostile_article_is_inert(extractive_server: Server, page) -> None:  # type: ignore[no-untyped-def]
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(extractive_server.url)
    page.locator("#article textarea").fill(HOSTILE)
    page.locator("#length").get_by_text("Long").click()
    page.locator("#brief-button").click()
    _wait_for_briefs(page)
    assert "<img src=x" in _value(page, "brief-en")  # the brief copies the markup…
    page.locator("#bilingual-table tr.pair").first.wait_for()
    page.locator("#json-accordion").get_by_text("JSON result").click()
    page.wait_for_timeout(1000)
    # …and the page shows it as text: in the bilingual view and the JSON view
    bilingual = page.locator("#bilingual-view").inner_text()
    assert "<script>window.__pwned = 1" in bilingual and "<img src=x onerror=" in bilingual
    assert "[the full report](javascript:alert(3))" in bilingual
    assert "**comment**" in bilingual
    assert "onerror" in page.locator("#result-json").inner_text()
    # nothing was created or run
    assert page.evaluate("window.__pwned") is None
    assert dialogs == []
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.locator("strong:text('comment'), b:text('comment')").count() == 0
    assert not page.evaluate("[...document.scripts].some(s => s.textContent.includes('__pwned'))")


@pytest.mark.browser
def test_browser_missing_models_page_says_how_to_fetch(browser) -> None:  # type: ignore[no-untyped-def]
    app = web.build_app(None, ModelNotFoundError("org/absent-model"))
    port = _free_port()
    web.launch(app, port=port, block=False, quiet=True)
    try:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/")
        box = page.locator("#model-error")
        box.wait_for(timeout=60_000)
        assert "briefing download org/absent-model" in box.inner_text()
        page.locator("#article textarea").fill("The company said revenue rose sharply.")
        page.locator("#brief-button").click()
        page.get_by_text("is not available locally").first.wait_for(timeout=60_000)
        context.close()
    finally:
        app.close()


def test_basic_auth_from_env_is_required(pipe: Pipeline) -> None:
    app = web.build_app(pipe)
    port = _free_port()
    web.launch(app, port=port, auth=("ann", "s3cret"), block=False, quiet=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        config = httpx.get(url + "config", timeout=30)
        assert config.status_code == 401 or "auth_required" in config.text
        with pytest.raises(Exception):  # noqa: B017 - gradio_client raises its own types
            Client(url, verbose=False)
        client = Client(url, auth=("ann", "s3cret"), verbose=False)
        english, chinese, _ = client.predict(_article(7), "short", api_name="/brief")
        assert english and _has_cjk(chinese)
    finally:
        app.close()
