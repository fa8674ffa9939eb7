"""Every translator family, in every tokenizer layout, reaches the engine with the Chinese
target: Marian multi-target (source prefix), NLLB-200, M2M100 and mBART-50 (first generated
token), on transformers and on CTranslate2. A multilingual model without Chinese is refused."""

from __future__ import annotations

import dataclasses
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import transformers
from transformers import AutoTokenizer

from briefing.backends import ModelInfo, load_model
from briefing.backends.ct2 import CTranslate2Seq2Seq
from briefing.backends.hf import TransformersSeq2Seq
from briefing.errors import BriefingError, ModelLoadError, NoChineseTargetError
from briefing.languages import find_chinese_target, language_tokens
from briefing.models import convert, resolve_model
from briefing.translator import TranslationOptions, Translator
from tiny_models import TinyModels, TinyTranslator, build_marian, has_cjk

ENGLISH = [
    "Xiaomi founder Lei Jun said the group would spend more on cloud services.",
    "Heavy rain closed schools in Guangzhou.",
]
ENGINES = ("transformers", "ctranslate2")
# family -> (rule, Simplified token, native Traditional token or None, English src_lang)
EXPECTED = {
    "marian": ("prefix", ">>cmn_Hans<<", ">>cmn_Hant<<", None),
    "nllb": ("forced_bos", "zho_Hans", "zho_Hant", "eng_Latn"),
    "m2m100": ("forced_bos", "__zh__", None, "en"),
    "mbart50": ("forced_bos", "zh_CN", None, "en_XX"),
}
# The first source token of forced-BOS families: the English language tag.
SOURCE_TOKEN = {"nllb": "eng_Latn", "m2m100": "__en__", "mbart50": "en_XX"}
LAYOUTS = [
    f"{family}-{layout}" for family in EXPECTED for layout in ("listed", "unlisted")
]


@dataclass(frozen=True)
class Converted:
    """Private copies of the tiny translators, each converted to CTranslate2 (int8)."""

    root: Path

    def path(self, name: str) -> Path:
        return self.root / name


@pytest.fixture(scope="session")
def converted(tiny_models: TinyModels, tmp_path_factory: pytest.TempPathFactory) -> Converted:
    root = tmp_path_factory.mktemp("families")
    sources = {t.id: t.path for t in tiny_models.translators}
    assert tiny_models.no_chinese is not None
    sources["no-chinese"] = tiny_models.no_chinese
    for name, source in sources.items():
        shutil.copytree(source, root / name)
        convert(root / name)
    return Converted(root)


def _translator(tiny_models: TinyModels, name: str) -> TinyTranslator:
    return next(t for t in tiny_models.translators if t.id == name)


class _Recorder:
    """Wraps an engine's innermost generate call (the transformers model, or the
    CTranslate2 translator) and keeps what went in and what came out."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.sources: list[list[str]] = []  # source tokens of each input
        self.firsts: list[str] = []  # first generated token of each output
        if isinstance(model, TransformersSeq2Seq):
            self._wrap_transformers()
        else:
            assert isinstance(model, CTranslate2Seq2Seq)
            self._wrap_ct2()

    def _wrap_transformers(self) -> None:
        inner = self.model.model
        original = inner.generate
        tokenizer = self.model.tokenizer
        start = inner.generation_config.decoder_start_token_id

        def generate(**kwargs: Any) -> Any:
            output = original(**kwargs)
            for row, mask in zip(kwargs["input_ids"], kwargs["attention_mask"], strict=True):
                ids = [int(i) for i, m in zip(row, mask, strict=True) if m]
                self.sources.append(tokenizer.convert_ids_to_tokens(ids))
            for row in output:
                assert int(row[0]) == start  # position 0 is the decoder start, not generated
                self.firsts.append(tokenizer.convert_ids_to_tokens(int(row[1])))
            return output

        inner.generate = generate

    def _wrap_ct2(self) -> None:
        recorder = self

        class Proxy:
            def __init__(self, translator: Any) -> None:
                self.translator = translator

            def translate_batch(self, source: list[list[str]], *args: Any, **kwargs: Any) -> Any:
                results = self.translator.translate_batch(source, *args, **kwargs)
                recorder.sources.extend(source)
                recorder.firsts.extend(r.hypotheses[0][0] for r in results)
                return results

        self.model.translator = Proxy(self.model.translator)


# --------------------------------------------------------------------------- discovery


@pytest.mark.parametrize("use_fast", [True, False])
@pytest.mark.parametrize("name", LAYOUTS)
def test_target_is_found_in_every_layout(
    tiny_models: TinyModels, name: str, use_fast: bool
) -> None:
    tiny = _translator(tiny_models, name)
    tokenizer = AutoTokenizer.from_pretrained(tiny.path, use_fast=use_fast)
    rule, hans, hant, source = EXPECTED[tiny.family]
    target = find_chinese_target(tokenizer, name)
    assert (target.rule, target.family, target.hans, target.hant) == (rule, tiny.family, hans, hant)
    assert target.source_lang == source
    assert hans in language_tokens(tokenizer)


def test_unlisted_m2m100_hides_chinese_from_get_vocab(tiny_models: TinyModels) -> None:
    """The layout of issue 19: a get_vocab() lookup misses __zh__, the tokenizer knows it."""
    tokenizer = AutoTokenizer.from_pretrained(_translator(tiny_models, "m2m100-unlisted").path)
    assert "__zh__" not in tokenizer.get_vocab()
    assert tokenizer.convert_tokens_to_ids("__zh__") == tokenizer.lang_code_to_id["zh"]
    assert tokenizer.convert_tokens_to_ids("__zh__") != tokenizer.unk_token_id
    listed = AutoTokenizer.from_pretrained(_translator(tiny_models, "m2m100-listed").path)
    assert "__zh__" in listed.get_vocab()


def test_v5_has_one_tokenizer_class_per_family() -> None:
    """transformers v5 keeps the *Fast names as aliases: slow and fast are the same class,
    so use_fast=False above loads the same tokenizer."""
    assert transformers.MBart50TokenizerFast is transformers.MBart50Tokenizer
    assert transformers.NllbTokenizerFast is transformers.NllbTokenizer


# --------------------------------------------------------------------------- engines


@pytest.mark.parametrize("script", ["simplified", "traditional"])
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", LAYOUTS)
def test_chinese_target_reaches_generate(
    converted: Converted, name: str, engine: str, script: str
) -> None:
    family = name.split("-")[0]
    rule, hans, hant, _ = EXPECTED[family]
    model = load_model(resolve_model(str(converted.path(name))), backend=engine)
    assert model.info.backend == engine
    translator = Translator(model)
    assert (model.info.target, model.info.target_traditional) == (hans, hant)
    assert model.info.target_rule == rule
    token = hant if script == "traditional" and hant else hans

    recorder = _Recorder(model)
    outputs = translator.translate(ENGLISH, TranslationOptions(script=script, num_beams=2))
    assert len(recorder.firsts) == len(ENGLISH)
    if rule == "prefix":  # Marian: the target is the first source token
        assert all(tokens[0] == token for tokens in recorder.sources)
    else:
        assert recorder.firsts == [token] * len(ENGLISH)
        assert all(tokens[0] == SOURCE_TOKEN[family] for tokens in recorder.sources)
    assert all(has_cjk(text) for text in outputs)
    assert not any(token in text or ">>" in text for text in outputs)

def test_without_a_target_the_engines_are_free(converted: Converted) -> None:
    """The tiny forced-BOS models end at once without their target token, so the target
    checks above could not pass by chance."""
    for name in ("m2m100-unlisted", "mbart50-unlisted"):
        for engine in ENGINES:
            model = load_model(resolve_model(str(converted.path(name))), backend=engine)
            Translator(model)  # sets the English source tag
            settings = dataclasses.replace(model.defaults, num_beams=1, max_new_tokens=8)
            assert model.generate(ENGLISH, settings) == ["", ""], (name, engine)


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("engine", ENGINES)
def test_multilingual_model_without_chinese_is_refused(converted: Converted, engine: str) -> None:
    path = converted.path("no-chinese")
    model = load_model(resolve_model(str(path)), backend=engine)
    with pytest.raises(NoChineseTargetError) as caught:
        Translator(model)
    message = str(caught.value)
    assert isinstance(caught.value, BriefingError)
    assert "\n" not in message
    assert str(path) in message  # the model
    assert ">>deu<<" in message and ">>fra<<" in message  # the languages it found
    assert "Chinese" in message and "opus-mt-en-zh" in message  # and what to do
    assert caught.value.languages == [">>deu<<", ">>fra<<"]


def test_single_target_model_is_used_as_is(tmp_path: Path) -> None:
    path = build_marian(tmp_path / "plain", languages=())
    model = load_model(resolve_model(str(path)), backend="transformers")
    translator = Translator(model)
    assert model.info.target is None and model.info.target_rule == "single_target"
    recorder = _Recorder(model)
    outputs = translator.translate(ENGLISH, TranslationOptions(num_beams=1))
    assert all(has_cjk(text) for text in outputs)
    tokenizer = model.tokenizer
    plain = [tokenizer.convert_ids_to_tokens(tokenizer(text).input_ids) for text in ENGLISH]
    assert sorted(recorder.sources) == sorted(plain)  # batched by length: any order


def test_model_info_from_before_targets_loads() -> None:
    old = {
        "name": "Helsinki-NLP/opus-mt-en-zh",
        "path": "/models/opus",
        "backend": "ctranslate2",
        "family": "marian",
        "device": "cpu",
        "precision": "int8",
        "extra": {},
    }
    info = ModelInfo(**old)
    assert (info.target, info.target_traditional, info.target_rule) == (None, None, None)
    assert dataclasses.asdict(info)["target_rule"] is None


def test_ct2_model_missing_the_target_is_refused(converted: Converted, tmp_path: Path) -> None:
    """A conversion whose vocabulary lost the language token would map it to <unk> silently."""
    folder = tmp_path / "m2m100"
    shutil.copytree(converted.path("m2m100-listed"), folder)
    vocab_file = folder / "ct2-int8" / "shared_vocabulary.json"
    vocab = json.loads(vocab_file.read_text(encoding="utf-8"))
    vocab[vocab.index("__zh__")] = "madeupword99"
    vocab_file.write_text(json.dumps(vocab), encoding="utf-8")
    model = load_model(resolve_model(str(folder)), backend="ctranslate2")
    translator = Translator(model)  # the tokenizer has the target...
    with pytest.raises(ModelLoadError, match=r"no '__zh__' token.*briefing convert .* --force"):
        translator.translate(ENGLISH, TranslationOptions())  # ...the converted model does not
