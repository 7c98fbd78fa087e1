"""The social wall (seed 001): posts with an optional picture or voice note, likes, flags for
moderation. Text is stored exactly as written; every wall response is JSON whose `<`, `>` and
`&` are written as \\u escapes, so a consumer that drops it into HTML cannot be scripted by a
post, while JSON readers get the text back unchanged.

Like and flag counts live on the post, changed in the same statement that records the like or
flag, so the feed is one index scan plus one lookup of which of its posts the caller liked.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import cache
from typing import Any

import orjson
from sqlalchemy import Uuid, bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.fitnudge.models import Flag, Like, Post
from appfleet.apps.fitnudge.schemas import FlagCreate, PostCreate
from appfleet.apps.fitnudge.service._common import SEARCH_PREFIX, Coach, wall_channel
from appfleet.core.database import Database, UTCDateTime, insert, unit_of_work
from appfleet.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from appfleet.core.pagination import CursorParams, after_cursor, decode_cursor, encode_cursor
from appfleet.platform.uploads.models import Upload
from appfleet.platform.users.models import User
from appfleet.runtime.cache import ParsedOnce, forget_after_commit, read_through
from appfleet.runtime.realtime import publish_after_commit

P_TABLE, U_TABLE = Post.__table__, User.__table__
P, U, L = P_TABLE.c, U_TABLE.c, Like.__table__.c
FEED_PREFIX = "cache:fitnudge:feed:"
FEED_TTL_S = 5
LIKES_TTL_S = 86_400
MAX_CACHED_LIKES = 5_000


def likes_key(user_id: uuid.UUID) -> str:
    return f"cache:fitnudge:likes:{user_id}"


ATTACHABLE = {"post_image": "image", "voice": "voice"}  # upload purposes a post may carry
_HTML_SAFE = ((b"<", b"\\u003c"), (b">", b"\\u003e"), (b"&", b"\\u0026"))


def safe_json(value: Any) -> bytes:
    """JSON with no HTML metacharacters: they only occur inside strings, where the escapes
    mean the same characters."""
    raw = orjson.dumps(value)
    for char, escape in _HTML_SAFE:
        raw = raw.replace(char, escape)
    return raw


def _post(coach: Coach, post: Post, author: str, liked: bool) -> dict[str, Any]:
    attachment = None
    if post.attachment_key is not None:
        attachment = {
            "kind": post.attachment_kind,
            "url": coach.storage.download_url(
                post.attachment_key, expires_s=coach.storage_settings.download_url_ttl_s
            ),
        }
    return {
        "id": str(post.id),
        "author": {"id": str(post.user_id), "name": author},
        "text": post.text,
        "attachment": attachment,
        "like_count": post.like_count,
        "liked_by_me": liked,
        "created_at": _stamp(post.created_at),
    }


async def _attachment(
    session: AsyncSession, user_id: uuid.UUID, app: str, upload_id: uuid.UUID
) -> tuple[str, str]:
    upload = await session.get(Upload, upload_id)
    if upload is None or upload.user_id != user_id or upload.app != app:
        raise NotFound("No such upload of yours")
    if upload.purpose not in ATTACHABLE:
        raise ValidationFailed(
            "Attach a post_image or voice upload",
            details={"field": "upload_id", "purpose": upload.purpose},
        )
    if upload.status != "ready":
        raise Conflict("Complete the upload first", details={"reason": "upload_not_ready"})
    return upload.key, ATTACHABLE[upload.purpose]


async def create(
    session: AsyncSession, coach: Coach, app: str, user: User, body: PostCreate
) -> bytes:
    key = kind = None
    if body.upload_id is not None:
        key, kind = await _attachment(session, user.id, app, body.upload_id)
    post = Post(
        user_id=user.id,
        text=body.text,
        attachment_key=key,
        attachment_kind=kind,
        like_count=0,
        flag_count=0,
        status="visible",
        created_at=coach.clock.now(),
    )
    session.add(post)
    await session.flush()
    forget_after_commit(session, coach.cache, prefix=FEED_PREFIX)
    shown = _post(coach, post, user.name, False)
    published = {k: v for k, v in shown.items() if k != "liked_by_me"}
    publish_after_commit(session, coach.broker, wall_channel(), "post.created", published)
    return safe_json(shown)


@cache
def _feed_statements() -> tuple[Any, Any, Any]:
    """The feed's first page, a later page, and the caller's likes among a page: built once
    (the busiest read of the wall; building and compiling ORM statements costs more than
    running these)."""
    columns = (P.id, P.user_id, P.text, P.attachment_key, P.attachment_kind, P.like_count)
    order = (P.created_at.desc(), P.id.desc())
    first = (
        select(*columns, P.created_at, U.name)
        .select_from(P_TABLE.join(U_TABLE, U.id == P.user_id))
        .where(P.status == "visible")
        .order_by(*order)
        .limit(bindparam("limit"))
    )
    cursor = [bindparam("at", type_=UTCDateTime()), bindparam("after", type_=Uuid())]
    later = first.where(after_cursor([P.created_at, P.id], cursor, descending=True))
    liked = select(L.post_id).where(
        L.user_id == bindparam("user"), L.post_id.in_(bindparam("ids", expanding=True))
    )
    return first, later, liked


async def _page(
    session: AsyncSession, coach: Coach, paging: CursorParams
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of the feed as everyone sees it (without the reader's likes)."""
    first, later, _ = _feed_statements()
    params: dict[str, Any] = {"limit": paging.limit + 1}  # one more: is there a next page?
    statement = first
    if paging.cursor:
        at, after = decode_cursor(paging.cursor, (datetime, uuid.UUID))
        params |= {"at": at, "after": after}
        statement = later
    rows = list(await session.execute(statement, params))
    page, more = rows[: paging.limit], len(rows) > paging.limit
    ttl = coach.storage_settings.download_url_ttl_s
    items = [
        {
            "id": str(r.id),
            "author": {"id": str(r.user_id), "name": r.name},
            "text": r.text,
            "attachment": None
            if r.attachment_key is None
            else {
                "kind": r.attachment_kind,
                "url": coach.storage.download_url(r.attachment_key, expires_s=ttl),
            },
            "like_count": r.like_count,
            "created_at": _stamp(r.created_at),
        }
        for r in page
    ]
    last = page[-1] if page and more else None
    return items, None if last is None else encode_cursor((last.created_at, str(last.id)))


async def _liked(db: Database, coach: Coach, user_id: uuid.UUID, ids: list[str]) -> set[str]:
    """Which of `ids` the user liked: from their cached likes (forgotten by their own like
    or unlike, the only changes to it), or, for someone with very many, from the database."""

    async def load() -> bytes:
        async with unit_of_work(db, write=False) as session:
            found = await session.scalars(
                select(L.post_id).where(L.user_id == user_id).limit(MAX_CACHED_LIKES + 1)
            )
            mine = [post_id.bytes for post_id in found]
        return b"" if len(mine) > MAX_CACHED_LIKES else b"1" + b"".join(mine)

    packed = await read_through(coach.cache, likes_key(user_id), LIKES_TTL_S, load) or b""
    if packed.startswith(b"1"):
        mine = {str(uuid.UUID(bytes=packed[i : i + 16])) for i in range(1, len(packed), 16)}
        return mine & set(ids)
    _, _, liked_query = _feed_statements()
    async with unit_of_work(db, write=False) as session:
        found = await session.execute(
            liked_query, {"user": user_id, "ids": [uuid.UUID(i) for i in ids]}
        )
        return {str(post_id) for (post_id,) in found}


async def feed(db: Database, coach: Coach, user_id: uuid.UUID, paging: CursorParams) -> bytes:
    """Visible posts, newest first, with like counts and whether the caller liked each. The
    first page is cached for a few seconds (a new or deleted post drops it at once; like
    counts catch up within FEED_TTL_S); with it and the reader's likes cached, a read opens no
    database session."""

    async def load() -> bytes:
        async with unit_of_work(db, write=False) as session:
            return orjson.dumps(await _page(session, coach, paging))

    if paging.cursor:
        raw = await load()
    else:
        key = f"{FEED_PREFIX}first:{paging.limit}"
        raw = await read_through(coach.cache, key, FEED_TTL_S, load) or await load()
    items, _ = _parsed(raw)
    liked = await _liked(db, coach, user_id, [i["id"] for i in items]) if items else set()
    # Most readers liked none of the page: the same bytes for them all.
    return _render(raw, liked) if liked else _unliked(raw)


def _render(raw: bytes, liked: set[str]) -> bytes:
    items, next_cursor = _parsed(raw)
    shown = [{**item, "liked_by_me": item["id"] in liked} for item in items]
    return safe_json({"items": shown, "next_cursor": next_cursor})


# The latest cached page seen here, parsed, and rendered for a reader who liked none of it:
# every request between refreshes gets the same cached bytes object.
_parsed: ParsedOnce[tuple[list[dict[str, Any]], str | None]] = ParsedOnce(orjson.loads)
_unliked = ParsedOnce(lambda raw: _render(raw, set()))


def _stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def _visible(session: AsyncSession, post_id: uuid.UUID) -> Post:
    post = await session.get(Post, post_id)
    if post is None or post.status != "visible":
        raise NotFound("No such post")
    return post


async def remove(
    session: AsyncSession, coach: Coach, user_id: uuid.UUID, post_id: uuid.UUID
) -> None:
    post = await _visible(session, post_id)
    if post.user_id != user_id:
        raise Forbidden("You can only delete your own posts")
    await session.delete(post)
    forget_after_commit(session, coach.cache, prefix=FEED_PREFIX)
    publish_after_commit(
        session, coach.broker, wall_channel(), "post.deleted", {"id": str(post_id)}
    )
    forget_after_commit(session, coach.cache, prefix=SEARCH_PREFIX)  # rare: a full sweep is fine


async def like(
    session: AsyncSession, coach: Coach, user_id: uuid.UUID, post_id: uuid.UUID, *, on: bool
) -> dict[str, Any]:
    """Like or unlike, idempotently: the count moves only when the like itself did."""
    await _visible(session, post_id)
    if on:
        added = await session.execute(
            insert(session, Like.__table__)
            .values(post_id=post_id, user_id=user_id, created_at=coach.clock.now())
            .on_conflict_do_nothing()
        )
        changed, step = added.rowcount, 1  # type: ignore[attr-defined]
    else:
        gone = await session.execute(
            delete(Like).where(Like.post_id == post_id, Like.user_id == user_id)
        )
        changed, step = gone.rowcount, -1  # type: ignore[attr-defined]
    if changed:
        forget_after_commit(session, coach.cache, likes_key(user_id))
        await session.execute(
            update(Post).where(Post.id == post_id).values(like_count=Post.like_count + step)
        )
    count = await session.scalar(
        select(Post.like_count).where(Post.id == post_id).execution_options(populate_existing=True)
    )
    if changed:
        likes = {"id": str(post_id), "like_count": int(count or 0)}
        publish_after_commit(session, coach.broker, wall_channel(), "post.likes", likes)
    return {"post_id": str(post_id), "liked": on, "like_count": int(count or 0)}


async def flag(
    session: AsyncSession, coach: Coach, user_id: uuid.UUID, post_id: uuid.UUID, body: FlagCreate
) -> dict[str, Any]:
    """Report a post for moderation (once per person; reporting again updates the reason)."""
    post = await _visible(session, post_id)
    if post.user_id == user_id:
        raise Conflict("You cannot flag your own post", details={"reason": "own_post"})
    now = coach.clock.now()
    added = await session.execute(
        insert(session, Flag.__table__)
        .values(post_id=post_id, user_id=user_id, reason=body.reason, created_at=now)
        .on_conflict_do_nothing()
    )
    if added.rowcount:  # type: ignore[attr-defined]
        await session.execute(
            update(Post)
            .where(Post.id == post_id)
            .values(flag_count=Post.flag_count + 1, moderation=None)
        )
    else:
        await session.execute(
            update(Flag)
            .where(Flag.post_id == post_id, Flag.user_id == user_id)
            .values(reason=body.reason, created_at=now)
        )
    await session.flush()
    return {"post_id": str(post_id), "flagged": True}
