"""Bounded HTTP load against one URL: wrk when installed, else a Python async generator.

Both keep `connections` persistent connections busy for `duration` seconds and report
requests/s and latency percentiles. Targets must be loopback addresses.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx2

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Result:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    tool: str


def mean_of(*runs: Result) -> Result:
    """Several runs of one scenario as one: mean rate and percentiles, errors added up."""
    n = len(runs)
    return Result(
        sum(r.requests_per_s for r in runs) / n,
        sum(r.p50_ms for r in runs) / n,
        sum(r.p99_ms for r in runs) / n,
        sum(r.errors for r in runs),
        runs[0].tool,
    )


def check_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    if host not in LOOPBACK:
        raise SystemExit(f"refusing to load {host!r}: benchmarks only target loopback")


def run(
    url: str,
    *,
    duration: float,
    connections: int,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    cpu: int | None = None,
    expect_status: int = 200,
    tool: str = "auto",
    callers: tuple[str, ...] = (),
) -> Result:
    """`callers`: bearer tokens taken in turn, one request each (many users, not one)."""
    check_loopback(url)
    if tool in ("auto", "wrk") and shutil.which("wrk"):
        return _wrk(url, duration, connections, method, body, headers or {}, cpu, callers)
    if tool == "wrk":
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    return asyncio.run(
        _python(url, duration, connections, method, body, headers or {}, expect_status, callers)
    )


_WRK_SCRIPT = """
wrk.method = "{method}"
{body}
{headers}
{callers}
done = function(summary, latency, requests)
  io.write(string.format("P50 %f\\nP99 %f\\nERR %d\\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.status + summary.errors.timeout))
end
"""


def _wrk(
    url: str,
    duration: float,
    connections: int,
    method: str,
    body: bytes | None,
    headers: dict[str, str],
    cpu: int | None,
    callers: tuple[str, ...] = (),
) -> Result:
    lua_body = f"wrk.body = [==[{body.decode()}]==]" if body else ""  # a Lua long string
    lua_headers = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items())
    lua_callers = ""
    if callers:
        tokens = ", ".join(f'"{token}"' for token in callers)
        lua_callers = (
            f"tokens = {{{tokens}}}\nturn = 0\n"
            "request = function()\n  turn = turn % #tokens + 1\n"
            '  wrk.headers["Authorization"] = "Bearer " .. tokens[turn]\n'
            "  return wrk.format()\nend"
        )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            _WRK_SCRIPT.format(
                method=method, body=lua_body, headers=lua_headers, callers=lua_callers
            )
        )
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        "10s",
        "-s",
        script.name,
        url,
    ]
    if cpu is not None and shutil.which("taskset"):
        command = ["taskset", "-c", str(cpu), *command]
    try:
        output = subprocess.run(
            command, capture_output=True, text=True, check=True, timeout=duration + 60
        ).stdout
    finally:
        Path(script.name).unlink()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = float(re.search(r"^P50 ([\d.]+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = float(re.search(r"^P99 ([\d.]+)", output, re.M).group(1))  # type: ignore[union-attr]
    errors = int(re.search(r"^ERR (\d+)", output, re.M).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Result(rate, p50, p99, errors + (int(non_2xx.group(1)) if non_2xx else 0), "wrk")


async def _python(
    url: str,
    duration: float,
    connections: int,
    method: str,
    body: bytes | None,
    headers: dict[str, str],
    expect_status: int,
    callers: tuple[str, ...] = (),
) -> Result:
    latencies: list[float] = []
    errors = 0
    turn = 0
    limits = httpx2.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx2.AsyncClient(limits=limits, timeout=10) as client:
        deadline = time.perf_counter() + duration

        async def worker() -> None:
            nonlocal errors, turn
            while time.perf_counter() < deadline:
                sent = headers
                if callers:
                    turn = (turn + 1) % len(callers)
                    sent = {**headers, "Authorization": f"Bearer {callers[turn]}"}
                started = time.perf_counter()
                try:
                    response = await client.request(method, url, content=body, headers=sent)
                    if response.status_code != expect_status:
                        errors += 1
                except httpx2.HTTPError:
                    errors += 1
                latencies.append(time.perf_counter() - started)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - began
    latencies.sort()

    def percentile(p: float) -> float:
        return (
            latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000 if latencies else 0.0
        )

    return Result(len(latencies) / elapsed, percentile(0.5), percentile(0.99), errors, "python")
