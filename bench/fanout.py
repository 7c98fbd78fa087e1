"""WebSocket fan-out: how long a new wall post takes to reach every connected follower.

    python bench/fanout.py                       # 1,000 clients on 2 processes, 20 posts
    python bench/fanout.py --clients 2000 --posts 50 --json bench/results/fanout.json

Starts two `appfleet serve` processes on PostgreSQL + Redis (BENCH_DATABASE_URL, BENCH_REDIS_URL
as `run.py` reads them), both pinned to core 1 when there are two cores; the clients run here
on core 0. Signs up `--clients` guest accounts, connects each to FitNudge's wall
(`WS /realtime?topic=wall`, presence included) on the two processes in turn, waits for the
presence of the crowd to settle, then posts `--posts` times through the processes in turn,
`--interval` apart. A post's latency at one client is from just before its POST is sent to
that client's receipt of `post.created` (one clock: same machine). Reports every client's
every receipt: p50, p99 and max, and how many never arrived (must be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import httpx2
import orjson
from websockets.asyncio.client import ClientConnection, connect

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import LOAD_CPU, environment, free_port, server  # noqa: E402

FN = "/api/v1/fitnudge"


async def guests(bases: list[str], count: int) -> list[str]:
    """Access tokens of `count` guest accounts, signed up through the processes in turn."""
    tokens: list[str] = []
    gate = asyncio.Semaphore(32)
    async with httpx2.AsyncClient(timeout=30) as client:

        async def one(n: int) -> str:
            async with gate:
                response = await client.post(
                    f"{bases[n % len(bases)]}{FN}/auth/anonymous",
                    json={"device": {"name": f"fan-{n}", "platform": "ios"}},
                )
                response.raise_for_status()
                return str(response.json()["access_token"])

        tokens = await asyncio.gather(*(one(n) for n in range(count)))
    return tokens


class Follower:
    def __init__(self, socket: ClientConnection, sent: dict[str, float]) -> None:
        self.socket, self.sent = socket, sent
        self.latencies: dict[str, float] = {}
        self.presence = 0

    async def listen(self) -> None:
        async for raw in self.socket:
            message = orjson.loads(raw)
            kind = message["type"]
            if kind == "post.created":
                text = message["data"]["text"]
                if text in self.sent:
                    self.latencies[text] = time.time() - self.sent[text]
            elif kind == "presence.diff":
                self.presence += 1


async def run(bases: list[str], args: argparse.Namespace) -> dict[str, object]:
    started = time.monotonic()
    tokens = await guests(bases, args.clients + 1)
    poster, followers_tokens = tokens[0], tokens[1:]
    signed_up_s = time.monotonic() - started
    sent: dict[str, float] = {}
    followers: list[Follower] = []
    sockets = []
    gate = asyncio.Semaphore(64)

    async def join(n: int, token: str) -> Follower:
        ws_base = bases[n % len(bases)].replace("http", "ws")
        async with gate:
            socket = await connect(
                f"{ws_base}{FN}/realtime?topic=wall&screen=feed&access_token={token}",
                open_timeout=30,
                max_queue=None,
            )
        sockets.append(socket)
        return Follower(socket, sent)

    started = time.monotonic()
    followers = list(await asyncio.gather(*(join(n, t) for n, t in enumerate(followers_tokens))))
    connected_s = time.monotonic() - started
    listening = [asyncio.create_task(f.listen()) for f in followers]
    await asyncio.sleep(args.settle)  # the crowd's own presence diffs go out first
    async with httpx2.AsyncClient(timeout=30) as client:
        auth = {"Authorization": f"Bearer {poster}"}
        for n in range(args.posts):
            text = f"fan-out {n}"
            sent[text] = time.time()
            response = await client.post(
                f"{bases[n % len(bases)]}{FN}/posts", json={"text": text}, headers=auth
            )
            response.raise_for_status()
            await asyncio.sleep(args.interval)
    await asyncio.sleep(2)  # stragglers
    for task in listening:
        task.cancel()
    await asyncio.gather(*listening, return_exceptions=True)
    await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)
    samples = sorted(ms * 1000 for f in followers for ms in f.latencies.values())
    expected = args.clients * args.posts
    quantiles = (
        statistics.quantiles(samples, n=100, method="inclusive") if len(samples) > 1 else [0.0] * 99
    )
    return {
        "clients": args.clients,
        "processes": len(bases),
        "posts": args.posts,
        "received": len(samples),
        "missing": expected - len(samples),
        "p50_ms": round(quantiles[49], 1),
        "p99_ms": round(quantiles[98], 1),
        "max_ms": round(samples[-1], 1) if samples else 0.0,
        "sign_up_s": round(signed_up_s, 1),
        "connect_s": round(connected_s, 1),
        "presence_diffs_per_client": round(statistics.mean(f.presence for f in followers), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between posts")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds after connecting")
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="appfleet-fanout-"))
    env = environment("scaled", workdir, access_log=False)
    bases = [f"http://127.0.0.1:{free_port()}" for _ in range(args.processes)]
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {LOAD_CPU})
    with ExitStack() as stack:
        for base in bases:
            port = base.rsplit(":", 1)[1]
            command = [sys.executable, "-m", "appfleet", "serve", "--port", port]
            stack.enter_context(server(command, env, workdir, f"{base}/health"))
        result = asyncio.run(run(bases, args))
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    if result["missing"]:
        raise SystemExit(f"{result['missing']} deliveries never arrived")


if __name__ == "__main__":
    main()
