"""Server-side limits on what one request may bring in, before Gradio stores any of it.

Gradio copies every input of every request into its per-session state (kept for
``state_session_capacity`` sessions), refused inputs included. So oversized requests are
answered 413 here, from their Content-Length or while their body streams in, before the body
is read into memory.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Uploads have their own limit (Gradio's max_file_size); everything else is JSON.
UPLOAD_PATHS = ("/gradio_api/upload", "/upload")


class BodyLimit:
    """ASGI middleware: refuse request bodies over ``max_bytes`` (uploads excepted)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").endswith(UPLOAD_PATHS):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        seen = 0
        started = refused = False

        async def limited_receive() -> Message:
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # Answer now and tell the app the client left: it stops reading.
                    refused = True
                    if not started:
                        await self._refuse(send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 is already sent; drop the app's own answer
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, limited_receive, guarded_send)

    def _refuse(self, send: Send) -> Any:
        body = json.dumps(
            {
                "error": f"The request is over the {self.max_bytes:,}-byte limit: "
                "send one article at a time."
            }
        ).encode()
        return _send_all(send, body)


async def _send_all(send: Send, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
