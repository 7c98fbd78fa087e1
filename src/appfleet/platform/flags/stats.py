"""Comparing an experiment's arms: a two-proportion z-test and confidence intervals.

The z statistic uses the pooled rate (the null hypothesis says the arms convert alike); the
interval of the difference uses each arm's own rate (Wald), and each arm's rate its Wilson
interval, which stays inside [0, 1] for small counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z_95 = 1.959963984540054  # the standard normal's 97.5th percentile


@dataclass(frozen=True, slots=True)
class Comparison:
    difference: float  # treatment rate minus control rate
    low: float
    high: float
    z: float
    p_value: float  # two-sided


def rate(conversions: int, users: int) -> float:
    return conversions / users if users else 0.0


def wilson(conversions: int, users: int, z: float = Z_95) -> tuple[float, float]:
    if users == 0:
        return 0.0, 1.0
    p = conversions / users
    denominator = 1 + z * z / users
    centre = (p + z * z / (2 * users)) / denominator
    half = z * math.sqrt(p * (1 - p) / users + z * z / (4 * users * users)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def compare(control: tuple[int, int], treatment: tuple[int, int]) -> Comparison | None:
    """(conversions, users) of each arm; None while either arm has no users."""
    (c_conv, c_n), (t_conv, t_n) = control, treatment
    if c_n == 0 or t_n == 0:
        return None
    p_c, p_t = c_conv / c_n, t_conv / t_n
    difference = p_t - p_c
    pooled = (c_conv + t_conv) / (c_n + t_n)
    se_pooled = math.sqrt(pooled * (1 - pooled) * (1 / c_n + 1 / t_n))
    if se_pooled == 0:  # both arms all-converted or none: no evidence of a difference
        z, p_value = 0.0, 1.0
    else:
        z = difference / se_pooled
        p_value = math.erfc(abs(z) / math.sqrt(2))
    se = math.sqrt(p_c * (1 - p_c) / c_n + p_t * (1 - p_t) / t_n)
    return Comparison(difference, difference - Z_95 * se, difference + Z_95 * se, z, p_value)
