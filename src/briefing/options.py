"""Normalising option objects: every stage takes its dataclass, a dict, or None, once."""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Self, cast

from .errors import ConfigError

Progress = Callable[[str, int, int], None]
"""Called as progress(stage, done, total) while a stage's work advances."""


class StageOptions:
    """Mixin for the frozen option dataclasses of each stage."""

    @classmethod
    def coerce(cls, value: Self | Mapping[str, Any] | None = None, **overrides: Any) -> Self:
        """Build options from an instance, a mapping or None, applying ``overrides`` on top."""
        if value is None:
            base = cls()
        elif isinstance(value, cls):
            base = value
        elif isinstance(value, Mapping):
            base = cls._from_mapping(value)
        else:
            raise ConfigError(
                f"{cls.__name__} expects a {cls.__name__}, a dict or None, "
                f"not {type(value).__name__}"
            )
        if not overrides:
            return base
        cls._check_names(overrides)
        # The mixin's classes are dataclasses; mypy cannot see that through Self.
        changed: Self = dataclasses.replace(cast(Any, base), **overrides)
        return changed

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cast(Any, cls)))

    @classmethod
    def _from_mapping(cls, mapping: Mapping[str, Any]) -> Self:
        cls._check_names(mapping)
        return cls(**mapping)

    @classmethod
    def _check_names(cls, mapping: Mapping[str, Any]) -> None:
        unknown = sorted(set(mapping) - set(cls.field_names()))
        if unknown:
            raise unknown_option_error(unknown, cls.field_names(), f"{cls.__name__} option")

    def validated(self) -> Self:
        """Override to check ranges; return self."""
        return self

    def __post_init__(self) -> None:
        self.validated()

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(cast(Any, self))


def check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, not {value!r}")


def check_positive(name: str, value: int | None, *, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigError(f"{name} must be a positive integer, not {value!r}")


def unknown_option_error(
    unknown: Iterable[str], valid: Iterable[str], what: str = "option", where: str = ""
) -> ConfigError:
    """One line for misspelt option names: the closest valid name, then the valid ones once
    each, sorted (several stages may share a name)."""
    choices = sorted(set(valid))
    parts = []
    for name in dict.fromkeys(str(n) for n in unknown):
        close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
        parts.append(f"{name!r} (did you mean {close[0]!r}?)" if close else repr(name))
    where = f" {where}" if where else ""
    return ConfigError(f"unknown {what} {', '.join(parts)}{where}; valid: {', '.join(choices)}")
