"""Lowkey Mode's API (seed 002): profile, quiet scores and the anonymous leaderboard, the
meditation streak, referral codes. Sign-in (Sign in with Apple first) comes from the platform."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from appfleet.apps.lowkeymode.deps import Ambassador, LowkeyDep
from appfleet.apps.lowkeymode.schemas import (
    AmbassadorGrant,
    CodeCreate,
    CodeRead,
    CodeUpdate,
    Leaderboard,
    MeditationCreate,
    Period,
    ProfileRead,
    ProfileUpdate,
    QuietScoreCreate,
    QuietScoreRead,
    RedeemRequest,
    RedemptionRead,
    StreakRead,
)
from appfleet.apps.lowkeymode.service import profiles, referrals, scores, streak
from appfleet.apps.lowkeymode.service._scores import MAX_BOARD
from appfleet.core.deps import DatabaseDep, DbSession
from appfleet.core.idempotency.deps import Idempotent
from appfleet.core.routing import app_router
from appfleet.platform.admin.deps import member_may
from appfleet.platform.auth.deps import CurrentClaims, CurrentMember

BoardSize = Annotated[int, Query(ge=1, le=MAX_BOARD, description="How many from the top.")]


def router() -> APIRouter:
    api = app_router()

    @api.get("/profile", tags=["profile"])
    async def read_profile(member: CurrentMember, session: DbSession, lk: LowkeyDep) -> ProfileRead:
        """Your pseudonym (made up the first time), listing and preferences."""
        return profiles.read(await profiles.ensure(session, lk, member.user.id), member)

    @api.patch("/profile", tags=["profile"])
    async def update_profile(
        body: ProfileUpdate, member: CurrentMember, session: DbSession, lk: LowkeyDep
    ) -> ProfileRead:
        """Change your pseudonym (409 if taken), leave or rejoin the leaderboard, merge
        preferences."""
        return await profiles.update(session, lk, member, body)

    @api.post("/quiet-score", status_code=201, tags=["scores"], dependencies=[Idempotent])
    async def submit_score(
        body: QuietScoreCreate, claims: CurrentClaims, session: DbSession, lk: LowkeyDep
    ) -> QuietScoreRead:
        """Record how quiet it was (dB, 0-140) and when."""
        return await scores.submit(session, lk, claims.user_id, body)

    @api.get("/leaderboard", tags=["scores"], response_model=Leaderboard)
    async def leaderboard(
        claims: CurrentClaims,
        db: DatabaseDep,
        lk: LowkeyDep,
        period: Period = "week",
        limit: BoardSize = 20,
    ) -> Response:
        """The quietest, by average dB over the period (UTC day, ISO week, all time):
        pseudonyms only, and your own rank. The top refreshes every few seconds."""
        body = await scores.leaderboard(db, lk, claims.user_id, period, limit)
        return Response(body, media_type="application/json")

    @api.post("/streak", status_code=201, tags=["streak"], dependencies=[Idempotent])
    async def log_meditation(
        body: MeditationCreate, member: CurrentMember, session: DbSession, lk: LowkeyDep
    ) -> StreakRead:
        """Log a meditation; answers the streak it makes."""
        return await streak.log(session, lk, member.user, body)

    @api.get("/streak", tags=["streak"])
    async def read_streak(member: CurrentMember, session: DbSession, lk: LowkeyDep) -> StreakRead:
        """Days in a row with a meditation, on your local days."""
        return await streak.read(session, lk, member.user)

    @api.post("/referral/redeem", tags=["referrals"])
    async def redeem(
        body: RedeemRequest, claims: CurrentClaims, session: DbSession, lk: LowkeyDep
    ) -> RedemptionRead:
        """Redeem an ambassador's code: one per person, never your own."""
        return await referrals.redeem(session, lk, claims.user_id, body.code)

    @api.get("/referral/codes", tags=["referrals"])
    async def my_codes(ambassador: Ambassador, session: DbSession) -> list[CodeRead]:
        """Your codes, with how often each was redeemed (ambassadors)."""
        return await referrals.mine(session, ambassador.user_id)

    @api.post("/referral/codes", status_code=201, tags=["referrals"])
    async def create_code(
        body: CodeCreate, ambassador: Ambassador, session: DbSession, lk: LowkeyDep
    ) -> CodeRead:
        """A new code (yours, or one made up), redeemable `max_redemptions` times."""
        return await referrals.create(session, lk, ambassador.user_id, body)

    @api.patch("/referral/codes/{code}", tags=["referrals"])
    async def change_code(
        code: str, body: CodeUpdate, ambassador: Ambassador, session: DbSession
    ) -> CodeRead:
        """Pause or resume a code of yours, or change its maximum."""
        return await referrals.change(session, ambassador.user_id, code, body)

    @api.put("/admin/ambassadors/{user_id}", tags=["admin"], dependencies=[member_may("users")])
    async def grant_ambassador(
        user_id: uuid.UUID, body: AmbassadorGrant, session: DbSession, lk: LowkeyDep
    ) -> AmbassadorGrant:
        """Make a user an ambassador, or no longer one (admins)."""
        profile = await referrals.set_ambassador(session, lk, user_id, body.ambassador)
        return AmbassadorGrant(ambassador=profile.ambassador)

    return api
