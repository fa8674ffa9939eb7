"""Which token tells a translation model to write Chinese, read from its own tokenizer.

Multilingual models name the target language with a token: Marian multi-target models take
a ``>>cmn_Hans<<`` prefix in the source text; NLLB-200 (``zho_Hans``), M2M100 (``__zh__``) and
mBART-50 (``zh_CN``) take it as the first generated token. Whether a tokenizer has such a
token is asked of the tokenizer itself (``convert_tokens_to_ids`` against the unknown id),
never of ``get_vocab()``: in transformers v5 a language token the tokenizer files do not list
as a special token can be missing from ``get_vocab()`` and still be a real token.

A model with language tokens but none for Chinese is refused (NoChineseTargetError); a model
with no language tokens at all is a single-target model and is used as is.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, Literal

from .errors import NoChineseTargetError

__all__ = [
    "FAMILIES",
    "ChineseTarget",
    "LanguageFamily",
    "TargetRule",
    "find_chinese_target",
    "has_token",
    "language_tokens",
    "register_language_tokens",
]

log = logging.getLogger("briefing")

# prefix: a token at the start of the source text (Marian); forced_bos: the first generated
# token (NLLB, M2M100, mBART-50); single_target: no language tokens, the model as is.
TargetRule = Literal["prefix", "forced_bos", "single_target"]


@dataclass(frozen=True)
class LanguageFamily:
    """How one family of multilingual models names languages."""

    name: str
    rule: Literal["prefix", "forced_bos"]
    pattern: re.Pattern[str]  # what any language token of this family looks like
    hans: tuple[str, ...]  # tokens for Chinese (Simplified), preferred first
    hant: tuple[str, ...]  # tokens for Traditional Chinese, if the family has one
    source: tuple[str, str] | None = None  # (src_lang code, its token) for English


FAMILIES = (
    LanguageFamily(
        "marian",
        "prefix",
        re.compile(r">>[A-Za-z]{2,3}(?:_[A-Za-z]{2,4})*<<"),
        (">>cmn_Hans<<", ">>zho_Hans<<", ">>cmn<<", ">>zho<<"),
        (">>cmn_Hant<<", ">>zho_Hant<<"),
    ),
    LanguageFamily(
        "nllb",
        "forced_bos",
        re.compile(r"[a-z]{3}_[A-Z][a-z]{3}"),
        ("zho_Hans",),
        ("zho_Hant",),
        ("eng_Latn", "eng_Latn"),
    ),
    LanguageFamily(
        "m2m100",
        "forced_bos",
        re.compile(r"__[a-z]{2,3}__"),
        ("__zh__",),
        (),  # one Chinese code, Simplified in practice: Traditional comes from OpenCC
        ("en", "__en__"),
    ),
    LanguageFamily(
        "mbart50",
        "forced_bos",
        re.compile(r"[a-z]{2}_[A-Z]{2}"),
        ("zh_CN",),
        (),  # mBART-50 has no zh_TW: Traditional comes from OpenCC
        ("en_XX", "en_XX"),
    ),
)


@dataclass(frozen=True)
class ChineseTarget:
    """The Chinese target of one translation model, and the rule that found it."""

    rule: TargetRule
    family: str | None = None  # the LanguageFamily name; None for single_target
    hans: str | None = None  # token for Chinese (Simplified)
    hant: str | None = None  # token for Traditional Chinese, if the model has one
    source_lang: str | None = None  # the tokenizer's src_lang for English, if it takes one


def has_token(tokenizer: Any, token: str, vocab_size: int | None = None) -> bool:
    """True when ``token`` is one real token of ``tokenizer`` (and of the model's vocab)."""
    convert = getattr(tokenizer, "convert_tokens_to_ids", None)
    if convert is None:  # not a Hugging Face tokenizer: its vocab is all there is
        return token in tokenizer.get_vocab()
    index = convert(token)
    unknown = getattr(tokenizer, "unk_token_id", None)
    if not isinstance(index, int) or index < 0 or index == unknown:
        return False
    return vocab_size is None or index < vocab_size


def language_tokens(tokenizer: Any) -> list[str]:
    """Every language token the tokenizer knows, of any family, sorted."""
    found: set[str] = set()
    # Language tables: M2M100 / mBART-50 (code -> id), Marian multi-target (token list).
    table = getattr(tokenizer, "lang_code_to_id", None)
    if isinstance(table, dict) and table:
        found.update(str(t) for t in tokenizer.convert_ids_to_tokens(list(table.values())))
    found.update(str(t) for t in getattr(tokenizer, "supported_language_codes", None) or ())
    # Special and added tokens (NLLB keeps its codes there), and Marian's plain vocab entries.
    candidates: set[str] = set()
    for name in ("all_special_tokens", "additional_special_tokens", "extra_special_tokens"):
        value = getattr(tokenizer, name, None)
        if isinstance(value, list | tuple):
            candidates.update(str(t) for t in value)
    added = getattr(tokenizer, "get_added_vocab", None)
    if added is not None:
        candidates.update(added())
    found.update(t for t in candidates if any(f.pattern.fullmatch(t) for f in FAMILIES))
    found.update(t for t in tokenizer.get_vocab() if FAMILIES[0].pattern.fullmatch(t))
    return sorted(found)


def find_chinese_target(
    tokenizer: Any, model_name: str, vocab_size: int | None = None
) -> ChineseTarget:
    """The Chinese target of a translation model, from its tokenizer.

    Raises NoChineseTargetError when the tokenizer has language tokens but none for Chinese.
    """
    for family in FAMILIES:
        hans = next((t for t in family.hans if has_token(tokenizer, t, vocab_size)), None)
        if hans is None:
            continue
        hant = next((t for t in family.hant if has_token(tokenizer, t, vocab_size)), None)
        source = None
        if family.source and hasattr(tokenizer, "src_lang"):
            code, token = family.source
            if has_token(tokenizer, token, vocab_size):
                source = code
            else:  # the model still gets the Chinese target; the source tag is its default
                log.warning("%s has no %s token for English input", model_name, token)
        return ChineseTarget(family.rule, family.name, hans, hant, source)
    found = language_tokens(tokenizer)
    if found:
        raise NoChineseTargetError(model_name, found)
    return ChineseTarget("single_target")


def register_language_tokens(tokenizer: Any) -> int:
    """Make language tokens missing from ``get_vocab()`` added special tokens, at the ids they
    already have; return how many were added.

    M2M100 tokenizer files that do not list the codes as special tokens leave them out of
    ``get_vocab()`` (transformers v5), which CTranslate2's converter builds its vocabulary
    from, and out of what ``decode(skip_special_tokens=True)`` drops.
    """
    if not hasattr(tokenizer, "add_special_tokens"):
        return 0
    vocab = tokenizer.get_vocab()
    tokens = [t for t in language_tokens(tokenizer) if t not in vocab and has_token(tokenizer, t)]
    if not tokens:
        return 0
    ids = tokenizer.convert_tokens_to_ids(tokens)
    ordered = [token for _, token in sorted(zip(ids, tokens, strict=True))]
    added = tokenizer.add_special_tokens(
        {"additional_special_tokens": ordered}, replace_extra_special_tokens=False
    )
    if tokenizer.convert_tokens_to_ids(tokens) != ids:  # never let a token change its id
        raise ValueError("registering the language tokens changed their ids")
    return added
