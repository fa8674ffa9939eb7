"""The command line as a person meets it: --version, help with defaults and examples, -q/-v
anywhere, output files and formats, refused file types, links, whole-article translation,
and one-line messages with exit codes for bad options (every entry point, one check)."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest

import briefing
from briefing import ModelChoice, Pipeline, cli
from briefing.errors import ConfigError, DeviceError, ModelNotFoundError
from briefing.settings import ServeSettings
from web_fixture import PARAGRAPHS, TITLE, serve

DATA = Path(briefing.__file__).parent / "data"
SAMPLE = DATA / "sample-kingsoft-cloud.txt"
SUBCOMMANDS = ("brief", "translate", "batch", "download", "models", "convert", "serve", "eval")


@pytest.fixture
def models(tiny_models, monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """Extractive summarizer (no model) and the tiny translator: fast, real model code."""
    monkeypatch.setenv("BRIEFING_SUMMARIZER", "lead")
    monkeypatch.setenv("BRIEFING_TRANSLATOR", str(tiny_models.marian))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return ["--backend", "transformers", "--device", "cpu"]


def one_error_line(err: str, *fragments: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("briefing: error:"), err
    for fragment in fragments:
        assert fragment in lines[0], err
    assert "Traceback" not in err


# --------------------------------------------------------------------------- help


def test_version(capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as stop:
        cli.main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"briefing {briefing.__version__}"


def test_top_help_names_the_default_models_and_every_command(capsys) -> None:  # type: ignore[no-untyped-def]
    from briefing.models import default_summarizer, default_translator

    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    assert default_summarizer() in out and default_translator() in out
    assert all(name in out for name in SUBCOMMANDS)
    assert "examples:" in out


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_every_subcommand_help_has_examples_and_defaults(name: str, capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit):
        cli.main([name, "--help"])
    out = capsys.readouterr().out
    examples = out.split("examples:\n", 1)[1].splitlines()
    assert sum(line.startswith("  briefing") or "briefing " in line for line in examples) >= 2
    assert "-q, --quiet" in out and "-v, --verbose" in out
    if name in ("brief", "batch", "eval"):
        assert "--length {short,medium,long}" in out and "(default: medium)" in out
        assert "(default: simplified)" in out
        for group in ("models:", "engine:", "brief:", "input:", "output:"):
            assert group in out, (name, group)


def test_quiet_and_verbose_before_or_after_the_subcommand() -> None:
    parser = cli.build_parser()
    for argv in (["-q", "brief", "a.txt"], ["brief", "a.txt", "-q"], ["brief", "-q", "a.txt"]):
        assert parser.parse_args(argv).quiet is True
    assert parser.parse_args(["brief", "a.txt"]).quiet is False
    assert parser.parse_args(["brief", "a.txt", "-vv"]).verbose == 2
    assert parser.parse_args(["-v", "brief", "a.txt"]).verbose == 1
    # batch's own --quiet is the same flag
    assert parser.parse_args(["batch", "in", "--out", "o", "--quiet"]).quiet is True
    assert parser.parse_args(["brief", "a.txt", "--json"]).format == "json"
    assert parser.parse_args(["brief", "a.txt"]).format == "text"


def test_quiet_means_errors_only(models, capsys) -> None:  # type: ignore[no-untyped-def]
    assert cli.main(["brief", str(SAMPLE), *models, "-q"]) == 0
    assert logging.getLogger().level == logging.ERROR
    assert logging.getLogger("transformers").level == logging.ERROR
    assert capsys.readouterr().err == ""


# --------------------------------------------------------------------------- brief output


def test_brief_writes_each_format_to_a_file(models, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "b.md"
    assert cli.main(["brief", str(SAMPLE), *models, "--format", "md", "-o", str(out)]) == 0
    assert capsys.readouterr().out == ""
    markdown = out.read_text(encoding="utf-8")
    assert markdown.startswith("# ") and "## 中文摘要" in markdown
    assert "## English brief" in markdown
    assert cli.main(["brief", str(SAMPLE), *models, "--json", "-o", str(tmp_path / "b.json")]) == 0
    data = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert data["summary"] and data["translation"]
    # The Markdown carries the flags too: a checker reading it must see what to verify.
    assert data["flags"], "the tiny models' brief of the sample always has flags"
    assert f"## Facts to check ({len(data['flags'])})" in markdown
    assert markdown.count("\n- [sentence ") == len(data["flags"])
    assert cli.main(["brief", str(SAMPLE), *models, "--format", "text"]) == 0
    english, chinese = capsys.readouterr().out.strip().split("\n\n")[:2]
    assert english == data["summary"] and chinese.startswith(data["translation"][:5])
    assert not list(tmp_path.glob(".*.tmp"))  # written whole, nothing left over


def test_output_to_a_folder_is_refused(models, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert cli.main(["brief", str(SAMPLE), *models, "-o", str(tmp_path)]) == 5
    one_error_line(capsys.readouterr().err, "is a folder")


def test_verbose_lists_the_lines_the_cleaner_removed(models, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    article = tmp_path / "a.txt"
    article.write_text(
        SAMPLE.read_text(encoding="utf-8") + "\n\nShare this article\n\nRelated articles:\n",
        encoding="utf-8",
    )
    assert cli.main(["brief", str(article), *models]) == 0
    assert "removed" not in capsys.readouterr().err
    assert cli.main(["brief", str(article), *models, "-v"]) == 0
    err = capsys.readouterr().err
    assert "the cleaner removed" in err and "Share this article" in err


@pytest.mark.parametrize(
    ("name", "payload"),
    [
        ("paper.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
        ("letter.docx", b"PK\x03\x04" + bytes(100)),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(100)),
        ("disguised.txt", b"%PDF-1.4\nnot really text"),
    ],
)
def test_brief_refuses_files_it_cannot_read(models, tmp_path, capsys, name, payload) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_bytes(payload)
    assert cli.main(["brief", str(path), *models]) == 2
    one_error_line(capsys.readouterr().err, name, ".txt .md .html .htm")


# --------------------------------------------------------------------------- links, translate


def test_brief_a_url_and_translate_it_bilingually(models, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    with serve() as server:
        assert cli.main(["brief", server.url("/article"), *models, "--format", "md"]) == 0
        markdown = capsys.readouterr().out
        assert markdown.startswith(f"# {TITLE}") and server.url("/article") in markdown
        out = tmp_path / "t.md"
        argv = ["translate", server.url("/redirect"), *models, "--format", "md", "-o", str(out)]
        assert cli.main(argv) == 0
        bilingual = out.read_text(encoding="utf-8")
        assert f"Source: <{server.url('/article')}>" in bilingual  # the final URL
        for paragraph in PARAGRAPHS:
            assert f"> {paragraph}" in bilingual
        assert cli.main(["brief", server.url("/missing"), *models]) == 4
        one_error_line(capsys.readouterr().err, "404")


def test_translate_file_and_stdin_formats(models, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    import io

    assert cli.main(["translate", str(SAMPLE), *models, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["translation"] and len(data["sentence_pairs"]) == data["info"]["segments"]
    monkeypatch.setattr("sys.stdin", io.StringIO(SAMPLE.read_text(encoding="utf-8")))
    assert cli.main(["translate", "-", *models]) == 0
    assert capsys.readouterr().out.strip() == data["translation"].strip()


def test_translate_in_python(tiny_models) -> None:  # type: ignore[no-untyped-def]
    choice = ModelChoice("lead", str(tiny_models.marian), "cpu", "transformers")
    text = SAMPLE.read_text(encoding="utf-8")
    result = briefing.translate(text, models=choice, script="traditional")
    pipe = briefing.get_pipeline(choice)
    again = pipe.translate_article(text, script="traditional")
    assert [en for en, _ in result.sentence_pairs] == [en for en, _ in again.sentence_pairs]
    assert result.info.options.translation.script == "traditional"
    assert "fetch_article" in briefing.__all__
    assert briefing.fetch_article.__module__ == "briefing.fetch"


def test_translate_in_python_loads_no_summarizer(tiny_models, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # A summarizer named in models= plays no part in a translation: it is not loaded, so a
    # missing one is no error.
    choice = ModelChoice(str(tmp_path / "no-such-model"), str(tiny_models.marian), "cpu")
    result = briefing.translate(SAMPLE.read_text(encoding="utf-8"), models=choice)
    assert result.sentence_pairs


# --------------------------------------------------------------------------- Python surface


def test_brief_repr_and_str_are_short(tiny_models) -> None:  # type: ignore[no-untyped-def]
    choice = ModelChoice("lead", str(tiny_models.marian), "cpu", "transformers")
    pipe = briefing.get_pipeline(choice)
    brief = pipe.run(SAMPLE.read_text(encoding="utf-8"))
    text = repr(brief)
    assert text.startswith("Brief(summary=") and len(text) < 400, text
    assert f"sentences={len(brief.sentence_pairs)}" in text and "lead" in text
    assert str(brief) == f"{brief.summary}\n\n{brief.translation}"


def test_unknown_option_suggests_the_closest(tiny_models) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError) as caught:
        briefing.summarize("text", lenght="short")
    message = str(caught.value)
    assert "did you mean 'length'?" in message
    valid = message.split("valid: ", 1)[1].split(", ")
    assert len(valid) == len(set(valid)) and "length" in valid


def test_a_missing_model_path_is_a_missing_path(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BRIEFING_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from briefing.models import resolve_model

    for name in (str(tmp_path / "nope-model"), "./nope-model", "~/nope-model-xyz"):
        with pytest.raises(ModelNotFoundError) as caught:
            resolve_model(name)
        assert "does not exist: check the path" in str(caught.value)
        assert "briefing download" not in str(caught.value).split("(")[0]
    with pytest.raises(ModelNotFoundError, match="briefing download acme/absent"):
        resolve_model("acme/absent")


# --------------------------------------------------------------------------- one check


@pytest.mark.parametrize(
    ("argv", "code", "fragment"),
    [
        (["--threads", "-1"], 2, "threads must be a positive integer"),
        (["--threads", "0"], 2, "threads must be a positive integer"),
        (["--threads", "99999999999"], 2, "threads must be at most"),
        (["--device", "bogus"], 2, "device must be auto, cpu, cuda or cuda:N"),
        (["--backend", "transformers", "--compute-type", "int8"], 2, "ctranslate2 backend only"),
        (["--translator", "/tmp/briefing-no-such-model"], 3, "does not exist"),
        (["--max-chars", "-5"], 2, "max_chars"),
        (["--sentences", "0"], 2, "sentences"),
    ],
)
def test_bad_model_options_are_one_line(models, capsys, argv, code, fragment) -> None:  # type: ignore[no-untyped-def]
    assert cli.main(["brief", str(SAMPLE), *argv]) == code
    one_error_line(capsys.readouterr().err, fragment)


def test_cuda_without_a_gpu_is_a_device_error(models, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert cli.main(["brief", str(SAMPLE), "--summarizer", "lead", "--device", "cuda"]) == 3
    one_error_line(capsys.readouterr().err, "no CUDA GPU is visible", "--device cpu")


def test_compute_type_outside_the_list_is_a_usage_error(capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as stop:
        cli.main(["brief", str(SAMPLE), "--compute-type", "bogus"])
    assert stop.value.code == 2
    assert "invalid choice: 'bogus'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--port", "99999"], "port must be between 1 and 65535"),
        (["--port", "0"], "port must be between 1 and 65535"),
        (["--concurrency", "0"], "concurrency must be a positive integer"),
        (["--concurrency", "-1"], "concurrency must be a positive integer"),
        (["--concurrency", "100000"], "concurrency must be at most"),
        (["--host", ""], "host must be"),
        (["--threads", "-1"], "threads must be"),
        (["--device", "tpu"], "device must be"),
    ],
)
def test_serve_checks_before_loading(monkeypatch, capsys, argv, fragment) -> None:  # type: ignore[no-untyped-def]
    from briefing import web

    def no_launch(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("launched despite a bad option")

    monkeypatch.setattr(web, "launch", no_launch)
    monkeypatch.setattr(web, "load_pipeline", no_launch)
    assert cli.main(["serve", *argv]) == 2
    one_error_line(capsys.readouterr().err, fragment)


def test_python_entry_points_share_the_check(tmp_path) -> None:  # type: ignore[no-untyped-def]
    for bad in ({"device": "bogus"}, {"threads": -1}, {"compute_type": "fast"},
                {"backend": "transformers", "compute_type": "int8"}):
        with pytest.raises(ConfigError):
            ModelChoice(**bad)  # type: ignore[arg-type]
        with pytest.raises(ConfigError):
            Pipeline("lead", "x", **bad)  # type: ignore[arg-type]
        with pytest.raises(ConfigError):
            briefing.summarize("text", models=ModelChoice.coerce(None, **bad))
    with pytest.raises(ConfigError):
        briefing.summarize("text", device="bogus")
    (tmp_path / "in").mkdir()
    with pytest.raises(ConfigError):
        briefing.summarize_folder(tmp_path / "in", tmp_path / "out", models={"device": "bogus"})
    for bad_serve in ({"port": 99999}, {"concurrency": 0}, {"port": True}, {"host": " "}):
        with pytest.raises(ConfigError):
            ServeSettings(**bad_serve)  # type: ignore[arg-type]


def test_device_check_names_the_fix(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import torch

    from briefing.models import pick_device

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    assert pick_device("cuda:0") == "cuda:0"
    with pytest.raises(DeviceError, match="only 1 CUDA"):
        pick_device("cuda:3")
    assert pick_device("cpu") == "cpu"


# --------------------------------------------------------------------------- hostile input


def test_hostile_paths_are_one_line(models, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    loop = tmp_path / "loop.txt"
    os.symlink(loop, loop)
    unicode_name = tmp_path / "新闻 – café.txt"
    unicode_name.write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    cases = [
        (str(loop), 2, "loop.txt"),
        (str(tmp_path), 2, str(tmp_path)),
        (str(tmp_path / "missing.txt"), 2, "No such file"),
        ("/dev/zero", 2, ""),
    ]
    for source, code, fragment in cases:
        assert cli.main(["brief", source, *models]) == code, source
        one_error_line(capsys.readouterr().err, fragment)
    assert cli.main(["brief", str(unicode_name), *models]) == 0


def test_hostile_arguments_are_one_line(models, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "empty-folder").mkdir()
    cases = [
        (["brief", ""], 2, "no article given"),
        (["brief", "ftp://example.com/a.txt"], 2, "http(s) URLs"),
        (["brief", "http://[::1"], 2, "not a valid URL"),  # bad input, not a network fault
        (["brief", str(SAMPLE), "--glossary", "/dev/zero"], 2, "over 10,000,000 bytes"),
        (["eval", "/dev/zero"], 2, "not a file"),
        (["convert", str(tmp_path / "empty-folder")], 3, "holds no model"),
        (["brief", str(SAMPLE), "-o", str(tmp_path / "no" / "such" / "dir.md")], 5, "cannot write"),
    ]
    for argv, code, fragment in cases:
        assert cli.main([*argv, *models] if argv[0] == "brief" else argv) == code, argv
        one_error_line(capsys.readouterr().err, fragment)


def test_output_through_a_symlink_or_into_a_pipe_keeps_them(models, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import threading

    target = tmp_path / "real.json"
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert cli.main(["brief", str(SAMPLE), *models, "--json", "-o", str(link)]) == 0
    assert link.is_symlink() and json.loads(target.read_text(encoding="utf-8"))["summary"]
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    assert cli.main(["brief", str(SAMPLE), *models, "-o", str(fifo)]) == 0
    reader.join(timeout=30)
    assert fifo.is_fifo() and received and received[0].strip()  # never replaced by a file


def test_python_loading_draws_no_bar_unless_asked(tiny_models, capsys) -> None:  # type: ignore[no-untyped-def]
    from transformers.utils import logging as transformers_logging

    transformers_logging.enable_progress_bar()  # as in a fresh Python session
    logging.getLogger("briefing").setLevel(logging.WARNING)
    Pipeline("lead", str(tiny_models.marian), device="cpu", backend="transformers")
    assert "Loading weights" not in capsys.readouterr().err
    assert transformers_logging.is_progress_bar_enabled()  # the caller's setting is kept


def test_glossary_that_is_not_a_file(tiny_models) -> None:  # type: ignore[no-untyped-def]
    choice = ModelChoice("lead", str(tiny_models.marian), "cpu", "transformers")
    with pytest.raises(ConfigError, match="cannot read glossary file"):
        briefing.get_pipeline(choice).run(SAMPLE.read_text(encoding="utf-8"), glossary="/etc")


def test_a_file_name_that_is_not_utf8(models, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    folder = os.fsencode(tmp_path)
    source = os.fsdecode(folder + b"/b\xff.txt")
    Path(source).write_bytes(SAMPLE.read_bytes())
    target = os.fsdecode(folder + b"/o\xff.md")
    assert cli.main(["brief", source, *models, "--format", "md", "-o", target]) == 0
    assert "Source: " in Path(target).read_text(encoding="utf-8")
    assert cli.main(["brief", source, *models, "--format", "md"]) == 0
    assert "b\ufffd.txt" in capsys.readouterr().out


def test_stdin_is_read_like_a_file(models, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    import io

    from briefing.reader import MAX_FILE_BYTES

    class Stdin(io.TextIOWrapper):
        def isatty(self) -> bool:
            return False

    def feed(data: bytes) -> None:
        monkeypatch.setattr("sys.stdin", Stdin(io.BytesIO(data), encoding="utf-8"))

    feed(b"\x00\x01" * 100)
    assert cli.main(["brief", "-", *models]) == 2
    one_error_line(capsys.readouterr().err, "binary")
    feed(b"a" * (MAX_FILE_BYTES + 10))
    assert cli.main(["brief", "-", *models]) == 2
    one_error_line(capsys.readouterr().err, "standard input is over")
    html = f"<html><title>{TITLE}</title><body><p>{SAMPLE.read_text(encoding='utf-8')}</p>"
    feed(html.encode("cp1252", "replace"))
    assert cli.main(["brief", "-", *models, "--format", "md"]) == 0
    assert capsys.readouterr().out.startswith(f"# {TITLE}")


def test_eval_arguments_out_of_range(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    data = Path(__file__).parent / "data/eval-sample.jsonl"
    for argv in (["--limit", "-1"], ["--limit", "0"], ["--batch-size", "0"]):
        with pytest.raises(SystemExit) as stop:
            cli.main(["eval", str(data), *argv])
        assert stop.value.code == 2
        assert "must be at least 1" in capsys.readouterr().err
    binary = tmp_path / "data.jsonl"
    binary.write_bytes(b"\xff\xfe\x00garbage\n")
    assert cli.main(["eval", str(binary)]) == 2
    one_error_line(capsys.readouterr().err, "not UTF-8")
    from briefing.evaluate import EvalConfig, evaluate

    with pytest.raises(ConfigError, match="batch_size"):
        evaluate([], [EvalConfig("x", "lead", None, {})], batch_size=0)
