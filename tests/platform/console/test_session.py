"""The console's sign-in and session: who gets in, what the cookie is, CSRF on every form, and
sessions that end when the admin signs out or is suspended."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.core.clock import FixedClock
from appfleet.platform.auth import totp
from tests.fixtures.accounts import PASSWORD, bearer, register
from tests.fixtures.admins import grant

pytestmark = pytest.mark.anyio
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def sign_in(
    client: httpx2.AsyncClient, email: str, *, app: str = "lowkeymode", code: str = ""
) -> httpx2.Response:
    form = await client.get("/admin/login")
    [token] = CSRF.findall(form.text)
    return await client.post(
        "/admin/login",
        data={"app": app, "email": email, "password": PASSWORD, "code": code, "csrf": token},
    )


async def admin(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock, email: str, role: str = "admin"
) -> dict[str, str]:
    clock.advance(timedelta(seconds=21))
    made = await register(client, app="lowkeymode", email=email)
    await grant(app, email, role, None)
    return bearer(made["access_token"])


def now_code(secret: str, clock: FixedClock) -> str:
    return totp.code_at(secret, int(clock.now().timestamp()) // totp.STEP_S)


def csrf_of(page: httpx2.Response) -> str:
    return CSRF.findall(page.text)[0]


async def test_pages_need_a_session_and_the_cookie_is_strict(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    away = await client.get("/admin/users")
    assert away.status_code == 303 and away.headers["location"] == "/admin/login"
    await admin(client, app, clock, "ops@example.com")
    signed = await sign_in(client, "ops@example.com")
    assert signed.status_code == 303 and signed.headers["location"] == "/admin"
    cookie = signed.headers["set-cookie"].lower()
    assert "appfleet_console=" in cookie and "httponly" in cookie
    assert "samesite=strict" in cookie and "path=/admin" in cookie
    assert "secure" not in cookie  # only in production, where the console is served over TLS
    home = await client.get("/admin")
    assert home.status_code == 200 and "<h1>Dashboard" in home.text
    assert "script-src" not in home.headers["content-security-policy"]  # no scripts at all
    assert home.headers["cache-control"] == "no-store"


async def test_sign_in_refuses_wrong_passwords_members_and_missing_codes(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    await register(client, app="lowkeymode", email="member@example.com")
    refused = await sign_in(client, "member@example.com")
    assert refused.status_code == 400 and "no admin role" in refused.text
    ops = await admin(client, app, clock, "ops@example.com")
    form = await client.get("/admin/login")
    wrong = await client.post(
        "/admin/login",
        data={
            "app": "lowkeymode",
            "email": "ops@example.com",
            "password": "nope nope nope",
            "csrf": csrf_of(form),
        },
    )
    assert wrong.status_code == 400 and "Wrong email or password" in wrong.text
    forged = await client.post(
        "/admin/login",
        data={
            "app": "lowkeymode",
            "email": "ops@example.com",
            "password": PASSWORD,
            "csrf": "forged",
        },
    )
    assert forged.status_code == 400 and "appfleet_console=" not in forged.headers.get(
        "set-cookie", ""
    )
    # With two-factor on, the code is asked for and checked.
    setup = (await client.post("/api/v1/lowkeymode/auth/mfa/totp/setup", headers=ops)).json()
    code = now_code(setup["secret"], clock)
    confirm = await client.post(
        "/api/v1/lowkeymode/auth/mfa/totp/confirm", json={"code": code}, headers=ops
    )
    assert confirm.status_code == 200, confirm.text
    clock.advance(timedelta(seconds=31))
    asked = await sign_in(client, "ops@example.com")
    assert asked.status_code == 400 and "authenticator" in asked.text
    bad = await sign_in(client, "ops@example.com", code="000000")
    assert bad.status_code == 400 and "not right" in bad.text
    good = await sign_in(client, "ops@example.com", code=now_code(setup["secret"], clock))
    assert good.status_code == 303


async def test_forms_need_the_sessions_csrf_token(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    await admin(client, app, clock, "ops@example.com")
    clock.advance(timedelta(seconds=21))
    victim = await register(client, app="corpfinity", email="vic@example.com")
    await sign_in(client, "ops@example.com")
    url = f"/admin/users/{victim['user']['id']}/suspend"
    missing = await client.post(url, data={"reason": "spam spam"})
    assert missing.status_code == 403 and "expired" in missing.text
    wrong = await client.post(url, data={"reason": "spam spam", "csrf": "0" * 64})
    assert wrong.status_code == 403
    me = await client.get("/api/v1/corpfinity/users/me", headers=bearer(victim["access_token"]))
    assert me.status_code == 200  # nothing happened
    page = await client.get(f"/admin/users/{victim['user']['id']}")
    done = await client.post(url, data={"reason": "spam spam", "csrf": csrf_of(page)})
    assert done.status_code == 303
    me = await client.get("/api/v1/corpfinity/users/me", headers=bearer(victim["access_token"]))
    assert me.status_code == 401


async def test_signing_out_or_being_suspended_ends_the_console_session(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    await admin(client, app, clock, "ops@example.com")
    boss = await admin(client, app, clock, "boss@example.com", "super_admin")
    await sign_in(client, "ops@example.com")
    cookie = client.cookies.get("appfleet_console", path="/admin")
    home = await client.get("/admin")
    out = await client.post("/admin/logout", data={"csrf": csrf_of(home)})
    assert out.status_code == 303
    client.cookies.set("appfleet_console", cookie or "", path="/admin")
    assert (await client.get("/admin")).status_code == 303  # the old cookie is dead
    await sign_in(client, "ops@example.com")
    assert (await client.get("/admin")).status_code == 200
    ops_id = (await client.get("/api/v1/admin/users?search=ops@example.com", headers=boss)).json()[
        "items"
    ][0]["id"]
    suspended = await client.post(
        f"/api/v1/admin/users/{ops_id}/suspend", json={"reason": "left the team"}, headers=boss
    )
    assert suspended.status_code == 200
    assert (await client.get("/admin")).status_code == 303


async def test_each_role_sees_and_does_only_what_it_may(
    client: httpx2.AsyncClient, app: FastAPI, clock: FixedClock
) -> None:
    await admin(client, app, clock, "help@example.com", "support")
    clock.advance(timedelta(seconds=21))
    victim = await register(client, app="corpfinity", email="vic@example.com")
    await sign_in(client, "help@example.com")
    home = await client.get("/admin")
    assert "Users" in home.text and 'href="/admin/flags"' not in home.text
    assert "Welcome" in home.text  # no analytics: no dashboard figures
    found = await client.get("/admin/users?q=vic")
    assert found.status_code == 200 and "vic@example.com" in found.text
    page = await client.get(f"/admin/users/{victim['user']['id']}")
    refused = await client.post(
        f"/admin/users/{victim['user']['id']}/suspend",
        data={"reason": "spam spam", "csrf": csrf_of(page)},
    )
    assert refused.status_code == 403
    assert (await client.get("/admin/health")).status_code == 403
    flags = await client.get("/admin/flags")
    assert "You manage no flags" in flags.text
