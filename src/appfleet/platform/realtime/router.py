"""`GET /realtime/events` (SSE) and `/realtime/ws` (WebSocket, also at `/realtime`): what is
published on the caller's channel in this app, live, after a replay of what they missed since
`since` / `Last-Event-ID`; and `GET /realtime/presence`, who is online on a topic with presence.

The token is checked when subscribing and again before each delivery, so a signed-out session or
an expired token stops receiving at once (SSE ends with a `signed_out` / `token_expired` event, a
WebSocket closes with code 4401); the client reconnects with a fresh token and `since`.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Annotated, Any

import orjson
from fastapi import Header, Query, Request, WebSocket, WebSocketDisconnect
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.datastructures import State

from appfleet.core.errors import AppError, NotFound
from appfleet.core.routing import app_router
from appfleet.platform.auth.deps import CurrentClaims, access_claims
from appfleet.platform.auth.tokens import Claims
from appfleet.platform.realtime.schemas import OnlineRead, PresenceRead
from appfleet.runtime.presence import Connection
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
TOPIC = r"^[a-z][a-z0-9_]{0,39}$"
Topic = Annotated[str | None, Query(pattern=TOPIC, description="One of the app's topics.")]
PresenceTopic = Annotated[str, Query(pattern=TOPIC, description="A topic with presence.")]
SCREEN = re.compile(r"^[A-Za-z0-9_.:/-]{1,64}$")
Screen = Annotated[
    str | None,
    Query(pattern=SCREEN.pattern, description="The screen shown now (topics with presence)."),
]
MAX_MESSAGE = 1024


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
    if item.seq == 0:  # a signal (presence): not numbered, so no resume point
        return {"type": item.type, "data": item.data}
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


@router.get("/presence", response_model=PresenceRead)
async def presence(request: Request, claims: CurrentClaims, topic: PresenceTopic) -> PresenceRead:
    """Who follows the topic over a WebSocket now, one entry per person, with the screen
    they reported last."""
    state = request.app.state
    channel = presence_channel(state, claims, topic)
    people = await state.presence.online(channel)
    return PresenceRead(
        topic=topic, count=len(people), online=[OnlineRead(**p.as_dict()) for p in people]
    )


def presence_channel(state: State, claims: Claims, topic: str | None) -> str:
    if topic is None or topic not in state.registry.get(claims.app).presence:
        raise NotFound("This app shows no presence on that topic")
    return topic_channel(claims.app, topic)


async def _connection(
    state: State, claims: Claims, channel: str, topic: str | None, screen: str | None
) -> Connection | None:
    """This socket as a presence entry, when its topic shows who is online."""
    app = state.registry.get(claims.app)
    if topic is None or topic not in app.presence:
        return None
    profile = await state.profiles.read(state.db, app, claims.user_id)
    name = str(orjson.loads(profile).get("name", "")) if profile else ""
    now = time.time()
    return Connection(channel, uuid.uuid4().hex, str(claims.user_id), name, screen, now, now)


@router.websocket("")
@router.websocket("/ws")
async def socket(
    websocket: WebSocket,
    access_token: Annotated[
        str, Query(description="The access token (browsers cannot send headers).")
    ],
    since: Annotated[int | None, Query(ge=0)] = None,
    topic: Topic = None,
    screen: Screen = None,
) -> None:
    """The caller's (or an app topic's) events as JSON messages. On a topic with presence the
    client is shown online while connected, and may send `{"type": "screen", "screen": S}`."""
    await websocket.accept()
    state = websocket.app.state
    try:
        claims = await access_claims(websocket, access_token)
        channel = channel_for(state, claims, topic)
    except AppError as error:
        reason = str(
            error.details.get("reason", "token_invalid" if error.status == 401 else "not_found")
        )
        await websocket.close(
            UNAUTHORIZED_CLOSE if error.status == 401 else NOT_FOUND_CLOSE, reason
        )
        return
    sender = asyncio.create_task(_send(websocket, claims, since, channel))
    connection = await _connection(state, claims, channel, topic, screen)
    if connection is not None:
        await state.presence.join(connection)
    try:
        while not sender.done():  # reading is how a closed connection is noticed
            receiving = asyncio.ensure_future(websocket.receive())
            done, _ = await asyncio.wait({receiving, sender}, return_when=asyncio.FIRST_COMPLETED)
            if receiving not in done:
                receiving.cancel()
                continue
            message = receiving.result()
            if message["type"] == "websocket.disconnect":
                break
            connection = await _heard(websocket, state, connection, message)
    finally:
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
            await sender
        if connection is not None:
            await state.presence.leave(connection)


async def _heard(
    websocket: WebSocket, state: State, connection: Connection | None, message: Mapping[str, Any]
) -> Connection | None:
    """A client message: a screen change, or an error answer (the connection stays)."""
    raw = message.get("text") or message.get("bytes") or b""
    try:
        said = orjson.loads(raw) if len(raw) <= MAX_MESSAGE else None
    except orjson.JSONDecodeError:
        said = None
    screen = said.get("screen") if isinstance(said, dict) else None
    if not isinstance(said, dict) or said.get("type") != "screen" or not _valid_screen(screen):
        await _refuse(websocket, "invalid_message", 'Send {"type": "screen", "screen": "feed"}.')
        return connection
    if connection is None:
        await _refuse(websocket, "no_presence", "This topic shows no presence.")
        return None
    await state.presence.screen(connection, screen)
    return connection.on(screen, time.time())


def _valid_screen(screen: object) -> bool:
    return screen is None or (isinstance(screen, str) and SCREEN.fullmatch(screen) is not None)


async def _refuse(websocket: WebSocket, code: str, message: str) -> None:
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        await websocket.send_bytes(
            orjson.dumps({"type": "error", "code": code, "message": message})
        )


async def _send(websocket: WebSocket, claims: Claims, since: int | None, channel: str) -> None:
    async for item in _items(websocket.app.state, claims, since, channel):
        await websocket.send_bytes(orjson.dumps(item))
        if item["type"] in ("token_expired", "signed_out", "reconnect"):
            await websocket.close(UNAUTHORIZED_CLOSE if item["type"] != "reconnect" else 1013)
            return
