"""gzip for responses, as plain ASGI with a short path for the common case.

Starlette's GZipMiddleware builds header objects and normalizes content types on every
response, even small ones sent to clients that never asked for gzip; that cost showed up in
profiles of the hottest endpoints. Here a response is compressed only when the client accepts
gzip, the body arrives whole (streams such as SSE pass through untouched) and is big enough.
"""

from __future__ import annotations

import asyncio
import gzip

from starlette.types import ASGIApp, Message, Receive, Scope, Send

THREAD_ABOVE_BYTES = 256 * 1024  # compress bigger bodies off the event loop
_SKIP_TYPES = (b"text/event-stream", b"application/grpc", b"image/", b"audio/", b"video/")


def _accepts_gzip(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"accept-encoding":
            return b"gzip" in value
    return False


class CompressionMiddleware:
    def __init__(self, app: ASGIApp, *, minimum_size: int, level: int = 6) -> None:
        self.app = app
        self.minimum_size = minimum_size
        self.level = level

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _accepts_gzip(scope):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        passthrough = False

        async def send_compressed(message: Message) -> None:
            nonlocal start, passthrough
            if passthrough:
                await send(message)
                return
            if message["type"] == "http.response.start":
                if message["status"] == 206 or not _compressible(message.get("headers", ())):
                    passthrough = True
                    await send(message)
                else:
                    start = message  # held until the body shows whether to compress
                return
            if start is None:  # not a body after a held start: nothing to decide
                await send(message)
                return
            passthrough = True
            is_body = message["type"] == "http.response.body"
            if not is_body or message.get("more_body", False):
                await send(start)  # a stream (or a file): sent as it comes
                await send(message)
                return
            body: bytes = message.get("body", b"")
            if len(body) < self.minimum_size:
                await send(start)
                await send(message)
                return
            packed = await self._compress(body)
            headers = [(k, v) for k, v in start.get("headers", ()) if k != b"content-length"]
            headers += [
                (b"content-encoding", b"gzip"),
                (b"content-length", str(len(packed)).encode()),
                (b"vary", b"Accept-Encoding"),
            ]
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": packed, "more_body": False})

        await self.app(scope, receive, send_compressed)

    async def _compress(self, body: bytes) -> bytes:
        if len(body) > THREAD_ABOVE_BYTES:
            return await asyncio.to_thread(gzip.compress, body, self.level, mtime=0)
        return gzip.compress(body, self.level, mtime=0)


def _compressible(headers: object) -> bool:
    for name, value in headers:  # type: ignore[attr-defined]
        if name == b"content-encoding":
            return False
        if name == b"content-type" and value.startswith(_SKIP_TYPES):
            return False
    return True
