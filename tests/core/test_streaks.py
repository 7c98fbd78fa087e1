"""Streak arithmetic on local days: same day, next day, a gap, late days, and the running
state always equal to a recomputation."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from appfleet.core.streaks import StreakState, advance, alive, recompute

D = date(2026, 3, 1)


def test_same_day_next_day_and_gap() -> None:
    state = advance(StreakState(), D)
    assert state == StreakState(1, 1, D)
    assert advance(state, D) == state  # a second one the same day changes nothing
    two = advance(state, D + timedelta(days=1))
    assert two == StreakState(2, 2, D + timedelta(days=1))
    gap = advance(two, D + timedelta(days=3))  # a whole day missed
    assert gap == StreakState(1, 2, D + timedelta(days=3))
    assert advance(gap, D) is None  # an earlier day needs a recomputation


def test_alive_until_a_whole_day_passes() -> None:
    state = StreakState(4, 9, D)
    assert alive(state, D) == 4
    assert alive(state, D + timedelta(days=1)) == 4  # yesterday counted: still alive today
    assert alive(state, D + timedelta(days=2)) == 0


@given(st.lists(st.integers(min_value=0, max_value=40), max_size=60))
def test_advancing_in_order_equals_recomputing(offsets: list[int]) -> None:
    state = StreakState()
    for offset in sorted(offsets):
        state = advance(state, D + timedelta(days=offset)) or state
    assert state == recompute(D + timedelta(days=o) for o in offsets)
