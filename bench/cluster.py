"""A scaled deployment on loopback, and mixed mobile traffic against it.

    python bench/cluster.py up                           # start it, print the URL, wait for ^C
    python bench/cluster.py mixed --users 1000 --duration 60
    python bench/cluster.py mixed --users 1000 --duration 60 --soak-minutes 10

Two `appfleet serve` processes and one `appfleet worker` on PostgreSQL + Redis
(BENCH_DATABASE_URL, BENCH_REDIS_URL), behind nginx (Debian's) balancing round-robin over
keep-alive upstream connections. Everything is torn down on exit, also on ^C.

`mixed` simulates mobile users across the five apps: each keeps one connection, waits a think
time between actions (exponential, mean `--think` seconds), and does what that app's users do
(open the app: /users/me; complete a challenge; list and record transactions; read the feed;
browse the shop, fill the cart, check out; look at the leaderboard; now and then log in again).
It prints p50/p95/p99 per action and overall, errors (anything but a 2xx or a transport
failure), requests/s, and with `--soak-minutes` a second phase at 70% of the users measuring the
resident memory of every process at its start and end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import environment, free_port, wait_until_ready  # noqa: E402
from scenarios import FOOD, PASSWORD  # noqa: E402

APPS = ("corpfinity", "pennywise", "fitnudge", "healthindex", "lowkeymode")

NGINX_CONF = """\
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 8192; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  client_max_body_size 2m;
  upstream appfleet {{
{servers}
    keepalive 128;
  }}
  map $http_upgrade $connection_upgrade {{ default upgrade; '' ''; }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://appfleet;
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      # Keep-alive to the upstreams; upgrades (WebSocket) pass through.
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_buffering off;
      proxy_read_timeout 3600s;
    }}
  }}
}}
"""


@dataclass
class Cluster:
    url: str
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    upstreams: list[str] = field(default_factory=list)  # each API process's own URL


@contextmanager
def cluster(api_processes: int = 2) -> Iterator[Cluster]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise SystemExit("nginx is not installed (apt-get install nginx)")
    workdir = Path(tempfile.mkdtemp(prefix="appfleet-cluster-"))
    env = environment("scaled", workdir, access_log=False)
    running = Cluster(url="")
    logs: list[object] = []

    def start(name: str, command: list[str]) -> subprocess.Popen[bytes]:
        log = (workdir / f"{name}.log").open("wb")
        logs.append(log)
        process = subprocess.Popen(command, env=env, cwd=workdir, stdout=log, stderr=log)
        running.processes[name] = process
        return process

    try:
        upstreams = []
        for n in range(api_processes):
            port = free_port()
            command = [sys.executable, "-m", "appfleet", "serve", "--port", str(port)]
            process = start(f"api-{n + 1}", command)
            wait_until_ready(f"http://127.0.0.1:{port}/health", process, workdir)
            upstreams.append(f"    server 127.0.0.1:{port};")
            running.upstreams.append(f"http://127.0.0.1:{port}")
        start("worker", [sys.executable, "-m", "appfleet", "worker"])
        port = free_port()
        conf = workdir / "nginx.conf"
        conf.write_text(NGINX_CONF.format(dir=workdir, port=port, servers="\n".join(upstreams)))
        process = start("nginx", [nginx, "-p", str(workdir), "-c", str(conf)])
        running.url = f"http://127.0.0.1:{port}"
        wait_until_ready(f"{running.url}/health/ready", process, workdir)
        yield running
    finally:
        for process in running.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in running.processes.values():
            try:
                process.wait(timeout=35)  # graceful: in-flight requests and jobs finish
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs:
            log.close()  # type: ignore[attr-defined]
        shutil.rmtree(workdir, ignore_errors=True)


def rss_mib(pid: int) -> float:
    """Resident memory of `pid` and its children (nginx's and gunicorn's workers)."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for one in pids:
        status = Path(f"/proc/{one}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


# --- simulated users ---------------------------------------------------------------------------


@dataclass
class Account:
    app: str
    email: str
    token: str


@dataclass
class Tally:
    measure_from: float = 0.0  # monotonic time; answers before it are the warm-up
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    examples: list[str] = field(default_factory=list)
    generator_cpu: float = 0.0  # cores the load generator itself used while measuring

    def record(self, action: str, seconds: float, problem: str | None) -> None:
        if time.monotonic() < self.measure_from and problem is None:
            return  # errors count even in the warm-up
        self.latencies[action].append(seconds)
        if problem is not None:
            self.errors[action] += 1
            if self.errors[action] <= 3:  # a few of each kind
                self.examples.append(f"{action}: {problem}")


def _sign_up(base: str, app: str, email: str) -> Account:
    body = {"email": email, "password": PASSWORD, "name": "Mixed"}
    response = httpx2.post(f"{base}/api/v1/{app}/auth/register", json=body, timeout=60)
    if response.status_code == 409:
        login = {"email": email, "password": PASSWORD}
        response = httpx2.post(f"{base}/api/v1/{app}/auth/login", json=login, timeout=60)
    response.raise_for_status()
    account = Account(app, email, response.json()["access_token"])
    if app == "healthindex":
        _cancel_pending_orders(base, account)
    return account


def _cancel_pending_orders(base: str, account: Account) -> None:
    """An earlier run's unpaid order blocks a new checkout ("pay it or cancel it first")."""
    auth = {"Authorization": f"Bearer {account.token}"}
    with httpx2.Client(base_url=f"{base}/api/v1/healthindex", headers=auth, timeout=30) as shop:
        for order in shop.get("/orders", params={"limit": 100}).json()["items"]:
            if order["status"] == "pending":
                shop.post(f"/orders/{order['id']}/cancel").raise_for_status()


def prepare_accounts(base: str, count: int) -> list[Account]:
    """`count` members spread over the apps (signed up once; a rerun logs them in)."""
    wanted = [(APPS[n % len(APPS)], f"mixed-{n}@bench.example") for n in range(count)]
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda pair: _sign_up(base, *pair), wanted))


def shop_product(base: str) -> str:
    products = httpx2.get(f"{base}/api/v1/healthindex/products?limit=50", timeout=10).json()
    details = [
        httpx2.get(f"{base}/api/v1/healthindex/products/{p['id']}", timeout=10).json()
        for p in products["items"]
    ]
    # Uncounted stock (null) first, else the most: many users buy the same product.
    details.sort(key=lambda p: -(10**9) if p["stock"] is None else -p["stock"])
    return str(details[0]["id"])


class User:
    def __init__(
        self, account: Account, client: httpx2.AsyncClient, tally: Tally, product: str
    ) -> None:
        self.account = account
        self.client = client
        self.tally = tally
        self.product = product

    async def call(
        self, action: str, method: str, path: str, body: object = None, key: bool = False
    ) -> dict[str, object] | None:
        headers = {"Authorization": f"Bearer {self.account.token}"}
        if key:
            headers["Idempotency-Key"] = str(uuid.uuid4())
        began = time.perf_counter()
        problem = None
        answer = None
        try:
            response = await self.client.request(
                method, f"/api/v1/{self.account.app}{path}", json=body, headers=headers
            )
            if not 200 <= response.status_code < 300:
                problem = f"{response.status_code} {response.text[:200]}"
            else:
                answer = response.json()
                if action == "login":
                    self.account.token = answer["access_token"]
        except httpx2.TransportError as exc:
            problem = repr(exc)
        self.tally.record(action, time.perf_counter() - began, problem)
        return answer

    def actions(self) -> list[tuple[str, str, str, object, bool]]:
        app = self.account.app
        if app == "corpfinity":
            done = {"challenge_id": "box-breathing"}
            return [
                ("corpfinity.complete", "POST", "/challenges/complete", done, False),
                ("corpfinity.streak", "GET", "/streaks", None, False),
            ]
        if app == "pennywise":
            spend = {"amount": "4.50", "type": "expense", "category_id": FOOD}
            return [
                ("pennywise.list", "GET", "/transactions?limit=20", None, False),
                ("pennywise.create", "POST", "/transactions", spend, True),
                ("pennywise.balance", "GET", "/transactions/balance", None, False),
            ]
        if app == "fitnudge":
            return [("fitnudge.feed", "GET", "/posts?limit=20", None, False)]
        if app == "healthindex":
            line = {"product_id": self.product, "quantity": 1}
            return [
                ("healthindex.catalog", "GET", "/products?limit=30", None, False),
                ("healthindex.cart", "POST", "/cart", line, False),
                ("healthindex.cart", "GET", "/cart", None, False),
            ]
        return [("lowkeymode.leaderboard", "GET", "/leaderboard?period=week&limit=20", None, False)]

    async def run(self, until: float, think_s: float, rng: random.Random) -> None:
        await asyncio.sleep(rng.uniform(0, think_s * 2))  # users arrive spread out
        while time.monotonic() < until:
            roll = rng.random()
            if roll < 0.02:
                login = {"email": self.account.email, "password": PASSWORD}
                await self.call("login", "POST", "/auth/login", login)
            elif roll < 0.25:
                await self.call("me", "GET", "/users/me")
            elif self.account.app == "healthindex" and roll < 0.28:
                line = {"product_id": self.product, "quantity": 1}
                await self.call("healthindex.cart", "POST", "/cart", line)
                done = await self.call("healthindex.checkout", "POST", "/checkout", None, key=True)
                if done is not None:  # walks away from the payment page
                    order = done["order"]["id"]  # type: ignore[index]
                    await self.call("healthindex.cancel", "POST", f"/orders/{order}/cancel")
            else:
                await self.call(*rng.choice(self.actions()))
            await asyncio.sleep(rng.expovariate(1 / think_s))


async def load(
    base: str,
    accounts: list[Account],
    users: int,
    seconds: float,
    think_s: float,
    product: str,
    warmup_s: float = 0.0,
) -> tuple[Tally, float]:
    """`users` simulated users for `warmup_s` (every user arrives and connects; not measured)
    and then `seconds` (measured)."""
    # One client (one connection) per user, as each phone has its own: a single pool of a
    # thousand connections costs the generator time proportional to the pool on every
    # request, and a saturated generator's own delay lands in every latency it reports.
    # Connections stay open across think times (nginx keeps idle ones 75 s).
    limits = httpx2.Limits(max_connections=1, max_keepalive_connections=1, keepalive_expiry=60)
    tls = ssl.create_default_context()  # one for all: each client would load its own CA file
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(
                httpx2.AsyncClient(base_url=base, timeout=30, limits=limits, verify=tls)
            )
            for _ in range(users)
        ]
        tally = Tally(measure_from=time.monotonic() + warmup_s)
        until = tally.measure_from + seconds
        crowd = [
            asyncio.ensure_future(
                User(accounts[n % len(accounts)], clients[n], tally, product).run(
                    until, think_s, random.Random(n)
                )
            )
            for n in range(users)
        ]
        await asyncio.sleep(max(0.0, tally.measure_from - time.monotonic()))
        cpu, began = time.process_time(), time.monotonic()
        await asyncio.gather(*crowd)
        elapsed = time.monotonic() - began
        tally.generator_cpu = (time.process_time() - cpu) / elapsed
        return tally, elapsed


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(title: str, tally: Tally, elapsed: float) -> dict[str, object]:
    every = [s for values in tally.latencies.values() for s in values]
    rows = {}
    print(f"\n{title}")
    print(f"{'action':26} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for action in sorted(tally.latencies):
        values = tally.latencies[action]
        row = {
            "requests": len(values),
            "p50_ms": round(statistics.median(values) * 1000, 1),
            "p95_ms": round(percentile(values, 0.95) * 1000, 1),
            "p99_ms": round(percentile(values, 0.99) * 1000, 1),
            "errors": tally.errors.get(action, 0),
        }
        rows[action] = row
        print(
            f"{action:26} {row['requests']:>9} {row['p50_ms']:>8} {row['p95_ms']:>8} "
            f"{row['p99_ms']:>8} {row['errors']:>7}"
        )
    total = {
        "requests": len(every),
        "requests_per_s": round(len(every) / elapsed, 1),
        "p50_ms": round(statistics.median(every) * 1000, 1) if every else 0,
        "p95_ms": round(percentile(every, 0.95) * 1000, 1),
        "p99_ms": round(percentile(every, 0.99) * 1000, 1),
        "errors": sum(tally.errors.values()),
    }
    print(
        f"{'all':26} {total['requests']:>9} {total['p50_ms']:>8} {total['p95_ms']:>8} "
        f"{total['p99_ms']:>8} {total['errors']:>7}   ({total['requests_per_s']} req/s)"
    )
    total["generator_cores"] = round(tally.generator_cpu, 2)
    print(f"load generator used {tally.generator_cpu:.0%} of a core", end="")
    # Past about 90% its event loop runs late, and that delay is counted as server latency.
    print(": saturated, latencies overstated" if tally.generator_cpu > 0.9 else "")
    for example in tally.examples:
        print("  error:", example)
    return {"actions": rows, "all": total}


def mixed(args: argparse.Namespace) -> None:
    with cluster(args.api_processes) as running:
        print(f"cluster at {running.url}: {', '.join(running.processes)}")
        accounts = prepare_accounts(running.url, args.accounts or args.users)
        product = shop_product(running.url)
        results: dict[str, object] = {"users": args.users, "think_s": args.think}
        tally, elapsed = asyncio.run(
            load(running.url, accounts, args.users, args.duration, args.think, product, args.warmup)
        )
        results["mixed"] = report(
            f"mixed: {args.users} users, {args.duration:.0f} s", tally, elapsed
        )
        if args.soak_minutes:
            users = int(args.users * 0.7)
            before = {name: rss_mib(p.pid) for name, p in running.processes.items()}
            tally, elapsed = asyncio.run(
                load(
                    running.url,
                    accounts,
                    users,
                    args.soak_minutes * 60,
                    args.think,
                    product,
                    args.warmup,
                )
            )
            after = {name: rss_mib(p.pid) for name, p in running.processes.items()}
            soak = report(f"soak: {users} users, {args.soak_minutes:g} min", tally, elapsed)
            memory = {
                name: {
                    "start_mib": round(before[name], 1),
                    "end_mib": round(after[name], 1),
                    "growth_pct": round((after[name] / before[name] - 1) * 100, 1),
                }
                for name in running.processes
            }
            for name, figures in memory.items():
                print(f"  memory {name:8} {figures}")
            soak["memory"] = memory
            results["soak"] = soak
        ready = httpx2.get(f"{running.url}/health/ready", timeout=5).json()
        results["ready_after"] = ready.get("status")
        print("readiness after the load:", ready.get("status"))
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=2))


def up(args: argparse.Namespace) -> None:
    with cluster(args.api_processes) as running:
        print(f"cluster at {running.url}: {', '.join(running.processes)}; ^C stops it")
        try:
            while all(p.poll() is None for p in running.processes.values()):
                time.sleep(1)
        except KeyboardInterrupt:
            pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["up", "mixed"])
    parser.add_argument("--api-processes", type=int, default=2)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument(
        "--accounts", type=int, default=0, help="members the users share (default: one each)"
    )
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=3.0, help="mean think time, seconds")
    parser.add_argument("--warmup", type=float, default=15.0, help="seconds not measured")
    parser.add_argument("--soak-minutes", type=float, default=0.0)
    parser.add_argument("--json")
    args = parser.parse_args()
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    # Killed from outside, still tear the cluster down (the `finally` of `cluster`).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    {"up": up, "mixed": mixed}[args.command](args)


if __name__ == "__main__":
    main()
