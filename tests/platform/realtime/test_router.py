"""Live events against a real server: SSE with replay from Last-Event-ID, a WebSocket, and a
signed-out session that stops receiving at once."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx2
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.fixtures.accounts import PASSWORD
from tests.fixtures.servers import quiet_server
from tests.fixtures.sse import read_events

CF = "/api/v1/corpfinity"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with quiet_server(tmp_path_factory.mktemp("realtime")) as base:
        yield base


def two_devices(client: httpx2.Client, email: str) -> tuple[dict[str, str], dict[str, str]]:
    body = {"email": email, "password": PASSWORD}
    first = client.post(f"{CF}/auth/register", json=body | {"name": "Ann"}).json()["access_token"]
    second = client.post(f"{CF}/auth/login", json=body).json()["access_token"]
    return {"Authorization": f"Bearer {first}"}, {"Authorization": f"Bearer {second}"}


def rename(client: httpx2.Client, headers: dict[str, str], name: str) -> None:
    assert client.patch(f"{CF}/users/me", json={"name": name}, headers=headers).status_code == 200


def test_sse_delivers_replays_from_last_event_id_and_stops_at_sign_out(server: str) -> None:
    with httpx2.Client(base_url=server, timeout=10) as client:
        phone, tablet = two_devices(client, "sse@example.com")
        assert client.get(f"{CF}/realtime/events").status_code == 401

        rename(client, tablet, "Ann One")
        with client.stream("GET", f"{CF}/realtime/events?since=0", headers=phone) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            [first] = read_events(stream, 1)
        assert (first.event, first.id, first.data["name"]) == ("user.updated", "1", "Ann One")

        rename(client, tablet, "Ann Two")
        rename(client, tablet, "Ann Three")
        resume = {**phone, "Last-Event-ID": "1"}
        with client.stream("GET", f"{CF}/realtime/events", headers=resume) as stream:
            missed = read_events(stream, 2)
        assert [(e.id, e.data["name"]) for e in missed] == [("2", "Ann Two"), ("3", "Ann Three")]

        with client.stream("GET", f"{CF}/realtime/events?since=3", headers=phone) as stream:
            assert client.post(f"{CF}/auth/logout", headers=phone).status_code == 204
            rename(client, tablet, "Ann Four")
            [ended] = read_events(stream, 1)
        assert ended.event == "signed_out"


def test_websocket_delivers_and_refuses_a_bad_token(server: str) -> None:
    with httpx2.Client(base_url=server, timeout=10) as client:
        phone, tablet = two_devices(client, "ws@example.com")
        token = phone["Authorization"].removeprefix("Bearer ")
        url = server.replace("http", "ws") + f"{CF}/realtime/ws?since=0&access_token={token}"
        with connect(url, open_timeout=5) as socket:
            rename(client, tablet, "Ann WS")
            message = json.loads(socket.recv(timeout=5))
        assert (message["type"], message["seq"]) == ("user.updated", 1)
        assert message["data"]["name"] == "Ann WS"

        bad = server.replace("http", "ws") + f"{CF}/realtime/ws?access_token=not-a-token"
        with connect(bad, open_timeout=5) as socket, pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=5)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
