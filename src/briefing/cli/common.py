"""What every subcommand shares: help layout, the -q/-v flags, model and brief options,
reading an article from a file, a URL or stdin, writing the result, and stage progress."""

from __future__ import annotations

import argparse
import os
import re
import sys
import textwrap
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ClassVar

from ..errors import InputError, OutputError

if TYPE_CHECKING:
    from ..pipeline import Pipeline
    from ..settings import ModelChoice

URL = re.compile(r"https?://", re.I)
# Types people try that are not text: refused by name or by their first bytes.
_NOT_TEXT_SUFFIXES = frozenset(
    (
        *(".pdf", ".doc", ".docx", ".odt", ".rtf", ".epub", ".pages", ".ppt", ".pptx"),
        *(".xls", ".xlsx", ".zip", ".gz", ".tar", ".7z", ".exe", ".mp3", ".mp4", ".wav"),
        *(".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".heic", ".svg"),
        ".mov",
    )
)
_MAGIC = (
    (b"%PDF", "a PDF"),
    (b"PK\x03\x04", "a zip archive (.docx/.odt/.epub are zips)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
    (b"{\\rtf", "an RTF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"RIFF", "a RIFF file (image/audio)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "a program"),
)


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Examples kept as written (epilog) and every option's real default shown (not the
    None or False of an unset option)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        help = action.help or ""
        default = action.default
        if (
            "default" in help
            or default is None
            or default is False
            or default is argparse.SUPPRESS
            or not action.option_strings
        ):
            return help
        return f"{help} (default: %(default)s)"


def subcommand(
    sub: argparse._SubParsersAction,
    name: str,
    parents: list[argparse.ArgumentParser],
    *,
    help: str,
    description: str,
    examples: list[str],
) -> argparse.ArgumentParser:
    """A subparser with the shared flags, defaults shown and an examples epilog."""
    epilog = "examples:\n" + "\n".join(f"  {line}" for line in examples)
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        parents=parents,
        help=help,
        description=textwrap.fill(description, 79),  # raw layout keeps the examples as typed
        epilog=epilog,
        formatter_class=HelpFormatter,
    )
    return parser


def verbosity_parent() -> argparse.ArgumentParser:
    """-q/-v accepted after a subcommand too; SUPPRESS keeps what was given before it."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("messages")
    group.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=argparse.SUPPRESS,
        help="more log output (-vv: debug)",
    )
    group.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=argparse.SUPPRESS,
        help="errors only, no progress",
    )
    return parent


# --------------------------------------------------------------------------- options


def positive_int(text: str) -> int:
    """argparse type: a whole number of at least 1 (a usage error otherwise)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def add_model_options(parser: argparse.ArgumentParser, *, summarizer: bool = True) -> None:
    """Which models to load (group "models") and how (group "engine"): ``ModelChoice``."""
    from ..backends import BACKENDS
    from ..settings import COMPUTE_TYPES, DEVICE_FORMS

    models = parser.add_argument_group("models")
    if summarizer:
        models.add_argument(
            "--summarizer",
            help="model id or folder, or extractive / lead for no model "
            "(default: $BRIEFING_SUMMARIZER, else the built-in default; see `briefing models`)",
        )
    models.add_argument(
        "--translator",
        help="model id or folder (default: $BRIEFING_TRANSLATOR, else the built-in default)",
    )
    engine = parser.add_argument_group("engine")
    engine.add_argument("--device", default="auto", help=DEVICE_FORMS)
    engine.add_argument(
        "--backend",
        default="auto",
        choices=BACKENDS,
        help="auto: CTranslate2 where a model is converted, else transformers",
    )
    engine.add_argument(
        "--threads", type=int, metavar="N", help="CPU threads for the models (1-1024)"
    )
    engine.add_argument(
        "--compute-type",
        choices=COMPUTE_TYPES,
        metavar="TYPE",
        help="CTranslate2 weight type, one of: " + ", ".join(COMPUTE_TYPES)
        + " (default: int8 on CPU, int8_float16 on GPU)",
    )


def add_brief_options(parser: argparse.ArgumentParser, *, summary: bool = True) -> None:
    """How the brief is made (group "brief") and the input limit."""
    from ..summarizer import LENGTHS
    from ..translator import SCRIPTS

    group = parser.add_argument_group("brief" if summary else "translation")
    if summary:
        group.add_argument(
            "--length", choices=tuple(LENGTHS), default="medium", help="brief length"
        )
        group.add_argument(
            "--sentences",
            type=int,
            metavar="N",
            help="sentences kept by --summarizer extractive/lead (default: by --length)",
        )
    group.add_argument("--script", choices=SCRIPTS, default="simplified", help="Chinese script")
    group.add_argument(
        "--glossary",
        metavar="FILE",
        help="fixed Chinese renderings: CSV/TSV with english,chinese columns, or YAML",
    )
    group.add_argument(
        "--max-chars", type=int, default=100_000, metavar="N", help="input size limit"
    )


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by every command that briefs articles: models, engine, brief."""
    add_model_options(parser)
    add_brief_options(parser)


def model_choice(args: argparse.Namespace) -> ModelChoice:
    """The one ModelChoice of a command (validated when built: one-line ConfigError)."""
    from ..settings import ModelChoice

    given = {name: getattr(args, name, None) for name in ModelChoice.field_names()}
    return ModelChoice.coerce(None, **{k: v for k, v in given.items() if v is not None})


def pipeline(args: argparse.Namespace, progress: StageProgress | None = None) -> Pipeline:
    from ..pipeline import Pipeline

    choice = model_choice(args)
    if progress is not None:
        progress.note("loading models")
    return Pipeline.from_choice(choice)


def run_options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "length": args.length,
        "script": args.script,
        "max_chars": args.max_chars,
        "glossary": args.glossary,
        "sentences": args.sentences,
    }


# --------------------------------------------------------------------------- input


def add_source_argument(parser: argparse.ArgumentParser) -> None:
    from ..reader import SUFFIXES

    group = parser.add_argument_group("input")
    group.add_argument(
        "file",
        metavar="SOURCE",
        help=f"article file ({' '.join(SUFFIXES)}), an http(s) URL, or - for standard input",
    )


def is_url(source: str) -> bool:
    return bool(URL.match(source))


def _refuse_non_text(path: Path) -> None:
    from ..reader import SUFFIXES

    reads = " ".join(SUFFIXES)
    suffix = path.suffix.lower()
    if suffix in _NOT_TEXT_SUFFIXES:
        raise InputError(
            f"{path.name}: cannot read {suffix} files; briefing reads text ({reads}): "
            "save the article as text or HTML first"
        )
    if not path.is_file():
        return  # a pipe (<(…)) or device: read as text, within the size limit
    with path.open("rb") as handle:
        head = handle.read(8)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            raise InputError(
                f"{path.name} is {kind}; briefing reads text ({reads}): "
                "save the article as text or HTML first"
            )


def read_source(source: str, progress: StageProgress | None = None) -> tuple[Any, str | None]:
    """The article (text, or an object with ``text`` and ``title``) and where it came from."""
    if not source.strip():
        raise InputError("no article given: pass a file, an http(s) URL, or - for stdin")
    if re.match(r"[a-z][a-z0-9+.-]*://", source, re.I) and not is_url(source):
        raise InputError(
            f"cannot read {source.split(':', 1)[0]}: links; briefing fetches http(s) URLs "
            "and reads local files (give the path)"
        )
    if source == "-":
        if sys.stdin is None or sys.stdin.closed:
            raise InputError("standard input is closed: pass a file or a URL instead of -")
        if sys.stdin.isatty():
            print(
                "briefing: reading the article from the terminal; end with Ctrl-D",
                file=sys.stderr,
            )
        from ..reader import MAX_FILE_BYTES, parse_article

        # Bytes, bounded like a file (`< /dev/zero` must not fill memory); decoded and read
        # as text, Markdown or HTML the same way a file is.
        stream = getattr(sys.stdin, "buffer", None)
        data = stream.read(MAX_FILE_BYTES + 1) if stream else sys.stdin.read().encode()
        if len(data) > MAX_FILE_BYTES:
            raise InputError(
                f"standard input is over the {MAX_FILE_BYTES:,}-byte limit for one article: "
                "save the article's text, or split it"
            )
        return parse_article(data, "stdin"), None
    if is_url(source):
        from ..fetch import fetch_article

        if progress is not None:
            progress.note(f"fetching {source}")
        article = fetch_article(source, allow_private=True)  # the user's own machine
        return article, article.final_url
    from ..reader import read_article

    path = Path(source).expanduser()
    _refuse_non_text(path)
    # A file name that is not valid UTF-8 is shown with U+FFFD: it cannot be written as is.
    shown = os.fsencode(path).decode("utf-8", "replace")
    return read_article(path), shown


# --------------------------------------------------------------------------- output


def add_output_options(parser: argparse.ArgumentParser, what: str) -> None:
    group = parser.add_argument_group("output")
    group.add_argument(
        "--format",
        choices=("text", "md", "json"),
        default="text",
        help=f"text: {what}; md: Markdown; json: everything",
    )
    group.add_argument(
        "--json",
        dest="format",
        action="store_const",
        const="json",
        default=argparse.SUPPRESS,
        help="the same as --format json",
    )
    group.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE instead of standard output"
    )


def write_output(content: str, target: str | None, flag: str = "-o") -> None:
    """Print, or write ``target`` whole (a temporary file renamed over it: never half)."""
    if not content.endswith("\n"):
        content += "\n"
    if target is None or target == "-":
        sys.stdout.write(content)
        sys.stdout.flush()
        return
    # Through a symlink to its target; never replace a device or pipe with a file.
    path = Path(target).expanduser().resolve()
    if path.is_dir():
        raise OutputError(f"{flag} {target} is a folder: name a file in it")
    try:
        if path.exists() and not path.is_file():  # /dev/stderr, a FIFO: write straight in
            with path.open("w", encoding="utf-8") as handle:
                handle.write(content)
            return
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            temp.write_text(content, encoding="utf-8")
            os.replace(temp, path)
        finally:
            temp.unlink(missing_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc


# --------------------------------------------------------------------------- progress


class StageProgress:
    """Stage lines on stderr when it is a terminal (silent on a pipe or with -q): one
    line per stage, rewritten in place as the stage advances."""

    LABELS: ClassVar[dict[str, str]] = {"summarize": "summarizing", "translate": "translating"}

    def __init__(self, enabled: bool, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self._stage: str | None = None
        self._done = 0
        self._round = 0
        self._open = False

    @classmethod
    def for_args(cls, args: argparse.Namespace) -> StageProgress:
        stream = sys.stderr
        return cls(bool(stream and not args.quiet and stream.isatty()), stream)

    def note(self, line: str) -> None:
        if self.enabled:
            self._end_line()
            self.stream.write(f"{line}…\n")
            self.stream.flush()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if stage != self._stage:
            self._end_line()
            self._stage, self._round = stage, 1
        elif done < self._done:  # a new map-reduce round starts counting again
            self._end_line()
            self._round += 1
        self._done = done
        label = self.LABELS.get(stage, stage)
        if self._round > 1:
            label += f" (round {self._round})"
        self.stream.write(f"\r{label}: {done}/{total}")
        self.stream.flush()
        self._open = True

    def _end_line(self) -> None:
        if self._open:
            self.stream.write("\n")
            self._open = False

    def close(self) -> None:
        if self.enabled:
            self._end_line()
            self.stream.flush()
