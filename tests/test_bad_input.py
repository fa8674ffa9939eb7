"""Bad input through the Python API and the CLI: each row of the README table.

The batch rows live in test_batch.py and the UI rows in test_web.py; every row either
works or raises InputError with a message that says what to do, and nothing crashes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from briefing import InputError, Pipeline

CJK = re.compile(r"[\u4e00-\u9fff]")
ARTICLE = (
    "Xiaomi founder Lei Jun said on Monday that Kingsoft will invest US$1 billion in its cloud "
    "business over the next three years. The company expects the market to grow quickly. "
)

# (row id, text, expected: "ok" or a fragment of the InputError message)
ROWS = [
    ("empty", "", "empty"),
    ("whitespace", " \n\t \u3000 ", "empty"),
    ("single word", "Xiaomi", "ok"),
    ("5000-word sentence", " ".join(["the cloud market keeps growing"] * 1000), "ok"),
    ("only URLs", " ".join(f"https://example.com/news/{i}?id={i}" for i in range(40)),
     "not look English"),
    ("only code", "def f(x):\n    return x * 2\n" * 30, "not look English"),
    ("HTML pasted as text",
     "<html><head><title>Cloud</title></head><body><nav><a href='/'>Home</a></nav>"
     f"<article><h1>Kingsoft cloud</h1><p>{ARTICLE * 3}</p><p>{ARTICLE}</p></article>"
     "<footer>Copyright 2014</footer></body></html>", "ok"),
    ("English with Chinese names", ARTICLE + "雷军 (Lei Jun) founded 小米 (Xiaomi). " * 3, "ok"),
    ("non-English (Chinese)", "雷军表示金山软件将投资十亿美元发展云计算业务。" * 20,
     "not look English"),
    ("non-English (French)", "Le gouvernement a annoncé une réforme des retraites pour les "
     "salariés du secteur privé et les fonctionnaires de la fonction publique. " * 5,
     "not look English"),
    ("over the size limit", ARTICLE * 2000, "over the limit"),
    ("NUL bytes and surrogates", ARTICLE.replace(" ", " \x00", 5) + "\ud800\udfff" + ARTICLE, "ok"),
    ("control characters", "\x1b[31m" + ARTICLE + "\x07\x08\x0c" + ARTICLE, "ok"),
    ("right-to-left and emoji", "\u202e" + ARTICLE + " 🚀📈 مرحبا " + ARTICLE + " 👍", "ok"),
    ("only emoji", "🚀📈👍 " * 50, "no words"),
]


@pytest.fixture(scope="module")
def pipe(tiny_models) -> Pipeline:  # type: ignore[no-untyped-def]
    return Pipeline(str(tiny_models.bart), str(tiny_models.marian), device="cpu")


@pytest.mark.parametrize(("row", "text", "expected"), ROWS, ids=[r[0] for r in ROWS])
def test_api_row(pipe: Pipeline, row: str, text: str, expected: str) -> None:
    if expected == "ok":
        brief = pipe.run(text, length="short")
        assert brief.summary.strip() and CJK.search(brief.translation)
        assert "\x00" not in "".join(brief.segments)
        if row == "HTML pasted as text":
            assert not any("<" in s for s in brief.segments)
            assert any("Kingsoft will invest" in s for s in brief.segments)
    else:
        with pytest.raises(InputError, match=expected):
            pipe.run(text)


@pytest.mark.parametrize(
    ("row", "payload", "code"),
    [
        ("empty", b"", 2),
        ("non-English", "雷军表示金山软件将投资十亿美元。".encode() * 20, 2),
        ("binary with a .txt name", bytes(range(256)) * 20, 2),
        ("NUL bytes", ARTICLE.encode() + b"\x00\x00" + ARTICLE.encode(), 2),
        ("latin-1", (ARTICLE + "Café résumé naïve. ").encode("latin-1"), 0),
        ("utf-16", ARTICLE.encode("utf-16"), 0),
    ],
)
def test_cli_row(tiny_models, tmp_path, row: str, payload: bytes, code: int) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "article.txt"
    path.write_bytes(payload)
    env = {**os.environ, "BRIEFING_SUMMARIZER": str(tiny_models.bart),
           "BRIEFING_TRANSLATOR": str(tiny_models.marian), "HF_HUB_OFFLINE": "1"}
    result = subprocess.run([sys.executable, "-m", "briefing.cli", "brief", str(path),
                             "--length", "short"], capture_output=True, text=True, env=env,
                            timeout=300)
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    if code:
        assert len(result.stderr.strip().splitlines()) == 1
    else:
        assert CJK.search(result.stdout)


def test_non_text_argument(pipe: Pipeline) -> None:
    with pytest.raises(InputError, match="must be text"):
        pipe.run(b"bytes are not text")  # type: ignore[arg-type]
