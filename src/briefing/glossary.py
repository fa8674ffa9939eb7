"""User glossaries: fixed Chinese renderings of English names and terms.

A glossary is a CSV/TSV file with ``english,chinese`` columns, or YAML (a mapping
``English: 中文``, or a list of ``{english: …, chinese: …}``). English terms match
case-insensitively, as whole words, longest first. ``translator.py`` guarantees that each
matched term's rendering appears verbatim in the Chinese brief.

``Glossary`` is a frozen dataclass of plain tuples, so it hashes, pickles (Ray) and
serialises into batch records with the rest of the options.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .errors import ConfigError

_HEADER = ("english", "chinese")


MAX_GLOSSARY_BYTES = 10_000_000  # far above any real glossary


@dataclass(frozen=True)
class GlossaryMatch:
    """One occurrence of a glossary term in English text."""

    start: int
    end: int
    found: str  # the text as it appears ("KINGSOFT")
    english: str  # the glossary entry ("Kingsoft")
    chinese: str


@dataclass(frozen=True)
class Glossary:
    """English → Chinese renderings, longest English term first."""

    entries: tuple[tuple[str, str], ...]
    source: str = "mapping"  # the file it was read from, or "mapping"
    digest: str = field(default="", compare=False)  # sha256 prefix of the entries

    def __post_init__(self) -> None:
        entries = tuple(sorted(_check_entries(self.entries), key=lambda e: (-len(e[0]), e[0])))
        object.__setattr__(self, "entries", entries)
        blob = json.dumps(entries, ensure_ascii=False).encode()
        object.__setattr__(self, "digest", hashlib.sha256(blob).hexdigest()[:16])

    # ------------------------------------------------------------------ building

    @classmethod
    def load(cls, path: str | Path) -> Glossary:
        """Read a .csv / .tsv / .txt (comma or tab separated) or .yaml / .yml glossary."""
        path = Path(path).expanduser()
        try:
            # Bounded read: /dev/zero or a huge file given by mistake must not fill memory.
            with path.open("rb") as handle:
                data = handle.read(MAX_GLOSSARY_BYTES + 1)
            if len(data) > MAX_GLOSSARY_BYTES:
                raise ConfigError(
                    f"glossary file {path} is over {MAX_GLOSSARY_BYTES:,} bytes: pass a "
                    "glossary of terms, not a document"
                )
            text = data.decode("utf-8-sig")  # Excel writes a BOM
        except FileNotFoundError:
            raise ConfigError(
                f"glossary file {path} not found: pass a CSV/TSV with english,chinese "
                "columns or a YAML mapping"
            ) from None
        except UnicodeDecodeError:
            raise ConfigError(f"glossary file {path} is not UTF-8 text: save it as UTF-8") from None
        except OSError as exc:  # a folder, no permission, a symlink loop
            raise ConfigError(
                f"cannot read glossary file {path} ({exc.strerror or exc}): pass a CSV/TSV or "
                "YAML file"
            ) from None
        if path.suffix.lower() in (".yaml", ".yml"):
            entries = _parse_yaml(text, path)
        else:
            entries = _parse_table(text, path)
        return cls(tuple(entries), source=str(path))

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, str]) -> Glossary:
        return cls(tuple((str(k), str(v)) for k, v in mapping.items()))

    @classmethod
    def coerce(cls, value: Glossary | str | Path | Mapping[str, Any] | None) -> Glossary | None:
        """A Glossary from a Glossary, a file path, ``{english: chinese}``, or the dict
        that ``dataclasses.asdict`` made of a Glossary (batch records)."""
        if value is None or isinstance(value, Glossary):
            return value
        if isinstance(value, str | Path):
            return cls.load(value)
        if isinstance(value, Mapping):
            if isinstance(value.get("entries"), list | tuple):  # a serialised Glossary
                return cls(
                    tuple((str(e), str(c)) for e, c in value["entries"]),
                    source=str(value.get("source", "mapping")),
                )
            return cls.from_mapping(value)
        raise ConfigError(
            f"glossary must be a file path, a dict of english: chinese, or a Glossary, "
            f"not {type(value).__name__}"
        )

    # ------------------------------------------------------------------ matching

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        # Alternation tries terms in order, so sorting longest first makes the longest
        # term win at each position. \w boundaries work for terms like "21Vianet" or "C++".
        terms = "|".join(r"\s+".join(map(re.escape, e.split())) for e, _ in self.entries)
        return re.compile(rf"(?<!\w)(?:{terms})(?!\w)", re.IGNORECASE)

    @cached_property
    def _lookup(self) -> dict[str, tuple[str, str]]:
        return {_key(e): (e, c) for e, c in self.entries}

    def find(self, text: str) -> list[GlossaryMatch]:
        """Non-overlapping matches in ``text``, left to right, longest term first."""
        if not self.entries:
            return []
        matches = []
        for m in self._pattern.finditer(text):
            english, chinese = self._lookup[_key(m.group(0))]
            matches.append(GlossaryMatch(m.start(), m.end(), m.group(0), english, chinese))
        return matches

    def __len__(self) -> int:
        return len(self.entries)


def example_glossary_path() -> Path:
    """The packaged glossary of the sample article's names (小米, 金山软件, 世纪互联, 雷军…)."""
    return Path(__file__).resolve().parent / "data" / "glossary-example.csv"


def _key(term: str) -> str:
    return " ".join(term.split()).casefold()


def _check_entries(entries: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: dict[str, tuple[str, str]] = {}
    for english, chinese in entries:
        english, chinese = " ".join(str(english).split()), str(chinese).strip()
        if not english or not chinese:
            raise ConfigError(
                f"glossary entry {english!r} → {chinese!r} is empty: every row needs both "
                "an english and a chinese value"
            )
        key = _key(english)
        if key in seen and seen[key][1] != chinese:
            raise ConfigError(
                f"glossary gives {english!r} two renderings, {seen[key][1]!r} and {chinese!r}: "
                "keep one"
            )
        seen[key] = (english, chinese)
    return list(seen.values())


def _parse_table(text: str, path: Path) -> list[tuple[str, str]]:
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        return []
    delimiter = "\t" if path.suffix.lower() == ".tsv" or "\t" in lines[0] else ","
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    columns = (0, 1)  # without a header: english, chinese
    header = [cell.strip().casefold() for cell in rows[0]]
    if set(_HEADER) <= set(header):
        columns = (header.index("english"), header.index("chinese"))
        rows = rows[1:]
    entries = []
    for row in rows:
        if len(row) <= max(columns):
            separator = "a tab" if delimiter == "\t" else "a comma"
            raise ConfigError(
                f"{path}: row {delimiter.join(row)!r} needs an english and a chinese "
                f"column separated by {separator}"
            )
        entries.append((row[columns[0]], row[columns[1]]))
    return entries


def _parse_yaml(text: str, path: Path) -> list[tuple[str, str]]:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from None
    if data is None:
        return []
    if isinstance(data, Mapping):
        return [(str(k), str(v)) for k, v in data.items()]
    if isinstance(data, list) and all(isinstance(d, Mapping) for d in data):
        try:
            return [(str(d["english"]), str(d["chinese"])) for d in data]
        except KeyError:
            pass
    raise ConfigError(
        f"{path}: YAML glossary must be a mapping 'English: 中文' or a list of "
        "{english: …, chinese: …} items"
    )
