"""Moderation through /api/v1/admin: FitNudge's flagged posts with their reasons, and what
approving, warning and removing do for the author and the wall."""

from __future__ import annotations

from datetime import timedelta

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.core.clock import FixedClock
from appfleet.platform.audit.models import AuditEvent
from tests.apps.fitnudge.coach import FN, athlete
from tests.fixtures.accounts import bearer, log_in, notifications_of, stored
from tests.fixtures.admins import grant

pytestmark = pytest.mark.anyio
QUEUE = "/api/v1/admin/apps/fitnudge/moderation"


async def person(client: httpx2.AsyncClient, clock: FixedClock, email: str) -> dict[str, str]:
    clock.advance(timedelta(seconds=21))  # past the per-IP signup limit
    return await athlete(client, email)


async def flagged_post(
    client: httpx2.AsyncClient, clock: FixedClock, text: str, *reporters: str
) -> tuple[str, str]:
    """A post by a new member, flagged by each of `reporters`: (its id, its author's id)."""
    author = await person(client, clock, f"author{len(text)}@example.com")
    made = (await client.post(f"{FN}/posts", json={"text": text}, headers=author)).json()
    for email in reporters:
        reporter = await person(client, clock, email)
        reason = {"reason": f"{email.split('@')[0]} says spam"}
        flagged = await client.post(f"{FN}/posts/{made['id']}/flag", json=reason, headers=reporter)
        assert flagged.status_code == 200, flagged.text
    return made["id"], made["author"]["id"]


async def moderator(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock, scope: str | None
) -> dict[str, str]:
    email = f"mod-{scope or 'all'}@example.com"
    await person(client, clock, email)
    await grant(app, email, "admin", scope)
    return bearer((await log_in(client, app="fitnudge", email=email)).json()["access_token"])


async def test_the_queue_lists_reported_posts_most_reported_first(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    once, _ = await flagged_post(client, clock, "Buy followers", "bob@example.com")
    twice, _ = await flagged_post(
        client, clock, "Cheap pills here!", "cy@example.com", "di@example.com"
    )
    mod = await moderator(client, app, clock, "fitnudge")
    queue = (await client.get(QUEUE, headers=mod)).json()
    assert queue["total"] == 2
    assert [i["id"] for i in queue["items"]] == [twice, once]
    assert sorted(queue["items"][0]["reasons"]) == ["cy says spam", "di says spam"]
    assert queue["items"][0]["flag_count"] == 2
    viewed = [e for e in await stored(app, AuditEvent) if e.action == "admin_viewed"]
    assert [(e.app, e.details["path"]) for e in viewed] == [("fitnudge", QUEUE)]


async def test_approve_warn_and_remove_each_leave_the_queue_and_do_what_they_say(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    fine, fine_author = await flagged_post(client, clock, "Morning run done", "bob@example.com")
    edgy, edgy_author = await flagged_post(client, clock, "You are all lazy!!", "cy@example.com")
    spam, spam_author = await flagged_post(client, clock, "Visit my shop", "di@example.com")
    mod = await moderator(client, app, clock, None)
    for item, action in ((fine, "approve"), (edgy, "warn"), (spam, "remove")):
        decided = await client.post(
            f"{QUEUE}/{item}", json={"action": action, "note": "Be kind."}, headers=mod
        )
        assert decided.status_code == 200, decided.text
    assert (await client.get(QUEUE, headers=mod)).json() == {"items": [], "total": 0}
    feed = [p["id"] for p in (await client.get(f"{FN}/posts", headers=mod)).json()["items"]]
    assert spam not in feed and fine in feed and edgy in feed
    warned = await notifications_of(app, edgy_author, "moderation")
    removed = await notifications_of(app, spam_author, "moderation")
    approved = await notifications_of(app, fine_author, "moderation")
    assert [n.title for n in warned] == ["A note about your post"]
    assert "Be kind." in warned[0].body
    assert [n.title for n in removed] == ["Your post was removed"]
    assert approved == []
    actions = {e.action for e in await stored(app, AuditEvent)}
    assert {"moderation_approve", "moderation_warn", "moderation_remove"} <= actions
    # Reported again after approval, the post is back in the queue.
    again = await person(client, clock, "eve@example.com")
    await client.post(f"{FN}/posts/{fine}/flag", json={"reason": "still spam"}, headers=again)
    assert [i["id"] for i in (await client.get(QUEUE, headers=mod)).json()["items"]] == [fine]


async def test_only_content_admins_of_the_app_moderate(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    item, _ = await flagged_post(client, clock, "Hello", "bob@example.com")
    shop = await moderator(client, app, clock, "healthindex")
    assert (await client.get(QUEUE, headers=shop)).status_code == 403
    refused = await client.post(f"{QUEUE}/{item}", json={"action": "remove"}, headers=shop)
    assert refused.status_code == 403
    member = await person(client, clock, "plain@example.com")
    assert (await client.get(QUEUE, headers=member)).status_code == 403
    mod = await moderator(client, app, clock, "fitnudge")
    unknown = await client.post(f"{QUEUE}/{'0' * 8}", json={"action": "remove"}, headers=mod)
    assert unknown.status_code == 404
    bad = await client.post(f"{QUEUE}/{item}", json={"action": "delete"}, headers=mod)
    assert bad.status_code == 400
    no_content = await client.get("/api/v1/admin/apps/pennywise/moderation", headers=mod)
    assert no_content.status_code == 403  # pennywise is not this admin's
    everywhere = await moderator(client, app, clock, None)
    none_here = await client.get("/api/v1/admin/apps/pennywise/moderation", headers=everywhere)
    assert none_here.status_code == 404
