"""Start appfleet and a bare FastAPI app, load both over loopback, print ratios.

    python bench/run.py                      # embedded (SQLite, in-process)
    python bench/run.py --mode scaled        # PostgreSQL + Redis from BENCH_DATABASE_URL/REDIS_URL
    python bench/run.py --duration 20 --connections 64

Each server runs as one uvicorn process pinned to one core (when taskset exists) and the load
generator runs on the other, so the ratio compares the two apps, not the machine's mood.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadgen  # noqa: E402
from scenarios import SCENARIOS, Scenario  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SERVER_CPU, LOAD_CPU = 1, 0
LOGIN_ROUNDS = 3
# Scenarios bounded by the password hash, read against its rate on one core.
HASHED = ("login", "floor-login")
# appfleet scenarios and the floor app's scenario for the same work (bench/floor_app.py).
FLOORS = {
    "corpfinity-complete": "floor-complete",
    "pennywise-create": "floor-create",
    "login": "floor-login",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pinned(command: list[str]) -> list[str]:
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        return ["taskset", "-c", str(SERVER_CPU), *command]
    return command


def wait_until_ready(url: str, process: subprocess.Popen[Any], log: Path) -> None:
    """Until `url` answers 200; exits naming `log` if the process dies or a minute passes."""
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx2.get(url, timeout=1).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"{url} did not come up: see {log}")
        time.sleep(0.2)


@contextmanager
def server(command: list[str], env: dict[str, str], cwd: Path, health: str) -> Iterator[None]:
    log_path = cwd / f"server-{health.split(':')[-1].split('/')[0]}.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(pinned(command), env=env, cwd=cwd, stdout=log, stderr=log)
    try:
        wait_until_ready(health, process, log_path)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def settle(base: str, health_path: str) -> None:
    """Wait until the server has drained what the last run left queued. A login backlog keeps
    the server's core busy hashing for seconds after the load stops while `/health` still
    answers at once, so the test is the core being idle, and then `/health` answering quickly."""
    deadline = time.monotonic() + 30
    calm = 0
    while calm < 3 and time.monotonic() < deadline:
        busy = _core_busy_share(SERVER_CPU, 0.25)
        calm = calm + 1 if busy is None or busy < 0.15 else 0
    quick = 0
    # One client for the loop: creating one per probe (TLS context included) takes longer than
    # the 10 ms the probe allows.
    with httpx2.Client(base_url=base, timeout=30) as client:
        while quick < 3 and time.monotonic() < deadline:
            started = time.perf_counter()
            client.get(health_path)
            quick = quick + 1 if time.perf_counter() - started < 0.01 else 0
            time.sleep(0.1)


def _core_busy_share(cpu: int, window_s: float) -> float | None:
    """How busy core `cpu` was over the next `window_s` (None where /proc/stat is missing)."""

    def sample() -> tuple[int, int] | None:
        try:
            lines = Path("/proc/stat").read_text().splitlines()
        except OSError:
            return None
        for line in lines:
            if line.startswith(f"cpu{cpu} "):
                values = [int(v) for v in line.split()[1:]]
                return sum(values) - values[3] - values[4], sum(values)  # busy, total
        return None

    before = sample()
    time.sleep(window_s)
    after = sample()
    if before is None or after is None or after[1] == before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1])


def measure(base: str, scenario: Scenario, args: argparse.Namespace) -> loadgen.Result:
    url = base + scenario.path
    common = dict(
        method=scenario.method,
        body=scenario.body,
        headers=scenario.headers,
        cpu=LOAD_CPU,
        expect_status=scenario.expect_status,
        tool=args.tool,
        callers=scenario.callers,
    )
    loadgen.run(url, duration=min(2.0, args.duration), connections=args.connections, **common)
    # The warm-up's clients are gone, but a slow scenario (login) leaves their requests queued;
    # measuring at once would spend the first seconds of the run on answers nobody counts.
    settle(base, "/health")
    return loadgen.run(url, duration=args.duration, connections=args.connections, **common)


@contextmanager
def floor_server(
    uvicorn: list[str], port: int, env: dict[str, str], workdir: Path, scenarios: list[Scenario]
) -> Iterator[None]:
    """bench/floor_app.py on the bench database, when a selected scenario needs it."""
    if not any(s.server == "floor" for s in scenarios):
        yield
        return
    command = [*uvicorn, "--app-dir", str(ROOT / "bench"), "floor_app:app", "--port", str(port)]
    floor_env = env | {"FLOOR_DATABASE_URL": env["DATABASE_URL"]}
    with server(command, floor_env, workdir, f"http://127.0.0.1:{port}/"):
        yield


def hash_rate() -> tuple[float, str]:
    """argon2id verifications per second with the server's settings, on the server's core."""
    code = (
        "import time; from appfleet.core.settings import Settings;"
        "from appfleet.platform.auth.passwords import Passwords;"
        "s = Settings().auth; p = Passwords(s); h = p._hash.hash('bench password 2026');"
        "n = 40; t = time.perf_counter();"
        "[p._hash.verify('bench password 2026', h) for _ in range(n)];"
        "print(n / (time.perf_counter() - t), "
        "f'argon2id m={s.argon2_memory_kib}KiB t={s.argon2_time_cost} p={s.argon2_parallelism}')"
    )
    out = subprocess.run(
        pinned([sys.executable, "-c", code]), capture_output=True, text=True, check=True
    ).stdout.split(maxsplit=1)
    return float(out[0]), out[1].strip()


def environment(mode: str, workdir: Path, *, access_log: bool = True) -> dict[str, str]:
    """The servers' environment: a bench secret, limits that never refuse, and in scaled mode
    PostgreSQL and Redis (migrated here)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPFLEET_")}
    env |= {
        "APPFLEET_SECRET_KEY": "bench-" + "x" * 40,
        "APPFLEET_LOG__ACCESS": "true" if access_log else "false",
        # The limiter counts every request (its cost is measured) but never refuses one: the
        # scenarios measure serving, not the limiter saying no.
        **{
            f"APPFLEET_RATELIMIT__{name}": "1000000000/minute"
            for name in ("ANONYMOUS", "AUTHENTICATED", "LOGIN", "SIGNUP", "AI", "CHAT")
        },
    }
    if mode == "scaled":
        env["DATABASE_URL"] = os.environ.get(
            "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1/postgres"
        )
        env["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
        subprocess.run(
            [sys.executable, "-m", "appfleet", "migrate"],
            env=env,
            cwd=workdir,
            check=True,
            capture_output=True,
        )
    return env


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--mode", choices=["embedded", "scaled"], default="embedded")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--only", nargs="*", help="scenario names to run")
    parser.add_argument("--json", type=Path, help="also write results here")
    parser.add_argument(
        "--no-access-log", action="store_true", help="measure without the per-request log line"
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="appfleet-bench-"))
    env = environment(args.mode, workdir, access_log=not args.no_access_log)
    database_url = env.get("DATABASE_URL") or f"sqlite:///{workdir / '.appfleet' / 'appfleet.db'}"
    python = sys.executable
    scenarios = [s for s in SCENARIOS if not args.only or s.name in args.only]
    if args.mode != "scaled" and any(s.server == "floor" for s in scenarios):
        print("floor scenarios skipped: the floor app runs on PostgreSQL (--mode scaled)")
        scenarios = [s for s in scenarios if s.server != "floor"]

    bare_port, app_port, unlimited_port = free_port(), free_port(), free_port()
    floor_port = free_port()
    uvicorn = [python, "-m", "uvicorn", "--no-access-log", "--log-level", "warning"]
    # Measured on the server's core while it is idle, just before and just after the login
    # scenario (this host's speed drifts by a third over minutes; the mean is the fair yardstick).
    hashing: list[float] = []
    parameters = ""
    results: dict[str, loadgen.Result] = {}
    bare_base, app_base = f"http://127.0.0.1:{bare_port}", f"http://127.0.0.1:{app_port}"
    bases = {
        "app": app_base,
        "unlimited": f"http://127.0.0.1:{unlimited_port}",
        "floor": f"http://127.0.0.1:{floor_port}",
    }
    unlimited_env = env | {"APPFLEET_RATELIMIT__ENABLED": "false"}
    bare_command = [*uvicorn, "--app-dir", str(ROOT / "bench"), "bare_app:app"]
    app_command = [python, "-m", "appfleet", "serve"]
    # Both servers stay up (idle ones cost nothing); the bare endpoint is measured before and
    # after the scenarios, and ratios use the mean, so drift during the run shows and cancels.
    unlimited = [*app_command, "--port", str(unlimited_port)]
    with (
        server([*bare_command, "--port", str(bare_port)], env, workdir, bare_base + "/"),
        server([*app_command, "--port", str(app_port)], env, workdir, app_base + "/health"),
        server(unlimited, unlimited_env, workdir, bases["unlimited"] + "/health"),
        floor_server(uvicorn, floor_port, env, workdir, scenarios),
    ):
        before = measure(bare_base, Scenario("bare", "/"), args)
        for scenario in scenarios:
            base = bases[scenario.server]
            if scenario.name in HASHED:
                # The hash rate drifts by a third within minutes here, more than the effect
                # measured: login runs in LOGIN_ROUNDS rounds, each between two hash-rate
                # measurements on the idle core, and both sides are averaged.
                rate, parameters = hash_rate()
                hashing.append(rate)
                rounds = []
                for _ in range(LOGIN_ROUNDS):
                    rounds.append(measure(base, scenario.ready(base, database_url), args))
                    settle(base, "/health")
                    hashing.append(hash_rate()[0])
                results[scenario.name] = loadgen.mean_of(*rounds)
                continue
            results[scenario.name] = measure(base, scenario.ready(base, database_url), args)
            settle(base, "/health")
        if "users_me" in results and "users_me_nolimit" in results:
            # The limiter's price is a difference of a few percent, below this host's drift
            # between two runs; measuring the pair again in reverse order (ABBA) cancels it.
            for name in ("users_me_nolimit", "users_me"):
                scenario = next(s for s in scenarios if s.name == name)
                base = bases[scenario.server]
                again = measure(base, scenario.ready(base, database_url), args)
                results[name] = loadgen.mean_of(results[name], again)
        after = measure(bare_base, Scenario("bare", "/"), args)
    results = {"bare (before)": before, "bare (after)": after, **results}

    bare = (before.requests_per_s + after.requests_per_s) / 2
    print(
        f"\nmode={args.mode} connections={args.connections} duration={args.duration:g}s "
        f"tool={before.tool} bare mean={bare:.0f} req/s"
    )
    print(f"{'scenario':<16}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}{'ratio':>8}")
    for name, result in results.items():
        print(
            f"{name:<16}{result.requests_per_s:>10.0f}{result.p50_ms:>10.2f}"
            f"{result.p99_ms:>10.2f}{result.errors:>8}{result.requests_per_s / bare:>8.2f}"
        )
    if "users_me" in results and "users_me_nolimit" in results:
        cost = 1 - results["users_me"].requests_per_s / results["users_me_nolimit"].requests_per_s
        print(f"rate limiter on users_me: {cost:.0%} of throughput (users_me vs users_me_nolimit)")
    if hashing:
        rate = sum(hashing) / len(hashing)
        reached = ", ".join(
            f"{name} reaches {results[name].requests_per_s / rate:.2f} of it"
            for name in HASHED
            if name in results
        )
        print(
            f"password hash alone ({parameters}): {rate:.1f}/s on one core "
            f"(between login rounds: {', '.join(f'{h:.1f}' for h in hashing)}); {reached}"
        )
    for name, floor in FLOORS.items():
        if name in results and floor in results:
            share = results[name].requests_per_s / results[floor].requests_per_s
            print(f"{name}: {share:.2f} of {floor} (FastAPI and asyncpg alone, same work)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    name: {**r.__dict__, "ratio": r.requests_per_s / bare}
                    for name, r in results.items()
                },
                indent=2,
            )
        )
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
