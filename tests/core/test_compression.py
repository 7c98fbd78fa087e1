"""gzip: only for clients that accept it, only for whole bodies big enough to gain."""

from __future__ import annotations

import gzip

import pytest
from starlette.types import Message, Receive, Scope, Send

from appfleet.core.compression import CompressionMiddleware

pytestmark = pytest.mark.anyio
BIG = b'{"text": "' + b"appfleet " * 500 + b'"}'


def responder(*chunks: bytes, content_type: bytes = b"application/json", status: int = 200):  # type: ignore[no-untyped-def]
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", content_type)]
        if len(chunks) == 1:
            headers.append((b"content-length", str(len(chunks[0])).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        for i, chunk in enumerate(chunks):
            more = i < len(chunks) - 1
            await send({"type": "http.response.body", "body": chunk, "more_body": more})

    return app


async def run(app: object, accept: bytes | None) -> list[Message]:
    sent: list[Message] = []
    headers = [(b"accept-encoding", accept)] if accept is not None else []
    scope = {"type": "http", "method": "GET", "path": "/", "headers": headers}

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        sent.append(message)

    await CompressionMiddleware(app, minimum_size=1000)(scope, receive, send)  # type: ignore[arg-type]
    return sent


def header(message: Message, name: bytes) -> bytes | None:
    return dict(message["headers"]).get(name)


async def test_a_big_body_is_gzipped_for_clients_that_accept_it() -> None:
    start, body = await run(responder(BIG), b"gzip, deflate, br")
    assert header(start, b"content-encoding") == b"gzip"
    assert header(start, b"vary") == b"Accept-Encoding"
    assert int(header(start, b"content-length") or 0) == len(body["body"]) < len(BIG)
    assert gzip.decompress(body["body"]) == BIG


async def test_identity_without_accept_encoding_or_for_small_bodies() -> None:
    for app, accept in ((responder(BIG), None), (responder(b'{"ok": true}'), b"gzip")):
        start, body = await run(app, accept)
        assert header(start, b"content-encoding") is None
        assert body["body"] in (BIG, b'{"ok": true}')


async def test_streams_and_media_pass_through_untouched() -> None:
    stream = await run(responder(b"data: 1\n\n" * 200, b"data: 2\n\n" * 200), b"gzip")
    assert [m["type"] for m in stream] == [
        "http.response.start",
        "http.response.body",
        "http.response.body",
    ]
    assert header(stream[0], b"content-encoding") is None
    events = await run(responder(BIG, content_type=b"text/event-stream"), b"gzip")
    assert header(events[0], b"content-encoding") is None
    partial = await run(responder(BIG, status=206), b"gzip")
    assert header(partial[0], b"content-encoding") is None
