"""Tiny random-weight seq2seq models with the real tokenizer classes, for offline tests.

Each ``build_*`` writes a directory that loads with ``AutoTokenizer.from_pretrained`` and
``AutoModelForSeq2SeqLM.from_pretrained``. Tokenizers are trained on the text embedded below
(not on files that may be missing in CI), and weights come from a fixed seed, so a build is
deterministic and takes well under a second per model once transformers is imported.

Models: ``bart`` (distilbart-cnn-like summarizer, 128-token window), ``t5`` (t5-small-like
summarizer, ``summarize: `` prefix), ``marian`` (opus-mt-en-zh-like, ``>>cmn_Hans<<`` prefix),
``m2m100``, ``nllb`` and ``mbart50`` (multilingual, target chosen by ``forced_bos_token_id``).

Each multilingual family is also built in a second tokenizer layout (``TinyModels.translators``):
the language tokens listed as special tokens in the saved tokenizer files, and not listed.
Real hub repositories come in both; with M2M100 in transformers v5 an unlisted ``__zh__`` is
missing from ``get_vocab()`` though ``convert_tokens_to_ids`` knows it. ``no_chinese`` is a
Marian model whose only target tokens are ``>>fra<<`` and ``>>deu<<`` (it must be refused).

The weights are random, so the outputs are gibberish. A few weights are set by hand (see
"Shaping of the random translators") so that translations are Chinese and end with ``</s>``,
and BART summaries are whole English words; the code under test still runs the real
``generate`` + ``decode`` path on them.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

import sentencepiece as spm
import tokenizers
import torch
import transformers
from tokenizers import ByteLevelBPETokenizer, SentencePieceBPETokenizer
from transformers import (
    AddedToken,
    BartConfig,
    BartForConditionalGeneration,
    BartTokenizer,
    GenerationConfig,
    M2M100Config,
    M2M100ForConditionalGeneration,
    M2M100Tokenizer,
    MarianConfig,
    MarianMTModel,
    MarianTokenizer,
    MBart50Tokenizer,
    MBartConfig,
    MBartForConditionalGeneration,
    NllbTokenizer,
    PreTrainedModel,
    T5Config,
    T5ForConditionalGeneration,
    T5Tokenizer,
)
from transformers.models.m2m_100.tokenization_m2m_100 import FAIRSEQ_LANGUAGE_CODES

__all__ = [
    "CHINESE_CORPUS",
    "ENGLISH_CORPUS",
    "LIBRARY_VERSIONS",
    "TinyModels",
    "TinyTranslator",
    "build_all",
    "build_bart",
    "build_m2m100",
    "build_marian",
    "build_mbart50",
    "build_nllb",
    "build_t5",
    "has_cjk",
]

SEED = 1234
# The cache key (conftest) includes these: they change the saved files or the random weights.
LIBRARY_VERSIONS = " ".join(
    f"{lib.__name__}=={lib.__version__}" for lib in (torch, transformers, tokenizers, spm)
)
# Much larger than the usual 0.02, so the random outputs depend on the input text.
_INIT_STD = 0.2
COMPLETE = ".complete"

# Original news-style text (not copied from any article), enough for a ~1000-piece BPE.
ENGLISH_CORPUS = """\
Xiaomi founder Lei Jun is pushing deeper into cloud computing. On Monday the data center \
operator 21Vianet said it would invest US$296 million in Kingsoft Cloud, the cloud unit of \
the software group Kingsoft, which Lei also chairs. Temasek, the Singapore state investor, \
and Xiaomi joined the deal, according to a filing with the Hong Kong stock exchange.

Analysts said the investment gives Kingsoft Cloud the money it needs to build new data \
centers in Beijing, Shanghai and Guangzhou. "Cloud services are the next battlefield for \
Chinese technology companies," said one analyst in Shanghai. Alibaba, Tencent and Baidu \
already sell storage and computing power to thousands of small businesses.

The first payment of US$222 million will be made this month, the companies said. The rest \
depends on approval from regulators. Shares of Kingsoft rose 4.5 percent in Hong Kong on \
Tuesday, while shares of 21Vianet, which are listed on the Nasdaq in New York, fell 2 percent.

Lei Jun founded Xiaomi in 2010. The company sold more than 60 million smartphones last year \
and wants to connect phones, televisions and home appliances through its own cloud. Lei \
told reporters in Beijing that the group would spend US$1 billion on cloud services over \
the next three years. He said the market was growing fast but was still small compared with \
the United States.

The government has encouraged investment in data centers and high-speed networks. Officials \
in Beijing said new rules would protect personal data and make it easier for foreign \
companies to work with Chinese partners. Some investors, however, worry that prices will \
fall as more companies enter the market.

In a statement, 21Vianet chief executive Josh Chen said the two companies would share \
customers, engineers and network capacity. The deal values Kingsoft Cloud at about US$1.1 \
billion. Kingsoft also develops office software and online games, and it reported revenue \
of 3.2 billion yuan for the first nine months of the year, up 33 percent.

Weather forecasters expect heavy rain in southern China this week. Schools in Guangzhou \
will close on Wednesday, and train services between Shenzhen and Hong Kong may be delayed. \
The city government asked residents to stay at home and to follow the latest news on radio, \
television and mobile phones.

The central bank kept interest rates unchanged on Thursday. Economists had expected the \
decision after data showed that exports grew 7 percent in October and consumer prices rose \
only 1.6 percent. The yuan was little changed against the dollar in afternoon trading.
"""

# Simple original Chinese news sentences for the target-side tokenizers.
CHINESE_CORPUS = """\
小米创始人雷军正在加快进入云计算市场。
世纪互联周一表示，将向金山软件旗下的金山云投资二亿九千六百万美元。
新加坡淡马锡和小米也参与了这笔投资。
分析师认为，这笔资金将帮助金山云在北京、上海和广州建设新的数据中心。
一位上海的分析师说，云服务是中国科技公司的下一个战场。
阿里巴巴、腾讯和百度已经向数千家小企业出售存储和计算服务。
公司表示，第一笔二亿二千二百万美元的投资将在本月完成。
其余部分需要得到监管机构的批准。
金山软件的股价周二在香港上涨百分之四点五。
在纽约上市的世纪互联股价下跌百分之二。
雷军于二零一零年创办了小米公司。
小米去年卖出了六千多万部智能手机。
公司希望通过自己的云服务连接手机、电视和家用电器。
雷军在北京对记者说，集团将在未来三年投资十亿美元发展云服务。
他说，这个市场增长很快，但与美国相比仍然很小。
政府鼓励投资数据中心和高速网络。
北京的官员说，新的规定将保护个人数据。
一些投资者担心，随着更多公司进入市场，价格将会下降。
世纪互联首席执行官表示，两家公司将共享客户、工程师和网络资源。
这笔交易对金山云的估值约为十一亿美元。
金山软件还开发办公软件和网络游戏。
公司前九个月的收入为三十二亿元，增长百分之三十三。
天气预报说，本周中国南方将有大雨。
广州的学校周三停课，深圳和香港之间的火车可能延误。
中央银行周四决定保持利率不变。
数据显示，十月份出口增长百分之七，消费价格上涨百分之一点六。
人民币对美元汇率在下午交易中变化不大。
"""

_WORDISH = re.compile(r" [A-Za-z0-9$'-]+|[.,]")
M = TypeVar("M", bound=PreTrainedModel)

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def has_cjk(text: str) -> bool:
    """True when ``text`` holds at least one CJK ideograph."""
    return _CJK.search(text) is not None


Layout = Literal["listed", "unlisted"]


@dataclass(frozen=True)
class TinyTranslator:
    """One tiny translator in one tokenizer layout: its language tokens ``listed`` as special
    tokens in the saved tokenizer files, or ``unlisted``."""

    family: str  # marian | m2m100 | nllb | mbart50
    layout: Layout
    path: Path

    @property
    def id(self) -> str:
        return f"{self.family}-{self.layout}"


@dataclass(frozen=True)
class TinyModels:
    bart: Path
    t5: Path
    marian: Path
    m2m100: Path
    nllb: Path | None
    mbart50: Path | None = None
    translators: tuple[TinyTranslator, ...] = ()  # every family x layout, defaults included
    no_chinese: Path | None = None  # multilingual Marian without a Chinese target


# --------------------------------------------------------------------------- helpers


def _is_complete(out_dir: Path) -> bool:
    return (out_dir / COMPLETE).exists()


def _mark_complete(out_dir: Path) -> Path:
    (out_dir / COMPLETE).write_text("ok\n")
    return out_dir


def _english_lines() -> list[str]:
    return [line for line in ENGLISH_CORPUS.splitlines() if line.strip()]


def _chinese_lines() -> list[str]:
    return [line for line in CHINESE_CORPUS.splitlines() if line.strip()]


def _train_spm(lines: Iterable[str], vocab_size: int, **options: object) -> bytes:
    """Train a SentencePiece model in memory and return its serialized proto."""
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(list(lines)),
        model_writer=model,
        vocab_size=vocab_size,
        hard_vocab_limit=False,  # the corpus is tiny; take what it yields
        character_coverage=1.0,
        num_threads=1,  # single thread keeps the pieces deterministic
        minloglevel=2,
        **options,
    )
    return model.getvalue()


def _seeded_model(cls: type[M], config: object) -> M:
    """Build ``cls(config)`` from a fixed seed without disturbing the caller's RNG."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(SEED)
        model = cls(config)
    return model.eval()


def _save(model: PreTrainedModel, tokenizer: object, out_dir: Path) -> Path:
    model.save_pretrained(out_dir, safe_serialization=True)
    tokenizer.save_pretrained(out_dir)  # type: ignore[attr-defined]
    return _mark_complete(out_dir)


# --------------------------------------------------------------------------- BART


def build_bart(out_dir: Path, max_positions: int = 128) -> Path:
    """A distilbart-cnn-like summarizer: byte-level BPE, learned positions of ``max_positions``."""
    out_dir = Path(out_dir)
    if _is_complete(out_dir):
        return out_dir
    out_dir.mkdir(parents=True, exist_ok=True)

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        _english_lines(),
        vocab_size=1000,
        min_frequency=1,
        # <mask> is not trained: BartTokenizer appends it last, as in facebook/bart-*.
        special_tokens=["<s>", "<pad>", "</s>", "<unk>"],
        show_progress=False,
    )
    bpe_model = json.loads(bpe.to_str())["model"]
    tokenizer = BartTokenizer(
        vocab=bpe_model["vocab"],
        # v5's BPE backend wants (left, right) tuples; tokenizers serializes them as lists.
        merges=[tuple(pair) for pair in bpe_model["merges"]],
        mask_token=AddedToken("<mask>", lstrip=True, rstrip=False, special=True),
        model_max_length=max_positions,
    )

    config = BartConfig(
        vocab_size=len(tokenizer),
        d_model=32,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        max_position_embeddings=max_positions,
        init_std=_INIT_STD,
        bos_token_id=0,
        pad_token_id=1,
        eos_token_id=2,
        decoder_start_token_id=2,
        forced_bos_token_id=0,
        forced_eos_token_id=2,
    )
    model = _seeded_model(BartForConditionalGeneration, config)
    # Random byte-level pieces would often decode to broken UTF-8 ("\ufffd"); keep the
    # gibberish to whole-word pieces so summaries look like (nonsense) English.
    allowed = [
        idx
        for piece, idx in tokenizer.get_vocab().items()
        if idx == tokenizer.eos_token_id
        or _WORDISH.fullmatch(tokenizer.convert_tokens_to_string([piece]))
    ]
    with torch.no_grad():
        model.final_logits_bias.fill_(-100.0)
        model.final_logits_bias[0, allowed] = 0.0
    # Generation settings of sshleifer/distilbart-cnn-12-6, lengths scaled down.
    model.generation_config = GenerationConfig(
        num_beams=2,
        length_penalty=2.0,
        no_repeat_ngram_size=3,
        early_stopping=True,
        min_length=8,
        max_length=40,
        bos_token_id=0,
        pad_token_id=1,
        eos_token_id=2,
        decoder_start_token_id=2,
        forced_bos_token_id=0,
        forced_eos_token_id=2,
    )
    return _save(model, tokenizer, out_dir)


# --------------------------------------------------------------------------- T5


def build_t5(out_dir: Path, max_positions: int = 128) -> Path:
    """A t5-small-like summarizer: SentencePiece unigram, relative positions.

    T5 has no absolute position table, so the input window is ``tokenizer.model_max_length``.
    """
    out_dir = Path(out_dir)
    if _is_complete(out_dir):
        return out_dir
    out_dir.mkdir(parents=True, exist_ok=True)

    proto = _train_spm(
        _english_lines(),
        vocab_size=600,
        model_type="unigram",
        # T5's layout: <pad>=0, </s>=1, <unk>=2, no <s>.
        pad_id=0,
        eos_id=1,
        unk_id=2,
        bos_id=-1,
        # No normalizer: v5's T5Tokenizer only rebuilds one from a precompiled charsmap.
        normalization_rule_name="identity",
    )
    sp = spm.SentencePieceProcessor(model_proto=proto)
    tokenizer = T5Tokenizer(
        vocab=[(sp.id_to_piece(i), sp.get_score(i)) for i in range(sp.get_piece_size())],
        extra_ids=0,
        model_max_length=max_positions,
    )

    config = T5Config(
        vocab_size=len(tokenizer),
        d_model=32,
        d_kv=16,
        d_ff=64,
        num_layers=1,
        num_decoder_layers=1,
        num_heads=2,
        relative_attention_num_buckets=8,
        relative_attention_max_distance=32,
        feed_forward_proj="relu",
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
        # Shaped like t5-small's entry (prefix, then its beam settings scaled down).
        task_specific_params={
            "summarization": {
                "prefix": "summarize: ",
                "early_stopping": True,
                "length_penalty": 2.0,
                "max_length": 40,
                "min_length": 8,
                "no_repeat_ngram_size": 3,
                "num_beams": 2,
            }
        },
    )
    model = _seeded_model(T5ForConditionalGeneration, config)
    model.generation_config = GenerationConfig(
        decoder_start_token_id=0, eos_token_id=1, pad_token_id=0
    )
    return _save(model, tokenizer, out_dir)


# --------------------------------------------------------------------------- translators


def _spm_pieces(proto: bytes) -> Iterator[str]:
    """The ordinary pieces of a SentencePiece model (no <unk>/<s>/</s>)."""
    sp = spm.SentencePieceProcessor(model_proto=proto)
    for i in range(sp.get_piece_size()):
        if not (sp.is_control(i) or sp.is_unknown(i)):
            yield sp.id_to_piece(i)


# Shaping of the random translators (test models only; the weights stay random otherwise).
#  * Logit bias: CJK pieces 0, everything else _BANNED, so the output is Chinese.
#  * Channel _FLAG of the decoder's residual stream is made a clean "previous token was
#    Chinese" flag: CJK embeddings carry ``signal`` there and no sublayer writes to it. Its
#    slow sinusoidal position component adds a ramp, so the flag grows along the output.
#  * ``</s>`` = bias + gain x flag: out of reach right after the start/language token (never an
#    empty translation), then increasingly likely, so most outputs end after 3-40 pieces.
# The values per family were tuned by measuring output lengths over ~25 English inputs.
_BANNED = -100.0
_FLAG = 6
_BIAS = 0
_BIAS_SCALE = 100.0


@dataclass(frozen=True)
class _EosShape:
    """``</s>`` logit = bias + gain x flag; CJK embeddings put ``signal`` on the flag."""

    bias: float
    gain: float
    signal: float


_MARIAN_EOS = _EosShape(bias=-6.0, gain=60.0, signal=0.1)
_M2M100_EOS = _EosShape(bias=-1.0, gain=12.0, signal=0.25)
_NLLB_EOS = _EosShape(bias=-2.0, gain=12.0, signal=0.25)


def _cjk_ids(vocab: dict[str, int], size: int) -> list[int]:
    # Without word-initial "▁" pieces, so output has no spaces, like real Chinese MT output.
    return sorted(
        idx
        for piece, idx in vocab.items()
        if has_cjk(piece) and not piece.startswith("▁") and idx < size
    )


def _output_bias(size: int, cjk: list[int], eos_id: int, eos_bias: float) -> torch.Tensor:
    bias = torch.full((size,), _BANNED)
    bias[cjk] = 0.0
    bias[eos_id] = eos_bias
    return bias


def _keep_flag_channel(decoder_layers: Iterable[torch.nn.Module]) -> None:
    """Stop attention and feed-forward outputs from writing to the flag channel."""
    for layer in decoder_layers:
        for proj in (layer.self_attn.out_proj, layer.encoder_attn.out_proj, layer.fc2):
            proj.weight[_FLAG] = 0.0
            if proj.bias is not None:
                proj.bias[_FLAG] = 0.0


def _shape_marian(model: MarianMTModel, cjk: list[int], eos_id: int) -> None:
    """Marian: the real ``final_logits_bias`` buffer, plus the flag in the tied embeddings."""
    eos = _MARIAN_EOS
    with torch.no_grad():
        model.final_logits_bias[0] = _output_bias(model.config.vocab_size, cjk, eos_id, eos.bias)
        _keep_flag_channel(model.model.decoder.layers)
        emb = model.get_input_embeddings().weight  # tied: these rows are the lm_head too
        emb[:, _FLAG] = 0.0
        emb[cjk, _FLAG] = eos.signal
        emb[eos_id] = 0.0
        emb[eos_id, _FLAG] = eos.signal + eos.gain  # CJK rows read the flag too


def _shape_m2m100(
    model: M2M100ForConditionalGeneration, cjk: list[int], eos_id: int, eos: _EosShape
) -> None:
    """M2M100 has no final_logits_bias and ties lm_head to its embeddings (untying in v5 also
    unshares the encoder/decoder embeddings). So channel 0 of the decoder's final LayerNorm is
    pinned to _BIAS_SCALE, and column 0 of the embeddings holds bias / _BIAS_SCALE.

    The decoder starts from ``</s>``, which carries the flag: without ``forced_bos_token_id``
    (the target language, which real callers must pass too) the output ends at once, empty.
    """
    with torch.no_grad():
        norm = model.model.decoder.layer_norm
        norm.weight[_BIAS] = 0.0
        norm.bias[_BIAS] = _BIAS_SCALE
        _keep_flag_channel(model.model.decoder.layers)
        emb = model.get_input_embeddings().weight  # tied: these rows are the lm_head too
        emb[:, _BIAS] = _output_bias(model.config.vocab_size, cjk, eos_id, 0.0) / _BIAS_SCALE
        emb[:, _FLAG] = 0.0
        emb[cjk, _FLAG] = eos.signal
        emb[eos_id] = 0.0
        emb[eos_id, _BIAS] = eos.bias / _BIAS_SCALE
        emb[eos_id, _FLAG] = eos.signal + eos.gain


MARIAN_CHINESE = (">>cmn_Hans<<", ">>cmn_Hant<<")


def build_marian(
    out_dir: Path,
    max_positions: int = 512,
    *,
    languages: tuple[str, ...] = MARIAN_CHINESE,
    listed: bool = False,
) -> Path:
    """An opus-mt-en-zh-like translator (``>>cmn_Hans<<`` / ``>>cmn_Hant<<`` target prefixes).

    ``languages``: the target-language tokens in the vocab; ``listed`` also names them as
    additional special tokens (opus-mt-en-zh does not).
    """
    out_dir = Path(out_dir)
    if _is_complete(out_dir):
        return out_dir
    out_dir.mkdir(parents=True, exist_ok=True)

    source = _train_spm(_english_lines(), vocab_size=400, model_type="unigram")
    target = _train_spm(_chinese_lines(), vocab_size=400, model_type="unigram")
    (out_dir / "source.spm").write_bytes(source)
    (out_dir / "target.spm").write_bytes(target)
    # Shared vocab laid out like the real one: </s>, <unk>, language tokens, pieces, <pad> last.
    vocab: dict[str, int] = {}
    for piece in ["</s>", "<unk>", *languages, *_spm_pieces(source)]:
        vocab.setdefault(piece, len(vocab))
    for piece in _spm_pieces(target):
        vocab.setdefault(piece, len(vocab))
    vocab["<pad>"] = len(vocab)
    (out_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, indent=2))
    tokenizer = MarianTokenizer(
        source_spm=str(out_dir / "source.spm"),
        target_spm=str(out_dir / "target.spm"),
        vocab=str(out_dir / "vocab.json"),
        source_lang="en",
        target_lang="zh",
        model_max_length=max_positions,
        **({"additional_special_tokens": list(languages)} if listed else {}),
    )

    pad_id, eos_id = vocab["<pad>"], vocab["</s>"]
    config = MarianConfig(
        vocab_size=len(vocab),
        decoder_vocab_size=len(vocab),
        d_model=32,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        max_position_embeddings=max_positions,
        scale_embedding=True,  # as in the opus-mt configs
        init_std=_INIT_STD,
        pad_token_id=pad_id,
        eos_token_id=eos_id,
        decoder_start_token_id=pad_id,
        forced_eos_token_id=eos_id,
    )
    model = _seeded_model(MarianMTModel, config)
    _shape_marian(model, _cjk_ids(vocab, len(vocab)), eos_id)
    model.generation_config = GenerationConfig(
        num_beams=2,
        max_length=64,
        bad_words_ids=[[pad_id]],
        decoder_start_token_id=pad_id,
        eos_token_id=eos_id,
        forced_eos_token_id=eos_id,
        pad_token_id=pad_id,
        renormalize_logits=True,
    )
    return _save(model, tokenizer, out_dir)


def _m2m100_config(vocab_size: int) -> M2M100Config:
    return M2M100Config(
        vocab_size=vocab_size,
        d_model=32,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        max_position_embeddings=1024,
        init_std=_INIT_STD,
        bos_token_id=0,
        pad_token_id=1,
        eos_token_id=2,
        decoder_start_token_id=2,
    )


def _bilingual_lines() -> list[str]:
    return _english_lines() + _chinese_lines()


def build_m2m100(out_dir: Path, *, listed: bool = True) -> Path:
    """An m2m100_418M-like translator: ``__en__`` / ``__zh__`` codes, forced BOS for the target.

    ``listed=False``: the language tokens are not additional special tokens, so v5 leaves them
    out of ``get_vocab()`` (``convert_tokens_to_ids`` and ``lang_code_to_id`` still know them).
    """
    out_dir = Path(out_dir)
    if _is_complete(out_dir):
        return out_dir
    out_dir.mkdir(parents=True, exist_ok=True)

    proto = _train_spm(_bilingual_lines(), vocab_size=800, model_type="bpe")
    (out_dir / "sentencepiece.bpe.model").write_bytes(proto)
    vocab: dict[str, int] = {}
    for piece in ["<s>", "<pad>", "</s>", "<unk>", *_spm_pieces(proto)]:
        vocab.setdefault(piece, len(vocab))
    (out_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, indent=2))
    tokenizer = M2M100Tokenizer(
        vocab_file=str(out_dir / "vocab.json"),
        spm_file=str(out_dir / "sentencepiece.bpe.model"),
        src_lang="en",
        tgt_lang="zh",
        model_max_length=1024,
        # The hub checkpoint lists these in its config; M2M100Tokenizer's own fallback never
        # adds them, and without them decode(skip_special_tokens=True) keeps "__zh__".
        **(
            {"additional_special_tokens": [f"__{c}__" for c in FAIRSEQ_LANGUAGE_CODES["m2m100"]]}
            if listed
            else {}
        ),
    )

    # Language tokens (100) and the 8 "madeup words" sit after the spm vocab, as in the real one.
    size = len(vocab) + len(tokenizer.lang_code_to_id) + tokenizer.num_madeup_words
    model = _seeded_model(M2M100ForConditionalGeneration, _m2m100_config(size))
    _shape_m2m100(model, _cjk_ids(vocab, size), eos_id=2, eos=_M2M100_EOS)
    model.generation_config = GenerationConfig(
        num_beams=2,
        max_length=64,
        bos_token_id=0,
        pad_token_id=1,
        eos_token_id=2,
        decoder_start_token_id=2,
    )
    return _save(model, tokenizer, out_dir)


def build_nllb(out_dir: Path, *, listed: bool = True) -> Path:
    """An nllb-200-distilled-like translator: ``eng_Latn`` -> ``zho_Hans`` / ``zho_Hant``.

    ``listed=False``: the saved tokenizer files do not name the language codes as special
    tokens; they are still added tokens of tokenizer.json.
    """
    out_dir = Path(out_dir)
    if _is_complete(out_dir):
        return out_dir
    out_dir.mkdir(parents=True, exist_ok=True)

    bpe = SentencePieceBPETokenizer()
    bpe.train_from_iterator(
        _bilingual_lines(),
        vocab_size=800,
        min_frequency=1,
        special_tokens=["<s>", "<pad>", "</s>", "<unk>"],
        show_progress=False,
    )
    bpe_model = json.loads(bpe.to_str())["model"]
    # The language codes and <mask> are appended after the BPE vocab by NllbTokenizer itself.
    tokenizer = NllbTokenizer(
        vocab=bpe_model["vocab"],
        merges=[tuple(pair) for pair in bpe_model["merges"]],
        src_lang="eng_Latn",
        tgt_lang="zho_Hans",
        model_max_length=1024,
    )

    size = len(tokenizer)
    model = _seeded_model(M2M100ForConditionalGeneration, _m2m100_config(size))
    _shape_m2m100(model, _cjk_ids(tokenizer.get_vocab(), size), eos_id=2, eos=_NLLB_EOS)
    model.generation_config = GenerationConfig(
        num_beams=2,
        max_length=64,
        bos_token_id=0,
        pad_token_id=1,
        eos_token_id=2,
        decoder_start_token_id=2,
    )
    _save(model, tokenizer, out_dir)
    if not listed:
        _unlist_special_tokens(out_dir)
    return out_dir


def _unlist_special_tokens(out_dir: Path) -> None:
    """Drop the additional/extra special token lists from the saved tokenizer files, as in
    repos saved by older tokenizers; the tokens themselves stay in tokenizer.json."""
    for name in ("tokenizer_config.json", "special_tokens_map.json"):
        path = out_dir / name
        if not path.exists():
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        for key in ("additional_special_tokens", "extra_special_tokens"):
            data.pop(key, None)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


# Learned positions give no ramp: most outputs run to the length limit, some end early.
_MBART50_EOS = _EosShape(bias=-6.0, gain=60.0, signal=0.1)


def build_mbart50(out_dir: Path, *, listed: bool = True) -> Path:
    """An mbart-large-50-many-to-many-mmt-like translator: ``en_XX`` source, ``zh_CN`` target
    as the forced first token; SentencePiece unigram pieces in the fairseq layout."""
    out_dir = Path(out_dir)
    if _is_complete(out_dir):
        return out_dir
    out_dir.mkdir(parents=True, exist_ok=True)

    # SentencePiece's own layout (<unk>=0, <s>=1, </s>=2); MBart50Tokenizer reorders it to
    # fairseq's and appends the 52 language codes and <mask>.
    proto = _train_spm(
        _bilingual_lines(), vocab_size=800, model_type="unigram", normalization_rule_name="identity"
    )
    (out_dir / "sentencepiece.bpe.model").write_bytes(proto)
    sp = spm.SentencePieceProcessor(model_proto=proto)
    tokenizer = MBart50Tokenizer(
        vocab=[(sp.id_to_piece(i), sp.get_score(i)) for i in range(sp.get_piece_size())],
        src_lang="en_XX",
        tgt_lang="zh_CN",
        model_max_length=1024,
        bos_token="<s>",  # as in the hub files; CTranslate2's converter needs it
    )

    size = len(tokenizer)
    config = MBartConfig(
        vocab_size=size,
        d_model=32,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        max_position_embeddings=1024,
        scale_embedding=True,
        init_std=_INIT_STD,
        bos_token_id=0,
        pad_token_id=1,
        eos_token_id=2,
        decoder_start_token_id=2,
        forced_eos_token_id=2,
        # As in the hub config; CTranslate2 reads it to start decoding from </s>.
        tokenizer_class="MBart50Tokenizer",
    )
    model = _seeded_model(MBartForConditionalGeneration, config)
    _shape_m2m100(model, _cjk_ids(tokenizer.get_vocab(), size), eos_id=2, eos=_MBART50_EOS)
    model.generation_config = GenerationConfig(
        num_beams=2,
        max_length=64,
        bos_token_id=0,
        pad_token_id=1,
        eos_token_id=2,
        decoder_start_token_id=2,
        forced_eos_token_id=2,
    )
    _save(model, tokenizer, out_dir)
    if not listed:
        _unlist_special_tokens(out_dir)
    return out_dir


# --------------------------------------------------------------------------- all


def build_all(root: Path) -> TinyModels:
    """Build (or reuse) every tiny model under ``root``."""
    root = Path(root)
    translators = (
        TinyTranslator("marian", "unlisted", build_marian(root / "marian")),
        TinyTranslator("marian", "listed", build_marian(root / "marian-listed", listed=True)),
        TinyTranslator("m2m100", "listed", build_m2m100(root / "m2m100")),
        TinyTranslator("m2m100", "unlisted", build_m2m100(root / "m2m100-unlisted", listed=False)),
        TinyTranslator("nllb", "listed", build_nllb(root / "nllb")),
        TinyTranslator("nllb", "unlisted", build_nllb(root / "nllb-unlisted", listed=False)),
        TinyTranslator("mbart50", "listed", build_mbart50(root / "mbart50")),
        TinyTranslator(
            "mbart50", "unlisted", build_mbart50(root / "mbart50-unlisted", listed=False)
        ),
    )
    return TinyModels(
        bart=build_bart(root / "bart"),
        t5=build_t5(root / "t5"),
        marian=translators[0].path,
        m2m100=translators[2].path,
        nllb=translators[4].path,
        mbart50=translators[6].path,
        translators=translators,
        no_chinese=build_marian(root / "marian-fr-de", languages=(">>fra<<", ">>deu<<")),
    )
