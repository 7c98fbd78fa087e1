"""A password sign-in's rows written at once: all four when the account is as the sign-in read
it, none when it changed during the hash (SQLite, and PostgreSQL where it is one statement)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from appfleet.core.clock import FixedClock
from appfleet.core.database import Base, Database, unit_of_work
from appfleet.platform.audit.models import AuditEvent
from appfleet.platform.audit.service import Origin
from appfleet.platform.auth.models import AuthSession, RefreshToken
from appfleet.platform.auth.passwords import Passwords
from appfleet.platform.auth.schemas import DeviceInfo
from appfleet.platform.auth.signin import write_sign_in
from appfleet.platform.users.models import Activity, User
from tests.fixtures.accounts import log_in, register, stored

pytestmark = pytest.mark.anyio

ORIGIN = Origin(app="corpfinity", ip="203.0.113.7", user_agent="Corpfinity/3.2 iOS")
HASH = "$argon2id$v=19$m=7168,t=5,p=1$c2FsdA$ZGlnZXN0"
PHONE = DeviceInfo(name="Ann's iPhone", platform="ios", app_version="3.2.0")


async def account(database: Database, clock: FixedClock, **columns: Any) -> uuid.UUID:
    defaults = {"password_hash": HASH, "created_at": clock.now(), "updated_at": clock.now()}
    user = User(identity_group="corpfinity", email="ann@example.com", **(defaults | columns))
    async with unit_of_work(database) as session:
        session.add(user)
    return user.id


async def sign_in(
    database: Database, clock: FixedClock, user_id: uuid.UUID
) -> tuple[bool, uuid.UUID]:
    session_id = uuid.uuid4()
    written = await write_sign_in(
        database,
        user_id=user_id,
        stored_hash=HASH,
        app="corpfinity",
        origin=ORIGIN,
        device=PHONE,
        session_id=session_id,
        refresh_jti=uuid.uuid4(),
        access_jti=uuid.uuid4(),
        now=clock.now(),
        refresh_ttl_s=3600,
    )
    return written, session_id


async def rows(database: Database, model: type[Base]) -> list[Any]:
    async with unit_of_work(database, write=False) as session:
        return list(await session.scalars(select(model)))


async def test_a_sign_in_stores_its_session_token_event_and_day_together(
    database: Database, clock: FixedClock
) -> None:
    ann = await account(database, clock)

    written, session_id = await sign_in(database, clock, ann)

    assert written
    (session,) = await rows(database, AuthSession)
    assert (session.id, session.user_id, session.app) == (session_id, ann, "corpfinity")
    assert (session.device_name, session.platform, session.app_version) == (
        "Ann's iPhone",
        "ios",
        "3.2.0",
    )
    assert session.last_ip == "203.0.113.7" and session.revoked_at is None
    assert session.created_at == clock.now()
    assert (session.expires_at - session.created_at).total_seconds() == 3600
    (token,) = await rows(database, RefreshToken)
    assert token.session_id == session_id and token.used_at is None
    (event,) = await rows(database, AuditEvent)
    assert (event.action, event.user_id, event.details) == ("login", ann, {"method": "password"})
    assert (event.ip, event.user_agent) == ("203.0.113.7", "Corpfinity/3.2 iOS")
    (day,) = await rows(database, Activity)
    assert (day.user_id, day.app, day.day) == (ann, "corpfinity", clock.now().date())


async def test_a_second_sign_in_the_same_day_adds_a_session_but_not_a_day(
    database: Database, clock: FixedClock
) -> None:
    ann = await account(database, clock)

    assert (await sign_in(database, clock, ann))[0]
    assert (await sign_in(database, clock, ann))[0]

    assert len(await rows(database, AuthSession)) == 2
    assert len(await rows(database, RefreshToken)) == 2
    assert len(await rows(database, Activity)) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"password_hash": "$argon2id$v=19$m=7168,t=5,p=1$b3RoZXI$bmV3"},
        {"is_active": False},
        {"deleted_at": True},
        {"totp_enabled_at": True},
    ],
    ids=["password changed", "suspended", "deleted", "second factor on"],
)
async def test_nothing_is_written_when_the_account_changed_during_the_hash(
    database: Database, clock: FixedClock, change: dict[str, Any]
) -> None:
    values = {key: clock.now() if value is True else value for key, value in change.items()}
    ann = await account(database, clock, **values)

    written, _ = await sign_in(database, clock, ann)

    assert not written
    for model in (AuthSession, RefreshToken, AuditEvent, Activity):
        assert await rows(database, model) == []


async def test_a_password_changed_while_the_old_one_is_hashed_does_not_sign_in(
    client: httpx2.AsyncClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    await register(client)
    verify = Passwords.verify
    database: Database = app.state.db

    async def changed_meanwhile(self: Passwords, password: str, stored: str | None) -> Any:
        result = await verify(self, password, stored)
        async with unit_of_work(database) as session:
            user = await session.scalar(select(User))
            assert user is not None
            user.password_hash = await self.hash("a brand new passphrase")
        return result

    monkeypatch.setattr(Passwords, "verify", changed_meanwhile)

    response = await log_in(client)

    assert response.status_code == 401
    assert [e.action for e in await stored(app, AuditEvent)] == ["register", "login_failed"]
    assert len(await stored(app, AuthSession)) == 1  # the sign-up's own
