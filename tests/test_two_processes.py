"""Two `appfleet serve` processes sharing PostgreSQL and Redis, as the scaled mode runs: what
one process decides (a rate limit, a sign-out, a profile change, a realtime event) holds in
the other."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.apps.pennywise.ledger import default_id
from tests.fixtures.accounts import PASSWORD
from tests.fixtures.app import flush_redis
from tests.fixtures.servers import start_server
from tests.fixtures.services import REDIS_VARIABLE, empty_database, need
from tests.fixtures.sockets import Roster
from tests.fixtures.sse import read_events

CF = "/api/v1/corpfinity"
FOOD_ID = default_id("Food & Dining")


@pytest.fixture
def two_servers(tmp_path: Path, postgres_url: str) -> Iterator[tuple[str, str]]:
    processes, bases = _start_two(tmp_path, postgres_url)
    yield bases[0], bases[1]
    _stop(processes)


@pytest.fixture
def two_processes(
    tmp_path: Path, postgres_url: str
) -> Iterator[list[tuple[subprocess.Popen[str], str]]]:
    processes, bases = _start_two(tmp_path, postgres_url)
    yield list(zip(processes, bases, strict=True))
    _stop(processes)


def _start_two(tmp_path: Path, postgres_url: str) -> tuple[list[subprocess.Popen[str]], list[str]]:
    asyncio.run(empty_database(postgres_url))
    redis_url = need(REDIS_VARIABLE, "Redis")
    asyncio.run(flush_redis(redis_url))
    env = {
        "DATABASE_URL": postgres_url,
        "REDIS_URL": redis_url,
        "APPFLEET_SECRET_KEY": "two-process-test-" + "k" * 32,
        "APPFLEET_LOG__ACCESS": "false",
    }
    processes: list[subprocess.Popen[str]] = []
    bases = []
    for _ in range(2):
        process, base = start_server(tmp_path, env=env)
        processes.append(process)
        bases.append(base)
    return processes, bases


def _stop(processes: list[subprocess.Popen[str]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
        process.communicate(timeout=30)


def within(seconds: float, check: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def test_limits_sign_outs_and_profiles_hold_across_processes(two_servers: tuple[str, str]) -> None:
    a, b = two_servers
    with httpx2.Client(timeout=10) as client:
        body = {"email": "ann@example.com", "password": PASSWORD, "name": "Ann"}
        assert client.post(f"{a}{CF}/auth/register", json=body).status_code == 201
        # Login is limited to 5 a minute per email: the two processes count together.
        wrong = {"email": "ann@example.com", "password": "not the password"}
        statuses = [
            client.post(f"{(a, b)[i % 2]}{CF}/auth/login", json=wrong).status_code for i in range(6)
        ]
        assert statuses == [401] * 5 + [429]

        tokens = client.post(f"{b}{CF}/auth/anonymous", json={"device": {"name": "phone"}}).json()
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        assert client.get(f"{a}{CF}/users/me", headers=headers).status_code == 200
        assert client.get(f"{b}{CF}/users/me", headers=headers).status_code == 200  # cached in b

        # A device listening on b hears of a change made through a.
        with client.stream("GET", f"{b}{CF}/realtime/events?since=0", headers=headers) as stream:
            renamed = client.patch(f"{a}{CF}/users/me", json={"name": "Guest Gus"}, headers=headers)
            assert renamed.status_code == 200
            [event] = read_events(stream, 1)
        assert (event.event, event.id, event.data["name"]) == ("user.updated", "1", "Guest Gus")
        assert within(
            1,
            lambda: client.get(f"{b}{CF}/users/me", headers=headers).json()["name"] == "Guest Gus",
        )

        assert client.post(f"{a}{CF}/auth/logout", headers=headers).status_code == 204
        # b re-reads revocations every 2 s.
        assert within(
            3, lambda: client.get(f"{b}{CF}/users/me", headers=headers).status_code == 401
        )


def test_presence_crosses_processes_and_a_killed_one_lets_its_people_go(
    two_processes: list[tuple[subprocess.Popen[str], str]],
) -> None:
    (_, a), (doomed, b) = two_processes
    fn = "/api/v1/fitnudge"
    with httpx2.Client(timeout=10) as client:
        tokens = []
        for email, name in (("ann@example.com", "Ann"), ("bob@example.com", "Bob")):
            body = {"email": email, "password": PASSWORD, "name": name}
            tokens.append(client.post(f"{a}{fn}/auth/register", json=body).json()["access_token"])
        bob_id = client.get(
            f"{a}{fn}/users/me", headers={"Authorization": f"Bearer {tokens[1]}"}
        ).json()["id"]
        wall = "/realtime?topic=wall&screen=feed&access_token="
        with connect(a.replace("http", "ws") + fn + wall + tokens[0], open_timeout=10) as ann:
            bob_url = b.replace("http", "ws") + fn + wall + tokens[1]
            with connect(bob_url, open_timeout=10, close_timeout=1) as bob:
                roster = Roster(ann)
                roster.until(lambda online: bob_id in online)
                assert roster.online[bob_id]["name"] == "Bob"
                bob.send(json.dumps({"type": "screen", "screen": "search"}))
                roster.until(lambda online: online[bob_id]["screen"] == "search")
                listed = client.get(
                    f"{a}{fn}/realtime/presence",
                    params={"topic": "wall"},
                    headers={"Authorization": f"Bearer {tokens[0]}"},
                ).json()
                assert {p["name"]: p["screen"] for p in listed["online"]} == {
                    "Ann": "feed",
                    "Bob": "search",
                }
                # Bob's process dies without closing anything: Ann still hears him leave.
                killed_at = time.monotonic()
                doomed.send_signal(signal.SIGKILL)
                doomed.wait(timeout=10)
                left_at = roster.until(lambda online: bob_id not in online, timeout=6)
                assert left_at - killed_at < 5


def test_pennywise_chat_stream_hears_what_another_process_did(
    two_servers: tuple[str, str],
) -> None:
    a, b = two_servers
    pw = "/api/v1/pennywise"
    with httpx2.Client(timeout=10) as client:
        body = {"email": "penny@example.com", "password": PASSWORD, "name": "Penny"}
        token = client.post(f"{a}{pw}/auth/register", json=body).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        bad = b.replace("http", "ws") + f"{pw}/chat/stream?access_token=forged"
        with connect(bad, open_timeout=10) as refused:
            with pytest.raises(ConnectionClosed) as closed:
                refused.recv(timeout=5)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
        # since=0: everything on the channel, replayed if it came before the socket subscribed.
        stream = b.replace("http", "ws") + f"{pw}/chat/stream?since=0&access_token={token}"
        with connect(stream, open_timeout=10) as phone:
            spent = client.post(
                f"{a}{pw}/transactions",
                json={"amount": "9.99", "type": "expense", "category_id": FOOD_ID},
                headers=auth,
            )
            assert spent.status_code == 201
            moved = json.loads(phone.recv(timeout=5))
            assert (moved["type"], moved["data"]) == (
                "balance.updated",
                {"delta": "-9.99", "currency": "USD"},
            )
            asked = client.post(
                f"{a}{pw}/chat/messages", json={"content": "what's my balance?"}, headers=auth
            )
            assert asked.status_code == 201
            mine, answer = (json.loads(phone.recv(timeout=5)) for _ in range(2))
            assert (mine["type"], mine["data"]["sender"]) == ("chat.message", "user")
            assert answer["data"]["content"] == "Your balance is -$9.99."


def test_a_flag_change_made_through_one_process_shows_in_the_other_at_once(
    two_servers: tuple[str, str], postgres_url: str
) -> None:
    a, b = two_servers
    fn = "/api/v1/fitnudge"
    with httpx2.Client(timeout=10) as client:
        tokens = []
        for email in ("ops@example.com", "ann@example.com"):
            body = {"email": email, "password": PASSWORD, "name": "X"}
            tokens.append(client.post(f"{a}{fn}/auth/register", json=body).json()["access_token"])
        ops, ann = ({"Authorization": f"Bearer {t}"} for t in tokens)
        asyncio.run(_grant_admin(postgres_url, "ops@example.com"))
        flag = f"{a}/api/v1/admin/apps/fitnudge/flags/new-ui"
        assert client.put(flag, json={"enabled": False}, headers=ops).status_code == 201
        # b holds the snapshot near (in process) now...
        assert client.get(f"{b}{fn}/flags", headers=ann).json()["flags"] == {"new-ui": False}
        assert client.put(flag, json={"enabled": True}, headers=ops).status_code == 200
        # ...and drops it when a's change is announced, not when its copy expires (15 s).
        assert within(
            1, lambda: client.get(f"{b}{fn}/flags", headers=ann).json()["flags"]["new-ui"]
        )


async def _grant_admin(url: str, email: str) -> None:
    from sqlalchemy import select

    from appfleet.core.clock import Clock
    from appfleet.core.database import Database, unit_of_work
    from appfleet.core.settings import DatabaseSettings
    from appfleet.platform.admin import service as admin_service
    from appfleet.platform.audit.service import Origin
    from appfleet.platform.users.models import User

    db = Database(url, DatabaseSettings())
    try:
        async with unit_of_work(db) as session:
            user = await session.scalar(select(User).where(User.email == email))
            assert user is not None
            origin = Origin(app=None, ip=None, user_agent="test")
            await admin_service.grant(
                session, Clock(), origin, user_id=user.id, role="admin", app=None, by=None
            )
    finally:
        await db.dispose()
