"""Finding and describing local models; CTranslate2 conversion.

A model name resolves, in order, to: a folder under the models directory (laid out as
``<models>/<org>/<name>``), a local folder path, then the Hugging Face cache. Loading never
touches the network; ``briefing download`` (``download.py``) does.

The models directory is one absolute folder, the same from every working directory:
``$BRIEFING_MODELS_DIR`` when set; else ``models/`` of the source checkout briefing runs
from; else a per-user data folder (platformdirs).
"""

from __future__ import annotations

import logging
import os
import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .errors import ModelNotFoundError, ModelPathMissingError

log = logging.getLogger("briefing")

DEFAULT_SUMMARIZER = "sshleifer/distilbart-cnn-12-6"
DEFAULT_TRANSLATOR = "Helsinki-NLP/opus-mt-en-zh"
# Summarizer names that pick the article's own sentences: no model to fetch.
NO_MODEL_SUMMARIZERS = ("extractive", "lead")
# Files a seq2seq model needs; pickled weights are fetched only when no safetensors exist.
_WANTED = ["*.json", "*.safetensors", "*.model", "*.spm", "*.txt", "*.tiktoken", "vocab*"]

ModelsDirOrigin = Literal["BRIEFING_MODELS_DIR", "checkout", "user-data"]
Role = Literal["summarizer", "translator"]


@dataclass(frozen=True)
class ModelRef:
    """A model name and the local folder it resolved to."""

    name: str
    path: Path
    source: Literal["models-dir", "path", "hf-cache"]


def source_checkout() -> Path | None:
    """The repository root when briefing runs from a source checkout (src/briefing), else None."""
    package = Path(__file__).resolve().parent
    root = package.parent.parent
    if package.parent.name == "src" and (root / "pyproject.toml").is_file():
        return root
    return None


def models_dir_origin() -> ModelsDirOrigin:
    if os.environ.get("BRIEFING_MODELS_DIR"):
        return "BRIEFING_MODELS_DIR"
    return "checkout" if source_checkout() is not None else "user-data"


def models_dir_description() -> str:
    """Why the models folder is where it is, for people (``briefing models``, downloads)."""
    return {
        "BRIEFING_MODELS_DIR": "set by BRIEFING_MODELS_DIR",
        "checkout": "the models/ folder of this source checkout; BRIEFING_MODELS_DIR overrides",
        "user-data": "the per-user data folder; BRIEFING_MODELS_DIR overrides",
    }[models_dir_origin()]


def models_dir() -> Path:
    """The absolute models folder (see the module docstring for the order)."""
    env = os.environ.get("BRIEFING_MODELS_DIR")
    if env:
        return Path(env).expanduser().resolve()
    checkout = source_checkout()
    if checkout is not None:
        return checkout / "models"
    import platformdirs

    return Path(platformdirs.user_data_dir("briefing", appauthor=False)) / "models"


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
    if path.exists() and _looks_like_path(name):
        raise ModelPathMissingError(name, str(path), "holds no model (no config.json)")
    if path.exists():
        raise ModelNotFoundError(name, f"{path} exists but has no config.json")
    cached = _hf_cached(name)
    if cached is None and _looks_like_path(name):
        raise ModelPathMissingError(name, str(path) if name.startswith("~") else name)
    if cached is None:
        raise ModelNotFoundError(name, f"looked in {models_dir()}/ and the HF cache")
    return ModelRef(name, cached, "hf-cache")


def _looks_like_path(name: str) -> bool:
    """A name meant as a folder (./m, ../m, /m, ~/m, or m under an existing folder), not a
    hub id: reported as a missing path rather than as a model to download."""
    if name.startswith(("./", "../", "/", "~", ".\\")) or name in (".", ".."):
        return True
    parent = Path(name).expanduser().parent
    return parent != Path(".") and parent.is_dir()


def _hf_cached(name: str) -> Path | None:
    """The HF cache snapshot of ``name`` when it holds a model, else None (never the network)."""
    try:
        from huggingface_hub import snapshot_download

        cached = Path(snapshot_download(repo_id=name, local_files_only=True))
    except Exception:  # not cached, or not a valid repo id: either way not available
        return None
    return cached if _is_model_dir(cached) else None


# --------------------------------------------------------------------------- status


@dataclass(frozen=True)
class ModelStatus:
    """One model as ``briefing models`` and the web page describe it."""

    role: Role | None  # None for non-default installed ones
    name: str
    path: Path | None  # resolved local folder, None when missing
    installed: bool
    size_bytes: int
    engines: tuple[str, ...]  # e.g. ("transformers", "ctranslate2-int8")
    is_default: bool
    fetch_command: str  # the one command that fetches it


def briefing_command() -> str:
    """How to call the ``briefing`` executable of this interpreter, as a person would type it.

    ``briefing`` when that is what the shell finds, else the venv's script (relative to the
    current folder when inside it, e.g. ``.venv/bin/briefing``), else ``python -m``.
    """
    script = Path(sys.executable).parent / ("briefing.exe" if os.name == "nt" else "briefing")
    if script.is_file():
        on_path = shutil.which("briefing")
        if on_path and Path(on_path).resolve() == script.resolve():
            return "briefing"
        try:
            shown = str(script.relative_to(Path.cwd()))
        except ValueError:
            shown = str(script)
        return shlex.quote(shown)
    return f"{shlex.quote(sys.executable)} -m briefing.cli"


def fetch_command(names: list[str]) -> str:
    """One copyable command that fetches ``names`` into the models folder."""
    prefix = ""
    if os.environ.get("BRIEFING_MODELS_DIR"):  # a fresh shell would not have it
        prefix = f"BRIEFING_MODELS_DIR={shlex.quote(str(models_dir()))} "
    args = " ".join(shlex.quote(name) for name in names)
    return f"{prefix}{briefing_command()} download {args}".rstrip()


def _folder_size(path: Path) -> int:
    # is_file() and stat() follow links: the HF cache's links into its blobs count as files.
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())


def _engines(ref: ModelRef) -> tuple[str, ...]:
    if is_ct2_dir(ref.path):  # the name pointed at a converted folder itself
        return (f"ctranslate2-{_quantization_of(ref.path)}",)
    engines: list[str] = []
    if any(ref.path.glob("*.safetensors")) or any(ref.path.glob("pytorch_model*.bin")):
        engines.append("transformers")
    engines += [f"ctranslate2-{_quantization_of(path)}" for path in _conversions(ref)]
    return tuple(dict.fromkeys(engines))


def _quantization_of(path: Path) -> str:
    name = path.name
    return name[len(CT2_PREFIX) :] if name.startswith(CT2_PREFIX) else "unknown"


def describe(name: str, role: Role | None = None, is_default: bool = False) -> ModelStatus:
    """The status of one model by name (never the network)."""
    if role == "summarizer" and name in NO_MODEL_SUMMARIZERS:
        return ModelStatus(role, name, None, True, 0, (), is_default, "")
    try:
        ref = resolve_model(name)
    except ModelNotFoundError:
        return ModelStatus(role, name, None, False, 0, (), is_default, fetch_command([name]))
    size = _folder_size(ref.path)
    if ref.source == "hf-cache" and local_dir(name).is_dir():  # conversions live in models/
        size += _folder_size(local_dir(name))
    return ModelStatus(
        role, name, ref.path, True, size, _engines(ref), is_default, fetch_command([name])
    )


def model_status(summarizer: str, translator: str) -> list[ModelStatus]:
    """The two models in use, installed or not (defaults flagged as such)."""
    return [
        describe(summarizer, "summarizer", summarizer == default_summarizer()),
        describe(translator, "translator", translator == default_translator()),
    ]


def installed_names() -> list[str]:
    """Ids of the models in the models folder (``<org>/<name>`` or ``<name>``), sorted."""
    root = models_dir()
    if not root.is_dir():
        return []
    names: set[str] = set()
    for config in root.glob("**/config.json"):
        folder = config.parent
        relative = folder.relative_to(root)
        if any(part.startswith(".") for part in relative.parts):  # downloads in progress
            continue
        if is_ct2_dir(folder) or is_ct2_dir(folder.parent):  # a conversion, not a model
            continue
        names.add(relative.as_posix())
    return sorted(names)


def list_models() -> list[ModelStatus]:
    """The default models (installed or not), then every other installed model."""
    statuses = [
        describe(default_summarizer(), "summarizer", True),
        describe(default_translator(), "translator", True),
    ]
    shown = {status.name for status in statuses}
    for name in installed_names():
        if name not in shown:
            statuses.append(describe(name, None, False))
    return statuses


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
    return next(iter(_conversions(ref)), None)


def _conversions(ref: ModelRef) -> list[Path]:
    """The CTranslate2 conversions of ``ref`` in its homes, in QUANTIZATIONS order."""
    return [
        home / f"{CT2_PREFIX}{quantization}"
        for home in _ct2_homes(ref)
        for quantization in QUANTIZATIONS
        if is_ct2_dir(home / f"{CT2_PREFIX}{quantization}")
    ]


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
            if model.config.model_type == "mbart" and not hasattr(model.config, "normalize_before"):
                model.config.normalize_before = True  # mBART is pre-norm
            return model

        def load_tokenizer(self, tokenizer_class, model_name_or_path, **kwargs):  # type: ignore[no-untyped-def]
            from .languages import register_language_tokens

            tokenizer = super().load_tokenizer(
                tokenizer_class, model_name_or_path, local_files_only=True, **kwargs
            )
            # The converter's vocabulary is get_vocab(), which can miss language tokens
            # (M2M100 files that do not list them): add them at their own ids.
            register_language_tokens(tokenizer)
            return tokenizer

    return _Converter


def pick_device(device: str = "auto") -> str:
    """``auto`` is CUDA when a GPU is visible, else CPU; anything else is passed through."""
    if device == "cpu":
        return device
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda"):
        from .errors import DeviceError

        if not torch.cuda.is_available():
            raise DeviceError(
                f"device {device!r} asked for, but no CUDA GPU is visible: use --device cpu "
                "or auto"
            )
        index = int(device.partition(":")[2] or 0)
        if index >= torch.cuda.device_count():
            raise DeviceError(
                f"device {device!r} asked for, but only {torch.cuda.device_count()} CUDA "
                "GPU(s) are visible: use cuda:0 or auto"
            )
    return device
