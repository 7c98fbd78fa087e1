"""The achievements in force: the built-in definitions (achievements.py) with admins' edits
applied (wording, emoji, threshold, offered or not). Read through the cache (10 minutes, dropped
on every edit); `version` changes with every edit, so cached per-user listings made from older
definitions are recomputed."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, replace
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.corpfinity.achievements import ACHIEVEMENTS, BY_ID, Achievement
from appfleet.apps.corpfinity.models import AchievementEdit
from appfleet.apps.corpfinity.schemas import AchievementDefinition, AchievementWrite
from appfleet.apps.corpfinity.service._common import ACHIEVEMENTS_TTL_S, Runtime, runtime_from
from appfleet.core.errors import NotFound, ValidationFailed, validated
from appfleet.core.registry import CatalogField, EditableCatalog
from appfleet.platform.audit import service as audit
from appfleet.platform.audit.service import Origin
from appfleet.runtime.cache import forget_after_commit

DEFINITIONS_KEY = "cache:corpfinity:achievement-definitions"


@dataclass(frozen=True, slots=True)
class Definitions:
    achievements: tuple[Achievement, ...]  # the offered ones, in their built-in order
    version: str


async def _edits(session: AsyncSession) -> dict[str, AchievementEdit]:
    return {e.id: e for e in await session.scalars(select(AchievementEdit))}


Edit = tuple[str, str, str, int]  # title, description, emoji, threshold


def _values(edit: AchievementEdit | None) -> Edit | None:
    return None if edit is None else (edit.title, edit.description, edit.emoji, edit.threshold)


def _apply(achievement: Achievement, edit: Edit | None) -> Achievement:
    if edit is None:
        return achievement
    title, description, emoji, threshold = edit
    rule = replace(achievement.rule, threshold=threshold)
    return replace(achievement, title=title, description=description, emoji=emoji, rule=rule)


async def definitions(session: AsyncSession, rt: Runtime) -> Definitions:
    raw = await rt.cache.get(DEFINITIONS_KEY)
    if raw is None:
        edits = await _edits(session)
        offered = [a.id for a in ACHIEVEMENTS if (e := edits.get(a.id)) is None or e.active]
        payload = {"offered": offered, "edits": {i: _values(e) for i, e in edits.items()}}
        raw = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
        await rt.cache.set(DEFINITIONS_KEY, raw, ACHIEVEMENTS_TTL_S)
    return _parsed(raw)


_last: tuple[bytes, Definitions] | None = None


def _parsed(raw: bytes) -> Definitions:
    global _last
    if _last is not None and _last[0] == raw:
        return _last[1]
    data: Any = orjson.loads(raw)
    found = []
    for achievement_id in data["offered"]:
        base = BY_ID.get(achievement_id)
        if base is not None:
            edit = data["edits"].get(achievement_id)
            found.append(_apply(base, tuple(edit) if edit is not None else None))
    parsed = Definitions(tuple(found), hashlib.sha256(raw).hexdigest()[:16])
    _last = (raw, parsed)
    return parsed


async def every(session: AsyncSession) -> list[AchievementDefinition]:
    """Every built-in achievement as it stands, offered or not."""
    edits = await _edits(session)
    return [_definition(a, edits.get(a.id)) for a in ACHIEVEMENTS]


def _definition(achievement: Achievement, edit: AchievementEdit | None) -> AchievementDefinition:
    current = _apply(achievement, _values(edit))
    return AchievementDefinition(
        id=current.id,
        title=current.title,
        description=current.description,
        emoji=current.emoji,
        threshold=current.rule.threshold,
        active=edit.active if edit is not None else True,
        rule=current.rule.kind + (f" ({current.rule.field})" if current.rule.field else ""),
        edited=edit is not None,
    )


async def change(
    session: AsyncSession,
    rt: Runtime,
    origin: Origin,
    by: uuid.UUID,
    achievement_id: str,
    body: AchievementWrite,
) -> AchievementDefinition:
    base = BY_ID.get(achievement_id)
    if base is None:
        raise NotFound("No such achievement (new ones need a rule in code)")
    edit = await session.get(AchievementEdit, achievement_id)
    if edit is None:
        edit = AchievementEdit(id=achievement_id)
        session.add(edit)
    for name, value in body.model_dump().items():
        setattr(edit, name, value)
    edit.updated_at = rt.clock.now()
    await session.flush()
    forget_after_commit(session, rt.cache, DEFINITIONS_KEY)
    await audit.record(
        session,
        rt.clock,
        origin,
        "achievement_changed",
        by,
        achievement=achievement_id,
        **body.model_dump(),
    )
    return _definition(base, edit)


FIELDS = (
    CatalogField("id", "Id", on_create_only=True),
    CatalogField("title", "Title"),
    CatalogField("description", "Description", "long_text"),
    CatalogField("emoji", "Emoji"),
    CatalogField("threshold", "Threshold", "int"),
    CatalogField("rule", "Counts", on_create_only=True),
    CatalogField("active", "Offered", "bool"),
)


async def rows(session: AsyncSession) -> list[dict[str, Any]]:
    return [d.model_dump() for d in await every(session)]


async def write(
    session: AsyncSession,
    resources: Any,
    origin: Origin,
    by: uuid.UUID,
    item_id: str | None,
    values: dict[str, Any],
) -> dict[str, Any]:
    if item_id is None:
        raise ValidationFailed("New achievements need a rule in code; edit a built-in one")
    body = validated(AchievementWrite, {k: v for k, v in values.items() if k not in ("id", "rule")})
    changed = await change(session, runtime_from(resources), origin, by, item_id, body)
    return changed.model_dump()


CATALOG = EditableCatalog("achievements", "Achievements", "content", FIELDS, rows, write)
