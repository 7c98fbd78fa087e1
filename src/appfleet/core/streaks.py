"""Streak arithmetic on local dates, kept pure so it can be checked against a recomputation.

A completion counts for the local day it happened on (in the user's timezone then). Another on
the same day changes nothing, one on the next day extends the streak, a later one starts a new
streak at 1. A completion recorded late for an earlier day (an offline phone syncing) is folded
in by recomputing from the days, which is what the running values must always equal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class StreakState:
    current: int = 0
    longest: int = 0
    last: date | None = None


def advance(state: StreakState, day: date) -> StreakState | None:
    """The state after a completion on `day`, or None when `day` is before the last one and
    only a recomputation can place it."""
    if state.last is None:
        current = 1
    elif day == state.last:
        return state
    elif day == state.last + ONE_DAY:
        current = state.current + 1
    elif day > state.last:
        current = 1
    else:
        return None
    return StreakState(current, max(state.longest, current), day)


def recompute(days: Iterable[date]) -> StreakState:
    """The state a history of completion days adds up to."""
    state = StreakState()
    for day in sorted(set(days)):
        # Sorted, so never earlier than the last: advance always places it.
        state = advance(state, day) or state
    return state


def alive(state: StreakState, today: date) -> int:
    """The current streak as the user sees it today: kept while yesterday or today has a
    completion, 0 once a whole local day went by without one."""
    if state.last is None or state.last < today - ONE_DAY:
        return 0
    return state.current
