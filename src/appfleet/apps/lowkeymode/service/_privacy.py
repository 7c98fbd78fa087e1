"""What Lowkey Mode keeps about a user, for the export, and its erasure. An erased
ambassador's codes stay (without them) so the people who redeemed them keep their redemption."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.lowkeymode.models import (
    BoardEntry,
    Meditation,
    Profile,
    QuietScore,
    Redemption,
    ReferralCode,
    Streak,
)

OWNED = (Profile, QuietScore, BoardEntry, Meditation, Streak, Redemption)


def _json(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value) if isinstance(value, uuid.UUID) else value


def _plain(row: Any, *skip: str) -> dict[str, Any]:
    return {
        column.key: _json(getattr(row, column.key))
        for column in row.__table__.columns
        if column.key not in ("user_id", *skip)
    }


async def export_data(session: AsyncSession, user_id: uuid.UUID) -> dict[str, Any]:
    async def rows(model: Any, *order: Any) -> list[dict[str, Any]]:
        found = await session.scalars(
            select(model).where(model.user_id == user_id).order_by(*order)
        )
        return [_plain(row, "pseudonym_key") for row in found]

    codes = await session.scalars(
        select(ReferralCode)
        .where(ReferralCode.ambassador_id == user_id)
        .order_by(ReferralCode.code)
    )
    return {
        "profile": await rows(Profile),
        "quiet_scores": await rows(QuietScore, QuietScore.recorded_at),
        "standings": await rows(BoardEntry, BoardEntry.period),
        "meditations": await rows(Meditation, Meditation.logged_at),
        "streak": await rows(Streak),
        "redemption": await rows(Redemption),
        "referral_codes": [_plain(c, "ambassador_id") for c in codes],
    }


async def erase_data(session: AsyncSession, user_id: uuid.UUID) -> None:
    for model in OWNED:
        await session.execute(delete(model).where(model.user_id == user_id))
    await session.execute(
        update(ReferralCode)
        .where(ReferralCode.ambassador_id == user_id)
        .values(ambassador_id=None, active=False)
    )
