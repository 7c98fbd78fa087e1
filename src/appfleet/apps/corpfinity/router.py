"""CorpFinity's API (seed 000): challenges, streaks, achievements, reminders, daily tracking,
stats. Auth, profile, notifications and uploads come from the platform under the same prefix."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request, Response

from appfleet.apps.corpfinity.deps import CallDep, OwnedReminder, RuntimeDep
from appfleet.apps.corpfinity.schemas import (
    AchievementDefinition,
    AchievementRead,
    AchievementWrite,
    ChallengeAdminRead,
    ChallengeRead,
    ChallengeWrite,
    CompletionCreate,
    CompletionRead,
    CompletionResult,
    Energy,
    HistoryPage,
    ReminderCreate,
    ReminderRead,
    ReminderUpdate,
    StatsRead,
    StreakRead,
    SuggestionRead,
    TrackingRead,
    TrackingUpdate,
)
from appfleet.apps.corpfinity.service import (
    achievement_defs,
    achievements,
    catalog_admin,
    challenges,
    reminders,
    stats,
    streaks,
    tracking,
)
from appfleet.apps.corpfinity.service._common import CATALOG_TTL_S
from appfleet.core.conditional import cacheable_json
from appfleet.core.deps import DbSession
from appfleet.core.idempotency.deps import Idempotent
from appfleet.core.pagination import CursorPaging
from appfleet.core.routing import app_router
from appfleet.platform.admin.deps import member_may
from appfleet.platform.audit.service import Origin
from appfleet.platform.auth.deps import Member, per_user

Category = Annotated[str | None, Query(pattern=r"^[a-z][a-z_]{1,49}$")]


CONTENT = member_may("content")
ChallengeId = Annotated[
    str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{0,59}$", examples=["box-breathing"])
]


def router() -> APIRouter:
    api = app_router()

    @api.get("/users/me/stats", tags=["users"])
    async def my_stats(call: CallDep, session: DbSession) -> StatsRead:
        """Totals, this week, by category and energy, streaks, achievements, water and mood."""
        return await stats.stats(session, call.rt, call.member)

    @api.get("/challenges", tags=["challenges"], response_model=list[ChallengeRead])
    async def list_challenges(
        session: DbSession,
        rt: RuntimeDep,
        category: Category = None,
        energy_level: Energy | None = None,
        if_none_match: Annotated[str | None, Header()] = None,
    ) -> Response:
        """The challenge catalog (cacheable: ETag, one hour)."""
        body = await challenges.catalog(session, rt, category, energy_level)
        return cacheable_json(body, if_none_match, max_age_s=CATALOG_TTL_S)

    @api.post(
        "/challenges/complete",
        status_code=201,
        tags=["challenges"],
        dependencies=[Idempotent],
        response_model=CompletionResult,
        responses={200: {"model": CompletionResult, "description": "A retry: already stored."}},
    )
    async def complete_challenge(
        body: CompletionCreate, call: CallDep, session: DbSession
    ) -> Response:
        """Record a completed challenge: the item, the streak, what it unlocked."""
        result = await challenges.complete(session, call.rt, call.member, body)
        # Serialized once here: the result is built from validated parts already.
        return Response(
            result.model_dump_json(),
            status_code=201 if result.created else 200,
            media_type="application/json",
        )

    @api.get("/challenges/suggest", tags=["challenges"], dependencies=[per_user("ai")])
    async def suggest_challenge(
        call: CallDep,
        session: DbSession,
        energy_level: Energy | None = None,
        category: Category = None,
    ) -> SuggestionRead:
        """A challenge for your energy and tastes, not one done in the last 7 days."""
        return await challenges.suggest(session, call.rt, call.member, energy_level, category)

    @api.get("/challenges/history", tags=["challenges"], response_model=HistoryPage)
    async def challenge_history(call: CallDep, paging: CursorPaging) -> Response:
        """Your completed challenges, newest first."""
        body = await challenges.history(call.db, call.rt, call.member, paging)
        return Response(body, media_type="application/json")

    @api.get("/challenges/history/{day}", tags=["challenges"])
    async def challenge_history_on(
        day: date, call: CallDep, session: DbSession
    ) -> list[CompletionRead]:
        """Your completed challenges on one local day."""
        return await challenges.history_on(session, call.member, day)

    @api.get("/streaks", tags=["streaks"])
    async def read_streak(call: CallDep, session: DbSession) -> StreakRead:
        """Current and longest streak, in your timezone."""
        return await streaks.current(session, call.rt, call.member)

    @api.post("/streaks/validate", tags=["streaks"])
    async def validate_streak(call: CallDep, session: DbSession) -> StreakRead:
        """Recompute the streak from your history."""
        return await streaks.validate(session, call.rt, call.member)

    @api.get("/achievements", tags=["achievements"])
    async def list_achievements(call: CallDep, session: DbSession) -> list[AchievementRead]:
        """Every achievement, with whether and when you unlocked it and your progress."""
        return await achievements.listing(session, call.rt, call.member)

    @api.post("/achievements/check", tags=["achievements"])
    async def check_achievements(call: CallDep, session: DbSession) -> list[AchievementRead]:
        """Evaluate every achievement; the ones this unlocked."""
        event = achievements.Event("check")
        return await achievements.evaluate(session, call.rt, call.member, event)

    @api.get("/reminders", tags=["reminders"])
    async def list_reminders(call: CallDep, session: DbSession) -> list[ReminderRead]:
        """Your reminders, by time of day."""
        return await reminders.listing(session, call.member)

    @api.post("/reminders", status_code=201, tags=["reminders"], dependencies=[Idempotent])
    async def create_reminder(
        body: ReminderCreate, call: CallDep, session: DbSession
    ) -> ReminderRead:
        """Add a reminder (pushed at its local time)."""
        return await reminders.create(session, call.rt, call.member, body)

    @api.patch("/reminders/{reminder_id}", tags=["reminders"])
    async def update_reminder(
        change: ReminderUpdate,
        reminder: OwnedReminder,
        call: CallDep,
        session: DbSession,
    ) -> ReminderRead:
        """Change a reminder."""
        return await reminders.update(session, call.rt, call.member, reminder, change)

    @api.delete("/reminders/{reminder_id}", status_code=204, tags=["reminders"])
    async def delete_reminder(reminder: OwnedReminder, session: DbSession) -> None:
        """Delete a reminder."""
        await reminders.remove(session, reminder)

    @api.get("/tracking/today", tags=["tracking"])
    async def tracking_today(call: CallDep, session: DbSession) -> TrackingRead:
        """Today's water, mood, breathing, posture, screen breaks, stretch, reflection."""
        return await tracking.today(session, call.rt, call.member)

    @api.patch("/tracking/today", tags=["tracking"])
    async def update_tracking(
        change: TrackingUpdate, call: CallDep, session: DbSession
    ) -> TrackingRead:
        """Set today's values or add to its counters."""
        day, _unlocked = await tracking.update_today(session, call.rt, call.member, change)
        return day

    @api.get("/tracking/history", tags=["tracking"])
    async def tracking_history(
        call: CallDep,
        session: DbSession,
        first: Annotated[date | None, Query(alias="from")] = None,
        last: Annotated[date | None, Query(alias="to")] = None,
    ) -> list[TrackingRead]:
        """Each day from `from` to `to` (at most 366 days; default the last 30)."""
        return await tracking.history(session, call.rt, call.member, first, last)

    @api.get(
        "/admin/challenges",
        tags=["admin"],
        dependencies=[CONTENT],
        response_model=list[ChallengeAdminRead],
    )
    async def list_all_challenges(session: DbSession) -> list[ChallengeAdminRead]:
        """Every catalog challenge, inactive ones too."""
        return await catalog_admin.every(session)

    @api.put("/admin/challenges/{challenge_id}", tags=["admin"], response_model=ChallengeAdminRead)
    async def put_challenge(
        challenge_id: ChallengeId,
        body: ChallengeWrite,
        member: Annotated[Member, CONTENT],
        request: Request,
        rt: RuntimeDep,
        session: DbSession,
        response: Response,
    ) -> ChallengeAdminRead:
        """Create or replace a catalog challenge (201 when created); `active: false` stops
        offering it. The cached catalog is dropped when the change commits."""
        origin = Origin.of(request, member.claims.app)
        row, created = await catalog_admin.put(
            session, rt, origin, member.user.id, challenge_id, body
        )
        response.status_code = 201 if created else 200
        return row

    @api.get(
        "/admin/achievements",
        tags=["admin"],
        dependencies=[CONTENT],
        response_model=list[AchievementDefinition],
    )
    async def list_all_achievements(session: DbSession) -> list[AchievementDefinition]:
        """Every built-in achievement as it stands, with its rule, offered or not."""
        return await achievement_defs.every(session)

    @api.put(
        "/admin/achievements/{achievement_id}",
        tags=["admin"],
        response_model=AchievementDefinition,
    )
    async def put_achievement(
        achievement_id: Annotated[str, Path(max_length=50)],
        body: AchievementWrite,
        member: Annotated[Member, CONTENT],
        request: Request,
        rt: RuntimeDep,
        session: DbSession,
    ) -> AchievementDefinition:
        """Change a built-in achievement's wording, emoji, threshold or whether it is offered
        (unlocks already earned stay)."""
        origin = Origin.of(request, member.claims.app)
        return await achievement_defs.change(
            session, rt, origin, member.user.id, achievement_id, body
        )

    return api
