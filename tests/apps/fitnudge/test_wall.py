"""The social wall: posts newest first by cursor, likes counted once per person, own posts
deleted, flags for moderation, attachments from completed uploads, and text that is stored as
written yet cannot script a page that embeds the JSON."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.apps.fitnudge.models import Flag, Post
from appfleet.core.clock import FixedClock
from tests.apps.fitnudge.coach import FN, athlete
from tests.fixtures.accounts import stored
from tests.fixtures.storage import png
from tests.platform.billing.flows import path_of

pytestmark = pytest.mark.anyio
XSS = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'


async def post(
    client: httpx2.AsyncClient, auth: dict[str, str], text: str, **extra: object
) -> dict:  # type: ignore[type-arg]
    response = await client.post(f"{FN}/posts", json={"text": text, **extra}, headers=auth)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_the_feed_is_newest_first_by_cursor_with_likes_per_viewer(
    client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    ann, bob = await athlete(client), await athlete(client, "bob@example.com")
    made = []
    for n in range(5):
        made.append(await post(client, ann if n % 2 else bob, f"Workout {n}"))
        clock.advance(timedelta(seconds=1))
    first = await client.get(f"{FN}/posts", params={"limit": 3}, headers=ann)
    page = first.json()
    assert [p["text"] for p in page["items"]] == ["Workout 4", "Workout 3", "Workout 2"]
    rest = (
        await client.get(
            f"{FN}/posts", params={"limit": 3, "cursor": page["next_cursor"]}, headers=ann
        )
    ).json()
    assert [p["text"] for p in rest["items"]] == ["Workout 1", "Workout 0"]
    assert rest["next_cursor"] is None
    target = made[2]["id"]
    for _ in range(2):  # liking twice counts once
        liked = await client.post(f"{FN}/posts/{target}/like", headers=ann)
        assert liked.json() == {"post_id": target, "liked": True, "like_count": 1}
    await client.post(f"{FN}/posts/{target}/like", headers=bob)
    mine = {p["id"]: p for p in (await client.get(f"{FN}/posts", headers=ann)).json()["items"]}
    theirs = {p["id"]: p for p in (await client.get(f"{FN}/posts", headers=bob)).json()["items"]}
    assert mine[target]["like_count"] == 2 and mine[target]["liked_by_me"] is True
    assert mine[made[0]["id"]]["liked_by_me"] is False
    assert theirs[target]["liked_by_me"] is True and theirs[made[0]["id"]]["liked_by_me"] is False
    for _ in range(2):
        unliked = await client.delete(f"{FN}/posts/{target}/like", headers=ann)
        assert unliked.json()["like_count"] == 1 and unliked.json()["liked"] is False
    # The first page is cached for a few seconds, but a new post shows at once.
    fresh = await post(client, bob, "Workout 5")
    top = (await client.get(f"{FN}/posts", headers=ann)).json()["items"][0]
    assert top["id"] == fresh["id"] and top["liked_by_me"] is False
    assert (await client.post(f"{FN}/posts/{uuid.uuid4()}/like", headers=ann)).status_code == 404
    bad = await client.get(f"{FN}/posts", params={"cursor": "nonsense"}, headers=ann)
    assert bad.status_code == 400


async def test_text_is_kept_as_written_and_never_html_in_the_bytes(
    client: httpx2.AsyncClient,
) -> None:
    ann = await athlete(client)
    created = await client.post(f"{FN}/posts", json={"text": XSS}, headers=ann)
    assert created.status_code == 201
    assert created.json()["text"] == XSS  # JSON readers get it back unchanged
    feed = await client.get(f"{FN}/posts", headers=ann)
    for raw in (created.content, feed.content):
        assert b"<" not in raw and b">" not in raw and b"&" not in raw
    assert feed.json()["items"][0]["text"] == XSS
    for bad in ("", "x" * 2001):
        assert (
            await client.post(f"{FN}/posts", json={"text": bad}, headers=ann)
        ).status_code == 400


async def test_only_the_author_deletes_and_anyone_else_may_flag(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    ann, bob = await athlete(client), await athlete(client, "bob@example.com")
    mine = await post(client, ann, "Leg day")
    url = f"{FN}/posts/{mine['id']}"
    assert (await client.delete(url, headers=bob)).status_code == 403
    own = await client.post(f"{url}/flag", json={"reason": "spam"}, headers=ann)
    assert own.status_code == 409
    for reason in ("spam", "rude"):
        flagged = await client.post(f"{url}/flag", json={"reason": reason}, headers=bob)
        assert flagged.status_code == 200 and flagged.json()["flagged"] is True
    [report] = await stored(app, Flag)
    assert report.reason == "rude"
    [row] = await stored(app, Post)
    assert row.flag_count == 1  # one person, one flag
    assert (await client.post(f"{url}/flag", json={"reason": ""}, headers=bob)).status_code == 400
    assert (await client.delete(url, headers=ann)).status_code == 204
    assert (await client.get(f"{FN}/posts", headers=ann)).json()["items"] == []
    assert (await client.delete(url, headers=ann)).status_code == 404


async def test_a_post_carries_a_completed_upload_of_its_author(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    ann, bob = await athlete(client), await athlete(client, "bob@example.com")
    image = png(640, 480)
    ticket = (
        await client.post(
            f"{FN}/uploads",
            json={
                "filename": "gym.png",
                "content_type": "image/png",
                "size": len(image),
                "purpose": "post_image",
            },
            headers=ann,
        )
    ).json()
    early = await client.post(
        f"{FN}/posts", json={"text": "Look", "upload_id": ticket["id"]}, headers=ann
    )
    assert early.status_code == 409
    headers = {k: v for k, v in ticket["upload"]["headers"].items() if k != "Content-Length"}
    sent = await client.put(path_of(ticket["upload"]["url"]), content=image, headers=headers)
    assert sent.status_code in (200, 204)
    assert (
        await client.post(f"{FN}/uploads/{ticket['id']}/complete", headers=ann)
    ).status_code == 200
    stolen = await client.post(
        f"{FN}/posts", json={"text": "Mine", "upload_id": ticket["id"]}, headers=bob
    )
    assert stolen.status_code == 404
    made = await post(client, ann, "Look", upload_id=ticket["id"])
    assert made["attachment"]["kind"] == "image"
    picture = await client.get(path_of(made["attachment"]["url"]))
    assert picture.status_code == 200 and picture.content == image
