"""bench/cluster.py's deployment, briefly, on PostgreSQL + Redis: two API processes and a worker
behind nginx. Requests through nginx reach both API processes, mixed traffic gets no error, and
tearing it down stops every process."""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path

import httpx2
import pytest

from tests.fixtures.services import services_required

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _served(upstream: str) -> int:
    metrics = httpx2.get(f"{upstream}/metrics", timeout=5).text
    pattern = r'appfleet_http_requests_total\{[^}]*route="/api/v1/[a-z]+/users/me"[^}]*\} (\S+)'
    return int(sum(float(n) for n in re.findall(pattern, metrics)))


@pytest.mark.services
def test_the_cluster_balances_serves_mixed_traffic_and_stops(
    postgres_url: str, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        message = "nginx is not installed (apt-get install nginx)"
        if services_required():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    monkeypatch.setenv("BENCH_DATABASE_URL", postgres_url)
    monkeypatch.setenv("BENCH_REDIS_URL", redis_url)
    monkeypatch.syspath_prepend(str(BENCH))
    import cluster as bench_cluster

    with bench_cluster.cluster() as running:
        assert len(running.upstreams) == 2
        accounts = bench_cluster.prepare_accounts(running.url, 10)
        product = bench_cluster.shop_product(running.url)
        tally, _ = asyncio.run(bench_cluster.load(running.url, accounts, 40, 6, 0.3, product))
        processes = list(running.processes.values())
        served = [_served(upstream) for upstream in running.upstreams]
    requests = sum(len(v) for v in tally.latencies.values())
    assert requests > 100
    assert dict(tally.errors) == {}, tally.examples
    # Round-robin: each API process answered a fair share of the profile reads.
    assert min(served) > 0.25 * sum(served), served
    assert all(p.poll() is not None for p in processes)
