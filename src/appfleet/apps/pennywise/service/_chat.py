"""Chat with the money bot (seed 003's chat service): the member's message is stored and sent
to their devices, the answer is worked out from their data (`_assistant`), phrased by the AI
provider when there is one, stored and sent too. No database transaction is open while a model
writes; with SSE the answer streams as it is written."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.pennywise.models import Message
from appfleet.apps.pennywise.schemas import ChatExchange, MessageRead
from appfleet.apps.pennywise.service import _assistant
from appfleet.apps.pennywise.service._common import APP, Ledger, Owner, tell
from appfleet.core.database import Database, unit_of_work
from appfleet.core.pagination import CursorParams, cursor_page, keyset_page
from appfleet.platform.ai.service import Generation

HISTORY = 6  # earlier messages a model sees, for follow-up questions
TICK = timedelta(microseconds=1)
M = Message.__table__.c


def read(message: Message) -> MessageRead:
    return MessageRead(
        id=message.id,
        sender=message.sender,
        content=message.content,
        source=message.source,
        created_at=message.created_at,
    )


async def history(session: AsyncSession, owner: Owner, params: CursorParams) -> dict[str, Any]:
    statement = keyset_page(
        select(Message).where(Message.user_id == owner.user_id),
        [M.created_at, M.id],
        params,
        [datetime, uuid.UUID],
    )
    rows = list(await session.scalars(statement))
    items, cursor = cursor_page(rows, params, lambda m: [m.created_at, str(m.id)])
    return {"items": [read(m) for m in items], "next_cursor": cursor}


async def _store(
    db: Database,
    ledger: Ledger,
    owner: Owner,
    sender: str,
    text: str,
    source: str | None,
    after: datetime | None,
) -> Message:
    now = ledger.clock.now()
    message = Message(
        id=uuid.uuid4(),  # before the flush: the event carries it
        user_id=owner.user_id,
        sender=sender,
        content=text[:8000],
        source=source,
        # Strictly after the message before: a conversation keeps its order even when two
        # messages share a clock tick.
        created_at=max(now, after + TICK) if after is not None else now,
    )
    async with unit_of_work(db) as session:
        session.add(message)
        tell(session, ledger, owner.user_id, "chat.message", read(message).model_dump(mode="json"))
    return message


async def _asked(db: Database, ledger: Ledger, owner: Owner, text: str) -> tuple[Message, Any]:
    """The member's message stored, and the request that answers it."""
    async with unit_of_work(db, write=False) as session:
        question = await _assistant.understand(session, owner, text, owner.today(ledger.clock))
        facts = await _assistant.facts(session, owner, question)
        earlier = (
            await session.execute(
                select(M.sender, M.content, M.created_at)
                .where(M.user_id == owner.user_id)
                .order_by(M.created_at.desc(), M.id.desc())
                .limit(HISTORY)
            )
        ).all()
    past = [(str(s), str(c)) for s, c, _ in reversed(earlier)]
    latest = earlier[0][2] if earlier else None
    message = await _store(db, ledger, owner, "user", text, None, latest)
    return message, _assistant.request(text, facts, past)


async def ask(db: Database, ledger: Ledger, owner: Owner, text: str) -> ChatExchange:
    message, request = await _asked(db, ledger, owner, text)
    answer = await ledger.ai.generate(APP, request)
    reply = await _store(db, ledger, owner, "bot", answer.text, answer.source, message.created_at)
    return ChatExchange(message=read(message), reply=read(reply))


async def ask_streaming(
    db: Database, ledger: Ledger, owner: Owner, text: str
) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """(event, data): `message` (yours, stored), `token`s of the answer, then `reply`."""
    message, request = await _asked(db, ledger, owner, text)
    yield "message", read(message).model_dump(mode="json")
    finished: Generation | None = None
    async for piece in ledger.ai.stream(APP, request):
        if isinstance(piece, Generation):
            finished = piece
        else:
            yield "token", {"text": piece}
    assert finished is not None  # noqa: S101 - every stream ends with its Generation
    reply = await _store(
        db, ledger, owner, "bot", finished.text, finished.source, message.created_at
    )
    yield "reply", read(reply).model_dump(mode="json")
