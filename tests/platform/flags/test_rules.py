from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from appfleet.platform.flags.rules import (
    BUCKETS,
    Audience,
    Experiment,
    Flag,
    Subject,
    arms_of,
    bucket,
    version,
)


def subject(n: int = 0, **fields: object) -> Subject:
    values: dict[str, object] = {
        "user_id": f"00000000-0000-4000-8000-{n:012d}",
        "app": "fitnudge",
        "plan": "free",
        "country": "DE",
        "signed_up": date(2026, 6, 1),
    }
    values.update(fields)
    return Subject(**values)  # type: ignore[arg-type]


def test_buckets_are_the_same_in_every_process_whatever_its_hash_seed() -> None:
    here = [bucket("salt", "new-ui", f"user-{n}") for n in range(5)]
    code = (
        "from appfleet.platform.flags.rules import bucket;"
        "print([bucket('salt', 'new-ui', f'user-{n}') for n in range(5)])"
    )
    for seed in ("1", "2"):
        out = subprocess.run(
            [sys.executable, "-c", code],
            env={"PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        )
        assert out.stdout.strip() == str(here)


def test_a_rollout_reaches_its_share_and_a_wider_one_keeps_who_had_it() -> None:
    people = [subject(n) for n in range(10_000)]
    ten = Flag("new-ui", True, 1_000, Audience(), "s1")
    twenty_five = Flag("new-ui", True, 2_500, Audience(), "s1")
    had = {p.user_id for p in people if ten.on_for(p)}
    has = {p.user_id for p in people if twenty_five.on_for(p)}
    assert 850 <= len(had) <= 1_150
    assert 2_300 <= len(has) <= 2_700
    assert had <= has  # widening a rollout never takes it from anyone


def test_flags_with_their_own_salts_pick_independent_people() -> None:
    people = [subject(n) for n in range(10_000)]
    a = {p.user_id for p in people if Flag("a", True, 5_000, Audience(), "x").on_for(p)}
    b = {p.user_id for p in people if Flag("b", True, 5_000, Audience(), "y").on_for(p)}
    # Independent halves overlap on about a quarter of everyone.
    assert 2_250 <= len(a & b) <= 2_750


def test_off_and_killed_flags_are_off_for_everyone() -> None:
    people = [subject(n) for n in range(200)]
    assert not any(Flag("f", False, BUCKETS, Audience(), "s").on_for(p) for p in people)
    assert all(Flag("f", True, BUCKETS, Audience(), "s").on_for(p) for p in people)


@pytest.mark.parametrize(
    "audience, who, admitted",
    [
        (Audience(plans=frozenset({"pro"})), {"plan": "pro"}, True),
        (Audience(plans=frozenset({"pro"})), {"plan": "free"}, False),
        (Audience(countries=frozenset({"US", "CA"})), {"country": "CA"}, True),
        (Audience(countries=frozenset({"US", "CA"})), {"country": None}, False),
        (Audience(apps=frozenset({"pennywise"})), {"app": "fitnudge"}, False),
        (Audience(signed_up_after=date(2026, 6, 1)), {"signed_up": date(2026, 6, 1)}, True),
        (Audience(signed_up_before=date(2026, 6, 1)), {"signed_up": date(2026, 6, 1)}, False),
        (
            Audience(plans=frozenset({"pro"}), countries=frozenset({"DE"})),
            {"plan": "pro", "country": "FR"},
            False,
        ),
    ],
)
def test_targeting(audience: Audience, who: dict[str, object], admitted: bool) -> None:
    assert Flag("f", True, BUCKETS, audience, "s").on_for(subject(**who)) is admitted


def test_arms_follow_their_weights_and_stay_put() -> None:
    arms = arms_of([{"name": "control", "weight": 1}, {"name": "b", "weight": 3}])
    assert arms == (("control", 2_500), ("b", 10_000))
    running = Experiment(1, "onboarding", True, arms, Audience(), "salt", None, "goal_created")
    people = [subject(n) for n in range(8_000)]
    first = [running.variant_for(p) for p in people]
    assert 1_800 <= first.count("control") <= 2_200
    assert first == [running.variant_for(p) for p in people]


def test_an_experiment_that_is_not_running_assigns_nobody_until_a_winner_is_declared() -> None:
    arms = arms_of([{"name": "control", "weight": 1}, {"name": "b", "weight": 1}])
    stopped = Experiment(1, "e", False, arms, Audience(), "s", None, "go")
    assert stopped.variant_for(subject()) is None
    won = Experiment(1, "e", False, arms, Audience(), "s", "b", "go")
    assert {won.variant_for(subject(n)) for n in range(50)} == {"b"}


@pytest.mark.parametrize(
    "text, parsed",
    [
        ("2.3.1", (2, 3, 1)),
        ("2.3", (2, 3)),
        ("2.3.0", (2, 3)),
        ("10.0.1 (45)", (10, 0, 1)),
        ("1.4.0-beta.2", (1, 4)),
        ("v2", None),
        ("", None),
    ],
)
def test_versions(text: str, parsed: tuple[int, ...] | None) -> None:
    assert version(text) == parsed


def test_versions_compare_as_numbers() -> None:
    assert version("1.10") > version("1.9")  # type: ignore[operator]
