"""Fetching an article from a URL: one HTTP client, bounded in time and size, safe on a server.

``fetch_article(url)`` follows redirects by hand (at most ``MAX_REDIRECTS``) so that every
hop gets the same checks: http/https only, and — with ``allow_private=False``, as the web
server uses it — a host that resolves only to public addresses. The address check happens
inside the connection itself: the host is resolved once, every address is checked, and the
socket is opened to a checked address (TLS still verifies the host name), so a DNS answer
that changes between the check and the connection (DNS rebinding) cannot reach a private
address. Bodies are streamed and cut at ``max_bytes``; only HTML and plain text are read;
the main text of HTML comes from trafilatura, the page title is kept.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import os
import re
import socket
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpcore
import httpx

from .errors import BlockedURLError, FetchError, InputError
from .reader import SourceKind, decode_bytes, first_line_title, to_text

log = logging.getLogger("briefing")

PROJECT_URL = "https://github.com/briefing/briefing"
ALLOW_PRIVATE_ENV = "BRIEFING_ALLOW_PRIVATE_URLS"
MAX_REDIRECTS = 5
DEFAULT_TIMEOUT = 20.0  # seconds for the whole fetch, redirects and body included
CONNECT_TIMEOUT = 5.0
MAX_FETCH_BYTES = 5_000_000  # news pages with inline scripts reach a few MB; text is far less
HTML_TYPES = ("text/html", "application/xhtml+xml")
TEXT_TYPES = ("text/plain", "text/markdown")
_REDIRECTS = (301, 302, 303, 307, 308)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


@dataclass(frozen=True)
class WebArticle:
    """An article fetched from a URL.

    url: as asked for; final_url: after redirects; fetched_at: ISO 8601 UTC;
    sha256: of the body as received (with ``final_url``, what a resumed batch compares).
    """

    text: str = field(repr=False)
    title: str
    url: str
    final_url: str
    fetched_at: str
    content_type: str
    encoding: str
    sha256: str
    redirects: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["redirects"] = list(self.redirects)
        return data


def private_urls_allowed() -> bool:
    """True when the operator set ``BRIEFING_ALLOW_PRIVATE_URLS`` (1/true/yes/on)."""
    return os.environ.get(ALLOW_PRIVATE_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def user_agent() -> str:
    from . import __version__

    return f"briefing/{__version__} (+{PROJECT_URL})"


def address_problem(address: str) -> str | None:
    """Why a server must not fetch from this IP address, or None for a public one."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    for attribute, name in (
        ("is_unspecified", "unspecified"),
        ("is_loopback", "loopback"),
        ("is_link_local", "link-local"),
        ("is_multicast", "multicast"),
        ("is_reserved", "reserved"),  # before private: Python counts 240/4 as both
        ("is_private", "private"),
    ):
        if getattr(ip, attribute):
            return name
    if not ip.is_global:  # shared (100.64/10), documentation and other special ranges
        return "non-public"
    return None


def resolve_public(host: str, port: int) -> list[str]:
    """Every address of ``host``, after checking that each is public (BlockedURLError if not)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(
            f"cannot resolve host {host!r} ({exc}): check the URL and your connection",
            transient=True,
        ) from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for address in addresses:
        problem = address_problem(address)
        if problem:
            raise BlockedURLError(
                f"refused {host}: it resolves to {address}, a {problem} address, and this "
                f"server fetches only public addresses (the operator can set "
                f"{ALLOW_PRIVATE_ENV}=1 to allow them)"
            )
    if not addresses:
        raise FetchError(f"host {host!r} has no address: check the URL", transient=True)
    return addresses


class _PinnedBackend(httpcore.SyncBackend):
    """Connects only to checked addresses: the resolved IP is used for the socket itself."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        failure: Exception | None = None
        for address in resolve_public(host, port):
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:  # try the next address, as browsers do
                failure = exc
        assert failure is not None
        raise failure


class _BodyStream(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


class _PublicOnlyTransport(httpx.BaseTransport):
    """An httpx transport over an httpcore pool whose connections go through _PinnedBackend."""

    def __init__(self) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(), network_backend=_PinnedBackend()
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        response = self._pool.handle_request(core)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_BodyStream(response.stream),  # type: ignore[arg-type]
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._pool.close()


def check_url(url: str | httpx.URL) -> httpx.URL:
    """The URL parsed, if it is an absolute http or https URL (BlockedURLError otherwise)."""
    try:
        parsed = httpx.URL(str(url).strip())
    except (httpx.InvalidURL, UnicodeError, TypeError) as exc:
        raise BlockedURLError(
            f"not a valid URL ({exc}): pass an http:// or https:// address"
        ) from exc
    if parsed.scheme not in ("http", "https"):
        raise BlockedURLError(
            f"refused {str(url)[:200]!r}: only http:// and https:// URLs are fetched"
        )
    if not parsed.host:
        raise BlockedURLError(f"refused {str(url)[:200]!r}: the URL has no host name")
    return parsed


def _follow(current: httpx.URL, location: str, url: str) -> httpx.URL:
    try:
        return current.join(location)
    except (httpx.InvalidURL, UnicodeError, ValueError) as exc:
        raise FetchError(
            f"{url} redirects to an invalid address ({location[:200]!r}): "
            "pass the final address of the article",
            url=url,
        ) from exc


def fetch_article(
    url: str,
    *,
    allow_private: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    connect_timeout: float = CONNECT_TIMEOUT,
    max_bytes: int = MAX_FETCH_BYTES,
) -> WebArticle:
    """Fetch one article page: its main text, title, and where it finally came from.

    ``allow_private=False`` (what a server should use) refuses hosts that resolve to
    loopback, private, link-local, multicast, reserved or unspecified addresses, at every
    redirect; ``BRIEFING_ALLOW_PRIVATE_URLS=1`` lifts that. Raises BlockedURLError or
    FetchError (one-line messages), or InputError when the page holds no article text.
    """
    current = check_url(url)
    public_only = not (allow_private or private_urls_allowed())
    deadline = time.monotonic() + timeout
    redirects: list[str] = []
    client = httpx.Client(
        headers={"User-Agent": user_agent(), "Accept": "text/html,text/plain;q=0.9,*/*;q=0.1"},
        follow_redirects=False,  # followed below, with the same checks at every hop
        transport=_PublicOnlyTransport() if public_only else None,
        trust_env=not public_only,  # an environment proxy would bypass the address check
    )
    try:
        with client:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise FetchError(
                        f"fetching {url} took over {timeout:g}s: try again later",
                        url=url,
                        transient=True,
                    )
                limits = httpx.Timeout(remaining, connect=min(connect_timeout, remaining))
                with client.stream("GET", current, timeout=limits) as response:
                    if response.status_code in _REDIRECTS:
                        location = response.headers.get("location")
                        if not location:
                            raise FetchError(f"{current} redirects without a Location", url=url)
                        if len(redirects) >= MAX_REDIRECTS:
                            raise FetchError(
                                f"{url} redirects more than {MAX_REDIRECTS} times: "
                                "pass the final address of the article",
                                url=url,
                            )
                        current = check_url(_follow(current, location, url))
                        redirects.append(str(current))
                        continue
                    content_type, body = _read(response, url, max_bytes, deadline, timeout)
                    break
    except (httpx.TimeoutException, httpcore.TimeoutException) as exc:
        raise FetchError(
            f"fetching {url} timed out ({type(exc).__name__}): try again later",
            url=url,
            transient=True,
        ) from exc
    except (
        httpx.TransportError,
        httpcore.NetworkError,
        httpcore.ProtocolError,
        httpcore.UnsupportedProtocol,
    ) as exc:
        raise FetchError(
            f"cannot fetch {url} ({type(exc).__name__}: {exc}): check the address",
            url=url,
            transient=True,
        ) from exc
    except BlockedURLError as exc:
        if exc.url:
            raise
        raise BlockedURLError(f"{exc} (fetching {url})", url=url) from exc.__cause__
    return _article(url, str(current), content_type, body, response, tuple(redirects))


def _read(
    response: httpx.Response, url: str, max_bytes: int, deadline: float, timeout: float
) -> tuple[str, bytes]:
    """The content type and the body, refused unless it is HTML/text, OK and under the cap."""
    status = response.status_code
    if status >= 400:
        raise FetchError(
            f"{response.url} answered HTTP {status} {response.reason_phrase}: "
            "check that the article is public",
            url=url,
            transient=status == 429 or status >= 500,
        )
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in HTML_TYPES + TEXT_TYPES:
        raise FetchError(
            f"{response.url} is {content_type or 'of no stated type'}, not an HTML or text "
            "page: pass the address of the article page",
            url=url,
        )
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(url, max_bytes)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():  # decompressed: the cap also stops gzip bombs
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(url, max_bytes)
        if time.monotonic() > deadline:
            raise FetchError(
                f"fetching {url} took over {timeout:g}s: try again later", url=url, transient=True
            )
        chunks.append(chunk)
    return content_type, b"".join(chunks)


def _too_large(url: str, max_bytes: int) -> FetchError:
    return FetchError(
        f"{url} is over the {max_bytes:,}-byte limit for one page: save the article text "
        "and pass the file",
        url=url,
    )


def _article(
    url: str,
    final_url: str,
    content_type: str,
    body: bytes,
    response: httpx.Response,
    redirects: tuple[str, ...],
) -> WebArticle:
    if not body.strip():
        raise FetchError(f"{final_url} returned an empty page: nothing to brief", url=url)
    is_html = content_type in HTML_TYPES
    raw, encoding = _decode(body, response.charset_encoding, is_html, url)
    kind: SourceKind = (
        "html" if is_html else "markdown" if content_type == "text/markdown" else "text"
    )
    # Only the size cap here, as for files: the character limit is the caller's (cleaning).
    source = to_text(raw, kind, max_chars=len(raw), max_markup_chars=len(raw))
    text = source.text
    title = source.title or first_line_title(text, 200)
    fetched_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    log.info("fetched %s (%d bytes, %s) as %r", final_url, len(body), content_type, title)
    return WebArticle(
        text=text,
        title=title,
        url=url,
        final_url=final_url,
        fetched_at=fetched_at,
        content_type=content_type,
        encoding=encoding,
        sha256=hashlib.sha256(body).hexdigest(),
        redirects=redirects,
    )


def _decode(body: bytes, charset: str | None, is_html: bool, url: str) -> tuple[str, str]:
    """Text of the body: the declared charset (header, then HTML meta), else detection."""
    declared = [charset] if charset else []
    if is_html and (meta := _META_CHARSET.search(body[:4096])):
        declared.append(meta.group(1).decode("ascii"))
    for name in declared:
        try:
            return body.decode(name), name.lower()
        except (LookupError, UnicodeDecodeError):
            continue  # a wrong or unknown declaration: detect instead
    try:
        return decode_bytes(body)  # BOMs, UTF-8, Windows-1252, then charset-normalizer
    except InputError as exc:
        raise FetchError(f"cannot read {url} as text: {exc}", url=url) from exc
