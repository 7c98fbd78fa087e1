"""Password hashing off the event loop, at most one hash per usable core."""

from __future__ import annotations

import asyncio
import os
import threading
import time

import argon2
import pytest

from appfleet.core.settings import AuthSettings
from appfleet.platform.auth.passwords import Passwords, decoy_hash

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def passwords() -> Passwords:
    return Passwords(AuthSettings())


async def test_concurrent_logins_each_get_their_own_answer(passwords: Passwords) -> None:
    stored = await passwords.hash("correct horse battery")
    attempts = ["correct horse battery", "wrong horse", "correct horse battery", "", "x" * 128]
    results = await asyncio.gather(*(passwords.verify(p, stored) for p in attempts))
    assert [matches for matches, _ in results] == [True, False, True, False, False]
    assert await passwords.verify("anything at all", None) == (False, None)


async def test_no_more_hashes_run_at_once_than_there_are_cores(passwords: Passwords) -> None:
    running = peak = 0
    lock = threading.Lock()

    def hash_like() -> str:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.02)  # a hash holds its core this long
        with lock:
            running -= 1
        return threading.current_thread().name

    names = await asyncio.gather(*(passwords._run(hash_like) for _ in range(12)))
    assert peak == len(os.sched_getaffinity(0))
    assert threading.current_thread().name not in names  # never on the event loop's thread


async def test_the_event_loop_keeps_serving_while_a_hash_runs(passwords: Passwords) -> None:
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    stored = await passwords.hash("correct horse battery")
    task.cancel()
    assert stored.startswith("$argon2id$")
    assert ticks > 10  # a hash run on the loop itself would leave the ticker at one tick


async def test_an_unknown_email_costs_a_hash_with_the_same_parameters(
    passwords: Passwords,
) -> None:
    settings = AuthSettings()
    real = await passwords.hash("correct horse battery")
    decoy = decoy_hash(settings)
    assert argon2.extract_parameters(decoy) == argon2.extract_parameters(real)
    assert decoy != decoy_hash(settings)  # random, not a constant anyone could look up
    matches = await passwords.verify("correct horse battery", None)
    assert matches == (False, None)


async def test_a_hash_made_with_other_parameters_is_replaced_at_the_next_sign_in(
    passwords: Passwords,
) -> None:
    earlier = Passwords(AuthSettings(argon2_time_cost=2, argon2_memory_kib=19_456))
    stored = await earlier.hash("correct horse battery")

    matches, upgraded = await passwords.verify("correct horse battery", stored)

    assert matches and upgraded is not None
    parameters = argon2.extract_parameters(upgraded)
    assert (parameters.memory_cost, parameters.time_cost) == (7_168, 5)
    assert await passwords.verify("correct horse battery", upgraded) == (True, None)


@pytest.mark.parametrize(
    ("passes", "memory_kib"), [(5, 7_168), (2, 19_456), (1, 47_104), (8, 7_168)]
)
def test_any_row_of_owasps_table_is_accepted(passes: int, memory_kib: int) -> None:
    settings = AuthSettings(argon2_time_cost=passes, argon2_memory_kib=memory_kib)
    assert (settings.argon2_time_cost, settings.argon2_memory_kib) == (passes, memory_kib)


@pytest.mark.parametrize(("passes", "memory_kib"), [(2, 7_168), (1, 19_456), (4, 9_000)])
def test_settings_below_owasps_memory_for_their_passes_are_refused(
    passes: int, memory_kib: int
) -> None:
    with pytest.raises(ValueError, match="OWASP"):
        AuthSettings(argon2_time_cost=passes, argon2_memory_kib=memory_kib)
