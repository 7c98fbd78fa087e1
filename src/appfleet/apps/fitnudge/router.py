"""FitNudge's API (seed 001): goals, daily check-ins, AI motivation and its voice, motivation
schedules, the social wall, search. Sign-in, plans and payments, pushes and uploads come from the
platform."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from appfleet.apps.fitnudge.deps import AthleteDep, CoachDep, OwnedGoal
from appfleet.apps.fitnudge.schemas import (
    CheckinCreate,
    CheckinRead,
    FlagCreate,
    FlagRead,
    GoalCreate,
    GoalHit,
    GoalRead,
    GoalUpdate,
    LikeRead,
    MotivationCreate,
    MotivationRead,
    OnboardingFlow,
    PostCreate,
    PostHit,
    PostPage,
    PostRead,
    ScheduleCreate,
    ScheduleRead,
    SearchClick,
    SearchPage,
    Suggestion,
    TodayItem,
    UserHit,
    VoiceRead,
    VoiceRequest,
    WallUpdates,
    WeeklySummary,
)
from appfleet.apps.fitnudge.service import (
    checkins,
    goals,
    motivation,
    onboarding,
    schedules,
    search,
    summary,
    wall,
)
from appfleet.apps.fitnudge.service._common import wall_channel
from appfleet.apps.fitnudge.service._search import MAX_PAGE
from appfleet.core.deps import CurrentApp, DatabaseDep, DbSession
from appfleet.core.pagination import CursorPaging
from appfleet.core.routing import app_router
from appfleet.platform.auth.deps import CurrentClaims, CurrentMember, per_user
from appfleet.platform.billing.deps import CurrentPlan, require_plan
from appfleet.platform.realtime.router import as_item
from appfleet.runtime.realtime import Broker

AI_LIMIT = [per_user("ai")]
SearchText = Annotated[str, Query(min_length=1, max_length=100, description="Words to find.")]
PageNumber = Annotated[
    int, Query(ge=1, le=MAX_PAGE, description="20 results a page.")
]  # 10 an hour per user (seed 001)


def _json(value: object) -> Response:
    """User-written text inside: HTML-safe JSON (see the wall service)."""
    return Response(wall.safe_json(value), media_type="application/json")


def router() -> APIRouter:
    api = app_router()

    @api.post("/goals", status_code=201, tags=["goals"])
    async def create_goal(
        body: GoalCreate,
        member: CurrentMember,
        session: DbSession,
        coach: CoachDep,
        app: CurrentApp,
        plan: CurrentPlan,
    ) -> GoalRead:
        """A new goal. The free plan keeps one active goal; Pro and Coach+ any number."""
        return await goals.create(session, coach, app, plan, member.user, body)

    @api.get("/goals", tags=["goals"])
    async def list_goals(
        member: CurrentMember,
        session: DbSession,
        coach: CoachDep,
        active: Annotated[bool | None, Query(description="Only active or paused ones.")] = None,
    ) -> list[GoalRead]:
        """Your goals with their streaks and this week's progress."""
        return await goals.listing(session, coach, member.user, active)

    @api.get("/goals/{goal_id}", tags=["goals"])
    async def read_goal(
        goal: OwnedGoal, member: CurrentMember, session: DbSession, coach: CoachDep
    ) -> GoalRead:
        return await goals.read_one(session, coach, member.user, goal)

    @api.patch("/goals/{goal_id}", tags=["goals"])
    async def update_goal(
        body: GoalUpdate,
        goal: OwnedGoal,
        member: CurrentMember,
        session: DbSession,
        coach: CoachDep,
        app: CurrentApp,
        plan: CurrentPlan,
    ) -> GoalRead:
        """Rename, change the frequency, pause or resume (resuming counts against the plan)."""
        return await goals.update(session, coach, app, plan, member.user, goal, body)

    @api.delete("/goals/{goal_id}", status_code=204, tags=["goals"])
    async def delete_goal(goal: OwnedGoal, session: DbSession) -> Response:
        """Delete a goal with its check-ins, messages and schedules."""
        await goals.remove(session, goal)
        return Response(status_code=204)

    @api.post(
        "/goals/{goal_id}/checkins",
        status_code=201,
        tags=["checkins"],
        responses={200: {"description": "The day's earlier answer, replaced."}},
    )
    async def check_in(
        body: CheckinCreate,
        goal: OwnedGoal,
        member: CurrentMember,
        session: DbSession,
        coach: CoachDep,
        response: Response,
    ) -> CheckinRead:
        """Answer "Did you go today?" (or for a day of the past week); a second answer for
        the same day replaces the first (200)."""
        checkin, created = await checkins.record(session, coach, member.user, goal, body)
        if not created:
            response.status_code = 200
        return checkin

    @api.get("/goals/{goal_id}/checkins", tags=["checkins"])
    async def list_checkins(
        goal: OwnedGoal,
        member: CurrentMember,
        session: DbSession,
        coach: CoachDep,
        start: Annotated[date | None, Query(alias="from")] = None,
        end: Annotated[date | None, Query(alias="to")] = None,
    ) -> list[CheckinRead]:
        """The goal's check-ins between two local days (the last 30 by default), newest first."""
        return await checkins.listing(session, coach, member.user, goal, start, end)

    @api.get("/checkins/today", tags=["checkins"])
    async def today(member: CurrentMember, session: DbSession, coach: CoachDep) -> list[TodayItem]:
        """Every active goal with today's answer, if given."""
        return await checkins.today(session, coach, member.user)

    @api.post("/motivation/generate", status_code=201, tags=["motivation"], dependencies=AI_LIMIT)
    async def generate(
        body: MotivationCreate,
        athlete: AthleteDep,
        db: DatabaseDep,
        coach: CoachDep,
        app: CurrentApp,
    ) -> MotivationRead:
        """A message for one of your goals from its last three check-ins, in your language
        and the tone asked for (10 an hour)."""
        return await motivation.generate(db, coach, app, athlete, body.goal_id, body.tone)

    @api.get("/motivation/latest", tags=["motivation"], dependencies=AI_LIMIT)
    async def latest(
        athlete: AthleteDep, db: DatabaseDep, coach: CoachDep, app: CurrentApp
    ) -> MotivationRead:
        """What a motivation push opens: a fresh message for the goal it was about."""
        return await motivation.latest(db, coach, app, athlete)

    @api.post(
        "/motivation/voice",
        tags=["motivation"],
        dependencies=[require_plan("pro"), *AI_LIMIT],
    )
    async def voice(
        body: VoiceRequest, athlete: AthleteDep, db: DatabaseDep, coach: CoachDep, app: CurrentApp
    ) -> VoiceRead:
        """One of your messages, spoken (Pro and Coach+)."""
        return await motivation.voice(db, coach, app, athlete, body.motivation_id)

    @api.post("/motivation/schedule", status_code=201, tags=["motivation"])
    async def schedule(
        body: ScheduleCreate, member: CurrentMember, session: DbSession, coach: CoachDep
    ) -> ScheduleRead:
        """A motivation push at a local time on the days given (every day by default)."""
        return await schedules.create(session, coach, member.user, body)

    @api.get("/motivation/schedules", tags=["motivation"])
    async def list_schedules(member: CurrentMember, session: DbSession) -> list[ScheduleRead]:
        return await schedules.listing(session, member.user)

    @api.delete("/motivation/schedules/{schedule_id}", status_code=204, tags=["motivation"])
    async def delete_schedule(
        schedule_id: uuid.UUID, member: CurrentMember, session: DbSession
    ) -> Response:
        await schedules.remove(session, member.user, schedule_id)
        return Response(status_code=204)

    @api.post("/posts", status_code=201, tags=["wall"], response_model=PostRead)
    async def create_post(
        body: PostCreate,
        member: CurrentMember,
        session: DbSession,
        coach: CoachDep,
        app: CurrentApp,
    ) -> Response:
        """Post on the wall (text up to 2,000 characters, optionally a picture or voice note)."""
        raw = await wall.create(session, coach, app.name, member.user, body)
        return Response(raw, status_code=201, media_type="application/json")

    @api.get("/posts", tags=["wall"], response_model=PostPage)
    async def list_posts(
        claims: CurrentClaims, db: DatabaseDep, coach: CoachDep, paging: CursorPaging
    ) -> Response:
        """The wall, newest first, with like counts and whether you liked each post."""
        body = await wall.feed(db, coach, claims.user_id, paging)
        return Response(body, media_type="application/json")

    @api.delete("/posts/{post_id}", status_code=204, tags=["wall"])
    async def delete_post(
        post_id: uuid.UUID, claims: CurrentClaims, session: DbSession, coach: CoachDep
    ) -> Response:
        """Delete one of your posts."""
        await wall.remove(session, coach, claims.user_id, post_id)
        return Response(status_code=204)

    @api.post("/posts/{post_id}/like", tags=["wall"])
    async def like_post(
        post_id: uuid.UUID, claims: CurrentClaims, session: DbSession, coach: CoachDep
    ) -> LikeRead:
        """Like a post (liking it again changes nothing)."""
        return LikeRead.model_validate(
            await wall.like(session, coach, claims.user_id, post_id, on=True)
        )

    @api.delete("/posts/{post_id}/like", tags=["wall"])
    async def unlike_post(
        post_id: uuid.UUID, claims: CurrentClaims, session: DbSession, coach: CoachDep
    ) -> LikeRead:
        """Take your like back (idempotent too)."""
        return LikeRead.model_validate(
            await wall.like(session, coach, claims.user_id, post_id, on=False)
        )

    @api.post("/posts/{post_id}/flag", tags=["wall"])
    async def flag_post(
        post_id: uuid.UUID,
        body: FlagCreate,
        claims: CurrentClaims,
        session: DbSession,
        coach: CoachDep,
    ) -> FlagRead:
        """Report a post for moderation, with a reason."""
        return FlagRead.model_validate(
            await wall.flag(session, coach, claims.user_id, post_id, body)
        )

    @api.get("/search/posts", tags=["search"], response_model=SearchPage[PostHit])
    async def search_posts(
        q: SearchText, claims: CurrentClaims, db: DatabaseDep, coach: CoachDep, page: PageNumber = 1
    ) -> Response:
        """Posts by full text, ranked by relevance, exact phrase, recency and likes."""
        found = await search.posts(db, coach, claims.user_id, q, page)
        return _json(found)

    @api.get("/search/goals", tags=["search"], response_model=SearchPage[GoalHit])
    async def search_goals(
        q: SearchText, claims: CurrentClaims, db: DatabaseDep, coach: CoachDep, page: PageNumber = 1
    ) -> Response:
        """Your own goals by title."""
        found = await search.goals(db, coach, claims.user_id, q, page)
        return _json(found)

    @api.get("/search/users", tags=["search"], response_model=SearchPage[UserHit])
    async def search_users(
        q: SearchText,
        claims: CurrentClaims,
        db: DatabaseDep,
        coach: CoachDep,
        app: CurrentApp,
        page: PageNumber = 1,
    ) -> Response:
        """FitNudge's people by name."""
        found = await search.people(db, coach, app.name, q, page)
        return _json(found)

    @api.get("/search/suggestions", tags=["search"], response_model=list[Suggestion])
    async def suggest(
        q: SearchText, claims: CurrentClaims, db: DatabaseDep, app: CurrentApp
    ) -> Response:
        """Autocomplete from popular searches, people and workout kinds (2 letters or more)."""
        return _json(await search.suggestions(db, app.name, q))

    @api.post("/search/click", status_code=204, tags=["search"])
    async def search_click(
        body: SearchClick, claims: CurrentClaims, db: DatabaseDep, coach: CoachDep
    ) -> Response:
        """Record that a result of a search was opened (search analytics)."""
        await search.click(db, coach, body.q)
        return Response(status_code=204)

    @api.get("/analytics/weekly-summary", tags=["analytics"])
    async def weekly_summary(
        member: CurrentMember,
        session: DbSession,
        coach: CoachDep,
        week: Annotated[
            date | None, Query(description="Any day of the week; this one if absent.")
        ] = None,
    ) -> WeeklySummary:
        """A local week: check-ins, each goal against its frequency, streaks, AI messages."""
        return WeeklySummary.model_validate(await summary.weekly(session, coach, member.user, week))

    @api.get("/onboarding/flow", tags=["onboarding"])
    async def onboarding_flow(
        member: CurrentMember, coach: CoachDep, app: CurrentApp, plan: CurrentPlan
    ) -> OnboardingFlow:
        """The screens of onboarding, in order, for the caller (their arm of the
        `onboarding-flow` experiment while it runs)."""
        return await onboarding.flow(coach, app, member.user, plan)

    @api.get("/updates", tags=["wall"])
    async def updates(
        claims: CurrentClaims,
        request: Request,
        since: Annotated[int, Query(ge=0, description="The last seq you have; 0 at first.")] = 0,
    ) -> WallUpdates:
        """The wall's realtime events after `since`, for clients that cannot keep a
        connection open (seed 001's fallback to polling); the same events as
        `/realtime/events?topic=wall`. A `gap` first means some were dropped: refetch."""
        broker: Broker = request.app.state.broker
        found = [as_item(item) for item in await broker.history(wall_channel(), since)]
        last = max((item["seq"] for item in found if "seq" in item), default=since)
        return WallUpdates.model_validate({"events": found, "last": last})

    return api
