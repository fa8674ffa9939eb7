"""Suite-wide fixtures: tiny random models built once per session, never the network."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

# Nothing in the suite may reach the Hugging Face hub.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
# Tiny models gain nothing from a second thread, and the suite's subprocesses (CLI, web
# server, batch) would oversubscribe 2 cores: one intra-op thread everywhere.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))

import tiny_models as tiny  # noqa: E402  (needs the path above)


def _cache_root() -> Path:
    # Keyed by the builder's source, so a changed builder rebuilds and an unchanged one is
    # reused across sessions; and by the libraries that write the files and draw the weights.
    key = (TESTS / "tiny_models.py").read_bytes() + tiny.LIBRARY_VERSIONS.encode()
    digest = hashlib.sha256(key).hexdigest()[:12]
    return TESTS.parent / ".pytest_cache" / "tiny-models" / digest


@pytest.fixture(scope="session")
def tiny_models() -> tiny.TinyModels:
    root = _cache_root()
    if not (root / ".all-complete").exists():
        root.parent.mkdir(parents=True, exist_ok=True)
        # Build aside and rename into place, so concurrent sessions never see half a model.
        staging = Path(tempfile.mkdtemp(prefix="building-", dir=root.parent))
        tiny.build_all(staging)
        (staging / ".all-complete").touch()
        try:
            staging.rename(root)
        except OSError:  # another session finished first
            shutil.rmtree(staging, ignore_errors=True)
    return tiny.build_all(root)
