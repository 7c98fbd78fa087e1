"""`GET /realtime/events` (SSE) and `/realtime/ws` (WebSocket): what is published on the caller's
channel in this app, live, after a replay of what they missed since `since` / `Last-Event-ID`.

The token is checked when subscribing and again before each delivery, so a signed-out session or
an expired token stops receiving at once (SSE ends with a `signed_out` / `token_expired` event, a
WebSocket closes with code 4401); the client reconnects with a fresh token and `since`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Annotated, Any

import orjson
from fastapi import Header, Query, Request, WebSocket, WebSocketDisconnect
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.datastructures import State

from appfleet.core.errors import AppError, NotFound
from appfleet.core.routing import app_router
from appfleet.platform.auth.deps import CurrentClaims, access_claims
from appfleet.platform.auth.tokens import Claims
from appfleet.runtime.realtime import (
    Broker,
    Event,
    Gap,
    SlowSubscriber,
    topic_channel,
    user_channel,
)

router = app_router(prefix="/realtime", tags=["realtime"])
PING_S = 15
UNAUTHORIZED_CLOSE = 4401  # WebSocket close codes 4000-4999 are the application's
NOT_FOUND_CLOSE = 4404
Topic = Annotated[
    str | None, Query(pattern=r"^[a-z][a-z0-9_]{0,39}$", description="One of the app's topics.")
]


async def _ended(state: State, claims: Claims) -> str | None:
    """Why this connection may no longer receive, or None."""
    if claims.expires_at <= state.clock.now():
        return "token_expired"
    return "signed_out" if await state.auth.is_revoked(claims) else None


def channel_for(state: State, claims: Claims, topic: str | None) -> str:
    """The caller's own channel, or one of the app's topics (404 for any other)."""
    if topic is None:
        return user_channel(claims.app, claims.user_id)
    if topic not in state.registry.get(claims.app).topics:
        raise NotFound("This app has no such realtime topic")
    return topic_channel(claims.app, topic)


def as_item(item: Event | Gap) -> dict[str, Any]:
    if isinstance(item, Gap):
        return {"type": "gap", "since": item.since, "resumed_at": item.resumed_at}
    return {"type": item.type, "seq": item.seq, "data": item.data}


async def _items(
    state: State, claims: Claims, since: int | None, channel: str
) -> AsyncIterator[dict[str, Any]]:
    """The channel's events as JSON-ready dicts, ending with the reason when access ends."""
    broker: Broker = state.broker
    try:
        async with broker.subscribe(channel, since) as subscription:
            async for item in subscription:
                if (reason := await _ended(state, claims)) is not None:
                    yield {"type": reason}
                    return
                yield as_item(item)
    except SlowSubscriber:
        yield {"type": "reconnect"}  # too far behind: resume from the last seq received


def _as_sse(item: dict[str, Any]) -> ServerSentEvent:
    seq = item.pop("seq", None)
    kind = item.pop("type")
    data = item.pop("data", item)
    return ServerSentEvent(
        data=orjson.dumps(data).decode(), event=kind, id=None if seq is None else str(seq)
    )


@router.get("/events", response_class=EventSourceResponse)
async def events(
    request: Request,
    claims: CurrentClaims,
    since: Annotated[int | None, Query(ge=0, description="Replay events after this seq.")] = None,
    topic: Topic = None,
    last_event_id: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> EventSourceResponse:
    """Server-sent events for the caller (or an app topic); reconnects resume from
    Last-Event-ID."""
    if since is None and last_event_id is not None and last_event_id.isdigit():
        since = int(last_event_id)
    channel = channel_for(request.app.state, claims, topic)

    async def stream() -> AsyncIterator[ServerSentEvent]:
        async for item in _items(request.app.state, claims, since, channel):
            yield _as_sse(item)

    return EventSourceResponse(stream(), ping=PING_S, headers={"Cache-Control": "no-store"})


@router.websocket("/ws")
async def socket(
    websocket: WebSocket,
    access_token: Annotated[
        str, Query(description="The access token (browsers cannot send headers).")
    ],
    since: Annotated[int | None, Query(ge=0)] = None,
    topic: Topic = None,
) -> None:
    """The caller's (or an app topic's) events as JSON messages; the client's messages are
    ignored."""
    await websocket.accept()
    try:
        claims = await access_claims(websocket, access_token)
        channel = channel_for(websocket.app.state, claims, topic)
    except AppError as error:
        reason = str(
            error.details.get("reason", "token_invalid" if error.status == 401 else "not_found")
        )
        await websocket.close(
            UNAUTHORIZED_CLOSE if error.status == 401 else NOT_FOUND_CLOSE, reason
        )
        return
    sender = asyncio.create_task(_send(websocket, claims, since, channel))
    try:
        while not sender.done():  # reading is how a closed connection is noticed
            receiving = asyncio.ensure_future(websocket.receive())
            done, _ = await asyncio.wait({receiving, sender}, return_when=asyncio.FIRST_COMPLETED)
            if receiving in done and receiving.result()["type"] == "websocket.disconnect":
                break
            if receiving not in done:
                receiving.cancel()
    finally:
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
            await sender


async def _send(websocket: WebSocket, claims: Claims, since: int | None, channel: str) -> None:
    async for item in _items(websocket.app.state, claims, since, channel):
        await websocket.send_bytes(orjson.dumps(item))
        if item["type"] in ("token_expired", "signed_out", "reconnect"):
            await websocket.close(UNAUTHORIZED_CLOSE if item["type"] != "reconnect" else 1013)
            return
