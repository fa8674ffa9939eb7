"""Chinese punctuation and spacing, and the script (Simplified / Traditional) per model family."""

from __future__ import annotations

import re
from typing import Any

import opencc
import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefing.backends import load_model
from briefing.models import resolve_model
from briefing.translator import TranslationOptions, Translator
from briefing.typography import is_cjk, normalize_chinese


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Half-width punctuation beside Chinese becomes full-width; CJK spaces go.
        ("小米 公司 说, 他们 将 投资.", "小米公司说，他们将投资。"),
        ("他问: 为什么? 太好了! 对; 是的", "他问：为什么？太好了！对；是的"),
        ('雷军(Lei Jun)说:"云计算是未来"!', "雷军（Lei Jun）说：“云计算是未来”！"),
        ('他说 "Cloud" 很好.', "他说“Cloud”很好。"),
        ("他 说... 好", "他说……好"),
        # ASCII stays inside numbers, URLs, e-mail addresses and Latin runs.
        ("投资 3.5 亿 美元, 约 1,000 人, 9:30 开会.", "投资 3.5 亿美元，约 1,000 人，9:30 开会。"),
        ("见 http://a.com/x?y=1,2 。", "见 http://a.com/x?y=1,2。"),
        ("写信 给 ir@kingsoft.com.", "写信给 ir@kingsoft.com。"),
        ("Lei Jun, Xiaomi 的 创始人.", "Lei Jun, Xiaomi 的创始人。"),
        ("公司 (Kingsoft Corp.) 表示", "公司（Kingsoft Corp.）表示"),
        ("于2010.", "于2010。"),
        # Full-width digits and separators inside numbers become ASCII.
        ("２０１０年收入１，０００万，增长３．５％", "2010年收入1,000万，增长3.5％"),
        # Language tags of the model are dropped.
        (">>cmn_Hans<< 小米 ， 金山", "小米，金山"),
    ],
)
def test_normalize_chinese(raw: str, expected: str) -> None:
    assert normalize_chinese(raw) == expected


_PIECES = st.sampled_from(
    ["小米", "金山软件", "云", " ", "  ", ",", ".", ":", "?", "!", "(", ")", '"', "3.5", "1,000",
     "Lei Jun", "http://x.cn/a?b=1", "，", "。", "2010"]
)  # fmt: skip


@given(st.lists(_PIECES, max_size=20).map("".join))
def test_normalize_properties(text: str) -> None:
    out = normalize_chinese(text)
    assert normalize_chinese(out) == out  # idempotent
    assert not re.search(r"(?<=[\u4e00-\u9fff，。：；？！（）“”])\s+(?=[\u4e00-\u9fff])", out)
    for kept in ("3.5", "1,000", "http://x.cn/a?b=1", "Lei Jun"):
        assert text.count(kept) <= out.count(kept) or kept in "http://x.cn/a?b=1"
    # Chinese characters are never added, dropped or reordered.
    assert [c for c in out if "\u4e00" <= c <= "\u9fff"] == [
        c for c in text if "\u4e00" <= c <= "\u9fff"
    ]


def test_is_cjk() -> None:
    assert is_cjk("中") and is_cjk("，") and not is_cjk("a") and not is_cjk(None)


# --------------------------------------------------------------------------- scripts

_S2T = opencc.OpenCC("s2t")
_T2S = opencc.OpenCC("t2s")
TEXT = ["Xiaomi sold phones in Beijing.", "Kingsoft shares rose 4.5 percent on Tuesday."]


class _Spy:
    """Records what the translator sends to the real model (inputs and settings)."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.sent: list[tuple[list[str], Any]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.model, name)

    def generate(self, texts: list[str], settings: Any) -> list[str]:
        self.sent.append((list(texts), settings))
        return self.model.generate(texts, settings)


@pytest.mark.parametrize(
    ("family", "script", "prefix", "forced_bos"),
    [
        ("marian", "simplified", ">>cmn_Hans<< ", None),
        ("marian", "traditional", ">>cmn_Hant<< ", None),  # the model's own token
        ("marian", "taiwan", ">>cmn_Hans<< ", None),  # Simplified + OpenCC s2twp
        ("m2m100", "simplified", "", "__zh__"),
        ("m2m100", "traditional", "", "__zh__"),  # no Hant code: OpenCC s2t
        ("nllb", "simplified", "", "zho_Hans"),
        ("nllb", "traditional", "", "zho_Hant"),  # forced BOS of the Hant code
    ],
)
def test_scripts_per_family(
    tiny_models: Any, family: str, script: str, prefix: str, forced_bos: str | None
) -> None:
    spy = _Spy(load_model(resolve_model(str(getattr(tiny_models, family))), device="cpu"))
    translator = Translator(spy)  # type: ignore[arg-type]
    out = translator.translate(TEXT, TranslationOptions(script=script, num_beams=1))
    texts, settings = spy.sent[0]
    assert all(t.startswith(prefix) for t in texts)
    assert settings.forced_bos_token == forced_bos
    assert all(re.search(r"[\u4e00-\u9fff]", zh) for zh in out)
    joined = "".join(out)
    same, other = (_T2S, _S2T) if script == "simplified" else (_S2T, _T2S)
    assert same.convert(joined) == joined
    if family == "marian":
        # Its random output holds characters written differently in the two scripts,
        # so the check above has something to fail on.
        assert other.convert(joined) != joined
