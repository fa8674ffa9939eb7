"""The CTranslate2 backend on the tiny models converted at test time, and the transformers
backend's shared cross-attention cache (same sequences as the stock beam search)."""

from __future__ import annotations

import dataclasses
import itertools
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from briefing import Pipeline
from briefing.backends import GenerationSettings, load_model
from briefing.backends.ct2 import CTranslate2Seq2Seq
from briefing.backends.hf import TransformersSeq2Seq, _shared_cross_attention_cache
from briefing.cli import main
from briefing.errors import BackendUnavailableError, ConfigError, ModelLoadError
from briefing.models import convert, find_converted, is_ct2_dir, resolve_model

SAMPLE = Path(__file__).resolve().parents[1] / "src/briefing/data/sample-kingsoft-cloud.txt"
CJK = re.compile(r"[\u4e00-\u9fff]")
FAMILIES = ("bart", "t5", "marian", "m2m100", "nllb", "mbart50")
# What each model needs to be told: a source prefix (T5 task, Marian target language) or a
# forced first target token (M2M100 / NLLB / mBART-50 language codes).
SOURCE_PREFIX = {"t5": "summarize: ", "marian": ">>cmn_Hans<< "}
FORCED_BOS = {"m2m100": "__zh__", "nllb": "zho_Hans", "mbart50": "zh_CN"}
OTHER_LANGUAGE = {"m2m100": "__fr__", "nllb": "fra_Latn", "mbart50": "fr_XX"}


@dataclass(frozen=True)
class Converted:
    root: Path  # private copies of the tiny models, each with ct2-int8/ and ct2-float32/

    def path(self, family: str) -> Path:
        return self.root / family


@pytest.fixture(scope="session")
def converted(tiny_models, tmp_path_factory) -> Converted:  # type: ignore[no-untyped-def]
    # Copies, so that backend="auto" elsewhere in the suite keeps finding unconverted models.
    root = tmp_path_factory.mktemp("ct2-models")
    for family in FAMILIES:
        source = getattr(tiny_models, family)
        if source is None:
            continue
        shutil.copytree(source, root / family)
        convert(root / family)  # int8, the default
        convert(root / family, quantization="float32")  # for exact comparisons
    return Converted(root)


@pytest.fixture(scope="session")
def sample() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def _texts(sample: str, family: str, n: int = 4) -> list[str]:
    lines = [line for line in sample.splitlines() if len(line.split()) > 8][:n]
    return [
        SOURCE_PREFIX.get(family, "") + " ".join(line.split()[: 12 + 6 * i])
        for i, line in enumerate(lines)
    ]


def _float32(converted: Converted, family: str) -> CTranslate2Seq2Seq:
    ref = resolve_model(str(converted.path(family)))
    return CTranslate2Seq2Seq(ref, ref.path / "ct2-float32", compute_type="float32")


# --------------------------------------------------------------------------- conversion


def test_conversion_is_self_contained_and_kept(converted: Converted) -> None:
    ref = resolve_model(str(converted.path("marian")))
    folder = find_converted(ref)
    assert folder == ref.path / "ct2-int8" and is_ct2_dir(folder)
    names = {p.name for p in folder.iterdir()}
    assert {"model.bin", "config.json", "hf_config.json", "generation_config.json"} <= names
    assert {"source.spm", "target.spm", "vocab.json", "tokenizer_config.json"} <= names
    assert not any(n.endswith(".safetensors") for n in names)
    stamp = (folder / "model.bin").stat().st_mtime_ns
    assert convert(ref.path) == folder  # already converted: kept as is
    assert (folder / "model.bin").stat().st_mtime_ns == stamp


def test_convert_cli(tiny_models, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "m2m"
    shutil.copytree(tiny_models.m2m100, folder)
    assert main(["convert", str(folder), "--quantization", "int16"]) == 0
    assert is_ct2_dir(folder / "ct2-int16")
    assert str(folder / "ct2-int16") in capsys.readouterr().out
    assert main(["convert", str(tmp_path / "missing")]) == 3
    assert main(["convert", str(folder), "--quantization", "int3"]) == 2
    assert "int8" in capsys.readouterr().err  # the message lists the valid choices


def test_download_converts_unless_told_not_to(tiny_models, tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    copies = {}
    for name in ("acme/plain", "acme/fast"):
        copies[name] = tmp_path / name
        shutil.copytree(tiny_models.marian, copies[name])
    # Already in the models folder: `download` fetches nothing and only converts (the
    # fetch itself is tested against a fake hub in test_download.py).
    monkeypatch.setenv("BRIEFING_MODELS_DIR", str(tmp_path))
    assert main(["download", "--no-convert", "acme/plain"]) == 0
    assert find_converted(resolve_model(str(copies["acme/plain"]))) is None
    assert main(["download", "acme/fast"]) == 0
    assert is_ct2_dir(copies["acme/fast"] / "ct2-int8")
    assert "CTranslate2 int8" in capsys.readouterr().out


# --------------------------------------------------------------------------- backend choice


def test_auto_backend_selection(tiny_models, converted: Converted) -> None:  # type: ignore[no-untyped-def]
    plain = resolve_model(str(tiny_models.marian))
    assert find_converted(plain) is None
    assert isinstance(load_model(plain, backend="auto"), TransformersSeq2Seq)
    with pytest.raises(BackendUnavailableError, match="briefing convert"):
        load_model(plain, backend="ctranslate2")

    ref = resolve_model(str(converted.path("marian")))
    fast = load_model(ref, backend="auto")
    assert isinstance(fast, CTranslate2Seq2Seq)
    assert fast.info.backend == "ctranslate2" and fast.info.precision.startswith("int8")
    assert fast.info.family == "marian" and fast.info.extra["intra_threads"] >= 1
    assert isinstance(load_model(ref, backend="transformers"), TransformersSeq2Seq)
    # A converted folder named directly works with CTranslate2 and is refused by transformers.
    direct = resolve_model(str(ref.path / "ct2-int8"))
    assert isinstance(load_model(direct, backend="auto"), CTranslate2Seq2Seq)
    with pytest.raises(ModelLoadError, match="CTranslate2 model"):
        load_model(direct, backend="transformers")
    with pytest.raises(ConfigError, match="compute"):
        load_model(ref, backend="ctranslate2", compute_type="float8")
    with pytest.raises(ConfigError, match="backend"):
        load_model(ref, backend="onnx")


def test_same_window_and_defaults_as_transformers(converted: Converted) -> None:
    for family in FAMILIES:
        if not converted.path(family).exists():
            continue
        ref = resolve_model(str(converted.path(family)))
        fast, slow = load_model(ref, backend="ctranslate2"), load_model(ref, backend="transformers")
        assert fast.max_input_tokens == slow.max_input_tokens
        assert fast.defaults == slow.defaults
        assert fast.info.family == slow.info.family == slow.config.model_type
        texts = ["Kingsoft Cloud", "", "Xiaomi founder Lei Jun is pushing into cloud computing."]
        assert fast.count_tokens(texts) == slow.count_tokens(texts)


# --------------------------------------------------------------------------- decoding


@pytest.mark.parametrize("family", FAMILIES)
def test_decoding_matches_transformers_step_by_step(
    converted: Converted, sample: str, family: str
) -> None:
    """CTranslate2's greedy tokens, fed back to the transformers model, are its own best
    choices at every step, and both engines give them the same log-probabilities: the
    decoder start token, forced first token, positions and vocabulary all line up."""
    if not converted.path(family).exists():
        pytest.skip(f"no tiny {family} model")
    import torch

    fast = _float32(converted, family)
    slow = load_model(resolve_model(str(converted.path(family))), backend="transformers")
    settings = dataclasses.replace(
        fast.defaults,
        num_beams=1,
        min_new_tokens=4,
        max_new_tokens=16,
        no_repeat_ngram_size=0,
        forced_bos_token=FORCED_BOS.get(family),
    )
    texts = _texts(sample, family)
    hypotheses = fast.generate_tokens(texts, settings)
    start = slow.model.generation_config.decoder_start_token_id
    forced = FORCED_BOS.get(family) or {"bart": "<s>"}.get(family)
    for text, tokens in zip(texts, hypotheses, strict=True):
        assert 4 <= len(tokens) <= 16
        if forced:
            assert tokens[0] == forced
        ids = slow.tokenizer.convert_tokens_to_ids(tokens)
        encoded = slow.tokenizer([text], return_tensors="pt")
        with torch.inference_mode():
            logits = slow.model(**encoded, decoder_input_ids=torch.tensor([[start, *ids]])).logits[
                0, :-1
            ]
        logprobs = logits.float().log_softmax(-1)
        chosen = logprobs[torch.arange(len(ids)), torch.tensor(ids)]
        free = slice(1 if forced else 0, None)  # a forced token is not the model's choice
        assert torch.all(chosen[free] >= logprobs.max(-1).values[free] - 0.05)
        source = slow.tokenizer.convert_ids_to_tokens(encoded["input_ids"][0])
        scored = fast.translator.score_batch([source], [tokens])[0].log_probs[: len(ids)]
        assert torch.allclose(torch.tensor(scored), chosen, atol=0.05)


@pytest.mark.parametrize("family", ["marian", "m2m100", "nllb", "mbart50"])
def test_generation_settings_reach_the_engine(
    converted: Converted, sample: str, family: str
) -> None:
    if not converted.path(family).exists():
        pytest.skip(f"no tiny {family} model")
    model = load_model(resolve_model(str(converted.path(family))), backend="ctranslate2")
    texts = _texts(sample, family, n=5)
    base = dataclasses.replace(
        model.defaults,
        num_beams=3,
        min_new_tokens=10,
        max_new_tokens=14,
        no_repeat_ngram_size=0,
        forced_bos_token=FORCED_BOS.get(family),
    )
    # Marian and mBART force "</s>" on the last step in transformers: one token of room.
    longest = 13 if family in ("marian", "mbart50") else 14
    for tokens in model.generate_tokens(texts, base):
        assert 10 <= len(tokens) <= longest
        if family in FORCED_BOS:
            assert tokens[0] == FORCED_BOS[family]

    def repeated_bigrams(settings: GenerationSettings) -> int:
        outputs = model.generate_tokens(texts, settings)
        return sum(len(t) - 1 - len(set(itertools.pairwise(t))) for t in outputs)

    assert repeated_bigrams(base) > 0  # the random models repeat themselves…
    assert repeated_bigrams(dataclasses.replace(base, no_repeat_ngram_size=2)) == 0  # …unless told
    if family in FORCED_BOS:  # another language code really changes the first token
        other = dataclasses.replace(base, forced_bos_token=OTHER_LANGUAGE[family])
        assert all(t[0] == other.forced_bos_token for t in model.generate_tokens(texts, other))
    decoded = model.generate(texts, base)
    assert all(CJK.search(text) for text in decoded)
    assert not any(FORCED_BOS.get(family, "<s>") in text for text in decoded)


def test_window_is_enforced(converted: Converted) -> None:
    model = load_model(resolve_model(str(converted.path("bart"))), backend="ctranslate2")
    with pytest.raises(ValueError, match="exceeds window"):
        model.generate(["word " * 400], model.defaults)
    assert model.generate([], model.defaults) == []


# --------------------------------------------------------------------------- pipeline


def test_pipeline_promises_on_ctranslate2(converted: Converted, sample: str) -> None:
    pipe = Pipeline(
        str(converted.path("bart")),
        str(converted.path("marian")),
        device="cpu",
        backend="ctranslate2",
        threads=1,
    )
    assert {m.backend for m in pipe.models} == {"ctranslate2"}
    long_article = "\n\n".join([sample] * 3)
    briefs = pipe.run_many([sample, long_article], length="short", script="traditional")
    for brief in briefs:
        assert brief.info.summarizer.backend == "ctranslate2"
        assert brief.info.summary_rounds >= 2  # longer than the 128-token window: map-reduce
        # Chunk coverage: every segment in exactly one first-pass chunk, in order.
        words = [w for c in brief.chunks for w in c.split()]
        assert words == [w for s in brief.segments for w in s.split()]
        assert all(n <= pipe.summarizer.budget for n in brief.info.chunk_tokens)
        # Sentence alignment, Chinese out.
        assert brief.summary == " ".join(en for en, _ in brief.sentence_pairs)
        assert brief.translation == "".join(zh for _, zh in brief.sentence_pairs)
        assert all(CJK.search(zh) for _, zh in brief.sentence_pairs)
        assert ">>" not in brief.translation
        translator = brief.info.translator
        assert translator.target == ">>cmn_Hans<<"
        assert translator.target_traditional == ">>cmn_Hant<<"
        assert translator.target_rule == "prefix"


@pytest.mark.parametrize("family", ["m2m100", "nllb", "mbart50"])
def test_pipeline_forced_bos_translators(converted: Converted, sample: str, family: str) -> None:
    if not converted.path(family).exists():
        pytest.skip(f"no tiny {family} model")
    pipe = Pipeline(str(converted.path("bart")), str(converted.path(family)), device="cpu")
    assert pipe.translator.model.info.backend == "ctranslate2"  # auto found the conversion
    brief = pipe.run(sample, length="short")
    assert brief.sentence_pairs and all(CJK.search(zh) for _, zh in brief.sentence_pairs)
    assert not re.search(r"__zh__|zho_Hans|zh_CN", brief.translation)
    assert brief.info.translator.target == FORCED_BOS[family]
    assert brief.info.translator.target_rule == "forced_bos"


# --------------------------------------------------------------------------- transformers


@pytest.mark.parametrize("family", ["bart", "t5", "marian", "m2m100"])
def test_shared_cross_attention_cache_gives_identical_sequences(
    tiny_models,
    sample: str,
    family: str,  # type: ignore[no-untyped-def]
) -> None:
    model = load_model(resolve_model(str(getattr(tiny_models, family))), backend="transformers")
    assert isinstance(model, TransformersSeq2Seq)
    assert _shared_cross_attention_cache(model.model, 3) is not None  # the fast path is taken
    assert _shared_cross_attention_cache(model.model, 1) is None  # greedy: nothing to reorder
    texts = _texts(sample, family, n=4)  # different lengths: padded batch
    for beams, length_penalty, no_repeat in ((3, 1.0, 0), (4, 2.0, 3)):
        settings = dataclasses.replace(
            model.defaults,
            num_beams=beams,
            min_new_tokens=3,
            max_new_tokens=16,
            length_penalty=length_penalty,
            no_repeat_ngram_size=no_repeat,
            forced_bos_token=FORCED_BOS.get(family),
        )
        model.share_cross_attention = True
        fast = model.generate(texts, settings)
        model.share_cross_attention = False
        stock = model.generate(texts, settings)
        assert fast == stock
        if family != "t5":  # the tiny T5 says the same for every input
            assert len(set(fast)) > 1  # the inputs really differ, so a mix-up would show
