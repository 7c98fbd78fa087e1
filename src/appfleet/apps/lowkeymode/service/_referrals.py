"""Referral codes (seed 002): ambassadors hand them out; a user redeems at most one, never
their own, and a code is never redeemed more often than its maximum, however many redeem it
at once — the count is raised by one conditional UPDATE (the row lock orders concurrent
ones, each re-checking the limit), and the database's CHECK refuses anything beyond."""

from __future__ import annotations

import secrets
import uuid
from typing import NoReturn

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.lowkeymode.models import Profile, Redemption, ReferralCode
from appfleet.apps.lowkeymode.schemas import CodeCreate, CodeRead, CodeUpdate, RedemptionRead
from appfleet.apps.lowkeymode.service._common import APP, Lowkey
from appfleet.apps.lowkeymode.service._profiles import ensure
from appfleet.core.errors import Conflict, NotFound, ValidationFailed
from appfleet.platform.users.models import Membership

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
_ATTEMPTS = 5


def normalized(code: str) -> str:
    return code.strip().upper()


def _generated() -> str:
    return "LOWKEY-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


def read(code: ReferralCode) -> CodeRead:
    return CodeRead(
        code=code.code,
        redemptions=code.redemptions,
        max_redemptions=code.max_redemptions,
        remaining=max(code.max_redemptions - code.redemptions, 0),
        active=code.active,
        created_at=code.created_at,
    )


async def create(
    session: AsyncSession, lk: Lowkey, ambassador_id: uuid.UUID, body: CodeCreate
) -> CodeRead:
    wanted = normalized(body.code) if body.code else None
    for _ in range(1 if wanted else _ATTEMPTS):
        code = ReferralCode(
            code=wanted or _generated(),
            ambassador_id=ambassador_id,
            redemptions=0,
            max_redemptions=body.max_redemptions,
            active=True,
            created_at=lk.clock.now(),
        )
        try:
            async with session.begin_nested():
                session.add(code)
        except IntegrityError:
            continue
        return read(code)
    raise Conflict("That code is taken", details={"reason": "code_taken"})


async def mine(session: AsyncSession, ambassador_id: uuid.UUID) -> list[CodeRead]:
    codes = await session.scalars(
        select(ReferralCode)
        .where(ReferralCode.ambassador_id == ambassador_id)
        .order_by(ReferralCode.created_at.desc(), ReferralCode.code)
    )
    return [read(c) for c in codes]


async def change(
    session: AsyncSession, ambassador_id: uuid.UUID, raw_code: str, body: CodeUpdate
) -> CodeRead:
    code = await session.get(ReferralCode, normalized(raw_code), with_for_update=True)
    if code is None or code.ambassador_id != ambassador_id:
        raise NotFound("No such code of yours")
    if body.max_redemptions is not None:
        if body.max_redemptions < code.redemptions:
            raise ValidationFailed(
                f"It was redeemed {code.redemptions} times already",
                details={"field": "max_redemptions", "redemptions": code.redemptions},
            )
        code.max_redemptions = body.max_redemptions
    if body.active is not None:
        code.active = body.active
    await session.flush()
    return read(code)


async def redeem(
    session: AsyncSession, lk: Lowkey, user_id: uuid.UUID, raw_code: str
) -> RedemptionRead:
    wanted = normalized(raw_code)
    if await session.get(Redemption, user_id) is not None:
        raise Conflict("You already redeemed a code", details={"reason": "already_redeemed"})
    counted = await session.execute(
        update(ReferralCode)
        .where(
            ReferralCode.code == wanted,
            ReferralCode.active.is_(True),
            ReferralCode.redemptions < ReferralCode.max_redemptions,
            or_(ReferralCode.ambassador_id.is_(None), ReferralCode.ambassador_id != user_id),
        )
        .values(redemptions=ReferralCode.redemptions + 1)
        .returning(ReferralCode.ambassador_id)
    )
    taken = counted.first()
    if taken is None:
        await _refusal(session, user_id, wanted)
    now = lk.clock.now()
    try:
        async with session.begin_nested():
            session.add(Redemption(user_id=user_id, code=wanted, redeemed_at=now))
    except IntegrityError as exc:  # the same user, redeeming twice at once
        raise Conflict(
            "You already redeemed a code", details={"reason": "already_redeemed"}
        ) from exc
    ambassador, name = taken[0], None
    if ambassador is not None:
        name = await session.scalar(select(Profile.pseudonym).where(Profile.user_id == ambassador))
    return RedemptionRead(code=wanted, ambassador=name, redeemed_at=now)


async def _refusal(session: AsyncSession, user_id: uuid.UUID, wanted: str) -> NoReturn:
    """Why a code could not be redeemed (always raises)."""
    code = await session.get(ReferralCode, wanted)
    if code is None:
        raise NotFound("No such code")
    if code.ambassador_id == user_id:
        raise Conflict("You cannot redeem your own code", details={"reason": "own_code"})
    if not code.active:
        raise Conflict("This code is no longer active", details={"reason": "code_inactive"})
    raise Conflict("This code has no redemptions left", details={"reason": "code_exhausted"})


async def set_ambassador(
    session: AsyncSession, lk: Lowkey, user_id: uuid.UUID, ambassador: bool
) -> Profile:
    """Make a Lowkey Mode user an ambassador (or no longer one: their codes stay as they are)."""
    member = await session.scalar(
        select(Membership.id).where(Membership.user_id == user_id, Membership.app == APP)
    )
    if member is None:
        raise NotFound("No such Lowkey Mode user")
    profile = await ensure(session, lk, user_id)
    profile.ambassador = ambassador
    profile.updated_at = lk.clock.now()
    await session.flush()
    return profile
