"""Goals, with their streaks and this week's progress computed from the check-ins; how many
may be active at once comes from the user's plan (free: one)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.fitnudge.models import Checkin, Goal
from appfleet.apps.fitnudge.schemas import GoalCreate, GoalRead, GoalUpdate, WeekProgress
from appfleet.apps.fitnudge.service._common import Coach, monday_of
from appfleet.core.errors import NotFound
from appfleet.core.registry import AppContext
from appfleet.core.streaks import alive, recompute
from appfleet.platform.billing.deps import plan_limit
from appfleet.platform.billing.errors import PlanRequired
from appfleet.platform.flags import service as flags_service
from appfleet.platform.users.models import User

ACTIVE_GOALS = "active_goals"  # the plan limit's name
MULTIPLE_GOALS = "multiple-goals"  # a flag lifting the plan's limit (seed 001)
ONBOARDING, GOAL_CREATED = "onboarding-flow", "goal_created"  # experiment, conversion event
HISTORY_DAYS = 400  # streaks longer than a year are counted as a year


def week_streak(done: list[date], frequency: int, today: date) -> int:
    """Weeks in a row with at least `frequency` done days, up to this week (which counts once
    met, and does not break the run while still under way)."""
    per_week: dict[date, int] = defaultdict(int)
    for day in done:
        per_week[monday_of(day)] += 1
    week = monday_of(today)
    if per_week[week] < frequency:
        week -= timedelta(days=7)
    run = 0
    while per_week.get(week, 0) >= frequency:
        run += 1
        week -= timedelta(days=7)
    return run


def _read(goal: Goal, done: list[date], today: date) -> GoalRead:
    this_week = sum(1 for d in done if monday_of(d) == monday_of(today))
    return GoalRead(
        id=goal.id,
        title=goal.title,
        frequency=goal.frequency,
        active=goal.active,
        created_at=goal.created_at,
        streak_days=alive(recompute(done), today),
        streak_weeks=week_streak(done, goal.frequency, today),
        week=WeekProgress(
            starts=monday_of(today),
            done=this_week,
            target=goal.frequency,
            met=this_week >= goal.frequency,
        ),
    )


async def read_many(
    session: AsyncSession, coach: Coach, user: User, goals: list[Goal]
) -> list[GoalRead]:
    """The goals with their progress, from one query for all their done days."""
    today = coach.today(user)
    done: dict[uuid.UUID, list[date]] = defaultdict(list)
    if goals:
        rows = await session.execute(
            select(Checkin.goal_id, Checkin.day).where(
                Checkin.goal_id.in_([g.id for g in goals]),
                Checkin.status == "done",
                Checkin.day >= today - timedelta(days=HISTORY_DAYS),
            )
        )
        for goal_id, day in rows:
            done[goal_id].append(day)
    return [_read(g, done[g.id], today) for g in goals]


async def read_one(session: AsyncSession, coach: Coach, user: User, goal: Goal) -> GoalRead:
    return (await read_many(session, coach, user, [goal]))[0]


async def owned(session: AsyncSession, user_id: uuid.UUID, goal_id: uuid.UUID) -> Goal:
    """The user's goal; anyone else's is a 404, as a missing one is."""
    goal = await session.get(Goal, goal_id)
    if goal is None or goal.user_id != user_id:
        raise NotFound("No such goal")
    return goal


async def _make_room(session: AsyncSession, app: AppContext, plan: str, user_id: uuid.UUID) -> None:
    """Refuse one more active goal beyond the plan's limit, saying which plan allows it."""
    limit = plan_limit(app, plan, ACTIVE_GOALS)
    if limit < 0:
        return
    active = await session.scalar(
        select(func.count()).where(Goal.user_id == user_id, Goal.active.is_(True))
    )
    if int(active or 0) < limit:
        return
    level = app.plans[plan].level if plan in app.plans else 0
    upgrade = next(
        (
            key
            for key, p in sorted(app.plans.items(), key=lambda item: item[1].level)
            if p.level > level and _allows_more(p.limits, limit)
        ),
        None,
    )
    raise PlanRequired(
        f"Your {plan} plan allows {limit} active goal{'s' if limit != 1 else ''}; "
        + (f"upgrade to {upgrade} for more" if upgrade else "pause one first"),
        details={
            "feature": ACTIVE_GOALS,
            "limit": limit,
            "current": plan,
            "required": upgrade,
            "checkout": f"{app.prefix}/billing/checkout-session",
        },
    )


def _allows_more(limits: dict[str, int], than: int) -> bool:
    value = limits.get(ACTIVE_GOALS, -1)
    return value < 0 or value > than


async def create(
    session: AsyncSession, coach: Coach, app: AppContext, plan: str, user: User, body: GoalCreate
) -> GoalRead:
    subject = flags_service.subject(app, user, plan)
    if body.active and not (await coach.flags.snapshot(app.name)).enabled(MULTIPLE_GOALS, subject):
        await _make_room(session, app, plan, user.id)
    now = coach.clock.now()
    goal = Goal(
        user_id=user.id,
        title=body.title,
        frequency=body.frequency,
        active=body.active,
        created_at=now,
        updated_at=now,
    )
    session.add(goal)
    await session.flush()
    # Onboarding ends with a first goal: the onboarding experiment's conversion.
    await flags_service.convert(
        session, coach.flags, coach.clock, ONBOARDING, subject, GOAL_CREATED
    )
    return await read_one(session, coach, user, goal)


async def listing(
    session: AsyncSession, coach: Coach, user: User, active: bool | None
) -> list[GoalRead]:
    query = select(Goal).where(Goal.user_id == user.id)
    if active is not None:
        query = query.where(Goal.active.is_(active))
    goals = list(await session.scalars(query.order_by(Goal.created_at, Goal.id)))
    return await read_many(session, coach, user, goals)


async def update(
    session: AsyncSession,
    coach: Coach,
    app: AppContext,
    plan: str,
    user: User,
    goal: Goal,
    change: GoalUpdate,
) -> GoalRead:
    if change.active and not goal.active:
        await _make_room(session, app, plan, user.id)
    for field in ("title", "frequency", "active"):
        value = getattr(change, field)
        if value is not None:
            setattr(goal, field, value)
    goal.updated_at = coach.clock.now()
    await session.flush()
    return await read_one(session, coach, user, goal)


async def remove(session: AsyncSession, goal: Goal) -> None:
    await session.delete(goal)
