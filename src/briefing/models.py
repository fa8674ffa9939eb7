"""Finding, downloading and describing models.

A model name resolves, in order, to: a folder under the models directory (``models/`` or
``$BRIEFING_MODELS_DIR``, laid out as ``models/<org>/<name>``), a local folder path, then
the Hugging Face cache. Loading never touches the network; ``briefing download`` does.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import BriefingError, ModelNotFoundError

log = logging.getLogger("briefing")

DEFAULT_SUMMARIZER = "sshleifer/distilbart-cnn-12-6"
DEFAULT_TRANSLATOR = "Helsinki-NLP/opus-mt-en-zh"
# Files a seq2seq model needs; pickled weights are fetched only when no safetensors exist.
_WANTED = ["*.json", "*.safetensors", "*.model", "*.spm", "*.txt", "*.tiktoken", "vocab*"]


class DownloadError(BriefingError):
    """The Hugging Face hub could not be reached or refused the download."""

    exit_code = 4


@dataclass(frozen=True)
class ModelRef:
    """A model name and the local folder it resolved to."""

    name: str
    path: Path
    source: str  # "models-dir", "path" or "hf-cache"


def models_dir() -> Path:
    return Path(os.environ.get("BRIEFING_MODELS_DIR", "models")).expanduser()


def default_summarizer() -> str:
    return os.environ.get("BRIEFING_SUMMARIZER") or DEFAULT_SUMMARIZER


def default_translator() -> str:
    return os.environ.get("BRIEFING_TRANSLATOR") or DEFAULT_TRANSLATOR


def local_dir(name: str) -> Path:
    """Where ``briefing download NAME`` puts a model."""
    return models_dir() / name


def _is_model_dir(path: Path) -> bool:
    return (path / "config.json").is_file()


def resolve_model(name: str) -> ModelRef:
    """Find ``name`` locally, or raise ModelNotFoundError with the command that fetches it."""
    if not name or not name.strip():
        raise ModelNotFoundError(repr(name), "empty model name")
    candidate = local_dir(name)
    if _is_model_dir(candidate):
        return ModelRef(name, candidate.resolve(), "models-dir")
    path = Path(name).expanduser()
    if _is_model_dir(path):
        return ModelRef(name, path.resolve(), "path")
    if path.exists():
        raise ModelNotFoundError(name, f"{path} exists but has no config.json")
    try:
        from huggingface_hub import snapshot_download

        cached = Path(snapshot_download(repo_id=name, local_files_only=True))
    except Exception as exc:  # not cached, or not a valid repo id
        raise ModelNotFoundError(name, f"looked in {models_dir()}/ and the HF cache") from exc
    if not _is_model_dir(cached):
        raise ModelNotFoundError(name, "the HF cache holds no config.json for it")
    return ModelRef(name, cached, "hf-cache")


def download(name: str, *, progress: bool = True) -> Path:
    """Fetch ``name`` from the Hugging Face hub into the models directory; return its folder.

    Safetensors weights are preferred; a repo that only has pickled weights is loaded with
    torch's weights-only loader and re-saved as safetensors so runtime loading stays safe.
    """
    from huggingface_hub import list_repo_files, snapshot_download

    target = local_dir(name)
    try:
        files = list_repo_files(name)
        patterns = list(_WANTED)
        if not any(f.endswith(".safetensors") for f in files):
            patterns.append("pytorch_model.bin")
        snapshot_download(
            repo_id=name,
            local_dir=target,
            allow_patterns=patterns,
            tqdm_class=None if progress else _NoBar,
        )
    except Exception as exc:
        raise DownloadError(
            f"could not download {name!r} from the Hugging Face hub ({type(exc).__name__}): "
            f"check the internet connection and the model id, or copy the model folder "
            f"into {target}"
        ) from exc
    pickled = target / "pytorch_model.bin"
    if pickled.exists() and not list(target.glob("*.safetensors")):
        _resave_as_safetensors(target)
    log.info("downloaded %s to %s", name, target)
    return target


def _resave_as_safetensors(folder: Path) -> None:
    from transformers import AutoModelForSeq2SeqLM

    log.info("converting %s/pytorch_model.bin to safetensors", folder)
    model = AutoModelForSeq2SeqLM.from_pretrained(folder, use_safetensors=False)
    model.save_pretrained(folder, safe_serialization=True)
    (folder / "pytorch_model.bin").unlink()


class _NoBar:
    """A tqdm stand-in that draws nothing (for --quiet)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def pick_device(device: str = "auto") -> str:
    """``auto`` is CUDA when a GPU is visible, else CPU; anything else is passed through."""
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"
