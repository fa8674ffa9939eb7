"""Fetching models from the Hugging Face hub into the models folder (``briefing download``).

One short probe of the hub per model (no retries) says whether it can be reached and which
files the model has; only then does ``snapshot_download`` fetch them. Files go to a hidden
staging folder (``<models>/.downloading/``) that is renamed into place when complete, so an
interrupted or failed download leaves nothing that loading would pick.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from .errors import DownloadError, ModelLoadError
from .models import _WANTED, _is_model_dir, local_dir, models_dir

log = logging.getLogger("briefing")

# Seconds the probe waits for the hub: long enough for a slow link, short enough that an
# offline machine (or a firewall that drops packets) hears about it at once.
PROBE_TIMEOUT = 10.0
CONNECT_TIMEOUT = 5.0
STAGING = ".downloading"
_REPO_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?")


class HubUnreachableError(DownloadError):
    """The hub itself cannot be reached: every further model would fail the same way."""


@dataclass(frozen=True)
class DownloadPlan:
    """What ``fetch`` will download for one model, from the probe."""

    name: str
    files: tuple[str, ...]
    size_bytes: int  # 0 when the hub did not say
    pickled_only: bool  # no safetensors: pytorch_model.bin is fetched and re-saved
    target: Path


def hub_endpoint() -> str:
    from huggingface_hub import constants

    return str(constants.ENDPOINT).rstrip("/")


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def plan_download(name: str) -> DownloadPlan:
    """Ask the hub once which files ``name`` has; raise DownloadError naming the fix."""
    import httpx
    from huggingface_hub.utils import build_hf_headers, filter_repo_objects

    target = local_dir(name)
    if _offline():
        raise HubUnreachableError(
            "HF_HUB_OFFLINE is set: unset it to download, or copy the model folders into "
            f"{models_dir()}"
        )
    endpoint = hub_endpoint()
    url = f"{endpoint}/api/models/{quote(name, safe='/')}/revision/main"
    try:
        response = httpx.get(
            url,
            params={"blobs": "true"},
            headers=build_hf_headers(),
            timeout=httpx.Timeout(PROBE_TIMEOUT, connect=CONNECT_TIMEOUT),
            follow_redirects=True,
        )
    except httpx.HTTPError as exc:
        raise HubUnreachableError(
            f"cannot reach the Hugging Face hub at {endpoint} ({type(exc).__name__}): check the "
            f"internet connection (or HF_ENDPOINT), or copy the model folders into {models_dir()}"
        ) from exc
    if response.status_code in (401, 403, 404):
        raise DownloadError(
            f"the hub has no model {name!r} (HTTP {response.status_code}): check the model id"
        )
    if response.status_code != 200:
        raise HubUnreachableError(
            f"the Hugging Face hub at {endpoint} answered HTTP {response.status_code}: "
            "try again later"
        )
    try:
        siblings = {s["rfilename"]: int(s.get("size") or 0) for s in response.json()["siblings"]}
    except (ValueError, KeyError, TypeError) as exc:
        raise HubUnreachableError(
            f"the Hugging Face hub at {endpoint} sent an unexpected answer: check HF_ENDPOINT"
        ) from exc
    patterns = list(_WANTED)
    pickled_only = not any(f.endswith(".safetensors") for f in siblings)
    if pickled_only:
        patterns.append("pytorch_model.bin")
    files = tuple(filter_repo_objects(sorted(siblings), allow_patterns=patterns))
    if "config.json" not in files:
        raise DownloadError(
            f"{name!r} on the hub has no config.json: it is not a model briefing can run"
        )
    return DownloadPlan(name, files, sum(siblings[f] for f in files), pickled_only, target)


def download(
    name: str,
    *,
    progress: bool = True,
    on_plan: Callable[[DownloadPlan], None] | None = None,
) -> Path:
    """Fetch ``name`` into the models folder unless it is there; return its folder.

    Safetensors weights are preferred; a repo that only has pickled weights is loaded with
    torch's weights-only loader and re-saved as safetensors so runtime loading stays safe.
    ``on_plan`` hears the file list and size before the transfer starts.
    """
    if not _REPO_ID.fullmatch(name) or ".." in name:  # it names a folder under models/ too
        raise DownloadError(
            f"{name!r} is not a Hugging Face model id: write it as org/name, e.g. "
            "Helsinki-NLP/opus-mt-en-zh"
        )
    target = local_dir(name)
    if _is_model_dir(target):
        return target
    plan = plan_download(name)
    if on_plan is not None:
        on_plan(plan)
    return fetch(plan, progress=progress)


def fetch(plan: DownloadPlan, *, progress: bool = True) -> Path:
    """Download ``plan`` into its models folder (staged, then renamed); return the folder."""
    from filelock import FileLock

    staging_root = models_dir() / STAGING
    try:
        staging_root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(
            f"cannot create {staging_root} ({exc.strerror}): set BRIEFING_MODELS_DIR to a "
            "writable folder"
        ) from exc
    slug = plan.name.replace("/", "--")
    # One download of a model at a time (two `make run`s); the lock also makes leftovers of
    # an interrupted run safe to delete.
    with FileLock(staging_root / f"{slug}.lock"):
        if _is_model_dir(plan.target):
            return plan.target
        for leftover in staging_root.glob(f"{slug}-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{slug}-", dir=staging_root))
        try:
            _snapshot(plan, staging, progress)
            if plan.pickled_only:
                _resave_as_safetensors(staging)
            shutil.rmtree(staging / ".cache", ignore_errors=True)  # the hub's resume metadata
            _move_into_place(staging, plan.target)
        except OSError as exc:
            raise DownloadError(
                f"cannot write {plan.name!r} into {plan.target.parent} "
                f"({exc.strerror or type(exc).__name__}): free disk space or set "
                "BRIEFING_MODELS_DIR to another folder"
            ) from exc
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    log.info("downloaded %s to %s", plan.name, plan.target)
    return plan.target


def _snapshot(plan: DownloadPlan, staging: Path, progress: bool) -> None:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import EntryNotFoundError

    failures: tuple[type[BaseException], ...] = (*_network_errors(), EntryNotFoundError)
    try:
        snapshot_download(
            repo_id=plan.name,
            local_dir=staging,
            allow_patterns=list(plan.files),
            tqdm_class=None if progress else _silent_tqdm(),
            etag_timeout=PROBE_TIMEOUT,
        )
    except failures as exc:
        raise DownloadError(
            f"downloading {plan.name!r} from {hub_endpoint()} failed "
            f"({type(exc).__name__}): check the internet connection and run it again"
        ) from exc
    if not _is_model_dir(staging):
        raise DownloadError(f"the hub sent no config.json for {plan.name!r}: check the model id")


def _network_errors() -> tuple[type[BaseException], ...]:
    """The HTTP client errors of whichever client this huggingface_hub uses."""
    errors: list[type[BaseException]] = []
    for module, attribute in (("httpx2", "HTTPError"), ("httpx", "HTTPError")):
        try:
            errors.append(getattr(__import__(module), attribute))
        except (ImportError, AttributeError):
            continue
    try:
        import requests

        errors.append(requests.RequestException)
    except ImportError:
        pass
    return tuple(errors)


def _silent_tqdm() -> type:
    """A real tqdm (every member huggingface_hub touches) that never draws."""
    from huggingface_hub.utils import tqdm as hf_tqdm

    class _Silent(hf_tqdm):
        def __init__(self, *args: object, **kwargs: object) -> None:
            kwargs["disable"] = True
            super().__init__(*args, **kwargs)

    return _Silent


def _move_into_place(staging: Path, target: Path) -> None:
    """Rename the finished download to ``target``; keep conversions already there."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        # A folder without config.json: leftovers (an old `.cache`, a conversion). Move its
        # content into the new folder rather than deleting what a person may have put there.
        for item in target.iterdir():
            if item.name == ".cache":
                continue
            if not (staging / item.name).exists():
                item.rename(staging / item.name)
        shutil.rmtree(target)
    staging.rename(target)


def _resave_as_safetensors(folder: Path) -> None:
    """Re-save pickled weights as safetensors, read with torch's weights-only loader."""
    import pickle
    import warnings

    from transformers import AutoModelForSeq2SeqLM

    log.info("converting %s/pytorch_model.bin to safetensors", folder)
    try:
        with warnings.catch_warnings():  # torch's protocol notes; our error says what matters
            warnings.simplefilter("ignore", UserWarning)
            model = AutoModelForSeq2SeqLM.from_pretrained(folder, use_safetensors=False)
    except pickle.UnpicklingError as exc:
        raise ModelLoadError(
            "its pytorch_model.bin holds more than plain weights, so briefing refused to load "
            "it: ask the model's authors for safetensors weights"
        ) from exc
    model.save_pretrained(folder, safe_serialization=True)
    (folder / "pytorch_model.bin").unlink()


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"
