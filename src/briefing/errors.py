"""Errors raised by briefing. Each message says what went wrong and what to do about it."""

from __future__ import annotations


class BriefingError(Exception):
    """Base class of every error briefing raises on purpose."""

    exit_code = 1


class InputError(BriefingError, ValueError):
    """The article (or file) cannot be briefed as given: empty, not English, too long, binary…"""

    exit_code = 2


class ConfigError(BriefingError, ValueError):
    """An option has an unknown name or a value out of range."""

    exit_code = 2


class ModelNotFoundError(BriefingError):
    """A model is neither in `models/`, at a local path, nor in the Hugging Face cache."""

    exit_code = 3

    def __init__(self, model: str, detail: str = "") -> None:
        self.model = model
        hint = f"run `briefing download {model}` (needs internet), or pass a local folder path"
        message = f"model {model!r} is not available locally: {hint}"
        super().__init__(f"{message} ({detail})" if detail else message)


class ModelLoadError(BriefingError):
    """A model folder exists but cannot be loaded (corrupt, unsupported, or unsafe weights)."""

    exit_code = 3


class BackendUnavailableError(BriefingError):
    """An optional engine (CTranslate2, Ray, …) is not installed or has no converted model."""

    exit_code = 3


class DeviceError(BriefingError):
    """The device asked for is not there: CUDA without a visible GPU, or a GPU index too high."""

    exit_code = 3


class ModelPathMissingError(ModelNotFoundError):
    """A model given as a local path (./m, /m, ~/m, or under an existing folder) that is not
    there: a typo in a path, not a model to download."""

    def __init__(self, model: str, path: str, problem: str = "does not exist") -> None:
        self.model = model
        BriefingError.__init__(
            self,
            f"model folder {path} {problem}: check the path (model ids such as "
            "org/name are fetched with `briefing download`)",
        )


class FetchError(BriefingError):
    """A URL could not be fetched as an article: network failure, timeout, HTTP error status,
    a body over the size cap, or a content type that is not HTML or text.

    Exit code 4 (neither the user's file nor the models are at fault). ``transient`` is True
    when retrying later may succeed (timeouts, connection failures, HTTP 429/5xx).
    """

    exit_code = 4

    def __init__(self, message: str, *, url: str = "", transient: bool = False) -> None:
        super().__init__(message)
        self.url = url
        self.transient = transient


class BlockedURLError(FetchError):
    """A URL refused before connecting: not http/https, or (for the web server) its host
    resolves to a loopback, private, link-local, multicast, reserved or unspecified address.

    Exit code 2: the address given is at fault, not the network."""

    exit_code = 2


class DownloadError(BriefingError):
    """The Hugging Face hub could not be reached, refused the download, or the disk is full."""

    exit_code = 4


class NoChineseTargetError(ModelLoadError):
    """A multilingual translation model whose tokenizer has no Chinese target language."""

    def __init__(self, model: str, languages: list[str]) -> None:
        self.model = model
        self.languages = languages
        shown = ", ".join(languages[:12]) + (", …" if len(languages) > 12 else "")
        super().__init__(
            f"translator {model!r} is multilingual but has no Chinese target (its "
            f"{len(languages)} language tokens: {shown}); choose a model that translates into "
            "Chinese, such as Helsinki-NLP/opus-mt-en-zh"
        )


class OutputError(BriefingError):
    """The batch's output folder cannot be written (disk full, read-only, quota, I/O error).

    Exit code 5. What was already written is whole (the records file is the commit log), so
    the same command finishes the rest once there is room. ``report`` carries the batch's
    summary so far when a batch raised it.
    """

    exit_code = 5
    report: object = None
