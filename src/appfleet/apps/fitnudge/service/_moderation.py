"""Moderation of the wall (seed 001): the queue of flagged posts with their reasons, and an
admin's decision on one — approve (it stays, and leaves the queue until flagged again), warn
(it stays; its author is told why), remove (it leaves the feed; its author is told)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.fitnudge.models import Flag, Post
from appfleet.apps.fitnudge.service._common import SEARCH_PREFIX, Coach, coach_from, wall_channel
from appfleet.apps.fitnudge.service._wall import FEED_PREFIX
from appfleet.core.errors import NotFound, ValidationFailed
from appfleet.core.registry import AppContext, Flagged, ModerationAction
from appfleet.platform.notifications import service as notifications
from appfleet.platform.notifications.service import Draft, Recipient
from appfleet.platform.users.models import User
from appfleet.runtime.cache import forget_after_commit
from appfleet.runtime.realtime import publish_after_commit

REASONS_SHOWN = 10
_DECISIONS = {"approve": "approved", "warn": "warned", "remove": "removed"}
_NOTICES = {
    "warned": (
        "A note about your post",
        "Members reported your post and a moderator asked you to keep the wall friendly.",
    ),
    "removed": (
        "Your post was removed",
        "A moderator removed your post because it broke the wall's rules.",
    ),
}
_QUEUE = (Post.status == "visible", Post.flag_count > 0, Post.moderation.is_(None))


async def flagged(session: AsyncSession, limit: int, offset: int) -> tuple[list[Flagged], int]:
    """Visible, reported posts no one has decided on: the most reported first."""
    total = await session.scalar(select(func.count()).select_from(Post).where(*_QUEUE))
    rows = await session.execute(
        select(Post, User.name)
        .join(User, User.id == Post.user_id)
        .where(*_QUEUE)
        .order_by(Post.flag_count.desc(), Post.created_at.desc(), Post.id)
        .limit(limit)
        .offset(offset)
    )
    found = rows.all()
    reasons = await _reasons(session, [post.id for post, _ in found])
    return [_item(post, name, reasons.get(post.id, ())) for post, name in found], int(total or 0)


async def decide(
    session: AsyncSession,
    resources: Any,
    app: AppContext,
    item_id: str,
    action: ModerationAction,
    note: str | None,
) -> Flagged:
    decision = _DECISIONS.get(action)
    if decision is None:
        raise ValidationFailed(
            f"Unknown action {action!r}", details={"allowed": sorted(_DECISIONS)}
        )
    post = await _post(session, item_id)
    coach = coach_from(resources)
    post.moderation, post.moderated_at = decision, coach.clock.now()
    if decision == "removed" and post.status == "visible":
        post.status = "removed"
        _forget(session, coach, post.id)
    if decision in _NOTICES:
        await _tell_author(session, coach, app, post, decision, note)
    author = await session.get(User, post.user_id)
    await session.flush()
    reasons = await _reasons(session, [post.id])
    return _item(post, author.name if author else "", reasons.get(post.id, ()))


async def _post(session: AsyncSession, item_id: str) -> Post:
    try:
        post_id = uuid.UUID(item_id)
    except ValueError:
        raise NotFound("No such post") from None
    post = await session.get(Post, post_id)
    if post is None:
        raise NotFound("No such post")
    return post


async def _reasons(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[str, ...]]:
    if not ids:
        return {}
    rows = await session.execute(
        select(Flag.post_id, Flag.reason)
        .where(Flag.post_id.in_(ids))
        .order_by(Flag.post_id, Flag.created_at.desc())
    )
    found: dict[uuid.UUID, list[str]] = {}
    for post_id, reason in rows.all():
        if len(kept := found.setdefault(post_id, [])) < REASONS_SHOWN:
            kept.append(reason)
    return {post_id: tuple(kept) for post_id, kept in found.items()}


def _item(post: Post, author: str, reasons: tuple[str, ...]) -> Flagged:
    return Flagged(
        id=str(post.id),
        author_id=post.user_id,
        author_name=author,
        text=post.text,
        flag_count=post.flag_count,
        reasons=reasons,
        created_at=post.created_at,
        status=post.status,
        moderation=post.moderation,
    )


def _forget(session: AsyncSession, coach: Coach, post_id: uuid.UUID) -> None:
    forget_after_commit(session, coach.cache, prefix=FEED_PREFIX)
    forget_after_commit(session, coach.cache, prefix=SEARCH_PREFIX)
    publish_after_commit(
        session, coach.broker, wall_channel(), "post.deleted", {"id": str(post_id)}
    )


async def _tell_author(
    session: AsyncSession,
    coach: Coach,
    app: AppContext,
    post: Post,
    decision: str,
    note: str | None,
) -> None:
    author = await session.get(User, post.user_id)
    if author is None:
        return
    title, body = _NOTICES[decision]
    stamp = post.moderated_at.isoformat() if post.moderated_at else ""
    await notifications.notify(
        session,
        coach.clock,
        app,
        Recipient(author.id, author.timezone),
        Draft(
            kind="moderation",
            title=title,
            body=f"{body} {note}".strip() if note else body,
            data={"post_id": str(post.id), "decision": decision},
            key=f"moderation:{post.id}:{decision}:{stamp}",
        ),
        default_daily_limit=coach.daily_push_limit,
    )
