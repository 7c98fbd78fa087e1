"""Presence over a real server's WebSocket: followers of a topic with presence see each other
join, change screens and leave (the moment a socket closes), `GET /realtime/presence` lists who
is online, and bad client messages get an error without losing the connection."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx2
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.fixtures.accounts import PASSWORD
from tests.fixtures.servers import quiet_server
from tests.fixtures.sockets import Roster, error_on

FN = "/api/v1/fitnudge"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with quiet_server(tmp_path_factory.mktemp("presence")) as base:
        yield base


def sign_up(client: httpx2.Client, email: str, name: str) -> str:
    body = {"email": email, "password": PASSWORD, "name": name}
    response = client.post(f"{FN}/auth/register", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["access_token"])


def test_followers_see_each_other_come_and_go(server: str) -> None:
    base = server.replace("http", "ws")
    with httpx2.Client(base_url=server, timeout=10) as client:
        ann, bob = (
            sign_up(client, "ann@example.com", "Ann"),
            sign_up(client, "bob@example.com", "Bob"),
        )
        bob_id = client.get(f"{FN}/users/me", headers={"Authorization": f"Bearer {bob}"}).json()[
            "id"
        ]
        ann_auth = {"Authorization": f"Bearer {ann}"}
        # `WS /realtime` is the same socket as `/realtime/ws`.
        with connect(f"{base}{FN}/realtime?topic=wall&screen=feed&access_token={ann}") as watcher:
            roster = Roster(watcher)
            with connect(f"{base}{FN}/realtime/ws?topic=wall&access_token={bob}") as bob_socket:
                roster.until(lambda online: bob_id in online)
                assert roster.online[bob_id] == {"user_id": bob_id, "name": "Bob", "screen": None}
                listed = client.get(
                    f"{FN}/realtime/presence", params={"topic": "wall"}, headers=ann_auth
                ).json()
                assert listed["count"] == 2
                assert {(p["name"], p["screen"]) for p in listed["online"]} == {
                    ("Ann", "feed"),
                    ("Bob", None),
                }
                bob_socket.send(json.dumps({"type": "screen", "screen": "post/123"}))
                roster.until(lambda online: online[bob_id]["screen"] == "post/123")

                bob_socket.send("not json")
                assert error_on(bob_socket)["code"] == "invalid_message"
                bob_socket.send(json.dumps({"type": "screen", "screen": "<script>"}))
                assert error_on(bob_socket)["code"] == "invalid_message"
                closed_at = time.monotonic()
            left_at = roster.until(lambda online: bob_id not in online)
            assert left_at - closed_at < 5
            after = client.get(
                f"{FN}/realtime/presence", params={"topic": "wall"}, headers=ann_auth
            ).json()
            assert [p["name"] for p in after["online"]] == ["Ann"]


def test_presence_is_only_for_topics_that_show_it(server: str) -> None:
    base = server.replace("http", "ws")
    with httpx2.Client(base_url=server, timeout=10) as client:
        token = sign_up(client, "cy@example.com", "Cy")
        auth = {"Authorization": f"Bearer {token}"}
        assert client.get(f"{FN}/realtime/presence", headers=auth).status_code == 400
        listed = client.get(f"{FN}/realtime/presence", params={"topic": "other"}, headers=auth)
        assert listed.status_code == 404
        assert client.get(f"{FN}/realtime/presence", params={"topic": "wall"}).status_code == 401
        # The user's own channel has no presence: a screen message is answered, not obeyed.
        with connect(f"{base}{FN}/realtime/ws?access_token={token}") as own:
            own.send(json.dumps({"type": "screen", "screen": "feed"}))
            assert error_on(own)["code"] == "no_presence"
        bad_screen = f"{base}{FN}/realtime?topic=wall&screen=bad%20screen&access_token={token}"
        with pytest.raises(InvalidStatus, match="403"):
            connect(bad_screen)
