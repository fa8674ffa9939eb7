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


# --------------------------------------------------------------------------- CTranslate2

# A converted model lives in a subfolder of its Hugging Face folder, named after its weight
# type: models/<org>/<name>/ct2-int8/ (model.bin, CTranslate2's config.json, the tokenizer
# files, generation_config.json and the HF config as hf_config.json, so it is self-contained).
CT2_PREFIX = "ct2-"
QUANTIZATIONS = (
    "int8",
    "int8_float16",
    "int8_float32",
    "int8_bfloat16",
    "int16",
    "float16",
    "bfloat16",
    "float32",
)
HF_CONFIG_NAME = "hf_config.json"
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".h5", ".msgpack", ".ckpt")


def is_ct2_dir(path: Path) -> bool:
    """A finished CTranslate2 conversion (conversion writes to a temporary name first)."""
    return (path / "model.bin").is_file() and (path / HF_CONFIG_NAME).is_file()


def _ct2_homes(ref: ModelRef) -> list[Path]:
    homes = [ref.path]
    if ref.source == "hf-cache":  # the cache is not ours to write into: models/<id>/ instead
        homes.append(local_dir(ref.name))
    return homes


def converted_dir(ref: ModelRef, quantization: str = "int8") -> Path:
    """Where ``convert`` writes the CTranslate2 model of ``ref``."""
    home = local_dir(ref.name) if ref.source == "hf-cache" else ref.path
    return home / f"{CT2_PREFIX}{quantization}"


def find_converted(ref: ModelRef) -> Path | None:
    """The CTranslate2 model of ``ref`` if one was converted (int8 preferred), else None."""
    if is_ct2_dir(ref.path):  # the name pointed at a converted folder itself
        return ref.path
    for home in _ct2_homes(ref):
        for quantization in QUANTIZATIONS:
            candidate = home / f"{CT2_PREFIX}{quantization}"
            if is_ct2_dir(candidate):
                return candidate
    return None


def convert(path_or_id: str | Path, quantization: str = "int8", *, force: bool = False) -> Path:
    """Convert a local Hugging Face seq2seq model to CTranslate2; return the new folder.

    The tokenizer files and generation config are copied next to ``model.bin``. An existing
    conversion is kept unless ``force``. Needs no network.
    """
    import shutil
    import tempfile

    from .errors import BackendUnavailableError, ConfigError, ModelLoadError

    if quantization not in QUANTIZATIONS:
        raise ConfigError(
            f"quantization must be one of {', '.join(QUANTIZATIONS)}, not {quantization!r}"
        )
    ref = resolve_model(str(path_or_id))
    if is_ct2_dir(ref.path):
        raise ConfigError(f"{ref.path} is already a CTranslate2 model; pass its parent folder")
    target = converted_dir(ref, quantization)
    if is_ct2_dir(target) and not force:
        log.info("%s is already converted: %s", ref.name, target)
        return target
    try:
        converter_class = _converter_class()
    except ImportError as exc:
        raise BackendUnavailableError(
            "CTranslate2 is not installed: `pip install ctranslate2`"
        ) from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    # Convert into a temporary sibling and rename, so an interrupted run leaves nothing that
    # looks like a finished model.
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        log.info("converting %s to CTranslate2 (%s)", ref.name, quantization)
        converter_class(str(ref.path)).convert(str(staging), quantization=quantization, force=True)
        for item in ref.path.iterdir():
            if _is_side_file(item):
                shutil.copy2(item, staging / item.name)
        shutil.copy2(ref.path / "config.json", staging / HF_CONFIG_NAME)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    except (ValueError, OSError, AttributeError, KeyError, RuntimeError) as exc:
        raise ModelLoadError(
            f"cannot convert {ref.name!r} from {ref.path} to CTranslate2 "
            f"({type(exc).__name__}: {exc}); check that it is a complete seq2seq model folder"
        ) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log.info("converted %s to %s", ref.name, target)
    return target


def _is_side_file(item: Path) -> bool:
    """Tokenizer and generation files a converted model needs next to model.bin."""
    if not item.is_file() or item.name.startswith(".") or item.name == "config.json":
        return False
    if item.suffix in _WEIGHT_SUFFIXES or item.name.endswith(".index.json"):
        return False
    return any(item.match(pattern) for pattern in _WANTED)


def _converter_class():  # type: ignore[no-untyped-def]
    from ctranslate2.converters import TransformersConverter

    class _Converter(TransformersConverter):
        """Offline loading, and BART under transformers v5, whose config no longer has
        ``normalize_before`` (BART is post-norm; CTranslate2's loader still reads it)."""

        def load_model(self, model_class, model_name_or_path, **kwargs):  # type: ignore[no-untyped-def]
            model = super().load_model(
                model_class, model_name_or_path, local_files_only=True, **kwargs
            )
            if model.config.model_type == "bart" and not hasattr(model.config, "normalize_before"):
                model.config.normalize_before = False
            return model

        def load_tokenizer(self, tokenizer_class, model_name_or_path, **kwargs):  # type: ignore[no-untyped-def]
            return super().load_tokenizer(
                tokenizer_class, model_name_or_path, local_files_only=True, **kwargs
            )

    return _Converter


def pick_device(device: str = "auto") -> str:
    """``auto`` is CUDA when a GPU is visible, else CPU; anything else is passed through."""
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"
