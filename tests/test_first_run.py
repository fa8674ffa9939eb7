"""`make run` on a fresh models folder: fetch the defaults from a hub, serve, brief.

The hub is ``tests/fake_hub.py`` serving the suite's tiny models under the default repo
ids; the models folder is a temporary ``BRIEFING_MODELS_DIR``. The venv is the suite's own
(``make -o <stamp>`` skips the install step, which needs the internet).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fake_hub import FakeHub
from web_servers import free_port

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "src/briefing/data/sample-kingsoft-cloud.txt"
SUMMARIZER = "sshleifer/distilbart-cnn-12-6"
TRANSLATOR = "Helsinki-NLP/opus-mt-en-zh"
START_TIMEOUT = 240  # fetch, convert, import torch + gradio on a busy 2-core machine

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("make") is None, reason="needs make"),
]


@pytest.fixture(scope="module")
def hub(tiny_models) -> Iterator[FakeHub]:  # type: ignore[no-untyped-def]
    fake = FakeHub()
    fake.add_folder(SUMMARIZER, tiny_models.bart)
    fake.add_folder(TRANSLATOR, tiny_models.marian)
    with fake:
        yield fake


def _make_run(tmp_path: Path, endpoint: str) -> tuple[subprocess.Popen[bytes], str, Path]:
    port = free_port()
    offline = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    env = {k: v for k, v in os.environ.items() if k not in offline}
    for name in ("BRIEFING_SUMMARIZER", "BRIEFING_TRANSLATOR", "BRIEFING_AUTH"):
        env.pop(name, None)  # the defaults, as a newcomer has them
    for name in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
        env.pop(name, None)  # under `make test`: a make of its own, not a sub-make
    env.update(
        HF_ENDPOINT=endpoint,
        HF_HOME=str(tmp_path / "hf-home"),
        BRIEFING_MODELS_DIR=str(tmp_path / "models"),
        GRADIO_ANALYTICS_ENABLED="False",
    )
    venv = Path(sys.prefix)
    log = tmp_path / "make-run.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "-o", str(venv / ".installed"), "run",
             f"VENV={venv}", f"RUN_ARGS=--port {port} --threads 1"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # make and the server it starts stop together
        )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"make run exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return process, url, log
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    _stop(process)
    pytest.fail(f"the page did not answer within {START_TIMEOUT}s:\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_make_run_fetches_the_models_then_serves_a_page_that_briefs(
    hub: FakeHub, tmp_path: Path
) -> None:
    from gradio_client import Client

    process, url, log = _make_run(tmp_path, hub.url)
    try:
        text = "\n".join(SAMPLE.read_text(encoding="utf-8").splitlines()[:3])
        english, chinese, data = Client(url, verbose=False).predict(text, api_name="/brief")
    finally:
        _stop(process)
    output = log.read_text()
    assert english.strip() and re.search(r"[\u4e00-\u9fff]", chinese), output
    assert data["info"]["summarizer"]["name"] == SUMMARIZER
    for name in (SUMMARIZER, TRANSLATOR):
        assert f"fetching {name}:" in output and f"{name}: ready in" in output
        assert (tmp_path / "models" / name / "ct2-int8" / "model.bin").is_file()
    assert "==> starting the web page" in output
    assert "Traceback" not in output


def test_make_run_offline_says_so_in_two_lines_and_serves_anyway(tmp_path: Path) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    started = time.monotonic()
    process, url, log = _make_run(tmp_path, endpoint)
    try:
        page = httpx.get(url, timeout=30).text
    finally:
        _stop(process)
    output = log.read_text()
    before_server = output.split("==> starting the web page")[0].strip().splitlines()
    # "fetching…", the models folder, the one-line error, "starting without them".
    assert len(before_server) == 4, output
    errors = [line for line in before_server if line.startswith("briefing: error:")]
    assert len(errors) == 1 and "cannot reach the Hugging Face hub" in errors[0]
    assert SUMMARIZER in errors[0] and TRANSLATOR in errors[0]
    assert "download" in page  # the page names the command that fetches them
    # The server's own warning names every missing model and the one command, as the page.
    warning = next(line for line in output.splitlines() if "starting without models" in line)
    assert SUMMARIZER in warning and TRANSLATOR in warning and " download " in warning
    assert time.monotonic() - started < START_TIMEOUT


def test_runtime_dependencies_hold_no_test_or_ray_packages() -> None:
    """What `pip install -e .` (make run) pulls, walked through the installed metadata."""
    import tomllib
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    # pyproject.toml for briefing itself (the installed metadata may predate an edit), the
    # installed metadata for everything below it.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    seen: set[str] = {"briefing"}
    todo = [Requirement(line).name for line in project["dependencies"]]
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:  # an optional platform package not installed
            continue
        for line in requires:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    assert {"torch", "transformers", "gradio", "platformdirs"} <= seen
    dev_only = {"pytest", "pytest-timeout", "hypothesis", "playwright", "ray", "ruff"}
    assert seen.isdisjoint(dev_only), seen & dev_only
