"""Uploads end to end: sign, send the bytes where the ticket says, complete, download; the
limits (purpose, type, size, quota); files that arrive other than signed; a WebP variant of
images; ownership; erasure with the account. On local storage (the embedded default) and on an
S3-compatible server."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx2
import pytest
from fastapi import FastAPI
from PIL import Image

from appfleet.apps import MANIFESTS
from appfleet.core.clock import FixedClock
from appfleet.core.settings import Settings, StorageSettings
from appfleet.main import create_app
from appfleet.platform.uploads.models import Upload
from tests.fixtures.accounts import bearer, purge_deleted, register, stored
from tests.fixtures.app import serve
from tests.fixtures.storage import png

pytestmark = pytest.mark.anyio
BASE = "/api/v1/corpfinity/uploads"


def ticket_for(content_type: str, size: int, purpose: str = "avatar") -> dict[str, Any]:
    return {"filename": "me.png", "content_type": content_type, "size": size, "purpose": purpose}


async def send(
    client: httpx2.AsyncClient, http: httpx2.AsyncClient, ticket: dict[str, Any], data: bytes
) -> httpx2.Response:
    """Send the bytes as a phone would: to the ticket's URL, with its headers. Local storage's
    URLs point at this server (the in-process client), others at the store itself."""
    url = ticket["upload"]["url"]
    headers = {k: v for k, v in ticket["upload"]["headers"].items() if k != "Content-Length"}
    target = client if "/media/upload/" in url else http
    path = urlsplit(url)._replace(scheme="", netloc="").geturl() if target is client else url
    return await target.request(ticket["upload"]["method"], path, content=data, headers=headers)


async def fetch(client: httpx2.AsyncClient, http: httpx2.AsyncClient, url: str) -> httpx2.Response:
    if "/media/file/" in url:
        return await client.get(urlsplit(url)._replace(scheme="", netloc="").geturl())
    return await http.get(url)


@pytest.fixture(params=["local", "s3"])
async def media_app(
    request: pytest.FixtureRequest, settings: Settings, clock: FixedClock
) -> AsyncIterator[tuple[FastAPI, httpx2.AsyncClient, httpx2.AsyncClient]]:
    if request.param == "s3":
        storage: StorageSettings = request.getfixturevalue("s3_settings")
        settings = settings.model_copy(update={"storage": storage})
    app = create_app(settings, clock=clock, manifests=MANIFESTS)
    async with serve(app) as client, httpx2.AsyncClient() as http:
        yield app, client, http


async def test_an_upload_is_signed_sent_completed_and_downloaded(
    media_app: tuple[FastAPI, httpx2.AsyncClient, httpx2.AsyncClient],
) -> None:
    app, client, http = media_app
    body = await register(client)
    auth = bearer(body["access_token"])
    image = png()
    started = await client.post(BASE, json=ticket_for("image/png", len(image)), headers=auth)
    assert started.status_code == 201
    ticket = started.json()
    assert ticket["key"].startswith(f"corpfinity/private/{body['user']['id']}/avatar/")
    assert ticket["status"] == "pending"

    early = await client.post(f"{BASE}/{ticket['id']}/complete", headers=auth)
    assert early.status_code == 409  # nothing has arrived yet
    assert (await send(client, http, ticket, image)).status_code == 200
    done = await client.post(f"{BASE}/{ticket['id']}/complete", headers=auth)
    assert done.status_code == 200, done.text
    upload = done.json()
    assert (upload["status"], upload["size"], upload["variant_status"]) == (
        "ready",
        len(image),
        "pending",
    )
    downloaded = await fetch(client, http, upload["download_url"])
    assert (downloaded.status_code, downloaded.content) == (200, image)

    await app.state.jobs.worker.drain()  # the WebP variant (and the welcome email)
    again = (await client.get(f"{BASE}/{ticket['id']}", headers=auth)).json()
    assert again["variant_status"] == "ready"
    variant = await fetch(client, http, again["variant_url"])
    with Image.open(io.BytesIO(variant.content)) as webp:
        assert webp.format == "WEBP"
        assert max(webp.size) == 1024 and webp.size == (1024, 683)

    listing = (await client.get(BASE, headers=auth)).json()
    assert [u["id"] for u in listing["items"]] == [ticket["id"]]
    assert listing["used_bytes"] == len(image)
    assert listing["quota_bytes"] == 100 * 1024 * 1024

    assert (await client.delete(f"{BASE}/{ticket['id']}", headers=auth)).status_code == 204
    # Gone: S3 answers 403 for a missing key to a reader who may not list the bucket.
    assert (await fetch(client, http, upload["download_url"])).status_code in (403, 404)
    assert await stored(app, Upload) == []


async def test_a_file_other_than_signed_is_refused_and_removed(
    media_app: tuple[FastAPI, httpx2.AsyncClient, httpx2.AsyncClient],
) -> None:
    app, client, http = media_app
    auth = bearer((await register(client))["access_token"])
    ticket = (await client.post(BASE, json=ticket_for("image/png", 1000), headers=auth)).json()
    if "/media/upload/" in ticket["upload"]["url"]:
        # appfleet is the store: it refuses the wrong body at once.
        short = await send(client, http, ticket, b"x" * 999)
        assert short.status_code == 400
        assert short.json()["error"]["details"]["reason"] == "size_mismatch"
        long = await send(client, http, ticket, b"x" * 1001)
        assert long.status_code == 413
        wrong = dict(ticket, upload={**ticket["upload"], "headers": {"Content-Type": "text/html"}})
        assert (await send(client, http, wrong, b"x" * 1000)).status_code == 400
    else:
        # The local S3 server takes any body (real S3 and R2 check the signed length and
        # type); completing then finds the difference and removes the object.
        assert (await send(client, http, ticket, b"x" * 5000)).status_code == 200
        refused = await client.post(f"{BASE}/{ticket['id']}/complete", headers=auth)
        assert refused.status_code == 400
        assert refused.json()["error"]["details"]["received"]["size"] == 5000
        assert await app.state.storage.stat(ticket["key"]) is None
        assert await stored(app, Upload) == []


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (ticket_for("image/png", 100, purpose="malware"), 400, "purpose"),
        (ticket_for("text/html", 100), 400, "content_type"),
        (ticket_for("image/png", 11 * 1024 * 1024), 413, "size"),
        (ticket_for("image/png", 0), 400, "size"),
        ({"filename": "x", "content_type": "image/png", "size": 5}, 400, "purpose"),
    ],
)
async def test_uploads_outside_the_limits_are_refused(
    app: FastAPI, client: httpx2.AsyncClient, body: dict[str, Any], status: int, field: str
) -> None:
    auth = bearer((await register(client))["access_token"])
    response = await client.post(BASE, json=body, headers=auth)
    assert response.status_code == status
    assert field in str(response.json()["error"]["details"])
    assert await stored(app, Upload) == []


async def test_the_quota_counts_stored_files_and_uploads_in_flight(
    settings: Settings, clock: FixedClock
) -> None:
    small = settings.storage.model_copy(update={"quota_free_bytes": 2500})
    app = create_app(
        settings.model_copy(update={"storage": small}), clock=clock, manifests=MANIFESTS
    )
    async with serve(app) as client:
        auth = bearer((await register(client))["access_token"])
        first = await client.post(BASE, json=ticket_for("image/png", 1500), headers=auth)
        assert first.status_code == 201
        full = await client.post(BASE, json=ticket_for("image/png", 1500), headers=auth)
        assert full.status_code == 409
        assert full.json()["error"]["details"] == {"used_bytes": 1500, "quota_bytes": 2500}
        clock.advance(timedelta(minutes=16))  # the first URL expired unused: room again
        auth = bearer((await register(client, email="b@example.com"))["access_token"])
        assert (
            await client.post(BASE, json=ticket_for("image/png", 2500), headers=auth)
        ).status_code == 201


async def test_nobody_sees_or_deletes_another_users_or_apps_upload(
    app: FastAPI, client: httpx2.AsyncClient
) -> None:
    ann = bearer((await register(client))["access_token"])
    bob = bearer((await register(client, email="bob@example.com"))["access_token"])
    ann_fit = bearer((await register(client, app="fitnudge"))["access_token"])
    ticket = (await client.post(BASE, json=ticket_for("image/png", 10), headers=ann)).json()
    for method, path in (("GET", ""), ("POST", "/complete"), ("DELETE", "")):
        url = f"{BASE}/{ticket['id']}{path}"
        assert (await client.request(method, url, headers=bob)).status_code == 404
        other = url.replace("corpfinity", "fitnudge")
        assert (await client.request(method, other, headers=ann_fit)).status_code == 404
        assert (await client.request(method, url)).status_code == 401
    assert len(await stored(app, Upload)) == 1


async def test_a_purged_account_takes_its_files_with_it(
    app: FastAPI, client: httpx2.AsyncClient, clock: FixedClock
) -> None:

    ann = await register(client)
    bob = await register(client, email="bob@example.com")
    keys = []
    for account in (ann, bob):
        auth = bearer(account["access_token"])
        ticket = (await client.post(BASE, json=ticket_for("image/png", 3), headers=auth)).json()
        await send(client, client, ticket, b"abc")
        await client.post(f"{BASE}/{ticket['id']}/complete", headers=auth)
        keys.append(ticket["key"])
    await client.request(
        "DELETE", "/api/v1/corpfinity/auth/account", headers=bearer(ann["access_token"])
    )
    clock.advance(timedelta(days=31))
    assert await purge_deleted(app) == 1
    assert await app.state.storage.stat(keys[0]) is None
    assert await app.state.storage.stat(keys[1]) is not None
    assert [u.key for u in await stored(app, Upload)] == [keys[1]]


async def test_a_file_the_server_made_is_one_of_the_users_uploads(
    app: FastAPI, client: httpx2.AsyncClient
) -> None:
    import uuid as uuid_module

    from appfleet.core.database import unit_of_work
    from appfleet.platform.uploads.service import store_generated

    body = await register(client)
    async with unit_of_work(app.state.db) as session:
        await store_generated(
            session,
            app.state.clock,
            app.state.storage,
            app.state.registry.get("corpfinity"),
            uuid_module.UUID(body["user"]["id"]),
            purpose="voice",
            data=b"RIFF....WAVE",
            content_type="audio/wav",
            extension=".wav",
            filename="motivation.wav",
        )
    listing = (await client.get(BASE, headers=bearer(body["access_token"]))).json()
    [voice] = listing["items"]
    assert (voice["purpose"], voice["size"], listing["used_bytes"]) == ("voice", 12, 12)
    downloaded = await client.get(urlsplit(voice["download_url"]).path)
    assert downloaded.content == b"RIFF....WAVE"
    assert downloaded.headers["content-type"] == "audio/wav"
