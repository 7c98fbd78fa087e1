"""Queueing an app's email: rendered now, written to the outbox with the caller's change."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.clock import Clock
from appfleet.core.registry import AppContext
from appfleet.providers.email.templates import render
from appfleet.runtime.outbox import OutboxMessage, enqueue


async def queue_email(
    session: AsyncSession,
    clock: Clock,
    app: AppContext,
    *,
    to: str,
    template: str,
    user_id: uuid.UUID | None = None,
    sensitive: bool = False,
    language: str | None = None,
    **context: Any,
) -> OutboxMessage:
    """Render `template` in the recipient's language and queue it with the caller's change."""
    rendered = render(
        template,
        language=language,
        app_name=app.display_name,
        brand_color=app.config.brand_color,
        logo_url=app.config.logo_url,
        **context,
    )
    payload = {"from": app.config.email_sender, **rendered.as_payload()}
    return await enqueue(
        session,
        clock,
        channel="email",
        app=app.name,
        recipient=to,
        kind=template,
        payload=payload,
        user_id=user_id,
        sensitive=sensitive,
    )
