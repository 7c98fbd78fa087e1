"""Device registration, test pushes delivered through the outbox to FCM and APNs (local fakes),
the inbox and its delivery log, dead tokens, and who may see what."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.apps import MANIFESTS
from appfleet.core.clock import FixedClock
from appfleet.core.settings import Settings
from appfleet.main import create_app
from appfleet.providers.push.models import PushDevice
from appfleet.runtime.outbox import OutboxMessage
from tests.fixtures.accounts import bearer, register, stored
from tests.fixtures.app import serve
from tests.fixtures.push import (
    APNS_KEY_ID,
    APNS_TEAM,
    BUNDLE_ID,
    Answer,
    ApnsServer,
    FcmServer,
    fcm_error,
)

pytestmark = pytest.mark.anyio
BASE = "/api/v1/corpfinity/notifications"
IOS_TOKEN = "ab" * 32  # a raw APNs device token: hex
ANDROID_TOKEN = "fcm:APA91bH-android-registration-token"


def with_vendors(settings: Settings, fcm: FcmServer, apns: ApnsServer) -> Settings:
    corpfinity = {
        "bundle_ids": [BUNDLE_ID],
        "fcm_credentials": fcm.service_account,
        "apns_team_id": APNS_TEAM,
        "apns_key_id": APNS_KEY_ID,
        "apns_private_key": apns.private_key,
    }
    push = {"fcm_url": fcm.url, "apns_production_url": apns.url, "apns_ca_file": apns.ca_file}
    return Settings(**(settings.model_dump() | {"app": {"corpfinity": corpfinity}, "push": push}))


@pytest.fixture
async def vendor_app(
    settings: Settings, clock: FixedClock, fcm_server: FcmServer, apns_server: ApnsServer
) -> AsyncIterator[tuple[FastAPI, httpx2.AsyncClient]]:
    app = create_app(
        with_vendors(settings, fcm_server, apns_server), clock=clock, manifests=MANIFESTS
    )
    async with serve(app) as client:
        yield app, client


async def register_device(
    client: httpx2.AsyncClient, token: str, device: str, platform: str
) -> httpx2.Response:
    return await client.post(
        f"{BASE}/register", json={"token": device, "platform": platform}, headers=bearer(token)
    )


async def deliver(app: FastAPI) -> int:
    return int(await app.state.jobs.worker.drain())


async def test_a_test_push_reaches_every_device_through_its_vendor(
    vendor_app: tuple[FastAPI, httpx2.AsyncClient],
    fcm_server: FcmServer,
    apns_server: ApnsServer,
) -> None:
    app, client = vendor_app
    token = (await register(client))["access_token"]
    ios = await register_device(client, token, IOS_TOKEN, "ios")
    android = await register_device(client, token, ANDROID_TOKEN, "android")
    assert (ios.status_code, ios.json()["service"]) == (201, "apns")
    assert (android.status_code, android.json()["service"]) == (201, "fcm")

    sent = await client.post(f"{BASE}/test", headers=bearer(token))
    assert sent.status_code == 202
    notification = sent.json()
    assert notification["push_state"] == "queued"
    assert {d["status"] for d in notification["deliveries"]} == {"pending"}
    assert fcm_server.pushes == apns_server.pushes == []  # delivery happens after the response

    await deliver(app)
    [fcm_push] = fcm_server.accepted()
    [apns_push] = apns_server.accepted()
    assert fcm_push["message"]["token"] == ANDROID_TOKEN
    assert fcm_push["message"]["data"]["notification_id"] == notification["id"]
    assert apns_push["device"] == IOS_TOKEN
    assert apns_push["payload"]["notification_id"] == notification["id"]
    assert apns_push["payload"]["aps"]["badge"] == 1

    log = (await client.get(f"{BASE}/{notification['id']}", headers=bearer(token))).json()
    by_provider = {d["provider"]: d for d in log["deliveries"]}
    assert set(by_provider) == {"fcm", "apns"}
    assert all(d["status"] == "sent" and d["sent_at"] for d in log["deliveries"])
    assert by_provider["fcm"]["provider_ref"].startswith("projects/fleet-test/messages/")
    assert by_provider["apns"]["provider_ref"] == apns_push["headers"]["apns-id"]


async def test_without_credentials_pushes_stay_in_the_local_outbox(
    app: FastAPI, client: httpx2.AsyncClient
) -> None:
    token = (await register(client))["access_token"]
    await register_device(client, token, ANDROID_TOKEN, "android")
    await client.post(f"{BASE}/test", json={"title": "Hi", "body": "There"}, headers=bearer(token))
    await deliver(app)
    [message] = [m for m in await stored(app, OutboxMessage) if m.channel == "push"]
    assert (message.status, message.provider, message.recipient) == ("sent", "local", ANDROID_TOKEN)
    assert (message.payload["title"], message.payload["body"]) == ("Hi", "There")


async def test_registering_is_idempotent_and_a_token_follows_its_last_user(
    app: FastAPI, client: httpx2.AsyncClient
) -> None:
    ann = (await register(client))["access_token"]
    bob = (await register(client, email="bob@example.com", name="Bob"))["access_token"]
    first = await register_device(client, ann, ANDROID_TOKEN, "android")
    again = await register_device(client, ann, ANDROID_TOKEN, "android")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]

    # Bob signs in on Ann's old phone: the install's token is his now.
    moved = await register_device(client, bob, ANDROID_TOKEN, "android")
    assert moved.status_code == 201
    assert (await client.get(f"{BASE}/devices", headers=bearer(ann))).json() == []
    assert len((await client.get(f"{BASE}/devices", headers=bearer(bob))).json()) == 1
    assert len(await stored(app, PushDevice)) == 1


async def test_unregistering_only_removes_the_callers_own_token(
    app: FastAPI, client: httpx2.AsyncClient
) -> None:
    ann = (await register(client))["access_token"]
    bob = (await register(client, email="bob@example.com", name="Bob"))["access_token"]
    await register_device(client, ann, ANDROID_TOKEN, "android")
    by_bob = await client.request(
        "DELETE", f"{BASE}/unregister", json={"token": ANDROID_TOKEN}, headers=bearer(bob)
    )
    assert by_bob.status_code == 204
    assert len(await stored(app, PushDevice)) == 1
    by_ann = await client.delete(
        f"{BASE}/unregister", params={"token": ANDROID_TOKEN}, headers=bearer(ann)
    )
    assert by_ann.status_code == 204
    assert await stored(app, PushDevice) == []
    missing = await client.request("DELETE", f"{BASE}/unregister", headers=bearer(ann))
    assert missing.status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {"token": "short", "platform": "android"},
        {"token": "has spaces in it", "platform": "ios"},
        {"token": ANDROID_TOKEN, "platform": "windows"},
        {"token": "x" * 400, "platform": "web"},
        {"token": ANDROID_TOKEN, "platform": "web", "service": "mqtt"},
    ],
)
async def test_bad_registrations_are_refused(
    app: FastAPI, client: httpx2.AsyncClient, body: dict[str, Any]
) -> None:
    token = (await register(client))["access_token"]
    response = await client.post(f"{BASE}/register", json=body, headers=bearer(token))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert await stored(app, PushDevice) == []


async def test_a_token_reported_dead_twice_is_removed_and_a_success_clears_doubt(
    vendor_app: tuple[FastAPI, httpx2.AsyncClient], fcm_server: FcmServer
) -> None:
    app, client = vendor_app
    token = (await register(client))["access_token"]
    await register_device(client, token, ANDROID_TOKEN, "android")
    dead = fcm_error(404, "UNREGISTERED", "Requested entity was not found.")

    fcm_server.answers[ANDROID_TOKEN] = [dead, Answer(200)]
    await client.post(f"{BASE}/test", headers=bearer(token))
    await deliver(app)
    [device] = await stored(app, PushDevice)
    assert device.suspect_reason == "UNREGISTERED"  # once is not proof
    [failed] = [m for m in await stored(app, OutboxMessage) if m.channel == "push"]
    assert failed.status == "dead"
    assert "marked suspect" in (failed.last_error or "")

    await client.post(f"{BASE}/test", headers=bearer(token))
    await deliver(app)
    [device] = await stored(app, PushDevice)
    assert device.suspect_at is None  # it answered: alive after all

    fcm_server.answers[ANDROID_TOKEN] = dead
    for _ in range(2):
        await client.post(f"{BASE}/test", headers=bearer(token))
        await deliver(app)
    assert await stored(app, PushDevice) == []


async def test_the_inbox_pages_newest_first_and_tracks_reading(
    app: FastAPI, client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    token = (await register(client))["access_token"]
    ids = []
    for n in range(3):
        sent = await client.post(
            f"{BASE}/test", json={"title": f"n{n}", "body": "b"}, headers=bearer(token)
        )
        ids.append(sent.json()["id"])
        clock.advance(timedelta(minutes=1))
    first = (await client.get(BASE, params={"limit": 2}, headers=bearer(token))).json()
    assert [n["title"] for n in first["items"]] == ["n2", "n1"]
    assert first["unread"] == 3
    rest = await client.get(BASE, params={"cursor": first["next_cursor"]}, headers=bearer(token))
    assert [n["title"] for n in rest.json()["items"]] == ["n0"]
    assert rest.json()["next_cursor"] is None

    opened = await client.post(f"{BASE}/{ids[0]}/opened", headers=bearer(token))
    assert opened.status_code == 204
    detail = (await client.get(f"{BASE}/{ids[0]}", headers=bearer(token))).json()
    assert detail["opened_at"] and detail["read_at"]
    unread = (await client.get(BASE, params={"unread": True}, headers=bearer(token))).json()
    assert [n["title"] for n in unread["items"]] == ["n2", "n1"]
    await client.post(f"{BASE}/read-all", headers=bearer(token))
    assert (await client.get(BASE, headers=bearer(token))).json()["unread"] == 0


async def test_nobody_reads_or_marks_another_users_or_apps_notification(
    client: httpx2.AsyncClient,
) -> None:
    ann = (await register(client))["access_token"]
    bob = (await register(client, email="bob@example.com", name="Bob"))["access_token"]
    ann_fit = (await register(client, app="fitnudge"))["access_token"]
    notification = (await client.post(f"{BASE}/test", headers=bearer(ann))).json()["id"]
    for path in (f"{BASE}/{notification}", f"{BASE}/{notification}/opened"):
        method = "GET" if path.endswith(notification) else "POST"
        as_bob = await client.request(method, path, headers=bearer(bob))
        assert as_bob.status_code == 404
        other_app = path.replace("corpfinity", "fitnudge")
        assert (await client.request(method, other_app, headers=bearer(ann_fit))).status_code == 404
        anonymous = await client.request(method, path)
        assert anonymous.status_code == 401
    assert (await client.get(BASE, headers=bearer(bob))).json()["items"] == []
    mine = (await client.get(f"{BASE}/{notification}", headers=bearer(ann))).json()
    assert mine["opened_at"] is None
    bad_id = await client.get(f"{BASE}/not-a-uuid", headers=bearer(ann))
    assert bad_id.status_code == 400


async def test_preferences_are_validated_and_kept(client: httpx2.AsyncClient) -> None:
    token = (await register(client))["access_token"]
    default = (await client.get(f"{BASE}/preferences", headers=bearer(token))).json()
    assert default == {"quiet_hours": None, "daily_limit": 10, "muted_kinds": []}
    change = {
        "quiet_hours": {"start": "22:00", "end": "07:00"},
        "daily_limit": 3,
        "muted_kinds": ["motivation", "motivation"],
    }
    saved = await client.put(f"{BASE}/preferences", json=change, headers=bearer(token))
    assert saved.json() == {
        "quiet_hours": {"start": "22:00:00", "end": "07:00:00"},
        "daily_limit": 3,
        "muted_kinds": ["motivation"],
    }
    again = await client.get(f"{BASE}/preferences", headers=bearer(token))
    assert again.json() == saved.json()
    for bad in (
        {"quiet_hours": {"start": "22:00", "end": "22:00"}},
        {"daily_limit": -1},
        {"muted_kinds": ["Not A Kind!"]},
        {"quiet_hours": {"start": "25:00", "end": "07:00"}},
    ):
        refused = await client.put(f"{BASE}/preferences", json=bad, headers=bearer(token))
        assert refused.status_code == 400, bad
    assert (await client.get(f"{BASE}/preferences", headers=bearer(token))).json() == saved.json()


async def test_an_fcm_outage_is_retried_until_it_recovers_and_each_push_arrives_once(
    vendor_app: tuple[FastAPI, httpx2.AsyncClient], fcm_server: FcmServer, clock: FixedClock
) -> None:
    app, client = vendor_app
    token = (await register(client))["access_token"]
    await register_device(client, token, ANDROID_TOKEN, "android")
    fcm_server.answers[ANDROID_TOKEN] = fcm_error(500, "INTERNAL", "Internal error encountered.")
    sent = [(await client.post(f"{BASE}/test", headers=bearer(token))).json() for _ in range(3)]
    for _ in range(2):  # two rounds of the outage: every attempt refused, none lost
        await deliver(app)
        clock.advance(timedelta(minutes=10))
    pushes = [m for m in await stored(app, OutboxMessage) if m.channel == "push"]
    assert {(m.status, m.attempts) for m in pushes} == {("failed", 2)}
    assert fcm_server.accepted() == []

    fcm_server.answers[ANDROID_TOKEN] = Answer(200)
    await deliver(app)
    clock.advance(timedelta(minutes=10))
    await deliver(app)  # nothing is sent twice once it went through
    delivered = [p["message"]["data"]["notification_id"] for p in fcm_server.accepted()]
    assert sorted(delivered) == sorted(n["id"] for n in sent)
    pushes = [m for m in await stored(app, OutboxMessage) if m.channel == "push"]
    assert {(m.status, m.attempts) for m in pushes} == {("sent", 3)}
