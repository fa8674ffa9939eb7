"""fetch_article against a loopback server: text, title, redirects, limits, address policy."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

import web_fixture
from briefing import fetch
from briefing.errors import BlockedURLError, FetchError, InputError
from briefing.fetch import address_problem, fetch_article
from web_fixture import PARAGRAPHS, TITLE, Server


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with web_fixture.serve() as state:
        yield state


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(fetch.ALLOW_PRIVATE_ENV, raising=False)


@pytest.fixture
def loopback_is_public(monkeypatch: pytest.MonkeyPatch) -> None:
    """Treat 127.0.0.1 (only) as public, so a policy test can reach the loopback server and
    still be refused at 127.0.0.2 or another private address."""
    real = fetch.address_problem
    monkeypatch.setattr(fetch, "address_problem", lambda a: None if a == "127.0.0.1" else real(a))


def test_html_page_main_text_title_and_metadata(server: Server) -> None:
    article = fetch_article(server.url("/article"))
    for paragraph in PARAGRAPHS:
        assert paragraph in article.text
    assert "Sport" not in article.text and "All rights reserved" not in article.text
    assert article.title == TITLE
    assert article.url == article.final_url == server.url("/article")
    assert article.content_type == "text/html" and article.encoding == "utf-8"
    assert article.fetched_at.endswith("Z") and len(article.sha256) == 64
    assert article.to_dict()["redirects"] == []


def test_user_agent_names_briefing(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    handler = fetch.httpx.Client.send

    def spy(self, request, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(request.headers["user-agent"])
        return handler(self, request, **kwargs)

    monkeypatch.setattr(fetch.httpx.Client, "send", spy)
    fetch_article(server.url("/article"))
    assert seen and seen[0].startswith("briefing/") and "+http" in seen[0]


def test_plain_text_and_legacy_encoding(server: Server) -> None:
    plain = fetch_article(server.url("/plain"))
    assert plain.title == TITLE and PARAGRAPHS[1] in plain.text
    latin = fetch_article(server.url("/latin1"))
    assert "Café owners" in latin.text and "£5,000" in latin.text
    assert latin.title == "Café owners protest"


def test_redirects_are_followed_and_recorded(server: Server) -> None:
    article = fetch_article(server.url("/redirect"))
    assert article.final_url == server.url("/article")
    assert article.redirects == (server.url("/article"),)
    chained = fetch_article(server.url("/chain/5"))
    assert chained.title == TITLE and len(chained.redirects) == 5


def test_redirect_limit_and_loops(server: Server) -> None:
    with pytest.raises(FetchError, match="more than 5 times"):
        fetch_article(server.url("/chain/6"))
    with pytest.raises(FetchError, match="redirects more than"):
        fetch_article(server.url("/loop"))


def test_redirect_to_another_scheme_is_refused(server: Server) -> None:
    with pytest.raises(BlockedURLError, match="only http"):
        fetch_article(server.url("/to?u=file:///etc/passwd"))


def test_invalid_redirect_is_a_fetch_error(server: Server) -> None:
    with pytest.raises(
        FetchError, match=r"redirects to an invalid address|Invalid URL in location"
    ):
        fetch_article(server.url("/to?u=http://[::1"))


def test_size_cap_streamed_and_declared(server: Server) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match="over the 100,000-byte limit"):
        fetch_article(server.url("/big"), max_bytes=100_000)
    assert time.monotonic() - started < 5  # stopped early, not after reading ~60 MB
    with pytest.raises(FetchError, match="byte limit"):
        fetch_article(server.url("/big-declared"))


def test_wrong_content_type_and_http_errors(server: Server) -> None:
    with pytest.raises(FetchError, match="application/pdf, not an HTML or text page"):
        fetch_article(server.url("/pdf"))
    with pytest.raises(FetchError, match="HTTP 404") as missing:
        fetch_article(server.url("/missing"))
    assert not missing.value.transient and missing.value.exit_code == 4
    with pytest.raises(FetchError, match="HTTP 503") as busy:
        fetch_article(server.url("/error"))
    assert busy.value.transient
    with pytest.raises(FetchError, match="empty page"):
        fetch_article(server.url("/empty"))


def test_slow_responses_time_out(server: Server) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"timed out|took over") as slow:
        fetch_article(server.url("/slow"), timeout=1.0)
    assert slow.value.transient
    with pytest.raises(FetchError, match=r"timed out|took over"):
        fetch_article(server.url("/drip"), timeout=1.0)
    assert time.monotonic() - started < 6


def test_only_http_and_https(server: Server) -> None:
    for url in ("ftp://example.com/a", "file:///etc/passwd", "javascript:alert(1)", "/article"):
        with pytest.raises(BlockedURLError):
            fetch_article(url)


def test_connection_refused_is_a_fetch_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again at once: nothing listens there
    with pytest.raises(FetchError, match="cannot fetch") as refused:
        fetch_article(f"http://127.0.0.1:{port}/x")
    assert refused.value.transient


def test_page_without_article_text_is_input_error(server: Server) -> None:
    with pytest.raises(InputError, match="no article text"):
        fetch_article(server.url("/no-text"))


# ----------------------------------------------------------------------- address policy


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.1", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "link-local"),  # cloud metadata
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "non-public"),
        ("fc00::1", "private"),
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_address_problem(address: str, kind: str | None) -> None:
    assert address_problem(address) == kind


def test_server_policy_refuses_loopback(server: Server) -> None:
    before = len(server.hosts)
    with pytest.raises(BlockedURLError, match=r"127\.0\.0\.1, a loopback address") as refused:
        fetch_article(server.url("/article"), allow_private=False)
    assert fetch.ALLOW_PRIVATE_ENV in str(refused.value) and "\n" not in str(refused.value)
    assert len(server.hosts) == before  # refused before connecting
    with pytest.raises(BlockedURLError, match="loopback"):
        fetch_article(f"http://localhost:{server.port}/article", allow_private=False)


def test_env_variable_lifts_the_policy(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(fetch.ALLOW_PRIVATE_ENV, "1")
    article = fetch_article(server.url("/redirect"), allow_private=False)
    assert article.title == TITLE


def test_redirect_to_private_is_refused(server: Server, loopback_is_public: None) -> None:
    # The first hop is "public" here; its redirect to another loopback address is not.
    assert fetch_article(server.url("/redirect"), allow_private=False).title == TITLE
    target = f"http://127.0.0.2:{server.port}/article"
    with pytest.raises(BlockedURLError, match=r"127\.0\.0\.2, a loopback address"):
        fetch_article(server.url(f"/to?u={target}"), allow_private=False)
    for private in ("http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/"):
        with pytest.raises(BlockedURLError, match=r"private|link-local"):
            fetch_article(server.url(f"/to?u={private}"), allow_private=False)


def test_every_resolved_address_is_checked(
    server: Server, monkeypatch: pytest.MonkeyPatch, loopback_is_public: None
) -> None:
    def mixed(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
        ]

    monkeypatch.setattr(fetch.socket, "getaddrinfo", mixed)
    with pytest.raises(BlockedURLError, match=r"10\.0\.0\.7, a private address"):
        fetch_article(f"http://news.example:{server.port}/article", allow_private=False)


def test_connection_is_pinned_to_the_checked_address(
    server: Server, monkeypatch: pytest.MonkeyPatch, loopback_is_public: None
) -> None:
    # The name resolves once; the socket goes to that address, the Host header keeps the name.
    calls: list[str] = []

    def resolve(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(fetch.socket, "getaddrinfo", resolve)
    article = fetch_article(f"http://news.example:{server.port}/article", allow_private=False)
    assert article.title == TITLE
    assert server.hosts[-1] == f"news.example:{server.port}"
    # Resolved once; socket.create_connection then only "resolves" the checked IP literal.
    assert [c for c in calls if c != "127.0.0.1"] == ["news.example"]
