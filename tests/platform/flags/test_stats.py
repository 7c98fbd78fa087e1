from __future__ import annotations

import pytest

from appfleet.platform.flags.stats import compare, wilson


def test_a_textbook_two_proportion_z_test() -> None:
    # 200/1000 against 250/1000: pooled rate 0.225, z = 0.05 / 0.018675 = 2.677, p = 0.0074.
    found = compare((200, 1000), (250, 1000))
    assert found is not None
    assert found.difference == pytest.approx(0.05)
    assert found.z == pytest.approx(2.6774, abs=1e-3)
    assert found.p_value == pytest.approx(0.00742, abs=1e-4)
    # Unpooled standard error sqrt(.2*.8/1000 + .25*.75/1000) = 0.018628.
    assert found.low == pytest.approx(0.05 - 1.96 * 0.018628, abs=1e-4)
    assert found.high == pytest.approx(0.05 + 1.96 * 0.018628, abs=1e-4)


def test_a_small_difference_on_few_users_is_not_significant() -> None:
    # Seed 001's shortcut ("difference > 0.05") would call this a win.
    found = compare((5, 50), (9, 50))
    assert found is not None
    assert found.difference == pytest.approx(0.08)
    assert found.p_value > 0.2
    assert found.low < 0 < found.high


def test_degenerate_arms() -> None:
    assert compare((0, 0), (3, 10)) is None
    same = compare((10, 10), (20, 20))
    assert same is not None and same.p_value == 1.0 and same.z == 0.0


def test_wilson_interval_stays_within_zero_and_one() -> None:
    low, high = wilson(0, 10)
    assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-3)
    low, high = wilson(10, 10)
    assert high == pytest.approx(1.0) and low == pytest.approx(0.7225, abs=1e-3)
    assert wilson(0, 0) == (0.0, 1.0)
