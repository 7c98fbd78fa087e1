"""The wall in realtime: new posts, like counts and deletions on the `wall` topic, live over
SSE and WebSocket from a real server, and the same events by polling `/updates?since=`."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest
from websockets.sync.client import connect

from tests.apps.fitnudge.coach import FN, athlete
from tests.fixtures.accounts import PASSWORD
from tests.fixtures.servers import quiet_server
from tests.fixtures.sockets import next_message
from tests.fixtures.sse import read_events


@pytest.mark.anyio
async def test_polling_gets_the_same_events_in_order(client: httpx2.AsyncClient) -> None:
    ann, bob = await athlete(client), await athlete(client, "bob@example.com")
    start = (await client.get(f"{FN}/updates", headers=bob)).json()
    made = (await client.post(f"{FN}/posts", json={"text": "5k <done>"}, headers=ann)).json()
    await client.post(f"{FN}/posts/{made['id']}/like", headers=bob)
    await client.post(f"{FN}/posts/{made['id']}/like", headers=bob)  # no change: no event
    await client.delete(f"{FN}/posts/{made['id']}", headers=ann)
    polled = await client.get(f"{FN}/updates", params={"since": start["last"]}, headers=bob)
    events = polled.json()["events"]
    assert [e["type"] for e in events] == ["post.created", "post.likes", "post.deleted"]
    assert events[0]["data"]["text"] == "5k <done>" and "liked_by_me" not in events[0]["data"]
    assert events[1]["data"] == {"id": made["id"], "like_count": 1}
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs) and polled.json()["last"] == seqs[-1]
    again = await client.get(f"{FN}/updates", params={"since": seqs[-1]}, headers=bob)
    assert again.json()["events"] == []
    assert (await client.get(f"{FN}/updates")).status_code == 401


@pytest.mark.anyio
async def test_only_an_apps_own_topics_can_be_followed(client: httpx2.AsyncClient) -> None:
    ann = await athlete(client)
    missing = await client.get(f"{FN}/realtime/events", params={"topic": "secrets"}, headers=ann)
    assert missing.status_code == 404
    corp = await client.post(
        "/api/v1/corpfinity/auth/register",
        json={"email": "cf@example.com", "password": PASSWORD, "name": "Cf"},
    )
    other = {"Authorization": f"Bearer {corp.json()['access_token']}"}
    wrong_app = await client.get(
        "/api/v1/corpfinity/realtime/events", params={"topic": "wall"}, headers=other
    )
    assert wrong_app.status_code == 404


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with quiet_server(tmp_path_factory.mktemp("wall")) as base:
        yield base


def test_followers_see_new_posts_live_over_sse_and_websocket(server: str) -> None:
    with httpx2.Client(base_url=server, timeout=10) as client:
        tokens = []
        for email in ("ann@example.com", "bob@example.com"):
            body = {"email": email, "password": PASSWORD, "name": email[:3].title()}
            tokens.append(client.post(f"{FN}/auth/register", json=body).json()["access_token"])
        ann, bob = ({"Authorization": f"Bearer {t}"} for t in tokens)
        socket_url = server.replace("http", "ws") + f"{FN}/realtime/ws"
        with (
            client.stream(
                "GET", f"{FN}/realtime/events", params={"topic": "wall"}, headers=bob
            ) as stream,
            connect(f"{socket_url}?topic=wall&access_token={tokens[1]}", open_timeout=10) as ws,
        ):
            made = client.post(f"{FN}/posts", json={"text": "Morning run"}, headers=ann).json()
            # SSE followers hear who comes online too (Bob's socket).
            [event] = read_events(stream, 1, skip_prefix="presence.")
            assert (event.event, event.data["id"], event.data["text"]) == (
                "post.created",
                made["id"],
                "Morning run",
            )
            # Presence signals share the topic (Bob's own join comes first).
            received = next_message(ws, lambda m: not m["type"].startswith("presence."), 10)
            assert (received["type"], received["data"]["id"]) == ("post.created", made["id"])
