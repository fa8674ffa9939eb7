"""Model settings: which models to load and how, as one value with defaults resolved here.

``ModelChoice`` is what ``Pipeline.from_choice``, ``get_pipeline``, the CLI, batch (local
and Ray), eval and the web app all take; nothing else fills in default model names.
"""

from __future__ import annotations

import dataclasses
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from .backends import BACKENDS
from .models import default_summarizer, default_translator
from .options import StageOptions, check_choice, check_positive


@dataclass(frozen=True)
class ModelChoice(StageOptions):
    """Which models to load and how: the arguments of ``Pipeline`` as one value that a
    batch passes to each worker (and records, by name, in its resume key).

    Frozen and hashable: ``get_pipeline`` caches one Pipeline per resolved value.
    """

    summarizer: str | None = None  # model id or folder, or "extractive" / "lead"
    translator: str | None = None
    device: str = "auto"  # auto, cpu, cuda, cuda:1 … (resolved where the models load)
    backend: str = "auto"  # auto, transformers, ctranslate2
    threads: int | None = None  # CPU threads for the models (None: the engine's default)
    compute_type: str | None = None  # CTranslate2 only (None: int8 on CPU)

    def validated(self) -> ModelChoice:
        check_choice("backend", self.backend, BACKENDS)
        check_positive("threads", self.threads, allow_none=True)
        return self

    def resolved(self) -> ModelChoice:
        """Names filled in from the environment here, so that every worker loads the same."""
        return dataclasses.replace(
            self,
            summarizer=self.summarizer or default_summarizer(),
            translator=self.translator or default_translator(),
        )

    def key(self) -> dict[str, str]:
        """The models part of the resume key: what was asked for, by name.

        The device or engine that ran them is recorded in each brief's ``info`` but does
        not make finished work count as undone.
        """
        chosen = self.resolved()
        return {
            "summarizer": model_id(chosen.summarizer),
            "translator": model_id(chosen.translator),
        }


def model_id(name: str | None) -> str:
    """A model name as recorded in resume keys."""
    # A folder given as "./m" or "/abs/m" is the same model: compare absolute paths.
    name = name or ""
    path = Path(name).expanduser()
    with suppress(OSError):
        if path.exists():
            return str(path.resolve())
    return name
