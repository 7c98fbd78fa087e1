"""Two-factor sign-in with TOTP authenticator apps and single-use recovery codes."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.errors import Conflict, ValidationFailed
from appfleet.platform.audit import service as audit
from appfleet.platform.auth import totp
from appfleet.platform.auth.errors import TokenRejected, WrongSecondFactor
from appfleet.platform.auth.models import RecoveryCode
from appfleet.platform.auth.schemas import AuthResponse, DeviceInfo, TotpSetupRead
from appfleet.platform.auth.service import (
    MFA_CHALLENGE_TTL_S,
    Caller,
    membership_in_app,
    signed_in,
)
from appfleet.platform.users.models import User

ATTEMPTS_PER_CHALLENGE = 5


async def start_setup(session: AsyncSession, caller: Caller, user: User) -> TotpSetupRead:
    if user.totp_enabled_at is not None:
        raise Conflict("Two-factor sign-in is already on; turn it off first")
    secret = totp.new_secret()
    user.totp_secret = caller.auth.secret_box.seal(secret)
    account = user.email or str(user.id)
    await audit.record(session, caller.clock, caller.origin, "mfa_setup", user.id)
    return TotpSetupRead(
        secret=secret,
        otpauth_uri=totp.provisioning_uri(secret, account, caller.app.display_name),
    )


async def confirm(session: AsyncSession, caller: Caller, user: User, code: str) -> list[str]:
    """Turn two-factor on once the first code checks out; the recovery codes, shown once."""
    secret = caller.auth.secret_box.open(user.totp_secret) if user.totp_secret else None
    if secret is None or user.totp_enabled_at is not None:
        raise Conflict("Start the setup first")
    step = totp.matching_step(secret, code, caller.clock.now(), user.totp_last_step)
    if step is None:
        raise ValidationFailed("That code is not valid", details={"code": {"message": "wrong"}})
    user.totp_enabled_at, user.totp_last_step = caller.clock.now(), step
    codes = totp.new_recovery_codes()
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.add_all(RecoveryCode(user_id=user.id, code_hash=totp.recovery_hash(c)) for c in codes)
    await audit.record(session, caller.clock, caller.origin, "mfa_enabled", user.id)
    return codes


async def disable(session: AsyncSession, caller: Caller, user: User, code: str) -> None:
    if user.totp_enabled_at is None:
        raise Conflict("Two-factor sign-in is not on")
    if not await second_factor_ok(session, caller, user, code):
        raise WrongSecondFactor()
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    await audit.record(session, caller.clock, caller.origin, "mfa_disabled", user.id)


async def verify(
    session: AsyncSession,
    caller: Caller,
    challenge_token: str,
    code: str,
    device: DeviceInfo | None,
) -> AuthResponse:
    claims = caller.auth.tokens.read(
        challenge_token, app=caller.app.name, expected="mfa", now=caller.clock.now()
    )
    attempts = await caller.auth.limiter.hit(
        f"ratelimit:mfa:{claims.jti}", ATTEMPTS_PER_CHALLENGE, MFA_CHALLENGE_TTL_S
    )
    if not attempts.allowed:
        raise TokenRejected("token_invalid", "Too many wrong codes; sign in again")
    user = await session.get(User, claims.user_id)
    if user is None or not user.is_active or user.totp_enabled_at is None:
        raise TokenRejected("token_invalid")
    if not await second_factor_ok(session, caller, user, code):
        await audit.record(session, caller.clock, caller.origin, "mfa_failed", user.id)
        raise WrongSecondFactor()
    membership = await membership_in_app(session, caller, user)
    await audit.record(
        session, caller.clock, caller.origin, "login", user.id, method="password+totp"
    )
    return await signed_in(session, caller, user, membership, device)


async def second_factor_ok(session: AsyncSession, caller: Caller, user: User, code: str) -> bool:
    secret = caller.auth.secret_box.open(user.totp_secret) if user.totp_secret else None
    if secret is not None:
        step = totp.matching_step(secret, code.strip(), caller.clock.now(), user.totp_last_step)
        if step is not None:
            user.totp_last_step = step
            return True
    recovery = await session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == totp.recovery_hash(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if recovery is None:
        return False
    recovery.used_at = caller.clock.now()
    return True
