from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from appfleet.core.clock import Clock
from appfleet.core.errors import Conflict, ValidationFailed
from appfleet.core.idempotency.models import IdempotencyRecord

KEY_TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 255
REPLAY_HEADER = "idempotent-replayed"


class IdempotencyKeyReused(Conflict):
    default_message = "This Idempotency-Key was already used for a different request"


class IdempotencyKeyInFlight(Conflict):
    default_message = "A request with this Idempotency-Key is still being processed; retry later"


@dataclass(slots=True)
class Claim:
    """A key taken by the current unit of work; `complete` stores the response into it."""

    session: AsyncSession
    record: IdempotencyRecord


class Replay(Exception):  # noqa: N818 - control flow, not an error
    """Raised to answer with the stored response instead of running the handler."""

    def __init__(self, response: Response) -> None:
        self.response = response


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), b"\0", path.encode(), b"\0", body):
        digest.update(part)
    return digest.hexdigest()


async def claim(
    session: AsyncSession,
    clock: Clock,
    *,
    app: str,
    principal: str,
    key: str,
    fingerprint: str,
) -> Claim:
    """Take `key` for this request, or raise Replay / Conflict if it was used before."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed(
            "Idempotency-Key must be 1 to 255 characters",
            details={"Idempotency-Key": {"message": "1 to 255 characters"}},
        )
    now = clock.now()
    existing = await _find(session, app, principal, key)
    if existing is not None and existing.expires_at <= now:
        await session.delete(existing)
        await session.flush()
        existing = None
    if existing is None:
        record = IdempotencyRecord(
            app=app,
            principal=principal,
            key=key,
            request_hash=fingerprint,
            created_at=now,
            expires_at=now + KEY_TTL,
        )
        try:
            # A savepoint, so losing a race to a concurrent twin leaves our transaction usable.
            async with session.begin_nested():
                session.add(record)
        except IntegrityError:
            existing = await _find(session, app, principal, key)
            if existing is None:  # the twin rolled back: its claim is gone
                raise IdempotencyKeyInFlight() from None
        else:
            return Claim(session, record)
    if existing.request_hash != fingerprint:
        raise IdempotencyKeyReused(details={"Idempotency-Key": {"message": "used before"}})
    if existing.status_code is None:
        raise IdempotencyKeyInFlight()
    response = Response(
        existing.body or b"",
        status_code=existing.status_code,
        media_type=existing.content_type,
        headers={REPLAY_HEADER: "true"},
    )
    raise Replay(response)


async def complete(claim: Claim, response: Response) -> None:
    """Store the response; it commits with the unit of work that produced it."""
    record = claim.record
    if not isinstance(getattr(response, "body", None), bytes | memoryview):
        # A streamed response cannot be replayed; release the key rather than wedge it.
        await claim.session.delete(record)
        return
    record.status_code = response.status_code
    record.content_type = response.headers.get("content-type")
    record.body = bytes(response.body)


async def _find(
    session: AsyncSession, app: str, principal: str, key: str
) -> IdempotencyRecord | None:
    return await session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.app == app,
            IdempotencyRecord.principal == principal,
            IdempotencyRecord.key == key,
        )
    )
