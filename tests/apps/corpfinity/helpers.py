"""Signing up CorpFinity users at a chosen time and place, and reading what was pushed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx2

from appfleet.core.clock import FixedClock
from tests.fixtures.accounts import PASSWORD, bearer, register

BASE = "/api/v1/corpfinity"


class Ann:
    """A CorpFinity user who logs in again whenever the clock has moved past her token."""

    def __init__(self, client: httpx2.AsyncClient, clock: FixedClock, email: str) -> None:
        self.client, self.clock, self.email = client, clock, email
        self.token = ""
        self.user_id = ""
        self._issued: datetime | None = None

    async def sign_up(self, timezone: str = "Europe/Berlin", name: str = "Ann") -> Ann:
        body = await register(self.client, email=self.email, name=name)
        self.token, self.user_id, self._issued = (
            body["access_token"],
            body["user"]["id"],
            self.clock.now(),
        )
        await self.request("PATCH", "/users/me", json={"timezone": timezone})
        return self

    async def _fresh(self) -> None:
        assert self._issued is not None
        if (self.clock.now() - self._issued).total_seconds() > 600:
            login = await self.client.post(
                f"{BASE}/auth/login", json={"email": self.email, "password": PASSWORD}
            )
            assert login.status_code == 200, login.text
            self.token, self._issued = login.json()["access_token"], self.clock.now()

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx2.Response:
        await self._fresh()
        headers = {**bearer(self.token), **kwargs.pop("headers", {})}
        return await self.client.request(method, f"{BASE}{path}", headers=headers, **kwargs)

    async def complete(self, challenge_id: str = "box-breathing", **body: Any) -> httpx2.Response:
        return await self.request(
            "POST", "/challenges/complete", json={"challenge_id": challenge_id, **body}
        )
