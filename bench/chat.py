"""PennyWise chat round trip: from `POST /chat/messages` on one connection to the bot's answer
arriving as a `chat.message` event on the member's other connection (`WS /chat/stream`).

    python bench/chat.py                         # 300 questions, one at a time
    python bench/chat.py --questions 1000 --json bench/results/chat.json

One `appfleet serve` process on PostgreSQL + Redis (pinned to core 1 when there are two
cores; this client on core 0), the local provider answering (no model configured), a member
with a few hundred transactions. Reports p50/p99/max of the time to the stored question's
event and to the answer's event.
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
import uuid
from pathlib import Path

import httpx2
import orjson
from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import LOAD_CPU, environment, free_port, server  # noqa: E402
from scenarios import FOOD, _account  # noqa: E402

PW = "/api/v1/pennywise"
QUESTIONS = (
    "How much did I spend on food last month?",
    "What's my balance?",
    "Where did most of my money go this month?",
    "How much did I earn this year?",
)


def quantile(samples: list[float], q: int) -> float:
    return (
        round(statistics.quantiles(samples, n=100, method="inclusive")[q - 1], 2)
        if len(samples) > 1
        else 0.0
    )


async def run(base: str, args: argparse.Namespace) -> dict[str, object]:
    async with httpx2.AsyncClient(base_url=base, timeout=30) as client:
        # A new member each run: nothing left over (limiter state, a long history) from the last.
        email = f"chat-{uuid.uuid4().hex[:8]}@bench.example"
        token = _account(base, email, "pennywise")["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        for n in range(200):
            spent = {"amount": f"{n % 40 + 1}.25", "type": "expense", "category_id": FOOD}
            (await client.post(f"{PW}/transactions", json=spent, headers=auth)).raise_for_status()
        stream = base.replace("http", "ws") + f"{PW}/chat/stream?access_token={token}"
        asked: list[float] = []
        answered: list[float] = []
        async with connect(stream, open_timeout=10) as socket:
            await asyncio.sleep(0.5)  # the server subscribes the socket just after the handshake
            for n in range(args.questions):
                started = time.perf_counter()
                posted = await client.post(
                    f"{PW}/chat/messages",
                    json={"content": QUESTIONS[n % len(QUESTIONS)]},
                    headers=auth,
                )
                posted.raise_for_status()
                seen = 0
                while seen < 2:
                    event = orjson.loads(await asyncio.wait_for(socket.recv(), 5))
                    if event["type"] != "chat.message":
                        continue
                    elapsed = (time.perf_counter() - started) * 1000
                    (asked if event["data"]["sender"] == "user" else answered).append(elapsed)
                    seen += 1
    return {
        "questions": args.questions,
        "question_event_p50_ms": quantile(asked, 50),
        "question_event_p99_ms": quantile(asked, 99),
        "answer_event_p50_ms": quantile(answered, 50),
        "answer_event_p99_ms": quantile(answered, 99),
        "answer_event_max_ms": round(max(answered), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="appfleet-chat-"))
    env = environment("scaled", workdir, access_log=False)
    base = f"http://127.0.0.1:{free_port()}"
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {LOAD_CPU})
    command = [sys.executable, "-m", "appfleet", "serve", "--port", base.rsplit(":", 1)[1]]
    with server(command, env, workdir, f"{base}/health"):
        result = asyncio.run(run(base, args))
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
