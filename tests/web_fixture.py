"""A loopback HTTP server with real-shaped pages, for the fetch tests (never the network).

Routes: /article (HTML with <title> and chrome), /plain, /latin1 (cp1252 without a charset),
/redirect (→ /article), /chain/N (N hops, then /article), /loop (redirects to itself),
/to?u=URL (302 to any URL), /big (streamed past any cap, no length), /big-declared
(Content-Length over the cap), /pdf (wrong type), /slow (headers after a delay),
/drip (a body trickling in), /missing (404), /error (503), /empty, /no-text.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PARAGRAPHS = [
    "The city council approved a $12 million plan on Tuesday to rebuild the harbour wall, "
    "which was damaged in last winter's storms.",
    "Mayor Ana Ruiz said work would begin in March and take about 18 months. "
    "The plan passed by 7 votes to 2.",
    "Residents have complained for years that the wall floods the coastal road at high tide.",
]
TITLE = "Council backs harbour wall rebuild"

ARTICLE_HTML = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{TITLE} &amp; more | Harbour Gazette</title>
<meta property="og:title" content="{TITLE}">
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<article><h1>{TITLE}</h1>
{"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}
</article>
<footer>Share this article. © 2026 Harbour Gazette. All rights reserved.</footer>
</body></html>"""

LATIN1_HTML = (
    "<html><head><title>Café owners protest</title></head><body><article>"
    "<p>Caf\u00e9 owners in the old town said on Monday that the new rules would cost them "
    "about \u00a35,000 a year each, and asked the council to think again.</p>"
    "<p>The council said it would reply within two weeks after reading every submission "
    "from the owners and the residents of the street.</p>"
    "</article></body></html>"
).encode("cp1252")


@dataclass
class Server:
    base: str  # http://127.0.0.1:PORT
    port: int
    hosts: list[str] = field(default_factory=list)  # Host header of every request
    delay: float = 3.0  # /slow and /drip

    def url(self, path: str) -> str:
        return self.base + path


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
            pass

        def _send(self, status: int, body: bytes, ctype: str, **headers: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(body)

        def _redirect(self, location: str, status: int = 302) -> None:
            self._send(status, b"", "text/html", Location=location)

        def _stream(self, ctype: str, parts: Iterator[bytes]) -> None:
            # No Content-Length: the body ends when the connection closes.
            self.close_connection = True
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                for part in parts:
                    self.wfile.write(part)
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped reading, as it should

        def do_GET(self) -> None:
            server.hosts.append(self.headers.get("Host", ""))
            parts = urlsplit(self.path)
            path = parts.path
            html = "text/html; charset=utf-8"
            if path == "/article":
                self._send(200, ARTICLE_HTML.encode(), html)
            elif path == "/plain":
                self._send(200, "\n\n".join([TITLE, *PARAGRAPHS]).encode(), "text/plain")
            elif path == "/latin1":
                self._send(200, LATIN1_HTML, "text/html")
            elif path == "/redirect":
                self._redirect("/article", 301)
            elif path.startswith("/chain/"):
                left = int(path.rsplit("/", 1)[1])
                self._redirect(f"/chain/{left - 1}" if left > 1 else "/article", 307)
            elif path == "/loop":
                self._redirect("/loop")
            elif path == "/to":
                self._redirect(parse_qs(parts.query)["u"][0])
            elif path == "/big":
                chunk = b"<p>" + b"filler text " * 5000 + b"</p>"
                self._stream(html, (chunk for _ in range(1000)))  # ~60 MB if read to the end
            elif path == "/big-declared":
                self.send_response(200)
                self.send_header("Content-Type", html)
                self.send_header("Content-Length", str(50_000_000))
                self.end_headers()
                self.close_connection = True
            elif path == "/pdf":
                self._send(200, b"%PDF-1.7 not an article", "application/pdf")
            elif path == "/slow":
                time.sleep(server.delay)
                self._send(200, ARTICLE_HTML.encode(), html)
            elif path == "/drip":
                body = ARTICLE_HTML.encode()
                pieces = [body[i : i + 64] for i in range(0, len(body), 64)]

                def slowly() -> Iterator[bytes]:
                    for piece in pieces:
                        time.sleep(server.delay / len(pieces) * 4)
                        yield piece

                self._stream(html, slowly())
            elif path == "/missing":
                self._send(404, b"<h1>Not found</h1>", html)
            elif path == "/error":
                self._send(503, b"<h1>Busy</h1>", html)
            elif path == "/no-text":
                page = "<html><head></head><body><script>1</script><style>p{}</style></body></html>"
                self._send(200, page.encode(), html)
            elif path == "/empty":
                self._send(200, b"   ", html)
            else:
                self._send(404, b"no such page", "text/plain")

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that time out or stop at the size cap hang up mid-response, on purpose


@contextmanager
def serve() -> Iterator[Server]:
    """A server on 127.0.0.1 and a free port, in a daemon thread, for the ``with`` block."""
    state = Server(base="", port=0)
    httpd = _QuietServer(("127.0.0.1", 0), _handler(state))
    state.port = httpd.server_address[1]
    state.base = f"http://127.0.0.1:{state.port}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
