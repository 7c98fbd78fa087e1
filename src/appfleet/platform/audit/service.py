"""Recording audit events inside the unit of work of the action they describe."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from appfleet.core.clock import Clock
from appfleet.platform.audit.models import AuditEvent


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


def record(
    session: AsyncSession,
    clock: Clock,
    origin: Origin,
    action: str,
    user_id: uuid.UUID | None,
    **details: Any,
) -> None:
    """Add an audit event; it commits (or not) with the change it describes.

    `details` must never hold passwords or tokens.
    """
    session.add(
        AuditEvent(
            at=clock.now(),
            app=origin.app,
            user_id=user_id,
            action=action,
            ip=origin.ip,
            user_agent=origin.user_agent,
            details=details,
        )
    )
