"""Servers for the web tests: ``app.py`` and ``briefing serve`` on loopback with tiny models.

Imported by test_web_server.py and test_web_browser.py (each module starts its own, once).
Both run the models on one thread: the machines that run the suite have two shared cores,
and oversubscribed torch threads are 10x slower there.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from gradio_client import Client

from briefing import Pipeline

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


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def free_port() -> int:
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


def start(cmd: list[str], env: dict[str, str], log: Path) -> Server:
    port = free_port()
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


def stop(server: Server) -> None:
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
    server = start([sys.executable, "app.py"], env, log)
    yield server
    stop(server)


@pytest.fixture(scope="module")
def extractive_server(tiny_models, tmp_path_factory) -> Iterator[Server]:  # type: ignore[no-untyped-def]
    env = {"BRIEFING_SUMMARIZER": "extractive", "BRIEFING_TRANSLATOR": str(tiny_models.marian)}
    log = tmp_path_factory.mktemp("server") / "serve.log"
    server = start([sys.executable, "-m", "briefing.cli", "serve"], env, log)
    yield server
    stop(server)


@pytest.fixture(scope="module")
def pipe(tiny_models) -> Pipeline:  # type: ignore[no-untyped-def]
    return Pipeline(str(tiny_models.bart), str(tiny_models.marian), device="cpu", threads=1)


@pytest.fixture(scope="module")
def extractive_pipe(tiny_models) -> Pipeline:  # type: ignore[no-untyped-def]
    return Pipeline("extractive", str(tiny_models.marian), device="cpu", threads=1)


def client(server: Server) -> Client:
    return Client(server.url, verbose=False)


def article(n: int) -> str:
    """A short, distinct English article per n (the soak and concurrency inputs)."""
    return (
        f"Harbor Works {n} said on Tuesday that profit rose {n % 90 + 5}% in the quarter. "
        f"Harbor Works {n} plans to hire {n * 7 + 3} engineers in Shenzhen next year. "
        f"Shares of Harbor Works {n} closed {n % 9 + 1}% higher in Hong Kong on the news."
    )


PAGE_TITLE = "Kingsoft Cloud lands a US$296 million investment"


def big_page(size: int = 1_500_000) -> str:
    """A real-shaped news page of about ``size`` characters: the sample article in
    ``<article>`` among navigation, inline scripts, styles and JSON-LD, as pages are."""
    paragraphs = "".join(
        f"<p>{line}</p>\n" for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line
    )
    nav = "".join(f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(40))
    head = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{PAGE_TITLE}</title>\n<style>"
        + ".c{color:#333;margin:0 auto;padding:1rem}\n" * 2000
        + "</style></head>\n<body><header><nav><ul>"
        + nav
        + "</ul></nav></header>\n<main><article><h1>"
        + PAGE_TITLE
        + "</h1>\n"
        + paragraphs
        + "</article></main>\n<footer><p>Copyright 2026 Example News. All rights reserved.</p>"
        "</footer>\n"
    )
    script = 'window.__data = {"items": [' + ",".join(
        f'{{"id": {i}, "kind": "teaser", "url": "/story/{i}"}}' for i in range(200)
    )
    filler = []
    total = len(head) + len(script)
    i = 0
    while total < size - 200:
        piece = f'<script>window.__chunk{i} = "{"x" * 4000}";</script>\n'
        filler.append(piece)
        total += len(piece)
        i += 1
    return head + "<script>" + script + "]};</script>\n" + "".join(filler) + "</body></html>\n"
