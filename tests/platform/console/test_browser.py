"""The console in a real browser: Debian's Chromium, headless, driven by Playwright against
appfleet listening on loopback. An admin signs in, finds a user and suspends them (their token
is refused at once), removes a flagged post, and turns a flag on for a client; the keyboard
reaches every control. Screenshots of each step are kept in test-artifacts/console/."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx2
import pytest
import uvicorn
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from playwright.async_api import async_playwright

from appfleet.core.clock import FixedClock
from tests.apps.fitnudge.coach import FN
from tests.fixtures.accounts import PASSWORD, bearer, register
from tests.fixtures.admins import grant
from tests.fixtures.servers import free_port
from tests.fixtures.services import REQUIRE_VARIABLE

pytestmark = pytest.mark.anyio
CHROMIUM = os.environ.get("APPFLEET_TEST_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "console"


def need_chromium() -> None:
    if shutil.which(CHROMIUM) is None:
        if os.environ.get(REQUIRE_VARIABLE):
            pytest.fail(f"Chromium is required ({REQUIRE_VARIABLE}) but {CHROMIUM} is missing")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")


@dataclass
class Live:
    app: FastAPI
    base: str
    api: httpx2.AsyncClient


@pytest.fixture
async def live(app: FastAPI) -> AsyncIterator[Live]:
    """The app with its lifespan run, served over real HTTP on a loopback port."""
    need_chromium()
    async with LifespanManager(app, shutdown_timeout=20) as manager:
        port = free_port()
        config = uvicorn.Config(
            manager.app, host="127.0.0.1", port=port, lifespan="off", log_level="warning"
        )
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        for _ in range(500):  # up to 10 s
            if server.started:
                break
            await asyncio.sleep(0.02)
        assert server.started, "the server did not start"
        base = f"http://127.0.0.1:{port}"
        try:
            async with httpx2.AsyncClient(base_url=base) as api:
                yield Live(app, base, api)
        finally:
            server.should_exit = True
            await task


async def test_an_admin_suspends_moderates_and_flags_from_the_browser(
    live: Live, clock: FixedClock
) -> None:
    api, app = live.api, live.app
    await register(api, app="fitnudge", email="boss@example.com", name="Boss")
    await grant(app, "boss@example.com", "admin", None)
    clock.advance(timedelta(seconds=21))
    victim = await register(api, app="corpfinity", email="victim@example.com", name="Vic")
    clock.advance(timedelta(seconds=21))
    author = bearer((await register(api, app="fitnudge", email="ann@example.com"))["access_token"])
    clock.advance(timedelta(seconds=21))
    reporter = bearer(
        (await register(api, app="fitnudge", email="bob@example.com"))["access_token"]
    )
    post = (await api.post(f"{FN}/posts", json={"text": "Buy cheap pills"}, headers=author)).json()
    flagged = await api.post(
        f"{FN}/posts/{post['id']}/flag", json={"reason": "spam"}, headers=reporter
    )
    assert flagged.status_code == 200
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking"]
        )
        page = await browser.new_page()

        async def shot(name: str) -> None:
            await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

        # Sign in.
        await page.goto(f"{live.base}/admin/users")
        assert page.url.endswith("/admin/login")
        await page.get_by_label("Account of app").select_option("fitnudge")
        await page.get_by_label("Email").fill("boss@example.com")
        await page.get_by_label("Password").fill(PASSWORD)
        await shot("01-login")
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_url(f"{live.base}/admin")
        assert await page.get_by_role("heading", level=1).inner_text() == "Dashboard"
        assert await page.locator("svg[role=img]").count() >= 2
        await shot("02-dashboard")

        # Keyboard: the first Tab reaches the skip link, and it moves focus to the content.
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.textContent") == "Skip to content"
        await page.keyboard.press("Enter")
        assert await page.evaluate("document.activeElement.id") == "main"

        # Find the user and suspend them.
        await page.get_by_role("link", name="Users").click()
        await page.get_by_label("Email or name").fill("victim")
        await page.get_by_label("Email or name").press("Enter")
        await page.get_by_role("link", name="victim@example.com").click()
        await page.get_by_label("Reason for suspending").fill("Spamming the wall")
        await shot("03-user")
        await page.get_by_role("button", name="Suspend").click()
        await page.wait_for_selector("text=suspended: Spamming the wall")
        await shot("04-suspended")
        me = await api.get("/api/v1/corpfinity/users/me", headers=bearer(victim["access_token"]))
        assert me.status_code == 401

        # Moderate the flagged post.
        await page.get_by_role("link", name="Moderation").click()
        assert await page.locator("blockquote").inner_text() == "Buy cheap pills"
        await shot("05-moderation")
        await page.get_by_role("button", name="Remove").click()
        await page.wait_for_selector("text=Nothing to review")
        feed = (await api.get(f"{FN}/posts", headers=reporter)).json()["items"]
        assert post["id"] not in [p["id"] for p in feed]

        # Create a flag and see a client's evaluation change.
        before = (await api.get(f"{FN}/flags", headers=author)).json()["flags"]
        assert before.get("streak-freeze") is not True
        await page.get_by_role("link", name="Flags").click()
        await page.get_by_role("link", name="fitnudge").click()
        await page.get_by_label("Key").fill("streak-freeze")
        await page.get_by_label("Description").fill("Let members freeze a streak")
        await page.get_by_label("On", exact=True).check()
        await shot("06-flag-form")
        await page.get_by_role("button", name="Save flag").click()
        await page.wait_for_selector("code:text('streak-freeze')")
        await shot("07-flags")
        after = (await api.get(f"{FN}/flags", headers=author)).json()["flags"]
        assert after["streak-freeze"] is True

        await page.get_by_role("button", name="Sign out").click()
        await page.wait_for_url(f"{live.base}/admin/login")
        await browser.close()
    assert sorted(p.name for p in ARTIFACTS.glob("*.png"))[:2] == [
        "01-login.png",
        "02-dashboard.png",
    ]
