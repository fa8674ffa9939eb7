"""A loopback imitation of the Hugging Face hub's file API, for download tests without internet.

It answers what ``huggingface_hub`` asks for ``snapshot_download`` and what briefing's probe
asks (point ``HF_ENDPOINT`` at ``FakeHub.url``):

- ``GET /api/models/{repo}/revision/{rev}``: the repo info, ``sha`` and ``siblings`` (with
  sizes when ``blobs=true``);
- ``GET /api/models/{repo}/tree/{rev}[/{path}]``: the file list (one page);
- ``HEAD``/``GET /{repo}/resolve/{rev}/{file}``: the file, with ``ETag``, ``X-Repo-Commit``
  and ``Content-Length``.

Unknown repos answer 404 with ``X-Error-Code: RepoNotFound``, like the real hub. ``status``
makes every request answer that HTTP status (a hub that is down); ``slow_bytes_per_s``
throttles file bodies, so a test can interrupt a download half way.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class FakeRepo:
    files: dict[str, bytes]

    @property
    def sha(self) -> str:
        digest = hashlib.sha1()
        for name in sorted(self.files):
            digest.update(name.encode() + hashlib.sha1(self.files[name]).digest())
        return digest.hexdigest()


@dataclass
class FakeHub:
    repos: dict[str, FakeRepo] = field(default_factory=dict)
    status: int | None = None  # answer every request with this status (hub down)
    slow_bytes_per_s: int | None = None
    requests: list[str] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    def add_folder(self, repo_id: str, folder: Path, *, skip: tuple[str, ...] = ()) -> None:
        """Serve every file of ``folder`` (not its hidden ones) as the repo ``repo_id``."""
        files = {
            path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*"))
            if path.is_file() and not path.name.startswith(".") and path.name not in skip
        }
        self.repos[repo_id] = FakeRepo(files)

    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeHub:
        hub = self

        class Handler(_Handler):
            fake = hub

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    fake: FakeHub
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # keep the test output clean
        pass

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)

    def _answer(self, *, head: bool) -> None:
        url = urlsplit(self.path)
        path = unquote(url.path)
        query = parse_qs(url.query)
        self.fake.requests.append(f"{self.command} {path}")
        if self.fake.status is not None:
            return self._send(self.fake.status, b'{"error": "down"}', head=head)
        if path.startswith("/api/models/"):
            return self._api(path.removeprefix("/api/models/"), query, head)
        if "/resolve/" in path:
            repo_id, _, rest = path.lstrip("/").partition("/resolve/")
            revision, _, filename = rest.partition("/")
            return self._file(repo_id, revision, filename, head)
        self._send(404, b'{"error": "not found"}', head=head)

    def _repo(self, repo_id: str, revision: str, head: bool) -> FakeRepo | None:
        repo = self.fake.repos.get(repo_id)
        if repo is None or revision not in ("main", repo.sha):
            body = b'{"error": "Repository not found"}'
            self._send(404, body, {"X-Error-Code": "RepoNotFound"}, head=head)
            return None
        return repo

    def _api(self, rest: str, query: dict[str, list[str]], head: bool) -> None:
        if "/revision/" in rest:
            repo_id, _, revision = rest.partition("/revision/")
            repo = self._repo(repo_id, revision, head)
            if repo is None:
                return
            blobs = query.get("blobs") == ["true"] or query.get("blobs") == ["True"]
            siblings = [
                {"rfilename": name, **({"size": len(data)} if blobs else {})}
                for name, data in repo.files.items()
            ]
            body = {"id": repo_id, "modelId": repo_id, "sha": repo.sha, "private": False,
                    "siblings": siblings}
            return self._send(200, json.dumps(body).encode(), head=head)
        if "/tree/" in rest:
            repo_id, _, tail = rest.partition("/tree/")
            revision, _, folder = tail.partition("/")
            repo = self._repo(repo_id, revision, head)
            if repo is None:
                return
            entries = [
                {"type": "file", "oid": hashlib.sha1(data).hexdigest(), "size": len(data),
                 "path": name}
                for name, data in repo.files.items()
                if not folder or name.startswith(folder.rstrip("/") + "/")
            ]
            return self._send(200, json.dumps(entries).encode(), head=head)
        self._send(404, b'{"error": "not found"}', head=head)

    def _file(self, repo_id: str, revision: str, filename: str, head: bool) -> None:
        repo = self._repo(repo_id, revision, head)
        if repo is None:
            return
        data = repo.files.get(filename)
        if data is None:
            body = b'{"error": "Entry not found"}'
            return self._send(404, body, {"X-Error-Code": "EntryNotFound"}, head=head)
        headers = {
            "ETag": f'"{hashlib.sha1(data).hexdigest()}"',
            "X-Repo-Commit": repo.sha,
            "Content-Type": "application/octet-stream",
        }
        self._send(200, data, headers, head=head, throttle=True)

    def _send(
        self,
        status: int,
        body: bytes,
        headers: dict[str, str] | None = None,
        *,
        head: bool = False,
        throttle: bool = False,
    ) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if "Content-Type" not in (headers or {}):
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if head:
            return
        rate = self.fake.slow_bytes_per_s if throttle else None
        if rate is None:
            self.wfile.write(body)
            return
        chunk = max(1, rate // 10)
        try:
            for start in range(0, len(body), chunk):
                self.wfile.write(body[start : start + chunk])
                self.wfile.flush()
                time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):  # the client went away: fine
            pass


def main(argv: list[str] | None = None) -> None:
    """``python tests/fake_hub.py REPO_ID=FOLDER ...``: serve folders until interrupted."""
    import sys

    hub = FakeHub()
    for spec in argv if argv is not None else sys.argv[1:]:
        repo_id, _, folder = spec.partition("=")
        hub.add_folder(repo_id, Path(folder))
    with hub:
        print(f"HF_ENDPOINT={hub.url}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
