"""Console sign-in: email, password and (when on, and always in production) a TOTP code, for
an account holding an admin grant. A sign-in is an `auth_session` row of its own (platform
`web`), so suspending the admin or signing them out anywhere ends it; the cookie is a signed
token naming that row. Every form carries a CSRF token bound to the session."""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Container
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.clock import Clock
from appfleet.core.errors import ValidationFailed
from appfleet.platform.admin import service as grants
from appfleet.platform.admin.deps import Admin
from appfleet.platform.audit import service as audit
from appfleet.platform.auth import mfa, tokens
from appfleet.platform.auth.errors import TokenRejected
from appfleet.platform.auth.models import AuthSession
from appfleet.platform.auth.service import Caller, check_password
from appfleet.platform.users.models import User

COOKIE = "appfleet_console"
LOGIN_CSRF_COOKIE = "appfleet_console_login"
PATH = "/admin"
TTL_S = 8 * 3600  # a working day; then sign in again
DEVICE = "Admin console"
ATTEMPTS_PER_MINUTE = 10


class SignInRequired(Exception):
    """No live console session: the page answers with a redirect to the sign-in form."""


class SignInRefused(ValidationFailed):
    """Why a console sign-in failed, shown on the form (`needs_code`: ask for the TOTP code)."""

    def __init__(self, message: str, *, needs_code: bool = False) -> None:
        super().__init__(message)
        self.needs_code = needs_code


@dataclass(frozen=True, slots=True)
class Console:
    admin: Admin
    session_id: uuid.UUID
    app: str  # the app the admin signed in through (their identity group)
    csrf: str


def csrf_of(codec: tokens.TokenCodec, session_id: uuid.UUID) -> str:
    return codec.tag("console-csrf", str(session_id))


def same(expected: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


async def sign_in(
    session: AsyncSession,
    caller: Caller,
    email: str,
    password: str,
    code: str | None,
    *,
    production: bool,
) -> str:
    """The cookie of a new console session, or SignInRefused saying what to do."""
    limit = await caller.auth.limiter.hit(
        f"ratelimit:console:{caller.origin.ip}", ATTEMPTS_PER_MINUTE, 60
    )
    if not limit.allowed:
        raise SignInRefused("Too many attempts; wait a minute and try again")
    check = await check_password(caller, email, password)
    user = await session.get(User, check.user_id) if check.matches and check.user_id else None
    if user is None or not user.is_active or user.deleted_at is not None:
        await audit.record(
            session, caller.clock, caller.origin, "console_login_failed", check.user_id
        )
        raise SignInRefused("Wrong email or password")
    if not await grants.held_by(session, user.id):
        raise SignInRefused("This account has no admin role")
    if user.totp_enabled_at is None and production:
        raise SignInRefused("Administrators must turn on two-factor sign-in first")
    if user.totp_enabled_at is not None:
        if not code:
            raise SignInRefused("Enter the code from your authenticator app", needs_code=True)
        if not await mfa.second_factor_ok(session, caller, user, code):
            await audit.record(session, caller.clock, caller.origin, "mfa_failed", user.id)
            raise SignInRefused("That code is not right; try the current one", needs_code=True)
    now = caller.clock.now()
    row = AuthSession(
        id=uuid.uuid4(),
        user_id=user.id,
        app=caller.app.name,
        device_name=DEVICE,
        platform="web",
        last_ip=caller.origin.ip,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(seconds=TTL_S),
    )
    session.add(row)
    await audit.record(session, caller.clock, caller.origin, "console_login", user.id)
    await session.flush()
    claims = tokens.console_claims(user.id, caller.app.name, row.id, now, TTL_S)
    return caller.auth.tokens.mint(claims)


async def signed_in(
    session: AsyncSession,
    codec: tokens.TokenCodec,
    clock: Clock,
    apps: Container[str],
    cookie: str | None,
) -> tuple[User, AuthSession]:
    """The admin and console session a cookie names, if both are still good."""
    audience = tokens.TokenCodec.audience(cookie) if cookie else None
    if cookie is None or audience is None or audience not in apps:
        raise SignInRequired()
    now = clock.now()
    try:
        claims = codec.read(cookie, app=audience, expected="console", now=now)
    except TokenRejected:
        raise SignInRequired() from None
    row = await session.get(AuthSession, claims.session_id)
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise SignInRequired()
    user = await session.get(User, claims.user_id)
    if user is None or row.user_id != user.id or not user.is_active or user.deleted_at:
        raise SignInRequired()
    return user, row


def sign_out(clock: Clock, row: AuthSession) -> None:
    if row.revoked_at is None:
        row.revoked_at, row.revoke_reason = clock.now(), "signed_out"
