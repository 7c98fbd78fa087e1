"""Secrets sent by email: password-reset tokens and email verification codes.

Both are stored only as a keyed hash (HMAC with a key derived from the deployment secret), so
neither a database leak nor an offline guess over the six-digit codes reveals a usable value.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.database import unit_of_work
from appfleet.core.errors import Conflict, ValidationFailed
from appfleet.platform.audit import service as audit
from appfleet.platform.auth.models import AuthSession, EmailToken
from appfleet.platform.auth.passwords import check_strength
from appfleet.platform.auth.service import Caller, end_session
from appfleet.platform.users.models import User
from appfleet.platform.users.repository import UserRepository
from appfleet.providers.email.queue import queue_email

RESET = "password_reset"
VERIFY = "verify_email"
CODE_ATTEMPTS = 5


async def _issue(
    session: AsyncSession,
    caller: Caller,
    user: User,
    email: str,
    purpose: str,
    digest: str,
    ttl_s: int,
) -> None:
    """A new secret for `user`; any earlier unused one of the same purpose stops working."""
    now = caller.clock.now()
    await session.execute(
        update(EmailToken)
        .where(
            EmailToken.user_id == user.id,
            EmailToken.purpose == purpose,
            EmailToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    session.add(
        EmailToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=digest,
            email=email,
            created_at=now,
            expires_at=now + timedelta(seconds=ttl_s),
        )
    )


async def request_password_reset(session: AsyncSession, caller: Caller, email: str) -> None:
    """Email a reset link when an active account has this address; otherwise do nothing. The
    caller answers 202 either way, so the response says nothing about who has an account."""
    user = await UserRepository(session, caller.app.identity_group).by_email(email.lower())
    if user is None or not user.is_active or user.email is None:
        return
    token = secrets.token_urlsafe(32)
    ttl = caller.auth.settings.password_reset_ttl_s
    await _issue(session, caller, user, user.email, RESET, caller.auth.digest(RESET, token), ttl)
    template = caller.app.config.password_reset_url
    await queue_email(
        session,
        caller.clock,
        caller.app,
        to=user.email,
        template=RESET,
        user_id=user.id,
        sensitive=True,
        language=user.language,
        name=user.name,
        token=token,
        link=template.replace("{token}", token) if template else None,
        valid_minutes=ttl // 60,
    )
    await audit.record(session, caller.clock, caller.origin, "password_reset_requested", user.id)


async def reset_password(session: AsyncSession, caller: Caller, token: str, password: str) -> None:
    """Set a new password with a reset token (once) and sign the account out everywhere.

    The token is looked up and the password hashed before the request's own session writes,
    so no write lock is held while the hash runs."""
    digest = caller.auth.digest(RESET, token)
    async with unit_of_work(caller.auth.database, write=False) as reading:
        found, _ = await _usable_reset(reading, caller, digest)
        check_strength(password, email=found.email)
    password_hash = await caller.auth.passwords.hash(password)
    row, user = await _usable_reset(session, caller, digest, lock=True)
    now = caller.clock.now()
    user.password_hash, user.updated_at, row.used_at = password_hash, now, now
    if user.email_verified_at is None and user.email == row.email:
        user.email_verified_at = now  # the reset link proved the address
    caller.auth.profiles.forget(session, user)
    await end_all_sessions(session, caller, user.id, "password_reset")
    await audit.record(session, caller.clock, caller.origin, "password_reset", user.id)


async def _usable_reset(
    session: AsyncSession, caller: Caller, digest: str, *, lock: bool = False
) -> tuple[EmailToken, User]:
    query = select(EmailToken).where(EmailToken.token_hash == digest, EmailToken.purpose == RESET)
    row = await session.scalar(query.with_for_update() if lock else query)
    user = await session.get(User, row.user_id) if row is not None else None
    if (
        row is None
        or row.used_at is not None
        or row.expires_at <= caller.clock.now()
        or user is None
        or not user.is_active
        or user.identity_group != caller.app.identity_group
    ):
        raise ValidationFailed(
            "This reset link is not valid or has expired; ask for a new one",
            details={"token": {"message": "invalid or expired"}},
        )
    return row, user


async def end_all_sessions(
    session: AsyncSession, caller: Caller, user_id: uuid.UUID, reason: str
) -> None:
    """Every session of the user, in every app, ends: refresh and access tokens stop working."""
    families = await session.scalars(
        select(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
    )
    for family in families:
        await end_session(session, caller, family, reason)


async def request_verification(session: AsyncSession, caller: Caller, user: User) -> datetime:
    """Email a six-digit code to the user's address; answers when it expires."""
    if user.email is None:
        raise Conflict("This account has no email address yet")
    if user.email_verified_at is not None:
        raise Conflict("This email address is already verified")
    code = f"{secrets.randbelow(1_000_000):06d}"
    ttl = caller.auth.settings.verification_code_ttl_s
    digest = caller.auth.digest(VERIFY, f"{user.id}:{code}")
    await _issue(session, caller, user, user.email, VERIFY, digest, ttl)
    await queue_email(
        session,
        caller.clock,
        caller.app,
        to=user.email,
        template=VERIFY,
        user_id=user.id,
        sensitive=True,
        language=user.language,
        name=user.name,
        code=code,
        valid_minutes=ttl // 60,
    )
    return caller.clock.now() + timedelta(seconds=ttl)


async def verify_email(session: AsyncSession, caller: Caller, user: User, code: str) -> None:
    """Mark the address verified with the code sent to it. Five wrong tries spend the code."""
    now = caller.clock.now()
    row = await session.scalar(
        select(EmailToken)
        .where(
            EmailToken.user_id == user.id,
            EmailToken.purpose == VERIFY,
            EmailToken.used_at.is_(None),
        )
        .order_by(EmailToken.created_at.desc())
        .limit(1)
        .with_for_update()
    )
    if row is None or row.expires_at <= now or row.email != user.email:
        raise ValidationFailed(
            "There is no valid code; ask for a new one",
            details={"code": {"message": "expired or not requested"}},
        )
    if not hmac.compare_digest(row.token_hash, caller.auth.digest(VERIFY, f"{user.id}:{code}")):
        row.attempts += 1
        if row.attempts >= CODE_ATTEMPTS:
            row.used_at = now
        left = CODE_ATTEMPTS - row.attempts
        raise ValidationFailed(
            "That code is not right" + ("" if left else "; ask for a new one"),
            details={"code": {"message": "wrong code", "attempts_left": left}},
            keep_changes=True,
        )
    row.used_at = user.email_verified_at = now
    user.updated_at = now
    caller.auth.profiles.forget(session, user)
    await audit.record(session, caller.clock, caller.origin, "email_verified", user.id)
