"""`briefing download` end to end against a loopback imitation of the Hugging Face hub.

Every download runs ``briefing`` as a subprocess with ``HF_ENDPOINT`` pointing at
``tests/fake_hub.py`` (huggingface_hub reads its endpoint and offline flag at import time,
and conftest sets ``HF_HUB_OFFLINE=1`` for the rest of the suite). Models land in a
temporary ``BRIEFING_MODELS_DIR``; the HF cache is a temporary ``HF_HOME``.
"""

from __future__ import annotations

import os
import pickle
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from briefing.models import is_ct2_dir
from fake_hub import FakeHub

ROOT = Path(__file__).resolve().parents[1]
BRIEFING = [sys.executable, "-m", "briefing.cli"]
SUMMARIZER = "sshleifer/distilbart-cnn-12-6"
TRANSLATOR = "Helsinki-NLP/opus-mt-en-zh"
PICKLED = "acme/pickled-marian"
EVIL = "acme/evil-pickle"


def _pickled_copy(source: Path, out: Path) -> Path:
    """``source`` with its weights as pytorch_model.bin (torch.save) instead of safetensors."""
    shutil.copytree(source, out, ignore=shutil.ignore_patterns(".*", "*.safetensors"))
    torch.save(load_file(source / "model.safetensors"), out / "pytorch_model.bin")
    return out


class _Payload:
    """A pickle that runs code when loaded without torch's weights-only loader."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.system, (f"touch {self.marker}",))


@pytest.fixture(scope="module")
def hub_dir(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    return Path(tmp_path_factory.mktemp("hub"))


@pytest.fixture(scope="module")
def hub(tiny_models, hub_dir: Path) -> Iterator[FakeHub]:  # type: ignore[no-untyped-def]
    work = hub_dir
    fake = FakeHub()
    fake.add_folder(SUMMARIZER, tiny_models.bart)
    fake.add_folder(TRANSLATOR, tiny_models.marian)
    fake.add_folder(PICKLED, _pickled_copy(tiny_models.marian, work / "pickled"))
    evil = _pickled_copy(tiny_models.marian, work / "evil")
    with (evil / "pytorch_model.bin").open("wb") as out:
        pickle.dump({"weight": _Payload(work / "pwned")}, out)
    fake.add_folder(EVIL, evil)
    with fake:
        yield fake


def _env(tmp_path: Path, endpoint: str, **extra: str) -> dict[str, str]:
    offline = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    env = {k: v for k, v in os.environ.items() if k not in offline}
    env.update(
        HF_ENDPOINT=endpoint,
        HF_HOME=str(tmp_path / "hf-home"),
        BRIEFING_MODELS_DIR=str(tmp_path / "models"),
        HF_HUB_DISABLE_TELEMETRY="1",
        **extra,
    )
    return env


def _briefing(
    *args: str, env: dict[str, str], timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    # Pipes, not a terminal: the non-interactive stderr that CI and `make run | tee` give.
    return subprocess.run(
        [*BRIEFING, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _leftovers(models: Path) -> list[Path]:
    """Anything a failed download left that is not a lock file."""
    found = [p for p in models.rglob(".cache")]
    staging = models / ".downloading"
    if staging.is_dir():
        found += [p for p in staging.iterdir() if p.suffix != ".lock"]
    return found


# --------------------------------------------------------------------------- success


def test_safetensors_and_pickled_repos_download_and_convert(hub: FakeHub, tmp_path: Path) -> None:
    env = _env(tmp_path, hub.url)
    result = _briefing("download", SUMMARIZER, PICKLED, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no bars on a pipe, no hub warnings
    models = tmp_path / "models"
    assert f"models folder: {models}" in result.stdout
    assert f"fetching {SUMMARIZER}: 5 files" in result.stdout
    for name in (SUMMARIZER, PICKLED):
        folder = models / name
        assert (folder / "config.json").is_file() and (folder / "model.safetensors").is_file()
        assert not (folder / "pytorch_model.bin").exists()  # re-saved as safetensors
        assert is_ct2_dir(folder / "ct2-int8")
        assert f"{name}: ready in {folder}" in result.stdout
    assert _leftovers(models) == []
    # The re-saved weights are the pickled ones, tensor for tensor.
    (tmp_path / "served.safetensors").write_bytes(hub.repos[TRANSLATOR].files["model.safetensors"])
    original = load_file(tmp_path / "served.safetensors")
    resaved = load_file(models / PICKLED / "model.safetensors")
    shared = set(original) & set(resaved)
    assert shared and all(torch.equal(original[k], resaved[k]) for k in shared)

    # A second run fetches nothing: no hub request, and quick.
    hub.requests.clear()
    again = _briefing("download", SUMMARIZER, PICKLED, env=env)
    assert again.returncode == 0 and "fetching" not in again.stdout
    assert hub.requests == []

    listing = _briefing("models", env={**env, "BRIEFING_SUMMARIZER": SUMMARIZER}, timeout=60)
    assert listing.returncode == 0, listing.stderr
    assert f"{models / SUMMARIZER}" in listing.stdout
    assert "transformers, ctranslate2-int8" in listing.stdout
    assert PICKLED in listing.stdout  # installed, not a default
    assert f"download {TRANSLATOR}" in listing.stdout  # the missing default and its command


def test_quiet_download_prints_nothing(hub: FakeHub, tmp_path: Path) -> None:
    result = _briefing("-q", "download", "--no-convert", TRANSLATOR, env=_env(tmp_path, hub.url))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    folder = tmp_path / "models" / TRANSLATOR
    assert (folder / "model.safetensors").is_file() and not (folder / "ct2-int8").exists()


def test_pickle_that_runs_code_is_refused(hub: FakeHub, hub_dir: Path, tmp_path: Path) -> None:
    result = _briefing("download", "--no-convert", EVIL, env=_env(tmp_path, hub.url))
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("briefing: error:") and EVIL in lines[0]
    assert not (hub_dir / "pwned").exists()
    assert not (tmp_path / "models" / EVIL).exists()
    assert _leftovers(tmp_path / "models") == []


# --------------------------------------------------------------------------- failures


def test_unreachable_hub_fails_fast_with_one_line(tmp_path: Path) -> None:
    env = _env(tmp_path, f"http://127.0.0.1:{_closed_port()}")
    started = time.monotonic()
    result = _briefing("download", SUMMARIZER, TRANSLATOR, env=env, timeout=60)
    elapsed = time.monotonic() - started
    assert result.returncode == 4
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "cannot reach the Hugging Face hub" in lines[0]
    assert SUMMARIZER in lines[0] and TRANSLATOR in lines[0]  # both named, one line
    assert elapsed < 15, elapsed  # interpreter start-up included, on a busy machine
    assert not (tmp_path / "models" / SUMMARIZER).exists()
    assert _leftovers(tmp_path / "models") == []


def test_hub_down_fails_fast_and_bad_id_does_not_stop_the_rest(
    hub: FakeHub, tmp_path: Path
) -> None:
    env = _env(tmp_path, hub.url)
    hub.status = 500
    try:
        started = time.monotonic()
        down = _briefing("download", SUMMARIZER, env=env, timeout=60)
        elapsed = time.monotonic() - started
    finally:
        hub.status = None
    assert down.returncode == 4 and elapsed < 15
    assert len(down.stderr.strip().splitlines()) == 1 and "HTTP 500" in down.stderr

    mixed = _briefing("download", "--no-convert", "acme/no-such-model", TRANSLATOR, env=env)
    assert mixed.returncode == 4
    assert "no model 'acme/no-such-model'" in mixed.stderr
    assert len(mixed.stderr.strip().splitlines()) == 1
    assert (tmp_path / "models" / TRANSLATOR / "config.json").is_file()


def test_interrupted_download_leaves_no_half_model(hub: FakeHub, tmp_path: Path) -> None:
    env = _env(tmp_path, hub.url)
    models = tmp_path / "models"
    hub.slow_bytes_per_s = 20_000  # the 250 KB weights take ~12 s
    hub.requests.clear()
    try:
        process = subprocess.Popen(
            [*BRIEFING, "download", SUMMARIZER],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while "GET /sshleifer/distilbart-cnn-12-6/resolve/" not in "".join(
            r for r in hub.requests if r.endswith("model.safetensors")
        ):
            assert process.poll() is None and time.monotonic() < deadline, "no weights request"
            time.sleep(0.1)
        time.sleep(1.0)  # part of the weights and every small file are on disk now
        process.kill()  # as hard as a power cut: no clean-up code runs
        process.wait()
    finally:
        hub.slow_bytes_per_s = None
    assert not (models / SUMMARIZER).exists()  # nothing that loading would pick
    # Only the hidden staging folder holds the partial files; loading never looks there.
    assert [p for p in models.rglob(".cache") if ".downloading" not in p.parts] == []
    listing = _briefing("models", env={**env, "BRIEFING_SUMMARIZER": SUMMARIZER}, timeout=60)
    assert "missing: fetch it with" in listing.stdout

    again = _briefing("download", "--no-convert", SUMMARIZER, env=env)
    assert again.returncode == 0, again.stderr
    assert (models / SUMMARIZER / "model.safetensors").is_file()
    assert _leftovers(models) == []  # the killed run's staging folder is gone too


# --------------------------------------------------------------------------- where and what


def test_models_folder_is_the_same_from_every_folder(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "BRIEFING_MODELS_DIR"}
    for cwd in (ROOT, tmp_path):
        result = subprocess.run(
            [*BRIEFING, "models"], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        expected = f"models folder: {ROOT / 'models'} (the models/ folder of this source checkout"
        assert expected in result.stdout
    relative = subprocess.run(
        [*BRIEFING, "models"], env={**env, "BRIEFING_MODELS_DIR": "elsewhere"}, cwd=tmp_path,
        capture_output=True, text=True, timeout=60,
    )
    expected = f"models folder: {tmp_path / 'elsewhere'} (set by BRIEFING_MODELS_DIR)"
    assert expected in relative.stdout


def test_models_folder_outside_a_checkout_is_per_user(monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    from briefing import models

    monkeypatch.delenv("BRIEFING_MODELS_DIR", raising=False)
    monkeypatch.setattr(models, "source_checkout", lambda: None)
    expected = Path(platformdirs.user_data_dir("briefing", appauthor=False)) / "models"
    assert models.models_dir() == expected and expected.is_absolute()
    assert models.models_dir_origin() == "user-data"


def test_model_status_api(tiny_models, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from briefing.models import ModelStatus, fetch_command, list_models, model_status

    monkeypatch.setenv("BRIEFING_MODELS_DIR", str(tmp_path))
    monkeypatch.delenv("BRIEFING_SUMMARIZER", raising=False)
    monkeypatch.delenv("BRIEFING_TRANSLATOR", raising=False)
    shutil.copytree(tiny_models.bart, tmp_path / "acme" / "bart")
    (tmp_path / ".downloading" / "acme--half").mkdir(parents=True)  # never listed
    shutil.copytree(tiny_models.marian, tmp_path / ".downloading" / "acme--half" / "x")

    summarizer, translator = model_status("acme/bart", "acme/absent")
    assert summarizer == ModelStatus(
        role="summarizer", name="acme/bart", path=(tmp_path / "acme" / "bart").resolve(),
        installed=True, size_bytes=summarizer.size_bytes, engines=("transformers",),
        is_default=False, fetch_command=fetch_command(["acme/bart"]),
    )
    assert summarizer.size_bytes > 100_000
    assert not translator.installed and translator.path is None and translator.engines == ()
    assert translator.fetch_command.endswith("download acme/absent")
    assert translator.fetch_command.startswith(f"BRIEFING_MODELS_DIR={tmp_path} ")

    lead, _ = model_status("lead", "acme/absent")
    assert lead.installed and lead.path is None and lead.size_bytes == 0

    listed = list_models()
    assert [(s.name, s.role, s.is_default, s.installed) for s in listed] == [
        (SUMMARIZER, "summarizer", True, False),
        (TRANSLATOR, "translator", True, False),
        ("acme/bart", None, False, True),
    ]
    both = fetch_command([SUMMARIZER, TRANSLATOR])
    assert both.endswith(f"download {SUMMARIZER} {TRANSLATOR}") and both.count("download") == 1


def test_fetch_command_names_the_venv_script(monkeypatch: pytest.MonkeyPatch) -> None:
    from briefing.models import briefing_command

    script = Path(sys.executable).parent / "briefing"
    if not script.is_file():
        pytest.skip("not running from a venv with the briefing script")
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # not activated: the path must be spelled out
    monkeypatch.chdir(script.parent.parent.parent)
    assert briefing_command() == str(script.relative_to(script.parent.parent.parent))
    monkeypatch.setenv("PATH", f"{script.parent}:/usr/bin:/bin")  # activated
    assert briefing_command() == "briefing"


def test_full_disk_is_one_line_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import errno

    from briefing import download
    from briefing.cli import main

    monkeypatch.setenv("BRIEFING_MODELS_DIR", str(tmp_path))
    plan = download.DownloadPlan("acme/big", ("config.json",), 10**9, False, tmp_path / "acme/big")
    monkeypatch.setattr(download, "plan_download", lambda name: plan)

    def fill_disk(plan: download.DownloadPlan, staging: Path, progress: bool) -> None:
        (staging / "config.json").write_text("{}")  # half a model in the staging folder
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(download, "_snapshot", fill_disk)
    assert main(["download", "acme/big"]) == 4
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "No space left on device" in err[0] and "free disk space" in err[0]
    assert not (tmp_path / "acme").exists() and _leftovers(tmp_path) == []


def test_a_name_that_is_not_a_repo_id_is_refused_before_the_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from briefing.cli import main

    monkeypatch.setenv("BRIEFING_MODELS_DIR", str(tmp_path / "models"))
    assert main(["download", "../outside", "acme/x y"]) == 4
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all("is not a Hugging Face model id" in line for line in err)
    assert not (tmp_path / "outside").exists()
