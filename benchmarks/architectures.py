"""The benchmark's models: random weights in the exact architectures of the real defaults.

``sshleifer/distilbart-cnn-12-6`` and ``Helsinki-NLP/opus-mt-en-zh`` (their config.json and
generation_config.json values below), with tokenizers of the real vocabulary sizes, built
once into ``benchmarks/.cache/`` with a CTranslate2 int8 conversion next to each, and the
article text the benchmark feeds them. Speed does not depend on the weight values at a
fixed output length, so these time the engines as the real models would.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(__file__).resolve().parent / ".cache"
SAMPLE = ROOT / "src/briefing/data/sample-kingsoft-cloud.txt"
SUMMARIZER = CACHE / "distilbart-cnn-12-6-random"
TRANSLATOR = CACHE / "opus-mt-en-zh-random"
BUILD_VERSION = "1"  # bump when the built models change

# config.json of sshleifer/distilbart-cnn-12-6 (architecture and generation fields).
DISTILBART_CONFIG = {
    "activation_function": "gelu",
    "d_model": 1024,
    "encoder_layers": 12,
    "decoder_layers": 6,
    "encoder_attention_heads": 16,
    "decoder_attention_heads": 16,
    "encoder_ffn_dim": 4096,
    "decoder_ffn_dim": 4096,
    "max_position_embeddings": 1024,
    "vocab_size": 50264,
    "scale_embedding": False,
    "init_std": 0.02,
    "dropout": 0.1,
    "attention_dropout": 0.0,
    "activation_dropout": 0.0,
    "bos_token_id": 0,
    "pad_token_id": 1,
    "eos_token_id": 2,
    "decoder_start_token_id": 2,
    "forced_bos_token_id": 0,
    "forced_eos_token_id": 2,
}
DISTILBART_GENERATION = {
    "num_beams": 4,
    "length_penalty": 2.0,
    "no_repeat_ngram_size": 3,
    "min_length": 56,
    "max_length": 142,
    "early_stopping": True,
    "bos_token_id": 0,
    "pad_token_id": 1,
    "eos_token_id": 2,
    "decoder_start_token_id": 2,
    "forced_bos_token_id": 0,
    "forced_eos_token_id": 2,
}
# config.json of Helsinki-NLP/opus-mt-en-zh.
OPUS_MT_CONFIG = {
    "activation_function": "swish",
    "d_model": 512,
    "encoder_layers": 6,
    "decoder_layers": 6,
    "encoder_attention_heads": 8,
    "decoder_attention_heads": 8,
    "encoder_ffn_dim": 2048,
    "decoder_ffn_dim": 2048,
    "max_position_embeddings": 512,
    "vocab_size": 65001,
    "decoder_vocab_size": 65001,
    "scale_embedding": True,
    "share_encoder_decoder_embeddings": True,
    "static_position_embeddings": True,
    "init_std": 0.02,
    "dropout": 0.1,
    "attention_dropout": 0.0,
    "activation_dropout": 0.0,
    "bos_token_id": 0,
    "pad_token_id": 65000,
    "eos_token_id": 0,
    "decoder_start_token_id": 65000,
    "forced_eos_token_id": 0,
}
OPUS_MT_GENERATION = {
    "num_beams": 4,
    "max_length": 512,
    "bad_words_ids": [[65000]],
    "bos_token_id": 0,
    "pad_token_id": 65000,
    "eos_token_id": 0,
    "decoder_start_token_id": 65000,
    "forced_eos_token_id": 0,
    "renormalize_logits": True,
}


# --------------------------------------------------------------------------- text


def sample_sentences() -> list[str]:
    import pysbd

    lines = SAMPLE.read_text(encoding="utf-8").splitlines()[:-3]  # no source/comment lines
    splitter = pysbd.Segmenter(language="en", clean=False)
    return [s.strip() for line in lines for s in splitter.segment(line) if s.strip()]


def article(words: int, seed: int = 0) -> str:
    """An English article of about ``words`` words: the sample's sentences, shuffled, with
    numbers varied so that no paragraph repeats (cleaning could drop repeats)."""
    rng = random.Random(seed)
    sentences = sample_sentences()
    paragraphs: list[str] = []
    count = 0
    while count < words:
        picked = rng.sample(sentences, 3)
        text = " ".join(
            re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randint(1, 9)), s) for s in picked
        )
        paragraphs.append(text)
        count += len(text.split())
    return "\n\n".join(paragraphs)


def article_of_tokens(tokenizer, tokens: int, seed: int) -> str:  # type: ignore[no-untyped-def]
    """An article of ``tokens`` summarizer tokens (special tokens included) or just under."""
    words = article(tokens * 2, seed).split(" ")
    low, high = 1, len(words)
    while low < high:  # longest prefix of words that fits
        mid = (low + high + 1) // 2
        if len(tokenizer(" ".join(words[:mid]))["input_ids"]) <= tokens:
            low = mid
        else:
            high = mid - 1
    return " ".join(words[:low])


def brief_sentences(tokenizer, n: int = 4, tokens: int = 25) -> list[str]:  # type: ignore[no-untyped-def]
    """``n`` English sentences of about ``tokens`` translator tokens each."""
    out = []
    for sentence in sample_sentences():
        words = sentence.split()
        while words and len(tokenizer(" ".join(words))["input_ids"]) > tokens:
            words.pop()
        if len(tokenizer(" ".join(words))["input_ids"]) >= tokens - 3:
            out.append(" ".join(words).rstrip(",;") + ".")
        if len(out) == n:
            return out
    raise RuntimeError("the sample has too few long sentences")


# --------------------------------------------------------------------------- models


def _english_text() -> list[str]:
    return [" ".join(article(400, seed).split()) for seed in range(20)]


def build_summarizer(folder: Path) -> None:
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import (
        AddedToken,
        BartConfig,
        BartForConditionalGeneration,
        BartTokenizer,
        GenerationConfig,
    )

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        _english_text(),
        vocab_size=5000,
        min_frequency=1,
        special_tokens=["<s>", "<pad>", "</s>", "<unk>"],
        show_progress=False,
    )
    model_json = json.loads(bpe.to_str())["model"]
    vocab = dict(model_json["vocab"])
    # Unreachable filler entries up to the real size: 50,264 + "<mask>" appended last.
    for i in range(50264 - len(vocab)):
        vocab[f"Ġzz{i}"] = len(vocab)
    tokenizer = BartTokenizer(
        vocab=vocab,
        merges=[tuple(pair) for pair in model_json["merges"]],
        mask_token=AddedToken("<mask>", lstrip=True, rstrip=False, special=True),
        model_max_length=1024,
    )
    assert len(tokenizer) == 50265, len(tokenizer)
    torch.manual_seed(0)
    model = BartForConditionalGeneration(BartConfig(**DISTILBART_CONFIG)).eval()
    # No end-of-sequence (fixed output length) and only whole-word pieces, so the random
    # summary reads as (nonsense) English words and sentences for the translator.
    allowed = [
        i
        for piece, i in vocab.items()
        if re.fullmatch(r"Ġ[A-Za-z]+|\.|,", piece) and not piece.startswith("Ġzz")
    ]
    with torch.no_grad():
        model.final_logits_bias.fill_(-100.0)
        model.final_logits_bias[0, allowed] = 0.0
    model.generation_config = GenerationConfig(**DISTILBART_GENERATION)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def build_translator(folder: Path) -> None:
    import io

    import sentencepiece as spm
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    def train(lines: list[str], size: int) -> bytes:
        buffer = io.BytesIO()
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(lines),
            model_writer=buffer,
            vocab_size=size,
            hard_vocab_limit=False,
            character_coverage=1.0,
            model_type="unigram",
            num_threads=1,
            minloglevel=2,
        )
        return buffer.getvalue()

    chinese = [
        "小米创始人雷军正在加快进入云计算市场。",
        "世纪互联周一表示，将向金山云投资。",
        "分析师认为，这笔资金将帮助金山云建设新的数据中心。",
        "雷军说，这个市场增长很快。",
    ] * 20
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "source.spm").write_bytes(train(_english_text(), 4000))
    (folder / "target.spm").write_bytes(train(chinese, 200))
    vocab: dict[str, int] = {}
    for name in ("source.spm", "target.spm"):
        sp = spm.SentencePieceProcessor(model_file=str(folder / name))
        for piece in ["</s>", "<unk>", ">>cmn_Hans<<", ">>cmn_Hant<<"] + [
            sp.id_to_piece(i) for i in range(sp.get_piece_size())
        ]:
            vocab.setdefault(piece, len(vocab))
    for i in range(65000 - len(vocab)):  # filler up to the real size, "<pad>" at 65000
        vocab[f"▁zz{i}"] = len(vocab)
    vocab["<pad>"] = 65000
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False))
    tokenizer = MarianTokenizer(
        source_spm=str(folder / "source.spm"),
        target_spm=str(folder / "target.spm"),
        vocab=str(folder / "vocab.json"),
        source_lang="en",
        target_lang="zh",
        model_max_length=512,
    )
    assert len(tokenizer) == 65001, len(tokenizer)
    torch.manual_seed(0)
    model = MarianMTModel(MarianConfig(**OPUS_MT_CONFIG)).eval()
    with torch.no_grad():
        model.final_logits_bias[0, OPUS_MT_CONFIG["eos_token_id"]] = -100.0  # fixed lengths
    model.generation_config = GenerationConfig(**OPUS_MT_GENERATION)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def ensure_models(folders: tuple[Path, ...] = (SUMMARIZER, TRANSLATOR)) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from briefing.models import convert

    builders = ((SUMMARIZER, build_summarizer), (TRANSLATOR, build_translator))
    for folder, build in ((f, b) for f, b in builders if f in folders):
        stamp = folder / ".bench-complete"
        if not stamp.exists() or stamp.read_text() != BUILD_VERSION:
            print(f"building {folder.name} (once) …", file=sys.stderr, flush=True)
            build(folder)
            convert(folder, force=True)
            stamp.write_text(BUILD_VERSION)
