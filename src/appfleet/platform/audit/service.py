"""Recording audit events inside the unit of work of the action they describe."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from appfleet.core.clock import Clock
from appfleet.platform.audit.models import AuditEvent

# The table's own insert, not the entity's: no ORM bulk-insert machinery for one row.
_INSERT = insert(cast(Table, AuditEvent.__table__))


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a request came from, as the audit log records it."""

    app: str | None
    ip: str | None
    user_agent: str | None

    @classmethod
    def of(cls, request: Request, app: str | None) -> Origin:
        agent = request.headers.get("user-agent")
        return cls(
            app=app,
            ip=request.client.host if request.client else None,
            user_agent=agent[:300] if agent else None,
        )


async def record(
    session: AsyncSession,
    clock: Clock,
    origin: Origin,
    action: str,
    user_id: uuid.UUID | None,
    **details: Any,
) -> None:
    """Write an audit event in the transaction of the change it describes, so it commits (or
    rolls back) with it. A Core insert: the log is only ever appended to, and the ORM's unit of
    work costs a sign-in more than the row does.

    `details` must never hold passwords or tokens.
    """
    await session.execute(
        _INSERT,
        {
            "at": clock.now(),
            "app": origin.app,
            "user_id": user_id,
            "action": action,
            "ip": origin.ip,
            "user_agent": origin.user_agent,
            "details": details,
        },
    )
