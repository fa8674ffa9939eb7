"""The web server as clients meet it: a real server on loopback, gradio_client, raw HTTP.

Servers come from web_servers.py: ``app.py`` with the tiny BART and Marian, and ``briefing
serve`` with the extractive summarizer (whose briefs copy article sentences verbatim, for the
soak test). The page in a real browser is tested in test_web_browser.py.
"""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import gradio as gr
import httpx
import psutil
import pytest
from gradio_client import Client

from briefing import Pipeline, web
from briefing.clean import CleanOptions
from web_servers import (
    PAGE_TITLE,
    ROOT,
    SAMPLE,
    Server,
    article,
    big_page,
    client,
    free_port,
    has_cjk,
)

# The model_server, extractive_server, pipe and extractive_pipe fixtures.
pytest_plugins = ["web_servers"]


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


def _rss(server: Server) -> int:
    process = psutil.Process(server.process.pid)
    return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)])


def _join(server: Server, text: str | bytes, session: str) -> int:
    """POST one /brief request for a new session straight to the queue; its HTTP status."""
    body = {
        "data": [text, "short", "simplified"],
        "fn_index": _brief_fn_index(server),
        "session_hash": session,
        "event_data": None,
        "trigger_id": None,
    }
    try:
        return httpx.post(server.url + "gradio_api/queue/join", json=body, timeout=120).status_code
    except httpx.HTTPError:  # the server may close the connection on an oversized body
        return 0


def _brief_fn_index(server: Server) -> int:
    config = httpx.get(server.url + "config", timeout=30).json()
    (index,) = [i for i, d in enumerate(config["dependencies"]) if d.get("api_name") == "brief"]
    return index


def test_oversized_requests_do_not_grow_server_memory(model_server: Server) -> None:
    """Issue 15: 10 refused 20 MB requests from new sessions grow the server < 150 MB."""
    big = "The company said revenue rose. " * (20_000_000 // 31)
    _join(model_server, "warm-up", uuid.uuid4().hex)
    before = _rss(model_server)
    statuses = [_join(model_server, big, uuid.uuid4().hex) for _ in range(10)]
    grown = (_rss(model_server) - before) / 2**20
    assert set(statuses) <= {413, 0}, statuses  # refused before the body is stored
    assert grown < 150, f"the server grew {grown:.0f} MB"


def test_streamed_oversized_body_is_refused(model_server: Server) -> None:
    """A body without Content-Length is counted as it arrives and cut off at the limit."""

    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"data": ["'
        for _ in range(40):
            yield b"x" * 100_000
        yield b'"], "fn_index": 0, "session_hash": "streamed"}'

    try:
        status = httpx.post(
            model_server.url + "gradio_api/queue/join", content=chunks(), timeout=60
        ).status_code
    except httpx.HTTPError:
        status = 0
    assert status in (413, 0)
    assert httpx.get(model_server.url, timeout=30).status_code == 200  # still serving


def test_session_capacity_is_bounded() -> None:
    assert web.SESSION_CAPACITY <= 200
    assert web.MAX_REQUEST_BYTES * web.SESSION_CAPACITY < 300 * 2**20


# --------------------------------------------------------------------------- named API


def test_api_brief_with_defaults_matches_pipeline(model_server: Server, pipe: Pipeline) -> None:
    text = "\n".join(SAMPLE.read_text(encoding="utf-8").splitlines()[:3])
    english, chinese, data = client(model_server).predict(text, api_name="/brief")
    expected = pipe.run(text)
    assert (english, chinese) == (expected.summary, expected.translation)
    assert has_cjk(chinese)
    assert data["sentence_pairs"] == [list(p) for p in expected.sentence_pairs]
    assert data["info"]["options"]["summary"]["length"] == "medium"
    assert "path" not in data["info"]["summarizer"]


def test_api_options_and_errors(model_server: Server, pipe: Pipeline) -> None:
    api = client(model_server)
    text = article(1)
    english, chinese, data = api.predict(text, "short", "traditional", api_name="/brief")
    expected = pipe.run(text, length="short", script="traditional")
    assert (english, chinese) == (expected.summary, expected.translation)
    assert data["info"]["options"]["translation"]["script"] == "traditional"
    with pytest.raises(Exception, match="Paste an article first"):
        api.predict("   ", api_name="/brief")
    with pytest.raises(Exception, match="looks like Chinese text"):
        api.predict("这是一篇关于云计算投资的中文新闻文章。" * 10, api_name="/brief")


def test_api_brief_takes_a_pasted_web_page(model_server: Server, pipe: Pipeline) -> None:
    """Issue 14: a 1.5 MB page (markup) passes the request cap; its text is briefed."""
    page = big_page()
    assert len(page.encode()) > 1_400_000
    english, chinese, data = client(model_server).predict(page, "short", api_name="/brief")
    expected = pipe.run(page, length="short")
    assert (english, chinese) == (expected.summary, expected.translation)
    assert data["title"] == PAGE_TITLE
    assert any("21Vianet" in s for s in data["segments"])
    # a page over the markup limit is refused in words, not by a broken connection
    with pytest.raises(Exception, match="characters of markup"):
        client(model_server).predict(big_page(web.MAX_MARKUP_CHARS + 50_000), api_name="/brief")


def test_api_translate_matches_pipeline(model_server: Server, pipe: Pipeline) -> None:
    text = "\n".join(SAMPLE.read_text(encoding="utf-8").splitlines()[:3])
    chinese, data = client(model_server).predict(text, "simplified", api_name="/translate")
    expected = pipe.translate_article(text, script="simplified")
    assert chinese == expected.translation and has_cjk(chinese)
    assert data["sentence_pairs"] == [list(p) for p in expected.sentence_pairs]
    assert "path" not in data["info"]["translator"]


def test_api_concurrent_calls_each_match_their_own_input(
    model_server: Server, pipe: Pipeline
) -> None:
    texts = [article(n) for n in range(100, 106)]
    clients = [client(model_server) for _ in range(3)]
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
    connections = [client(extractive_server) for _ in range(clients)]

    def run(worker: int, requests: int, offset: int) -> list[tuple[str, tuple]]:
        out = []
        for j in range(requests):
            text = article(1000 * worker + offset + j)
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
        assert has_cjk(chinese)
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


# --------------------------------------------------------------------------- auth


def test_basic_auth_from_env_is_required(pipe: Pipeline) -> None:
    app = web.build_app(pipe)
    port = free_port()
    web.launch(app, port=port, auth=("ann", "s3cret"), block=False, quiet=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        config = httpx.get(url + "config", timeout=30)
        assert config.status_code == 401 or "auth_required" in config.text
        with pytest.raises(Exception):  # noqa: B017 - gradio_client raises its own types
            Client(url, verbose=False)
        client = Client(url, auth=("ann", "s3cret"), verbose=False)
        english, chinese, _ = client.predict(article(7), "short", api_name="/brief")
        assert english and has_cjk(chinese)
    finally:
        app.close()
