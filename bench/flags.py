"""Flag evaluation cost, in process: one `enabled()` check as app code makes it (the app's
snapshot from the near cache, then the rules) and one client's `GET /flags` worth (every flag
and experiment evaluated).

    python bench/flags.py                      # SQLite + in-process cache
    python bench/flags.py --redis redis://127.0.0.1:6379/14   # near cache over Redis

50 flags (targeting and partial rollouts), 5 running experiments, 20,000 distinct users.
Reports mean and p99 microseconds per call; the issue's target is ≤ 50 µs per check.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from redis.asyncio import Redis

from appfleet.core.clock import Clock
from appfleet.core.database import Database, unit_of_work
from appfleet.core.migrate import migrate
from appfleet.core.settings import DatabaseSettings
from appfleet.platform.audit.service import Origin
from appfleet.platform.flags import service
from appfleet.platform.flags.rules import Subject
from appfleet.platform.flags.schemas import (
    AudienceRules,
    ExperimentWrite,
    FlagWrite,
    VariantWeight,
)
from appfleet.runtime.cache import Cache, MemoryCache, NearCache

APP = "fitnudge"


async def seed(db: Database, store: service.FlagStore) -> None:
    async with unit_of_work(db) as session:
        edit = service.AdminEdit(session, store, Clock(), Origin(APP, None, "bench"), uuid.uuid4())
        for n in range(50):
            audience = AudienceRules(
                plans=["pro"] if n % 5 == 0 else [],
                countries=["US", "CA", "DE"] if n % 7 == 0 else [],
            )
            change = FlagWrite(enabled=True, rollout_percent=(n * 7) % 100, audience=audience)
            await service.put_flag(edit, APP, f"flag-{n}", change)
        for n in range(5):
            spec = ExperimentWrite(
                variants=[VariantWeight(name="a", weight=1), VariantWeight(name="b", weight=1)],
                conversion_event="converted",
            )
            await service.put_experiment(edit, APP, f"exp-{n}", spec)
            await service.start(edit, APP, f"exp-{n}")


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def measure(store: service.FlagStore, calls: int) -> None:
    people = [
        Subject(str(uuid.uuid4()), APP, "pro" if n % 3 else "free", "DE", date(2026, 1, 1))
        for n in range(20_000)
    ]
    await store.snapshot(APP)  # load once: the steady state is a near-cache hit
    check, whole = [], []
    for n in range(calls):
        person = people[n % len(people)]
        started = time.perf_counter()
        (await store.snapshot(APP)).enabled(f"flag-{n % 50}", person)
        check.append((time.perf_counter() - started) * 1e6)
        started = time.perf_counter()
        snapshot = await store.snapshot(APP)
        snapshot.evaluate(person)
        for experiment in snapshot.experiments.values():
            experiment.variant_for(person)
        whole.append((time.perf_counter() - started) * 1e6)
    for name, samples in (("one check", check), ("all 50 flags + 5 experiments", whole)):
        print(
            f"{name:30s} mean {statistics.fmean(samples):6.1f} µs"
            f"   p99 {percentile(samples, 0.99):6.1f} µs"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--redis", help="Measure over a near cache on this Redis.")
    parser.add_argument("--calls", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        db = Database(f"sqlite+aiosqlite:///{Path(workdir) / 'flags.db'}", DatabaseSettings())
        await migrate(db)
        redis = Redis.from_url(args.redis) if args.redis else None
        cache: Cache = NearCache(redis) if redis is not None else MemoryCache()
        listening = asyncio.create_task(cache.listen()) if isinstance(cache, NearCache) else None
        store = service.FlagStore(db, cache)
        await seed(db, store)
        await asyncio.sleep(0.2)
        print(f"cache: {'near cache over Redis' if redis else 'in process'}; calls {args.calls}")
        await measure(store, args.calls)
        if listening is not None:
            listening.cancel()
        if redis is not None:
            await redis.flushdb()
            await redis.aclose()
        await db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
