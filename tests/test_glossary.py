"""Glossary: loading, matching, and the guarantee that renderings reach the Chinese brief."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing import Pipeline
from briefing.backends import GenerationSettings, ModelInfo, load_model
from briefing.errors import ConfigError
from briefing.glossary import Glossary, example_glossary_path
from briefing.models import resolve_model
from briefing.pipeline import BriefOptions
from briefing.translator import TranslationOptions, Translator

DATA = Path(__file__).resolve().parents[1] / "src/briefing/data"
EXAMPLE = DATA / "glossary-example.csv"
PLACEHOLDER = re.compile(r"ZX\d+")


def _missing(glossary: Glossary, english: str, chinese: str) -> list[str]:
    """Renderings of terms found in ``english`` that ``chinese`` lacks."""
    return [m.chinese for m in glossary.find(english) if m.chinese not in chinese]


# --------------------------------------------------------------------------- loading


def test_example_glossary_has_the_sample_names() -> None:
    glossary = Glossary.load(EXAMPLE)
    rendered = dict(glossary.entries)
    for english, chinese in [
        ("Xiaomi", "小米"),
        ("Kingsoft", "金山软件"),
        ("21Vianet", "世纪互联"),
        ("Lei Jun", "雷军"),
        ("Temasek", "淡马锡"),
        ("Zhang Hongjiang", "张宏江"),
        ("Xunlei", "迅雷"),
        ("Caixin", "财新"),
        ("Baidu", "百度"),
        ("Alibaba", "阿里巴巴"),
        ("Tencent", "腾讯"),
    ]:
        assert rendered[english] == chinese
    assert glossary.source == str(EXAMPLE) and len(glossary.digest) == 16
    assert Glossary.load(example_glossary_path()) == glossary


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("g.csv", "english,chinese\nKingsoft,金山软件\n# a comment\n\nLei Jun,雷军\n"),
        ("g.csv", "\ufeffchinese,note,english\n金山软件,x,Kingsoft\n雷军,,Lei Jun\n"),
        ("g.tsv", "Kingsoft\t金山软件\nLei Jun\t雷军\n"),
        ("g.yaml", "Kingsoft: 金山软件\nLei Jun: 雷军\n"),
        ("g.yml", "- {english: Kingsoft, chinese: 金山软件}\n- english: Lei Jun\n  chinese: 雷军"),
    ],
)
def test_formats(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert dict(Glossary.load(path).entries) == {"Kingsoft": "金山软件", "Lei Jun": "雷军"}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("english,chinese\nKingsoft,金山软件\nkingsoft,金山\n", "two renderings"),
        ("english,chinese\nKingsoft,\n", "empty"),
        ("english,chinese\nKingsoft\n", "needs an english and a chinese"),
    ],
)
def test_bad_glossaries_name_the_fix(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "g.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=fragment):
        Glossary.load(path)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        TranslationOptions(glossary=str(tmp_path / "nope.csv"))


# --------------------------------------------------------------------------- matching


def test_matching_is_case_insensitive_whole_word_longest_first() -> None:
    glossary = Glossary.from_mapping(
        {"Kingsoft": "金山软件", "Kingsoft Cloud": "金山云", "Lei Jun": "雷军", "Ali": "阿里"}
    )
    text = "KINGSOFT cloud and kingsoft's  Lei\tJun met Alibaba, not Ali."
    found = [(m.found, m.chinese) for m in glossary.find(text)]
    assert found == [
        ("KINGSOFT cloud", "金山云"),
        ("kingsoft", "金山软件"),
        ("Lei\tJun", "雷军"),
        ("Ali", "阿里"),  # "Alibaba" is not a whole-word match of "Ali"
    ]


def test_options_stay_hashable_and_serialisable() -> None:
    opts = BriefOptions.coerce(None, glossary=str(EXAMPLE), script="traditional")
    assert isinstance(opts.translation.glossary, Glossary)
    again = BriefOptions.coerce(None, glossary=str(EXAMPLE), script="traditional")
    assert hash(opts) == hash(again) and opts == again
    record = json.loads(json.dumps(opts.to_dict(), ensure_ascii=False))
    assert record["translation"]["glossary"]["digest"] == opts.translation.glossary.digest
    assert BriefOptions.coerce(record) == opts  # a batch record rebuilds the same options
    mapping = BriefOptions.coerce(None, glossary={"Xiaomi": "小米"})
    assert dict(mapping.translation.glossary.entries) == {"Xiaomi": "小米"}
    with pytest.raises(ConfigError):
        BriefOptions.coerce(None, glossary=42)


# --------------------------------------------------------------------------- the guarantee


@pytest.fixture(scope="module")
def marian(tiny_models) -> Any:  # type: ignore[no-untyped-def]
    return load_model(resolve_model(str(tiny_models.marian)), device="cpu")


# Short sentences keep the random model's (endless) output short; the names are the
# sample article's.
SENTENCES = [
    "Lei Jun of Xiaomi said KINGSOFT and Temasek back 21Vianet.",
    "Zhang Hongjiang told Caixin that Baidu, Alibaba and tencent compete.",
]
ARTICLE = (
    "Lei Jun, founder of Xiaomi, said Kingsoft will invest in 21Vianet with Temasek.\n"
    "Kingsoft chief executive Zhang Hongjiang said the deal took only 19 hours to agree.\n"
    "Baidu, Alibaba and Tencent already sell cloud services to many small businesses."
)


class _Wrapped:
    """A test double of the *model*: the real tiny Seq2Seq, with its input or output
    changed the way a real model may treat placeholders. Outputs still come from it."""

    def __init__(self, model: Any, mode: str) -> None:
        self.model, self.mode = model, mode
        self.calls: list[list[str]] = []
        for name in ("info", "tokenizer", "config", "max_input_tokens", "defaults"):
            setattr(self, name, getattr(model, name))

    def count_tokens(self, texts: list[str]) -> list[int]:
        return self.model.count_tokens(texts)

    def generate(self, texts: list[str], settings: GenerationSettings) -> list[str]:
        self.calls.append(list(texts))
        stripped = [PLACEHOLDER.sub("", t) for t in texts]
        outputs = self.model.generate(stripped, settings)
        kept = [" ".join(PLACEHOLDER.findall(t)) for t in texts]
        if self.mode == "drop":  # the model never sees (or never writes) placeholders
            return outputs
        if self.mode == "copy":  # a model that carries placeholders through
            return [f"{k} {out}" if k else out for k, out in zip(kept, outputs, strict=True)]
        if self.mode == "duplicate":
            return [f"{k} {out} {k}" if k else out for k, out in zip(kept, outputs, strict=True)]
        if self.mode == "mangle":  # renumbered: ZX1 -> ZX7
            return [f"{k.replace('1', '7')} {out}" for k, out in zip(kept, outputs, strict=True)]
        raise AssertionError(self.mode)


def test_tiny_marian_drops_placeholders_yet_every_term_is_rendered(marian: Any) -> None:
    glossary = Glossary.load(EXAMPLE)
    translator = Translator(marian)
    options = TranslationOptions(glossary=glossary, num_beams=1)
    results = translator.translate_detailed(SENTENCES, options)
    assert sum(len(glossary.find(s)) for s in SENTENCES) == 10
    for i, (english, result) in enumerate(zip(SENTENCES, results, strict=True)):
        assert not _missing(glossary, english, result.text)
        assert [t.found for t in result.terms] == [m.found for m in glossary.find(english)]
        assert all(t.sentence == i for t in result.terms)
        # The random model can only write CJK pieces, so it never returns a placeholder.
        assert {t.method for t in result.terms} <= {"spliced"}
        assert not PLACEHOLDER.search(result.text)


@pytest.mark.parametrize(
    ("mode", "method"),
    [("copy", "placeholder"), ("drop", "spliced"), ("duplicate", "spliced"),
     ("mangle", "spliced")],
)  # fmt: skip
def test_placeholders_kept_or_lost(marian: Any, mode: str, method: str) -> None:
    model = _Wrapped(marian, mode)
    glossary = Glossary.from_mapping({"Kingsoft": "金山软件", "Lei Jun": "雷军"})
    sentences = ["Lei Jun said Kingsoft will grow.", "The market is small."]
    results = Translator(model).translate_detailed(
        sentences, TranslationOptions(glossary=glossary, num_beams=1)
    )
    sent = [text for call in model.calls for text in call]
    assert ">>cmn_Hans<< ZX1 said ZX2 will grow." in sent  # the protected sentence
    assert "雷军" in results[0].text and "金山软件" in results[0].text
    assert results[0].text.index("雷军") < results[0].text.index("金山软件")
    assert [t.method for t in results[0].terms] == [method, method]
    assert results[1].terms == [] and results[1].text
    # The fallback translates the English between the terms, and only then.
    gaps = [">>cmn_Hans<< " + p for p in (" said ", " will grow.")]
    assert sorted(t for t in sent if t in gaps) == (gaps if method == "spliced" else [])
    assert len(sent) == (4 if method == "spliced" else 2)


def test_renderings_survive_traditional_script(marian: Any) -> None:
    import opencc

    glossary = Glossary.from_mapping({"Kingsoft": "金山软件"})
    [result] = Translator(marian).translate_detailed(
        ["Kingsoft software is popular."],
        TranslationOptions(glossary=glossary, script="taiwan", num_beams=1),
    )
    # The user's rendering is verbatim; the model's own text is converted around it.
    assert "金山软件" in result.text
    rest = result.text.replace("金山软件", "")
    assert opencc.OpenCC("s2t").convert(rest) == rest


class _StubSeq2Seq:
    """A deterministic stand-in model for property tests: each English word becomes one
    CJK character, punctuation is copied, and placeholders are deleted or copied."""

    def __init__(self, drop: bool) -> None:
        self.drop = drop

    info = ModelInfo("stub", "", "stub", "stub", "cpu", "")
    config = None
    max_input_tokens = 512
    defaults = GenerationSettings(num_beams=1)

    class tokenizer:  # stands for a tokenizer instance
        @staticmethod
        def get_vocab() -> dict[str, int]:
            return {}

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [len(t.split()) + 1 for t in texts]

    def generate(self, texts: list[str], settings: GenerationSettings) -> list[str]:
        outputs = []
        for text in texts:
            if self.drop:
                text = PLACEHOLDER.sub("", text)
            # Words (not placeholders) become one CJK character each.
            word = r"(?!ZX\d)\b[A-Za-z]+\b"
            out = re.sub(word, lambda m: chr(0x4E00 + sum(map(ord, m.group())) % 900), text)
            outputs.append(out)
        return outputs


_TERMS = {
    "Xiaomi": "小米",
    "Kingsoft": "金山软件",
    "Kingsoft Cloud": "金山云",
    "Lei Jun": "雷军",
    "21Vianet": "世纪互联",
    "C++": "C++语言",
    "U.S.": "美国",
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.sampled_from(list(_TERMS)).map(
                lambda t: st.sampled_from([t, t.upper(), t.lower()])
            ).flatmap(lambda s: s),
            st.sampled_from(["said", "and", "the", "cloud", "in", ",", ".", "(", ")", "3.5", "'s"]),
        ),
        min_size=1,
        max_size=14,
    ),
    st.booleans(),
)
def test_property_every_term_rendered_whatever_the_model_does(
    words: list[str], drop: bool
) -> None:
    sentence = " ".join(words)
    glossary = Glossary.from_mapping(_TERMS)
    [result] = Translator(_StubSeq2Seq(drop)).translate_detailed(  # type: ignore[arg-type]
        [sentence], TranslationOptions(glossary=glossary)
    )
    assert not _missing(glossary, sentence, result.text)
    found = glossary.find(sentence)
    assert len(result.terms) == len(found)
    if found:
        assert {t.method for t in result.terms} == {"spliced" if drop else "placeholder"}
    assert not PLACEHOLDER.search(result.text)


# --------------------------------------------------------------------------- end to end


def test_pipeline_records_applied_terms(tiny_models) -> None:  # type: ignore[no-untyped-def]
    pipe = Pipeline("lead", str(tiny_models.marian), device="cpu")
    glossary = Glossary.load(EXAMPLE)
    brief = pipe.run(
        ARTICLE, {"translation": {"num_beams": 1}}, glossary=str(EXAMPLE), sentences=2
    )
    assert not _missing(glossary, brief.summary, brief.translation)
    assert len(brief.glossary_terms) == len(glossary.find(brief.summary)) == 7
    for term in brief.glossary_terms:
        english, chinese = brief.sentence_pairs[term.sentence]
        assert term.found in english and term.chinese in chinese
    assert brief.translation == "".join(zh for _, zh in brief.sentence_pairs)
    data = json.loads(brief.to_json())
    assert data["glossary_terms"][0]["chinese"] == brief.glossary_terms[0].chinese
    assert data["info"]["options"]["translation"]["glossary"]["source"] == str(EXAMPLE)
    assert dataclasses.asdict(brief.info.options) == brief.info.options.to_dict()
