"""Trust: where each brief sentence comes from, and which of its facts nothing backs.

Two cheap, deterministic checks run on every brief (no model involved):

* **Sources** — each English brief sentence is linked to the article segments (sentences of
  the cleaned article) that support it. A sentence copied from the article (extractive
  modes) is found verbatim and points at exactly that segment with score 1.0; otherwise
  segments are ranked by TF-IDF cosine similarity and the best few above a threshold kept.
* **Flags** — numbers (with currency, scale, percent; dates) and capitalised names or
  acronyms of the English brief that the article does not contain, after light
  normalisation ("US$1 billion" = "$1 billion" = "1bn"; case; possessives); and numbers of
  the English brief that its aligned Chinese sentence lacks or changed (digits or the usual
  Chinese forms: 10亿, 2.96亿, 6990万, 14%, 百分之十四, 12月1日).

Modules: ``numbers`` (English and Chinese numbers), ``sources`` (TF-IDF from ``tfidf``,
shared with the extractive summarizer), ``flags``, ``check`` (both, per brief). The web
UI draws them as a panel in the web layer.
"""

from .check import Trust, check_brief, check_translation
from .flags import Flag, FlagKind, format_flags
from .numbers import Number, NumberKind, chinese_numbers, english_numbers
from .sources import MIN_SCORE, RELATIVE_SCORE, TOP_K, SourceLink, find_sources

__all__ = [
    "MIN_SCORE",
    "RELATIVE_SCORE",
    "TOP_K",
    "Flag",
    "FlagKind",
    "Number",
    "NumberKind",
    "SourceLink",
    "Trust",
    "check_brief",
    "check_translation",
    "chinese_numbers",
    "english_numbers",
    "find_sources",
    "format_flags",
]
