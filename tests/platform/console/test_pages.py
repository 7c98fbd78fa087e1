"""Every console page renders for a super admin, and the forms behind flags, experiments,
moderation and the outbox change what the API then answers."""

from __future__ import annotations

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.core.clock import FixedClock
from tests.apps.fitnudge.coach import FN
from tests.fixtures.accounts import PASSWORD, bearer, register
from tests.fixtures.admins import grant
from tests.platform.admin.test_outbox import dead_letter
from tests.platform.console.test_session import admin, csrf_of, sign_in

pytestmark = pytest.mark.anyio


async def test_every_section_renders(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    await admin(client, app, clock, "boss@example.com", "super_admin")
    await sign_in(client, "boss@example.com")
    for path, heading in (
        ("/admin", "Dashboard"),
        ("/admin?app=fitnudge", "Dashboard: fitnudge"),
        ("/admin/users", "Users"),
        ("/admin/moderation", "Moderation"),
        ("/admin/outbox?status=dead", "Outbox"),
        ("/admin/flags", "Feature flags"),
        ("/admin/experiments?app=fitnudge", "Experiments"),
        ("/admin/health", "System health"),
    ):
        page = await client.get(path)
        assert page.status_code == 200, (path, page.text[:500])
        assert f"<h1>{heading}" in page.text, path
        assert 'aria-current="page"' in page.text
    chart = (await client.get("/admin")).text
    assert chart.count("<svg") >= 2 and "Daily active users" in chart and "Signups" in chart
    assert (
        (await client.get("/admin/static/console.css"))
        .headers["content-type"]
        .startswith("text/css")
    )
    assert (await client.get("/admin/users/not-a-uuid")).status_code == 400


async def test_a_flag_made_in_the_console_changes_what_clients_get(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    member = bearer(
        (await register(client, app="fitnudge", email="ann@example.com"))["access_token"]
    )
    await admin(client, app, clock, "boss@example.com", "super_admin")
    await sign_in(client, "boss@example.com")
    flags = f"{FN}/flags"
    assert (await client.get(flags, headers=member)).json()["flags"].get("dark-mode") is not True
    page = await client.get("/admin/flags?app=fitnudge")
    form = {
        "csrf": csrf_of(page),
        "app": "fitnudge",
        "key": "dark-mode",
        "enabled": "true",
        "rollout_percent": "100",
        "description": "Dark theme",
    }
    bad = await client.post("/admin/flags", data={**form, "rollout_percent": "150"})
    assert bad.status_code == 400 and "rollout_percent" in bad.text
    assert (await client.post("/admin/flags", data=form)).status_code == 303
    assert (await client.get(flags, headers=member)).json()["flags"]["dark-mode"] is True
    listed = await client.get("/admin/flags?app=fitnudge&key=dark-mode")
    assert 'value="dark-mode"' in listed.text and "readonly" in listed.text
    off = {**form, "killed": "true"}
    assert (await client.post("/admin/flags", data=off)).status_code == 303
    assert (await client.get(flags, headers=member)).json()["flags"]["dark-mode"] is False


async def test_experiments_are_drafted_started_and_show_results(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    await admin(client, app, clock, "boss@example.com", "super_admin")
    await sign_in(client, "boss@example.com")
    page = await client.get("/admin/experiments?app=fitnudge")
    form = {
        "csrf": csrf_of(page),
        "app": "fitnudge",
        "key": "paywall-copy",
        "variants": "control:1, bold:1",
        "conversion_event": "subscribed",
    }
    bad = await client.post("/admin/experiments", data={**form, "variants": "control"})
    assert bad.status_code == 400 and "variants" in bad.text
    assert (await client.post("/admin/experiments", data=form)).status_code == 303
    detail = await client.get("/admin/experiments/fitnudge/paywall-copy")
    assert "draft" in detail.text
    start = await client.post(
        "/admin/experiments/fitnudge/paywall-copy/start", data={"csrf": form["csrf"]}
    )
    assert start.status_code == 303
    running = await client.get("/admin/experiments/fitnudge/paywall-copy")
    assert "running" in running.text and "<td>bold</td>" in running.text
    again = await client.post(
        "/admin/experiments/fitnudge/paywall-copy/start", data={"csrf": form["csrf"]}
    )
    assert again.status_code == 409 and "already" in again.text


async def test_a_dead_letter_is_sent_again_from_the_outbox_page(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    await admin(client, app, clock, "boss@example.com", "super_admin")
    await sign_in(client, "boss@example.com")
    message = await dead_letter(app)
    page = await client.get("/admin/outbox?status=dead")
    assert "ConnectionError: refused" in page.text
    sent = await client.post(f"/admin/outbox/{message.id}/requeue", data={"csrf": csrf_of(page)})
    assert sent.status_code == 303
    assert "ConnectionError" not in (await client.get("/admin/outbox?status=dead")).text


async def test_a_limit_changed_in_the_console_applies_and_clears(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    await admin(client, app, clock, "boss@example.com", "super_admin")
    await sign_in(client, "boss@example.com")
    page = await client.get("/admin/limits")
    assert page.status_code == 200 and "<code>ai_daily_tokens</code>" in page.text
    form = {"csrf": csrf_of(page), "app": "lowkeymode", "name": "login", "value": "nonsense"}
    bad = await client.post("/admin/limits", data=form)
    assert bad.status_code == 400 and "needs a rate" in bad.text
    assert (await client.post("/admin/limits", data={**form, "value": "1/hour"})).status_code == 303
    assert "lowkeymode: <strong>1/hour</strong>" in (await client.get("/admin/limits")).text
    logins = [
        await client.post(
            "/api/v1/lowkeymode/auth/login",
            json={"email": "boss@example.com", "password": PASSWORD},
        )
        for _ in range(2)
    ]
    assert [r.status_code for r in logins] == [200, 429]
    cleared = await client.post("/admin/limits", data={**form, "clear": "true"})
    assert cleared.status_code == 303
    assert "<strong>1/hour</strong>" not in (await client.get("/admin/limits")).text


async def test_catalogs_are_edited_from_forms_and_members_see_the_change(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    await admin(client, app, clock, "shop@example.com", "admin")
    await grant(app, "shop@example.com", "admin", None)
    await sign_in(client, "shop@example.com")
    index = await client.get("/admin/catalogs")
    assert "Health Index: Products" in index.text and "CorpFinity: Challenge catalog" in index.text
    url = "/admin/catalogs/corpfinity/challenges"
    form_page = await client.get(f"{url}?edit=desk-stretch")
    assert 'value="Desk stretch"' in form_page.text
    values = {
        "csrf": csrf_of(form_page),
        "item_id": "desk-stretch",
        "title": "Desk stretch (2 min)",
        "description": "Roll your shoulders.",
        "duration": "2 min",
        "duration_minutes": "2",
        "emoji": "🙆",
        "fun_fact": "",
        "goal_category": "movement",
        "energy_level": "low",
        "active": "true",
    }
    bad = await client.post(url, data={**values, "duration_minutes": "many"})
    assert bad.status_code == 400 and "duration_minutes" in bad.text
    assert (await client.post(url, data=values)).status_code == 303
    catalog = (await client.get("/api/v1/corpfinity/challenges")).json()
    assert {c["id"]: c["title"] for c in catalog}["desk-stretch"] == "Desk stretch (2 min)"

    products = "/admin/catalogs/healthindex/products"
    new = await client.get(f"{products}?edit=new")
    category = (await client.get("/api/v1/healthindex/categories")).json()[0]["slug"]
    product = {
        "csrf": csrf_of(new),
        "item_id": "",
        "slug": "calm-tea",
        "name": "Calm tea",
        "description": "Chamomile.",
        "price_cents": "450",
        "currency": "usd",
        "category": category,
        "stock": "",
        "position": "1",
        "active": "true",
    }
    assert (await client.post(products, data=product)).status_code == 303
    shop = (await client.get("/api/v1/healthindex/products?limit=100")).json()["items"]
    assert {"calm-tea": 450} == {
        p["slug"]: p["price_cents"] for p in shop if p["slug"] == "calm-tea"
    }


async def test_a_shop_admin_edits_products_and_not_challenges(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    await admin(client, app, clock, "boss@example.com", "support")
    await grant(app, "boss@example.com", "admin", "healthindex")
    await sign_in(client, "boss@example.com")
    index = await client.get("/admin/catalogs")
    assert "Products" in index.text and "Challenge catalog" not in index.text
    assert (await client.get("/admin/catalogs/corpfinity/challenges")).status_code == 403
    assert (await client.get("/admin/catalogs/healthindex/nothing")).status_code == 404
