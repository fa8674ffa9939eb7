"""Speed and memory of briefing against the naive transformers path (a script, not a test).

    python benchmarks/bench.py            # full run, about 10-15 minutes on 2 CPU cores
    python benchmarks/bench.py --quick    # fewer repetitions and lengths, a few minutes
    python benchmarks/bench.py --only article,digest   # just the rows named (see --help)

Models: random weights in the exact architectures of ``sshleifer/distilbart-cnn-12-6`` and
``Helsinki-NLP/opus-mt-en-zh`` (configs and builders in ``architectures.py``), with
tokenizers of the real vocabulary sizes (50,265 and 65,001), built once into
``benchmarks/.cache/`` with a CTranslate2 int8 conversion next to each. No download is
needed, and the numbers measure the engines, not the (random) text.

Fixed work: end-of-sequence is banned in both models, so every summary is exactly 100 new
tokens (4 beams, length penalty 2.0, no-repeat 3-gram, as distilbart-cnn) for a 700-token
article, and each translation runs to briefing's own limit, `translator.output_limit`
(2 x input + 10 in steps of 16; 4 beams), for the fixed 4-sentence English brief.
The naive path gets the same limits.

Variants, each in its own process so that peak RSS is honest:
  (a) naive: tokenize -> generate (fp32, stock transformers) -> decode; the whole brief
      translated as one sequence; a batch of 8 is one padded generate call per stage;
  (b) briefing, backend="transformers" (fp32, cross-attention cache not reordered);
  (c) briefing, backend="ctranslate2" (int8), plus the same calls made on CTranslate2
      directly (briefing's overhead) and articles of 300 to 10,000 words (scaling);
  (d) article: the whole-article translation (``translate_article``) of a 2,000-word article
      on the opus-mt-en-zh architecture alone (CTranslate2 int8; ``lead`` summarizer, so no
      summarization model is loaded); every sentence runs to its output limit;
  (e) digest: ``write_digest`` over a briefs.jsonl of 300 records (no models);
  (f) urls: ``summarize_folder(urls=…, digest=True)`` over 700-token article pages served
      on loopback (fetch, trafilatura, brief, records, Markdown, digest), CTranslate2 int8;
  (g) newsroom: the same batch from a folder of .txt files, timed end to end with the
      digest and extrapolated to the newsroom bar, "200 articles to a checked digest in
      about 10 minutes on a 2-core laptop" (per-article time x 200 + the digest's time).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from architectures import (
    CACHE,
    ROOT,
    SUMMARIZER,
    TRANSLATOR,
    article,
    article_of_tokens,
    brief_sentences,
    ensure_models,
    sample_sentences,
)

SUMMARY_TOKENS = 100
ARTICLE_TOKENS = 700
BATCH = 8
SCALING_WORDS = (300, 1000, 3000, 10000)
ARTICLE_WORDS = 2000  # (d) whole-article translation
DIGEST_RECORDS = 300  # (e) digest
BATCH_ARTICLES = (16, 8)  # (f)/(g): articles per run, full and --quick
NEWSROOM = 200  # (g): the newsroom bar's article count
EXTRA_VARIANTS = ("article", "digest", "urls", "newsroom")


# --------------------------------------------------------------------------- timing


def median_seconds(fn: Callable[[], object], reps: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child_naive(reps: int, batch_reps: int) -> dict[str, object]:
    started = time.perf_counter()
    import torch
    import transformers
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    transformers.logging.set_verbosity_error()  # the "max_new_tokens wins" notice, per call
    tok = AutoTokenizer.from_pretrained(SUMMARIZER)
    model = AutoModelForSeq2SeqLM.from_pretrained(SUMMARIZER)
    mt_tok = AutoTokenizer.from_pretrained(TRANSLATOR)
    mt_model = AutoModelForSeq2SeqLM.from_pretrained(TRANSLATOR)
    load = time.perf_counter() - started
    articles = [article_of_tokens(tok, ARTICLE_TOKENS, seed) for seed in range(BATCH)]
    briefs = [" ".join(brief_sentences(mt_tok))] * BATCH

    def summarize(texts: list[str]) -> list[str]:
        inputs = tok(texts, return_tensors="pt", padding=True, truncation=True, max_length=1024)
        with torch.inference_mode():
            ids = model.generate(**inputs, max_new_tokens=SUMMARY_TOKENS)
        return tok.batch_decode(ids, skip_special_tokens=True)

    def translate(texts: list[str]) -> list[str]:
        inputs = mt_tok([">>cmn_Hans<< " + t for t in texts], return_tensors="pt", padding=True)
        with torch.inference_mode():
            from briefing.translator import output_limit  # the same length rule as briefing

            limit = output_limit(inputs["input_ids"].shape[1], 512)
            ids = mt_model.generate(**inputs, max_new_tokens=limit)
        return mt_tok.batch_decode(ids, skip_special_tokens=True)

    return {
        "load_s": load,
        "summarize_s": median_seconds(lambda: summarize(articles[:1]), reps),
        "translate_s": median_seconds(lambda: translate(briefs[:1]), reps),
        "batch_s": median_seconds(
            lambda: (summarize(articles), translate(briefs)), batch_reps, warmup=0
        ),
        "threads": torch.get_num_threads(),
    }


def child_briefing(backend: str, reps: int, batch_reps: int, scaling: tuple[int, ...]) -> dict:
    started = time.perf_counter()
    import importlib

    from briefing import Pipeline
    from briefing.pipeline import BriefOptions

    summarize_module = importlib.import_module("briefing.summarizer")

    # The bench's fixed output length: 100 summary tokens (the "medium" preset is 56-142).
    summarize_module.LENGTHS["medium"] = (56, SUMMARY_TOKENS)
    pipe = Pipeline(str(SUMMARIZER), str(TRANSLATOR), device="cpu", backend=backend)
    load = time.perf_counter() - started
    options = BriefOptions.coerce(None)
    tok = pipe.summarizer.model.tokenizer
    articles = [article_of_tokens(tok, ARTICLE_TOKENS, seed) for seed in range(BATCH)]
    sentences = brief_sentences(pipe.translator.model.tokenizer)

    def summarize(texts: list[str]) -> None:
        prepared = [pipe.prepare(text, options.clean) for text in texts]
        results = pipe.summarizer.summarize_many([p.segments for p in prepared], options.summary)
        assert all(r.rounds == 1 for r in results), "a 700-token article fits the window"

    def translate(brief: list[str]) -> None:
        pipe.translator.translate(brief, options.translation)

    result: dict[str, object] = {
        "load_s": load,
        "summarize_s": median_seconds(lambda: summarize(articles[:1]), reps),
        "translate_s": median_seconds(lambda: translate(sentences), reps),
        "batch_s": median_seconds(
            lambda: (summarize(articles), translate(sentences * BATCH)), batch_reps, warmup=0
        ),
        "end_to_end_s": median_seconds(lambda: pipe.run(articles[0]), 1, warmup=0),
        "precision": pipe.models[0].precision,
        "extra": pipe.models[0].extra,
    }
    if backend == "ctranslate2":
        ours = {
            "summarize": lambda: summarize(articles[:1]),
            "translate": lambda: translate(sentences),
        }
        result["direct"] = direct_ct2(pipe, articles[0], sentences, ours, reps + 2)
        result["scaling"] = [scale(pipe, words) for words in scaling]
    return result


def child_article(words: int) -> dict[str, object]:
    """(d) Whole-article translation: load, then one timed ``translate_article`` call."""
    started = time.perf_counter()
    from briefing import Pipeline
    from briefing.article import translate_article

    # "lead" needs no summarization model: the process holds the translator only.
    pipe = Pipeline("lead", str(TRANSLATOR), device="cpu", backend="ctranslate2")
    load = time.perf_counter() - started
    rss_loaded = peak_rss_mb()
    batches: list[int] = []
    result = translate_article(
        pipe, article(words, seed=7), progress=lambda stage, done, total: batches.append(done)
    )
    assert len(result.sentence_pairs) == result.info.segments
    return {
        "load_s": load,
        "words": result.info.words_in,
        "sentences": result.info.segments,
        "paragraphs": result.info.paragraphs,
        "long_segments": result.info.long_segments,
        "batches": len(batches),
        "translate_s": result.info.seconds.translate,
        "total_s": result.info.seconds.total,
        "chinese_chars": len(result.translation),
        "rss_loaded_mb": rss_loaded,
        "precision": pipe.models[1].precision,
    }


def child_digest(records: int) -> dict[str, object]:
    """(e) The digest of a batch: ``records`` briefs of 4 sentences, 1 in 20 failed."""
    from briefing.batch import RECORDS_FILE, BatchRecord
    from briefing.digest import write_digest

    sentences = sample_sentences()
    with tempfile.TemporaryDirectory() as folder:
        with open(Path(folder) / RECORDS_FILE, "w", encoding="utf-8") as handle:
            for i in range(records):
                brief = {
                    "summary": " ".join(sentences[(i + k) % len(sentences)] for k in range(4)),
                    "translation": "金山云第三季度营收同比增长百分之三十一，达到二十四亿元。" * 4,
                    "flags": [{"sentence": 0}] * (i % 3),
                }
                failed = i % 20 == 19
                record = BatchRecord(
                    path=f"articles/{i:04d}.txt",
                    title=f"Article {i}: {sentences[i % len(sentences)][:60]}",
                    sha256=f"{i:064d}",
                    encoding="utf-8",
                    options={},
                    models={},
                    brief={} if failed else brief,
                    error="the article is empty: pass the text" if failed else None,
                    error_kind="input" if failed else None,
                )
                handle.write(record.to_json() + "\n")
        paths = write_digest(folder)
        seconds = median_seconds(lambda: write_digest(folder), 3)
        html_kb = paths.html.stat().st_size / 1024
    return {"records": records, "digest_s": seconds, "html_kb": html_kb}


def child_batch(kind: str, count: int) -> dict[str, object]:
    """(f) ``urls`` or (g) ``newsroom``: ``count`` articles through ``summarize_folder`` with
    the digest, on the real architectures (CTranslate2 int8) at the fixed output lengths."""
    started = time.perf_counter()
    import importlib

    from briefing import Pipeline, summarize_folder
    from briefing.digest import write_digest

    importlib.import_module("briefing.summarizer").LENGTHS["medium"] = (56, SUMMARY_TOKENS)
    pipe = Pipeline(str(SUMMARIZER), str(TRANSLATOR), device="cpu", backend="ctranslate2")
    load = time.perf_counter() - started
    tok = pipe.summarizer.model.tokenizer
    texts = [article_of_tokens(tok, ARTICLE_TOKENS, seed) for seed in range(count)]
    with tempfile.TemporaryDirectory() as folder, _pages(texts) as base:
        out = Path(folder) / "out"
        if kind == "urls":
            source, extra = None, {"urls": [f"{base}/a/{i}" for i in range(count)]}
        else:
            source, extra = Path(folder) / "in", {}
            source.mkdir()
            for i, text in enumerate(texts):
                (source / f"{i:03d}.txt").write_text(f"Article {i}\n\n{text}", "utf-8")
        begun = time.perf_counter()
        report = summarize_folder(
            source, out, pipeline=pipe, digest=True, batch_size=BATCH, progress=False, **extra
        )
        seconds = time.perf_counter() - begun
        assert report.done == count and not report.failures, report.table()
        digest_s = median_seconds(lambda: write_digest(out), 3)
    return {
        "kind": kind,
        "articles": count,
        "load_s": load,
        "batch_s": seconds,
        "per_article_s": seconds / count,
        "digest_s": digest_s,
        "newsroom_min": (NEWSROOM * seconds / count + digest_s * NEWSROOM / count) / 60,
    }


@contextmanager
def _pages(texts: list[str]) -> Iterator[str]:
    """A loopback server of article pages (``/a/N``), each with a <title>."""
    import html
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            number = int(self.path.rsplit("/", 1)[-1])
            paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in texts[number].split("\n\n"))
            body = (
                f"<html><head><title>Article {number}</title></head><body><article>"
                f"<h1>Article {number}</h1>{paragraphs}</article></body></html>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def direct_ct2(pipe, text: str, sentences: list[str], ours: dict, reps: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """The same generate calls made on CTranslate2 directly: tokenizer -> translate_batch ->
    decode, with the settings briefing derives (forced "<s>", 4 beams, the same lengths).
    Timed alternately with briefing's own calls (``ours``), so that drift in the machine's
    load hits both sides alike."""
    summarizer, translator = pipe.summarizer.model, pipe.translator.model
    chunk = " ".join(text.split())

    def run(model, texts: list[str], max_length: int, **kwargs) -> list[str]:  # type: ignore[no-untyped-def]
        tokens = [
            model.tokenizer.convert_ids_to_tokens(ids)
            for ids in model.tokenizer(texts)["input_ids"]
        ]
        results = model.translator.translate_batch(
            tokens, beam_size=4, max_decoding_length=max_length, max_input_length=0, **kwargs
        )
        return model.tokenizer.batch_decode(
            [model.tokenizer.convert_tokens_to_ids(r.hypotheses[0]) for r in results],
            skip_special_tokens=True,
        )

    from briefing.translator import output_limit

    prefixed = [">>cmn_Hans<< " + s for s in sentences]
    longest = max(len(ids) for ids in translator.tokenizer(prefixed)["input_ids"])
    calls = {
        "direct_summarize": lambda: run(
            summarizer,
            [chunk],
            SUMMARY_TOKENS - 1,
            target_prefix=[["<s>"]],
            length_penalty=2.0,
            no_repeat_ngram_size=3,
            min_decoding_length=50,
        ),
        "direct_translate": lambda: run(translator, prefixed, output_limit(longest, 512) - 1),
        "briefing_summarize": ours["summarize"],
        "briefing_translate": ours["translate"],
    }
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(reps):
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


def scale(pipe, words: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    brief = pipe.run(article(words, seed=words))
    return {
        "words": brief.info.words_in,
        "input_tokens": brief.info.input_tokens,
        "rounds": brief.info.summary_rounds,
        "summarize_s": brief.info.seconds.summarize,
        "total_s": brief.info.seconds.total,
    }


# --------------------------------------------------------------------------- report


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import ctranslate2
    import torch
    import transformers

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu}, {cores} cores, {memory:.0f} GiB; Python {platform.python_version()}, "
        f"torch {torch.__version__}, transformers {transformers.__version__}, "
        f"ctranslate2 {ctranslate2.__version__}"
    )


def run_child(variant: str, args: argparse.Namespace) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [sys.executable, __file__, "--child", variant, "--out", out.name]
        if args.quick:
            command.append("--quick")
        print(f"running {variant} …", file=sys.stderr, flush=True)
        started = time.perf_counter()
        subprocess.run(command, check=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
        result = json.loads(Path(out.name).read_text())
        (CACHE / f"last-{variant}.json").write_text(json.dumps(result, indent=1))
        print(f"  {variant} took {time.perf_counter() - started:.0f} s", file=sys.stderr)
        return result


def report(results: dict[str, dict], quick: bool) -> str:
    naive = results["naive"]
    rows = [
        ("(a) naive transformers fp32", naive),
        ("(b) briefing, transformers fp32", results["transformers"]),
        ("(c) briefing, CTranslate2 int8", results["ctranslate2"]),
    ]
    lines = [
        f"Machine: {machine()}",
        f"Mode: {'quick' if quick else 'full'}; medians after a warm-up; 700-token article -> "
        f"{SUMMARY_TOKENS} summary tokens (4 beams); brief of 4 sentences of ~25 tokens.",
        "",
        "| variant | load s | summarize s | translate s | per article s | speed-up | "
        f"batch of {BATCH} s (articles/s) | speed-up | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    base_total = naive["summarize_s"] + naive["translate_s"]
    for name, r in rows:
        total = r["summarize_s"] + r["translate_s"]
        lines.append(
            f"| {name} | {r['load_s']:.1f} | {r['summarize_s']:.2f} | {r['translate_s']:.2f} | "
            f"{total:.2f} | {base_total / total:.1f}x | {r['batch_s']:.1f} "
            f"({BATCH / r['batch_s']:.2f}) | {naive['batch_s'] / r['batch_s']:.1f}x | "
            f"{r['rss_mb']:.0f} |"
        )
    fast = results["ctranslate2"]
    direct = fast["direct"]
    ours = direct["briefing_summarize"] + direct["briefing_translate"]
    theirs = direct["direct_summarize"] + direct["direct_translate"]
    lines += [
        "",
        "End to end (Pipeline.run, one article): transformers "
        f"{results['transformers']['end_to_end_s']:.2f} s, "
        f"CTranslate2 {fast['end_to_end_s']:.2f} s.",
        "briefing over CTranslate2 called directly with the same inputs (timed alternately): "
        f"summarize {direct['briefing_summarize']:.2f} vs {direct['direct_summarize']:.2f} s, "
        f"translate {direct['briefing_translate']:.2f} vs {direct['direct_translate']:.2f} s: "
        f"overhead {100 * (ours / theirs - 1):+.1f} %.",
        "",
        "| words | summarizer tokens | rounds | summarize s | summarize s per 1,000 tokens "
        "| total s |",
        "|---|---|---|---|---|---|",
    ]
    for s in fast["scaling"]:
        lines.append(
            f"| {s['words']:,} | {s['input_tokens']:,} | {s['rounds']} | {s['summarize_s']:.1f} | "
            f"{1000 * s['summarize_s'] / s['input_tokens']:.2f} | {s['total_s']:.1f} |"
        )
    return "\n".join(lines)


def report_extras(results: dict[str, dict]) -> str:
    """Rows (d) and (e), for whichever of them ran."""
    lines = []
    if "article" in results:
        r = results["article"]
        lines += [
            f"Whole-article translation (CTranslate2 {r['precision']}, translator only, "
            "every sentence to its output limit, 4 beams):",
            "",
            "| words | sentences | paragraphs | batches | load s | translate s | sentences/s "
            "| peak RSS MB (after load) |",
            "|---|---|---|---|---|---|---|---|",
            f"| {r['words']:,} | {r['sentences']} | {r['paragraphs']} | {r['batches']} | "
            f"{r['load_s']:.1f} | {r['translate_s']:.1f} | "
            f"{r['sentences'] / r['translate_s']:.1f} | {r['rss_mb']:.0f} "
            f"({r['rss_loaded_mb']:.0f}) |",
            "",
        ]
    if "digest" in results:
        r = results["digest"]
        lines += [
            f"Digest of {r['records']} records (digest.md + digest.html): "
            f"{r['digest_s']:.2f} s, HTML {r['html_kb']:.0f} KB, peak RSS {r['rss_mb']:.0f} MB.",
        ]
    batches = [results[v] for v in ("urls", "newsroom") if v in results]
    if batches:
        lines += [
            "",
            f"Batches to a digest (CTranslate2 int8, batch size {BATCH}, 700-token articles, "
            f"{SUMMARY_TOKENS} summary tokens; the newsroom bar is {NEWSROOM} articles to a "
            "checked digest in about 10 minutes on a 2-core laptop):",
            "",
            "| batch | articles | load s | batch + digest s | per article s | digest s "
            f"| {NEWSROOM} articles, estimated min | peak RSS MB |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in batches:
            name = "(f) batch of URLs (loopback)" if r["kind"] == "urls" else "(g) folder"
            lines.append(
                f"| {name} | {r['articles']} | {r['load_s']:.1f} | {r['batch_s']:.1f} | "
                f"{r['per_article_s']:.2f} | {r['digest_s']:.2f} | {r['newsroom_min']:.1f} | "
                f"{r['rss_mb']:.0f} |"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and lengths")
    parser.add_argument(
        "--only",
        help="comma-separated variants to run alone: "
        + ", ".join(("naive", "transformers", "ctranslate2", *EXTRA_VARIANTS)),
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    # A batch of 8 is already 8 articles' worth of work: timed once, after the warm-up.
    reps, batch_reps = (1, 1) if args.quick else (3, 1)
    scaling = SCALING_WORDS[:2] if args.quick else SCALING_WORDS
    if args.child:
        if args.child == "naive":
            result = child_naive(reps, batch_reps)
        elif args.child == "article":
            result = child_article(ARTICLE_WORDS)
        elif args.child == "digest":
            result = child_digest(DIGEST_RECORDS)
        elif args.child in ("urls", "newsroom"):
            result = child_batch(args.child, BATCH_ARTICLES[1 if args.quick else 0])
        else:
            result = child_briefing(args.child, reps, batch_reps, scaling)
        result["rss_mb"] = peak_rss_mb()
        Path(args.out).write_text(json.dumps(result))
        return 0
    started = time.perf_counter()
    core = ("ctranslate2", "transformers", "naive")
    if args.only:
        chosen = [v.strip() for v in args.only.split(",") if v.strip()]
        unknown = sorted(set(chosen) - {*core, *EXTRA_VARIANTS})
        if unknown:
            parser.error(f"unknown variant(s) {', '.join(unknown)}")
    else:
        chosen = [*core, *EXTRA_VARIANTS]
    needs = {"article": (TRANSLATOR,), "digest": ()}
    folders = {f for v in chosen for f in needs.get(v, (SUMMARIZER, TRANSLATOR))}
    CACHE.mkdir(exist_ok=True)
    ensure_models(tuple(f for f in (SUMMARIZER, TRANSLATOR) if f in folders))
    results = {v: run_child(v, args) for v in chosen}
    if all(v in results for v in core):
        print(report(results, args.quick))
        print()
    else:
        for variant in (v for v in core if v in results):
            print(f"{variant}: {json.dumps(results[variant])}")
    print(report_extras(results))
    print(f"\n(bench took {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
