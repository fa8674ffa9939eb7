"""The core pipeline on tiny random models of several families."""

from __future__ import annotations

import re
from pathlib import Path
from unittest import mock

import pytest

import briefing
from briefing import InputError, ModelNotFoundError, Pipeline
from briefing.errors import ConfigError

SAMPLE = (Path(__file__).resolve().parents[1] / "src/briefing/data/sample-kingsoft-cloud.txt")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def sample() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pipe(tiny_models) -> Pipeline:  # type: ignore[no-untyped-def]
    return Pipeline(str(tiny_models.bart), str(tiny_models.marian), device="cpu")


def _long_article(words: int) -> str:
    base = SAMPLE.read_text(encoding="utf-8").splitlines()[:10]
    out: list[str] = []
    count = 0
    i = 0
    while count < words:
        line = base[i % len(base)]
        out.append(line)
        count += len(line.split())
        i += 1
    return "\n".join(out)


def test_brief_of_sample(pipe: Pipeline, sample: str) -> None:
    brief = pipe.run(sample)
    assert brief.summary and CJK.search(brief.translation)
    assert brief.summary == " ".join(en for en, _ in brief.sentence_pairs)
    assert brief.translation == "".join(zh for _, zh in brief.sentence_pairs)
    assert all(zh for _, zh in brief.sentence_pairs)
    assert brief.segments[1].startswith("On Dec. 1, 21Vianet")
    assert not any("Post a Comment" in s for s in brief.segments)
    info = brief.info
    assert info.summarizer.family == "bart" and info.translator.family == "marian"
    assert info.options.summary.length == "medium"
    assert info.chunk_tokens == [pipe.summarizer.count_tokens([c])[0] for c in brief.chunks]
    assert info.seconds.total > 0 and info.words_in > 300
    data = brief.to_dict()
    assert set(data) >= {"summary", "translation", "sentence_pairs", "segments", "chunks", "info"}
    assert data["info"]["summarizer"]["name"] == str(pipe.summarizer.model.info.name)


def test_long_article_chunked_within_window_with_full_coverage(pipe: Pipeline) -> None:
    text = _long_article(2000)
    brief = pipe.run(text, length="short")
    window = pipe.summarizer.budget
    assert window == 128  # BART has no prefix: the whole window is the budget
    assert len(brief.chunks) > 10
    assert max(brief.info.chunk_tokens) <= window
    # Every segment appears in the chunks, in order, exactly once.
    assert " ".join(brief.chunks) == " ".join(brief.segments)
    assert brief.info.summary_rounds >= 2  # map-reduce happened
    assert brief.info.summary_tokens <= 60 + 2  # the short preset, plus specials


def test_over_long_single_sentence(pipe: Pipeline) -> None:
    sentence = " ".join(["the cloud market grew"] * 300)  # ~1,200 words, no punctuation
    brief = pipe.run(sentence, length="short")
    assert len(brief.segments) == 1
    assert len(brief.chunks) >= 5
    assert max(brief.info.chunk_tokens) <= pipe.summarizer.budget
    assert " ".join(brief.chunks) == sentence


def test_run_many_equals_run(pipe: Pipeline, sample: str) -> None:
    texts = [sample, _long_article(400), "Xiaomi said on Monday that its profit rose 14%."]
    many = pipe.run_many(texts, length="short")
    for text, brief in zip(texts, many, strict=True):
        single = pipe.run(text, length="short")
        assert brief.summary == single.summary
        assert brief.sentence_pairs == single.sentence_pairs
        assert brief.chunks == single.chunks
        assert brief.info.articles_in_call == 3


def test_options_as_object_dict_and_keywords(pipe: Pipeline) -> None:
    text = "Xiaomi said on Monday that its profit rose 14% in the third quarter."
    a = pipe.run(text, briefing.BriefOptions.coerce(length="short", script="traditional"))
    b = pipe.run(text, {"summary": {"length": "short"}, "translation": {"script": "traditional"}})
    c = pipe.run(text, length="short", script="traditional")
    assert a.summary == b.summary == c.summary
    assert a.info.options == b.info.options == c.info.options
    with pytest.raises(ConfigError, match="unknown option 'lenght'"):
        pipe.run(text, lenght="short")
    with pytest.raises(ConfigError, match="length must be one of"):
        pipe.run(text, length="tiny")


@pytest.mark.parametrize(("script", "token"), [("simplified", ">>cmn_Hans<<"),
                                               ("traditional", ">>cmn_Hant<<")])
def test_marian_language_token_reaches_generate(pipe: Pipeline, script: str, token: str) -> None:
    model = pipe.translator.model
    # Spy on this instance only: the summarizer is the same class.
    with mock.patch.object(model, "generate", wraps=model.generate) as spy:
        brief = pipe.run("Lei Jun founded Xiaomi. Kingsoft entered the cloud market.",
                         script=script)
    texts = [t for call in spy.call_args_list for t in call.args[0]]
    assert texts and all(t.startswith(token + " ") for t in texts)
    for _, zh in brief.sentence_pairs:
        assert ">>" not in zh and " " not in zh.strip()


def test_taiwan_script_converts_with_opencc(pipe: Pipeline) -> None:
    from briefing.translator import convert_script

    assert convert_script("软件", "traditional") == "軟件"
    assert convert_script("软件", "taiwan") == "軟體"
    brief = pipe.run("Lei Jun founded Xiaomi in Beijing.", script="taiwan")
    assert CJK.search(brief.translation)


@pytest.mark.parametrize("family", ["m2m100", "nllb"])
def test_multilingual_translators_force_bos(tiny_models, family: str) -> None:  # type: ignore[no-untyped-def]
    path = getattr(tiny_models, family)
    if path is None:
        pytest.skip(f"no tiny {family} model")
    pipe = Pipeline(str(tiny_models.bart), str(path), device="cpu")
    want = {"m2m100": "__zh__", "nllb": "zho_Hans"}[family]
    model = pipe.translator.model
    seen: list[str | None] = []

    real_generate = model.generate

    def spy(texts, settings):  # type: ignore[no-untyped-def]
        seen.append(settings.forced_bos_token)
        return real_generate(texts, settings)

    with mock.patch.object(model, "generate", spy):
        brief = pipe.run("Xiaomi said its cloud revenue rose 14% in October.")
    assert seen and set(seen) == {want}
    assert CJK.search(brief.translation)
    assert not re.search(r"__zh__|zho_Hans|eng_Latn|__en__", brief.translation)
    assert brief.info.translator.family in ("m2m_100", "nllb", "m2m100")


def test_t5_prefix_and_window(tiny_models, sample: str) -> None:  # type: ignore[no-untyped-def]
    pipe = Pipeline(str(tiny_models.t5), str(tiny_models.marian), device="cpu")
    assert pipe.summarizer.prefix == "summarize: "
    count = pipe.summarizer.count_tokens
    prefix_tokens = count(["summarize: "])[0] - count([""])[0]
    assert pipe.summarizer.budget == 128 - prefix_tokens
    model = pipe.summarizer.model
    with mock.patch.object(model, "generate", wraps=model.generate) as spy:
        brief = pipe.run(sample, length="short")
    texts = [t for call in spy.call_args_list for t in call.args[0]]
    assert texts and all(t.startswith("summarize: ") for t in texts)
    assert not any(c.startswith("summarize: ") for c in brief.chunks)
    assert max(model.count_tokens(texts)) <= 128


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("  \n ", "empty"),
        ("雷军表示金山软件将投资十亿美元发展云计算业务。" * 10, "not look English"),
        ("x " * 60_000, "over the limit"),
    ],
)
def test_input_errors(pipe: Pipeline, text: str, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment) as info:
        pipe.run(text)
    assert isinstance(info.value, ValueError)


def test_size_limit_is_configurable(pipe: Pipeline) -> None:
    text = "The company said revenue grew strongly this year. " * 40
    with pytest.raises(InputError, match="over the limit of 500"):
        pipe.run(text, max_chars=500)
    assert pipe.run(text, max_chars=5_000).summary


def test_missing_model_names_the_fix(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BRIEFING_MODELS_DIR", str(tmp_path))
    with pytest.raises(ModelNotFoundError) as info:
        Pipeline("no-such-org/no-such-model", "Helsinki-NLP/opus-mt-en-zh")
    message = str(info.value)
    assert "no-such-org/no-such-model" in message
    assert "briefing download no-such-org/no-such-model" in message


def test_models_dir_resolution_and_env_defaults(tiny_models, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from briefing.models import resolve_model

    target = tmp_path / "acme" / "tiny-bart"
    shutil.copytree(tiny_models.bart, target)
    monkeypatch.setenv("BRIEFING_MODELS_DIR", str(tmp_path))
    ref = resolve_model("acme/tiny-bart")
    assert ref.source == "models-dir" and ref.path == target.resolve()
    monkeypatch.setenv("BRIEFING_SUMMARIZER", "acme/tiny-bart")
    monkeypatch.setenv("BRIEFING_TRANSLATOR", str(tiny_models.marian))
    brief = briefing.summarize("Xiaomi said on Monday that its profit rose 14% this year.")
    assert brief.info.summarizer.name == "acme/tiny-bart"


def test_summarize_caches_the_pipeline(tiny_models, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from briefing import pipeline as module

    monkeypatch.setattr(module, "_cache", {})
    text = "Xiaomi said on Monday that its profit rose 14% this year."
    a = briefing.summarize(text, str(tiny_models.bart), str(tiny_models.marian), device="cpu")
    b = briefing.summarize(text, str(tiny_models.bart), str(tiny_models.marian), device="cpu")
    assert len(module._cache) == 1
    assert a.summary == b.summary


def test_pickle_weights_refused_without_flag(tiny_models, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    import torch

    from briefing.errors import ModelLoadError

    folder = tmp_path / "pickled"
    shutil.copytree(tiny_models.bart, folder)
    from safetensors.torch import load_file

    state = load_file(folder / "model.safetensors")
    torch.save(state, folder / "pytorch_model.bin")
    (folder / "model.safetensors").unlink()
    with pytest.raises(ModelLoadError, match="no safetensors"):
        Pipeline(str(folder), str(tiny_models.marian), device="cpu")
