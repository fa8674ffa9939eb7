"""A folder of mixed article files for the batch tests (good, bad and tricky ones)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# Short original news-style paragraphs: cheap for the tiny models, clearly English.
ARTICLES = {
    "kingsoft": (
        "Shares of Kingsoft rose 4.5 percent in Hong Kong on Tuesday after the company said "
        "it would build new data centers in Beijing. Analysts said the deal was good for the "
        "cloud unit, which has lost money for three years. The first payment will be made "
        "this month, the company said."
    ),
    "xiaomi": (
        "Lei Jun founded Xiaomi in 2010, and the company sold more than 60 million phones "
        "last year. Its shares fell two percent in New York after the results were published "
        "on Monday. The company said that sales in India had grown faster than at home."
    ),
    "cloud": (
        "Alibaba, Tencent and Baidu already sell storage and computing power to thousands "
        "of small businesses in China. A new price cut by one of them could start a price war, "
        "said an analyst in Shanghai. The companies did not answer questions on Friday."
    ),
    "harbour": (
        "The city of Ningbo will spend US$1.2 billion on a new container terminal at its "
        "harbour, the port operator said on Wednesday. Work will start in the spring and "
        "take four years. The port handled more cargo than any other port in the world."
    ),
    "cafe": (
        "A café chain from Shanghai said it would open 300 new shops in Europe next year. "
        "The company’s founder told reporters that rents in Paris and Berlin were lower than "
        "she had expected. Its shares rose 3 percent on the news."
    ),
    "rail": (
        "A new high-speed rail line between Chengdu and Chongqing opened on Thursday, cutting "
        "the journey to one hour. The line cost more than US$4 billion and took six years to "
        "build. Tickets for the first week sold out within minutes, the operator said."
    ),
}

CHINESE = "小米创始人雷军正在深入云计算领域。周一，数据中心运营商世纪互联表示，将向金山云投资。" * 3


@dataclass(frozen=True)
class Corpus:
    root: Path
    good: dict[str, str]  # relative path -> encoding expected in the record
    bad: dict[str, str]  # relative path -> a word the error message must contain
    hidden: tuple[str, ...]  # relative paths that must never get a record

    @property
    def files(self) -> set[str]:
        return set(self.good) | set(self.bad)


def _html(title: str, body: str) -> str:
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body>"
        "<nav><a href='/'>Home</a> | <a href='/tech'>Tech</a></nav>"
        f"<article><h1>{title}</h1><p>{body}</p></article>"
        "<footer>Copyright 2026 Example News. All rights reserved.</footer></body></html>"
    )


def make_corpus(root: Path, *, with_huge: bool = True) -> Corpus:
    """A nested folder of mixed files; returns what each file should turn into."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "world" / "asia").mkdir(parents=True)
    (root / "tech").mkdir()
    (root / ".git").mkdir()
    good = {
        "world/asia/kingsoft.txt": "utf-8",
        "world/xiaomi.md": "utf-8",
        "tech/cloud.html": "utf-8",
        "latin1.txt": "cp1252",
        "utf16.txt": "utf-16",
    }
    (root / "world/asia/kingsoft.txt").write_text(
        "Kingsoft shares rise\n\n" + ARTICLES["kingsoft"], encoding="utf-8"
    )
    (root / "world/xiaomi.md").write_text(
        "# Xiaomi results\n\n**Lei Jun** founded [Xiaomi](https://example.com) in 2010.\n\n"
        + ARTICLES["xiaomi"],
        encoding="utf-8",
    )
    (root / "tech/cloud.html").write_text(_html("Cloud price war", ARTICLES["cloud"]), "utf-8")
    (root / "latin1.txt").write_bytes(
        ("Caf\u00e9 chain expands\n\n" + ARTICLES["cafe"]).encode("cp1252")
    )
    (root / "utf16.txt").write_bytes(("Harbour plan\n\n" + ARTICLES["harbour"]).encode("utf-16"))

    bad = {
        "empty.txt": "empty",
        "binary.txt": "binary",  # NUL bytes under a .txt name
        "world/zh.txt": "English",  # a Chinese article
        "tech/fake.html": "",  # random high bytes dressed as HTML: any clear error will do
        "self.txt": "symlink",  # a symlink to itself
    }
    (root / "empty.txt").write_bytes(b"")
    (root / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    (root / "world/zh.txt").write_text(CHINESE, encoding="utf-8")
    (root / "tech/fake.html").write_bytes(bytes((i * 37 + 128) % 256 | 0x80 for i in range(3000)))
    os.symlink("self.txt", root / "self.txt")
    if with_huge:
        # Sparse: 2 GB on paper, no disk blocks; must be refused without reading it.
        with (root / "huge.txt").open("wb") as handle:
            handle.truncate(2 * 1024**3)
        bad["huge.txt"] = "limit"

    os.symlink("..", root / "world" / "loop")  # a directory symlink loop
    (root / ".hidden.txt").write_text(ARTICLES["rail"], encoding="utf-8")
    (root / ".git" / "notes.txt").write_text(ARTICLES["rail"], encoding="utf-8")
    (root / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    hidden = (".hidden.txt", ".git/notes.txt", "notes.csv", "world/loop/latin1.txt")
    return Corpus(root, good, bad, hidden)


def make_articles(root: Path, names: list[str]) -> list[str]:
    """Plain .txt articles, one per name in ARTICLES; returns their relative paths."""
    root.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in names:
        (root / f"{name}.txt").write_text(f"{name.title()} news\n\n{ARTICLES[name]}", "utf-8")
        paths.append(f"{name}.txt")
    return paths
