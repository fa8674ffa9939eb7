"""Model settings: which models to load and how, as one value with defaults resolved here.

``ModelChoice`` is what ``Pipeline.from_choice``, ``get_pipeline``, the CLI, batch (local
and Ray), eval and the web app all take; nothing else fills in default model names.
"""

from __future__ import annotations

import dataclasses
import re
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from .backends import BACKENDS
from .errors import ConfigError
from .models import default_summarizer, default_translator
from .options import StageOptions, check_choice, check_positive

DEVICE_FORMS = "auto, cpu, cuda or cuda:N"
_DEVICE = re.compile(r"(auto|cpu|cuda(:\d{1,3})?)")
# What CTranslate2 accepts (ctranslate2.get_supported_compute_types lists those of a device).
COMPUTE_TYPES = (
    "default",
    "auto",
    "int8",
    "int8_float32",
    "int8_float16",
    "int8_bfloat16",
    "int16",
    "float16",
    "bfloat16",
    "float32",
)
MAX_THREADS = 1024  # beyond any machine; larger values are typos that torch would accept
MAX_CONCURRENCY = 64  # model calls are serialised: more only queues memory


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
        """The one check of model settings: every entry point builds a ModelChoice, so the
        CLI, ``serve``, batch, ``Pipeline``, ``summarize`` and the web app all get it.
        Whether a CUDA device is really there is checked where models load
        (``models.pick_device``), so that building a choice never imports torch."""
        for name in ("summarizer", "translator"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise ConfigError(f"{name} must be a model id or folder (str), not {value!r}")
        check_choice("backend", self.backend, BACKENDS)
        check_positive("threads", self.threads, allow_none=True)
        if self.threads is not None and self.threads > MAX_THREADS:
            raise ConfigError(f"threads must be at most {MAX_THREADS}, not {self.threads}")
        if not isinstance(self.device, str) or not _DEVICE.fullmatch(self.device):
            raise ConfigError(f"device must be {DEVICE_FORMS}, not {self.device!r}")
        if self.compute_type is not None:
            if not isinstance(self.compute_type, str) or self.compute_type not in COMPUTE_TYPES:
                raise ConfigError(
                    f"compute_type must be one of {', '.join(COMPUTE_TYPES)}, "
                    f"not {self.compute_type!r}"
                )
            if self.backend == "transformers":
                raise ConfigError(
                    "compute_type applies to the ctranslate2 backend only: drop it, or use "
                    "backend ctranslate2 or auto"
                )
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


@dataclass(frozen=True)
class ServeSettings(StageOptions):
    """How ``briefing serve`` listens; ``validated()`` is the check the CLI and the web
    package share (``ServeSettings(host=..., port=..., concurrency=...)`` raises
    ConfigError for a bad value)."""

    host: str = "127.0.0.1"
    port: int = 7860
    share: bool = False
    concurrency: int | None = None  # requests worked on at once (None: the web default)

    def validated(self) -> ServeSettings:
        if not isinstance(self.host, str) or not self.host.strip() or any(
            c.isspace() for c in self.host
        ):
            raise ConfigError(f"host must be an address such as 127.0.0.1, not {self.host!r}")
        if isinstance(self.port, bool) or not isinstance(self.port, int) or not (
            1 <= self.port <= 65535
        ):
            raise ConfigError(f"port must be between 1 and 65535, not {self.port!r}")
        check_positive("concurrency", self.concurrency, allow_none=True)
        if self.concurrency is not None and self.concurrency > MAX_CONCURRENCY:
            raise ConfigError(
                f"concurrency must be at most {MAX_CONCURRENCY}, not {self.concurrency}"
            )
        return self


def model_id(name: str | None) -> str:
    """A model name as recorded in resume keys."""
    # A folder given as "./m" or "/abs/m" is the same model: compare absolute paths.
    name = name or ""
    path = Path(name).expanduser()
    with suppress(OSError):
        if path.exists():
            return str(path.resolve())
    return name
