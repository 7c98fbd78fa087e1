"""Sign-up, sign-in, token rotation and sign-out. Routes call these; they never commit."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.clock import Clock
from appfleet.core.database import after_commit
from appfleet.core.errors import NotFound
from appfleet.core.registry import AppContext
from appfleet.platform.audit import service as audit
from appfleet.platform.audit.service import Origin
from appfleet.platform.auth import tokens
from appfleet.platform.auth.errors import (
    AccountDeleted,
    AccountExists,
    BadCredentials,
    SecondFactorRequired,
    TokenRejected,
)
from appfleet.platform.auth.federated import Identity
from appfleet.platform.auth.models import AuthSession, RefreshToken
from appfleet.platform.auth.passwords import check_strength
from appfleet.platform.auth.runtime import AuthRuntime
from appfleet.platform.auth.schemas import (
    AuthResponse,
    DeviceInfo,
    LoginRequest,
    RegisterRequest,
    TokenPair,
)
from appfleet.platform.auth.signin import write_sign_in
from appfleet.platform.users import service as user_service
from appfleet.platform.users.models import Membership, User
from appfleet.platform.users.repository import Credentials, UserRepository, credentials
from appfleet.platform.users.schemas import UserRead
from appfleet.providers.email.queue import queue_email
from appfleet.runtime.revocation import session_key, token_key

# Tables' own inserts: a sign-in writes these rows and never reads them back.
_NEW_SESSION = insert(cast(Table, AuthSession.__table__))
_NEW_REFRESH_TOKEN = insert(cast(Table, RefreshToken.__table__))


@dataclass(frozen=True, slots=True)
class Caller:
    """Everything a service needs to know about who is asking, and from where."""

    app: AppContext
    origin: Origin
    clock: Clock
    auth: AuthRuntime


async def register(
    session: AsyncSession, caller: Caller, body: RegisterRequest, guest: User | None
) -> AuthResponse:
    """A new account in this app's identity group, or the caller's guest account upgraded."""
    email = body.email.lower()
    check_strength(body.password, email=email)
    # Hash before the first query: the write transaction (and SQLite's writer slot) starts there.
    password_hash = await caller.auth.passwords.hash(body.password)
    users = UserRepository(session, caller.app.identity_group)
    if await users.by_email(email) is not None:
        raise AccountExists()
    now = caller.clock.now()
    if guest is not None:
        user, membership = guest, await membership_in_app(session, caller, guest)
        caller.auth.profiles.forget(session, guest)
        user.is_anonymous = False
        user.email, user.password_hash, user.name, user.updated_at = (
            email,
            password_hash,
            body.name,
            now,
        )
    else:
        user = User(
            identity_group=caller.app.identity_group,
            email=email,
            password_hash=password_hash,
            name=body.name,
            created_at=now,
            updated_at=now,
        )
        session.add(user)
        await session.flush()
        membership = await user_service.join_app(session, caller.clock, user, caller.app)
    await audit.record(
        session, caller.clock, caller.origin, "register", user.id, upgraded=bool(guest)
    )
    await welcome(session, caller, user)
    return await signed_in(session, caller, user, membership, body.device)


async def welcome(session: AsyncSession, caller: Caller, user: User) -> None:
    """The welcome email of a new account that has an address (sent with the sign-up)."""
    if user.email:
        await queue_email(
            session,
            caller.clock,
            caller.app,
            to=user.email,
            template="welcome",
            user_id=user.id,
            language=user.language,
            name=user.name,
        )


async def sign_in_anonymously(
    session: AsyncSession, caller: Caller, device: DeviceInfo | None
) -> AuthResponse:
    now = caller.clock.now()
    user = User(
        identity_group=caller.app.identity_group,
        name="",
        is_anonymous=True,
        created_at=now,
        updated_at=now,
    )
    session.add(user)
    await session.flush()
    membership = await user_service.join_app(session, caller.clock, user, caller.app)
    await audit.record(session, caller.clock, caller.origin, "register_anonymous", user.id)
    return await signed_in(session, caller, user, membership, device)


@dataclass(frozen=True, slots=True)
class PasswordCheck:
    user_id: uuid.UUID | None  # the account with this email, right password or not
    matches: bool
    upgraded_hash: str | None
    account: Credentials | None = None


async def check_password(caller: Caller, email: str, password: str) -> PasswordCheck:
    """Email and password against this identity group. Unknown emails cost one hash too.

    Reads outside the request's own session, before it writes anything, so no transaction or
    write lock is held while the hash runs. Deleted (still restorable) accounts are checked
    too, so their owner can be told how to restore them."""
    found = await credentials(
        caller.auth.database, caller.app.identity_group, email.lower(), caller.app.name
    )
    stored = found.password_hash if found is not None and found.usable else None
    matches, upgraded = await caller.auth.passwords.verify(password, stored)
    return PasswordCheck(found.user_id if found else None, matches, upgraded, found)


async def log_in(session: AsyncSession, caller: Caller, body: LoginRequest) -> AuthResponse:
    """Email and password; the same answer for an unknown email and a wrong password."""
    check = await check_password(caller, body.email, body.password)
    account = check.account
    if check.matches and not check.upgraded_hash and account is not None:
        signed = await _sign_in_at_once(caller, account, body.device)
        if signed is not None:
            return signed
    found = None
    if check.matches and check.user_id:
        # The account is read again inside the write transaction (it may have changed during
        # the hash), with its membership of this app in the same query.
        found = await UserRepository(session, caller.app.identity_group).with_membership(
            check.user_id, caller.app.name
        )
    if found is not None and not _still_checked(found[0], account):
        found = None  # the password changed, or the account was suspended, during the hash
    if found is None:
        await audit.record(
            session,
            caller.clock,
            caller.origin,
            "login_failed",
            check.user_id,
            email_domain=body.email.rpartition("@")[2].lower(),
        )
        raise BadCredentials()
    user, membership = found
    if check.upgraded_hash:
        user.password_hash = check.upgraded_hash
    if user.deleted_at is not None:
        raise AccountDeleted(user.purge_after)
    return await complete_sign_in(session, caller, user, body.device, "password", membership)


def _still_checked(user: User, account: Credentials | None) -> bool:
    """The account as the password check saw it: the same hash, and still able to sign in (or
    deleted, so its owner can be told how to restore it)."""
    return (
        account is not None
        and user.password_hash == account.password_hash
        and (user.is_active or user.deleted_at is not None)
    )


async def _sign_in_at_once(
    caller: Caller, account: Credentials, device: DeviceInfo | None
) -> AuthResponse | None:
    """The common sign-in (a member of this app, no second factor, hash current) written in
    one go; None when it is not that one, or the account changed during the hash, and the
    general path must decide."""
    profile = account.ready
    if profile is None or account.password_hash is None:
        return None
    now = caller.clock.now()
    session_id, refresh_jti, access_jti = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    written = await write_sign_in(
        caller.auth.database,
        user_id=account.user_id,
        stored_hash=account.password_hash,
        app=caller.app.name,
        origin=caller.origin,
        device=device,
        session_id=session_id,
        refresh_jti=refresh_jti,
        access_jti=access_jti,
        now=now,
        refresh_ttl_s=caller.auth.refresh_ttl(caller.app),
    )
    if not written:
        return None
    pair = _pair(caller, account.user_id, session_id, access_jti, refresh_jti, now)
    return AuthResponse(user=UserRead.model_validate(profile), **pair.model_dump())


async def complete_sign_in(
    session: AsyncSession,
    caller: Caller,
    user: User,
    device: DeviceInfo | None,
    method: str,
    membership: Membership | None = None,
) -> AuthResponse:
    """The first factor checked out: ask for the second when it is on, else sign in."""
    if user.totp_enabled_at is not None:
        await audit.record(session, caller.clock, caller.origin, "login_mfa_challenge", user.id)
        raise second_factor_challenge(caller, user)
    membership = membership or await membership_in_app(session, caller, user)
    await audit.record(session, caller.clock, caller.origin, "login", user.id, method=method)
    return await signed_in(session, caller, user, membership, device)


_ADJECTIVES = ("Quiet", "Calm", "Gentle", "Bright", "Steady", "Brave", "Kind", "Swift")
_ANIMALS = ("Otter", "Heron", "Fox", "Panda", "Finch", "Lynx", "Koala", "Dolphin")


def pseudonym(numbers: int = 90) -> str:
    """A display name for someone who gave none (seed 002 shows pseudonyms, never emails);
    `numbers` spreads the suffix where names must be unique."""
    number = secrets.randbelow(numbers) + 10
    return f"{secrets.choice(_ADJECTIVES)} {secrets.choice(_ANIMALS)} {number}"


async def sign_in_federated(
    session: AsyncSession,
    caller: Caller,
    identity: Identity,
    name: str | None,
    guest: User | None,
    device: DeviceInfo | None,
    apple_grant: str | None = None,
) -> AuthResponse:
    """Sign in with Apple or Google: the account that used this identity before, else the one
    with the same verified email, else the calling guest account, else a new one."""
    users = UserRepository(session, caller.app.identity_group)
    user = await users.by_provider(identity.provider, identity.subject)
    linked = user is None
    email = identity.email.lower() if identity.email else None
    if user is None and email and identity.email_verified:
        user = await users.by_email(email)
    if user is None and guest is not None:
        user, guest.is_anonymous = guest, False
        guest.email = guest.email or email
        guest.name = name or guest.name or pseudonym()
    now = caller.clock.now()
    created = user is None
    if user is None:
        user = User(
            identity_group=caller.app.identity_group,
            email=email,
            name=name or pseudonym(),
            created_at=now,
            updated_at=now,
        )
        session.add(user)
    elif user.deleted_at is not None:
        raise AccountDeleted(user.purge_after)
    elif not user.is_active:
        raise TokenRejected("token_revoked", "This account is no longer active")
    if not created:
        caller.auth.profiles.forget(session, user)
    if linked:
        setattr(user, f"{identity.provider}_sub", identity.subject)
        if identity.email_verified and user.email == email and user.email_verified_at is None:
            user.email_verified_at = now
        user.updated_at = now
    if apple_grant is not None:
        user.apple_refresh_token = apple_grant
    await session.flush()
    if created:
        membership = await user_service.join_app(session, caller.clock, user, caller.app)
        await audit.record(
            session, caller.clock, caller.origin, "register", user.id, method=identity.provider
        )
        await welcome(session, caller, user)
        return await signed_in(session, caller, user, membership, device)
    return await complete_sign_in(session, caller, user, device, identity.provider)


MFA_CHALLENGE_TTL_S = 300


def second_factor_challenge(caller: Caller, user: User) -> SecondFactorRequired:
    """What a correct password gets when two-factor is on: a token for the second step."""
    claims = tokens.challenge_claims(
        user.id, caller.app.name, caller.clock.now(), MFA_CHALLENGE_TTL_S
    )
    return SecondFactorRequired(caller.auth.tokens.mint(claims), MFA_CHALLENGE_TTL_S)


async def refresh(session: AsyncSession, caller: Caller, refresh_token: str) -> TokenPair:
    """Exchange a refresh token, once. A second use inside the replay window gets the same
    pair again; after it, a second use means the token leaked, and the session ends."""
    now = caller.clock.now()
    claims = caller.auth.tokens.read(
        refresh_token, app=caller.app.name, expected="refresh", now=now
    )
    row = await session.scalar(
        select(RefreshToken).where(RefreshToken.jti == claims.jti).with_for_update()
    )
    family = await session.get(AuthSession, claims.session_id)
    if (
        row is None
        or family is None
        or row.session_id != family.id
        or family.app != caller.app.name
    ):
        raise TokenRejected("token_invalid")
    if family.revoked_at is not None:
        raise TokenRejected("token_revoked")
    if row.used_at is None:
        return await _rotate(session, caller, family, row, now)
    window = timedelta(seconds=caller.auth.settings.refresh_replay_window_s)
    successor = await session.get(RefreshToken, row.replaced_by) if row.replaced_by else None
    if now - row.used_at <= window and successor is not None and successor.used_at is None:
        # The phone lost the answer (or could not save it): hand back the very same pair.
        return _pair(
            caller,
            claims.user_id,
            family.id,
            successor.access_jti,
            successor.jti,
            successor.issued_at,
        )
    await end_session(session, caller, family, "reuse_detected")
    await audit.record(
        session,
        caller.clock,
        caller.origin,
        "refresh_reuse",
        claims.user_id,
        session_id=str(family.id),
    )
    raise TokenRejected("reuse_detected", keep_changes=True)


async def log_out(
    session: AsyncSession,
    caller: Caller,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    access_jti: uuid.UUID,
) -> None:
    family = await _own_session(session, caller, user_id, session_id)
    await end_session(session, caller, family, "logout")
    revoke_after_commit(session, caller, token_key(access_jti))
    await audit.record(session, caller.clock, caller.origin, "logout", user_id)


async def list_sessions(
    session: AsyncSession, caller: Caller, user_id: uuid.UUID
) -> list[AuthSession]:
    result = await session.scalars(
        select(AuthSession)
        .where(
            AuthSession.user_id == user_id,
            AuthSession.app == caller.app.name,
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > caller.clock.now(),
        )
        .order_by(AuthSession.last_seen_at.desc())
    )
    return list(result)


async def revoke_session(
    session: AsyncSession, caller: Caller, user_id: uuid.UUID, session_id: uuid.UUID
) -> None:
    family = await _own_session(session, caller, user_id, session_id)
    await end_session(session, caller, family, "revoked")


async def revoke_other_sessions(
    session: AsyncSession, caller: Caller, user_id: uuid.UUID, current: uuid.UUID
) -> int:
    others = [s for s in await list_sessions(session, caller, user_id) if s.id != current]
    for family in others:
        await end_session(session, caller, family, "revoked")
    return len(others)


async def _own_session(
    session: AsyncSession, caller: Caller, user_id: uuid.UUID, session_id: uuid.UUID
) -> AuthSession:
    family = await session.get(AuthSession, session_id)
    # Another user's session, or this user's in another app, does not exist for this caller.
    if family is None or family.user_id != user_id or family.app != caller.app.name:
        raise NotFound("No such session")
    return family


async def end_session(
    session: AsyncSession, caller: Caller, family: AuthSession, reason: str
) -> None:
    if family.revoked_at is not None:
        return
    family.revoked_at, family.revoke_reason = caller.clock.now(), reason
    # Access tokens of the session stay valid until they expire unless the session is listed.
    revoke_after_commit(session, caller, session_key(family.id))


def revoke_after_commit(session: AsyncSession, caller: Caller, key: str) -> None:
    """List `key` (a token or a session) as revoked once this unit of work commits, for as
    long as an access token issued now could live."""
    until = caller.clock.now() + timedelta(seconds=caller.auth.access_ttl(caller.app))
    revocations = caller.auth.revocations

    async def revoke() -> None:
        await revocations.revoke(key, until)

    after_commit(session, revoke)


async def membership_in_app(session: AsyncSession, caller: Caller, user: User) -> Membership:
    """The user's membership of this app, created on their first sign-in here."""
    found = await UserRepository(session, caller.app.identity_group).membership(
        user.id, caller.app.name
    )
    return found or await user_service.join_app(session, caller.clock, user, caller.app)


async def signed_in(
    session: AsyncSession,
    caller: Caller,
    user: User,
    membership: Membership,
    device: DeviceInfo | None,
) -> AuthResponse:
    """A new session (one device's token family) and its first pair.

    Its rows are Core inserts, which the ORM's flush does not order: what the sign-in changed
    through the ORM (a new account, an upgraded hash) is flushed first."""
    now = caller.clock.now()
    session_id = uuid.uuid4()
    await session.flush()
    await session.execute(
        _NEW_SESSION,
        {
            "id": session_id,
            "user_id": user.id,
            "app": caller.app.name,
            "device_name": device.name if device else None,
            "platform": device.platform if device else None,
            "app_version": device.app_version if device else None,
            "last_ip": caller.origin.ip,
            "created_at": now,
            "last_seen_at": now,
            "expires_at": now + timedelta(seconds=caller.auth.refresh_ttl(caller.app)),
        },
    )
    pair, _ = await _new_pair(session, caller, user.id, session_id, now)
    await user_service.record_activity(session, user.id, caller.app.name, now)
    return AuthResponse(user=user_service.to_read(user, membership), **pair.model_dump())


async def _rotate(
    session: AsyncSession, caller: Caller, family: AuthSession, row: RefreshToken, now: datetime
) -> TokenPair:
    pair, successor = await _new_pair(session, caller, family.user_id, family.id, now)
    row.used_at, row.replaced_by = now, successor
    family.last_seen_at, family.last_ip = now, caller.origin.ip
    family.expires_at = now + timedelta(seconds=caller.auth.refresh_ttl(caller.app))
    await session.flush()
    await user_service.record_activity(session, family.user_id, caller.app.name, now)
    return pair


async def _new_pair(
    session: AsyncSession, caller: Caller, user_id: uuid.UUID, session_id: uuid.UUID, now: datetime
) -> tuple[TokenPair, uuid.UUID]:
    """A fresh pair and its refresh token's id; the token is stored by id (the signed token
    proves possession)."""
    refresh_jti, access_jti = uuid.uuid4(), uuid.uuid4()
    pair = _pair(caller, user_id, session_id, access_jti, refresh_jti, now)
    issued = now.replace(microsecond=0)
    await session.execute(
        _NEW_REFRESH_TOKEN,
        {
            "jti": refresh_jti,
            "session_id": session_id,
            "access_jti": access_jti,
            "issued_at": issued,
            "expires_at": issued + timedelta(seconds=caller.auth.refresh_ttl(caller.app)),
        },
    )
    return pair, refresh_jti


def _pair(
    caller: Caller,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    access_jti: uuid.UUID,
    refresh_jti: uuid.UUID,
    at: datetime,
) -> TokenPair:
    app, codec = caller.app.name, caller.auth.tokens
    access_ttl = caller.auth.access_ttl(caller.app)
    access = tokens.access_claims(user_id, app, session_id, access_jti, at, access_ttl)
    refresh_token = tokens.refresh_claims(
        user_id, app, session_id, refresh_jti, at, caller.auth.refresh_ttl(caller.app)
    )
    expires_in = int((access.expires_at - caller.clock.now()).total_seconds())
    return TokenPair(
        access_token=codec.mint(access),
        refresh_token=codec.mint(refresh_token),
        expires_in=max(0, expires_in),
    )
