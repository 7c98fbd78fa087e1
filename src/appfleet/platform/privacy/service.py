"""Privacy: consent records, the data export, account deletion, restore and the purge.

Deleting an account deactivates it at once and schedules the purge; the purge erases what every
module stores (each app registers an eraser in its manifest) and deletes the account, keeping
only the audit trail, pseudonymized.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.clock import Clock
from appfleet.core.database import Database, unit_of_work
from appfleet.core.errors import Conflict, NotFound
from appfleet.core.logging import get_logger
from appfleet.core.registry import AppRegistry
from appfleet.platform.audit import service as audit
from appfleet.platform.audit.models import AuditEvent
from appfleet.platform.audit.service import Origin
from appfleet.platform.auth.apple import AppleGrants
from appfleet.platform.auth.errors import BadCredentials
from appfleet.platform.auth.federated import Identity
from appfleet.platform.auth.models import AuthSession
from appfleet.platform.auth.recovery import end_all_sessions
from appfleet.platform.auth.schemas import AuthResponse, DeviceInfo
from appfleet.platform.auth.service import (
    Caller,
    check_password,
    complete_sign_in,
    revoke_after_commit,
)
from appfleet.platform.billing import service as billing_service
from appfleet.platform.flags import service as flags_service
from appfleet.platform.privacy.models import Consent
from appfleet.platform.privacy.schemas import (
    AccountDeletion,
    ConsentRead,
    ConsentRequest,
    ConsentsRead,
)
from appfleet.platform.uploads.service import erase_media
from appfleet.platform.users import service as user_service
from appfleet.platform.users.models import Activity, User
from appfleet.platform.users.repository import UserRepository
from appfleet.providers.email.queue import queue_email
from appfleet.providers.storage.base import Storage
from appfleet.runtime.outbox import OutboxMessage
from appfleet.runtime.revocation import token_key

log = get_logger("appfleet.privacy")


# Consents


async def record_consent(
    session: AsyncSession, caller: Caller, user: User, body: ConsentRequest
) -> ConsentRead:
    row = Consent(
        user_id=user.id,
        app=caller.app.name,
        purpose=body.purpose,
        granted=body.granted,
        version=body.version,
        recorded_at=caller.clock.now(),
        ip=caller.origin.ip,
    )
    session.add(row)
    await audit.record(
        session,
        caller.clock,
        caller.origin,
        "consent",
        user.id,
        purpose=body.purpose,
        granted=body.granted,
    )
    return ConsentRead.model_validate(row)


async def consents(session: AsyncSession, caller: Caller, user: User) -> ConsentsRead:
    rows = await session.scalars(
        select(Consent)
        .where(Consent.user_id == user.id, Consent.app == caller.app.name)
        .order_by(Consent.recorded_at.desc(), Consent.id.desc())
    )
    history = [ConsentRead.model_validate(row) for row in rows]
    current: dict[str, ConsentRead] = {}
    for record in history:
        current.setdefault(record.purpose, record)
    return ConsentsRead(current=list(current.values()), history=history)


# Export


async def export(session: AsyncSession, caller: Caller, user_id: uuid.UUID) -> dict[str, Any]:
    """Everything this app holds about the user, as JSON-ready data."""
    found = await UserRepository(session, caller.app.identity_group).member_of(
        user_id, caller.app.name
    )
    if found is None:
        raise NotFound("No such account in this app")
    user, membership = found
    app = caller.app.name
    sessions = await session.scalars(
        select(AuthSession).where(AuthSession.user_id == user.id, AuthSession.app == app)
    )
    events = await session.scalars(
        select(AuditEvent)
        .where(AuditEvent.user_id == user.id, AuditEvent.app == app)
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    emails = await session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.user_id == user.id, OutboxMessage.app == app)
        .order_by(OutboxMessage.created_at)
    )
    data: dict[str, Any] = {
        "format": "appfleet-export/1",
        "exported_at": caller.clock.now().isoformat(),
        "app": app,
        "account": {
            **user_service.to_read(user, membership).model_dump(mode="json"),
            "signed_in_with": [p for p in ("apple", "google") if getattr(user, f"{p}_sub")],
            "has_password": user.password_hash is not None,
            "two_factor": user.totp_enabled_at is not None,
            "member_since": membership.created_at.isoformat(),
        },
        "sessions": [
            {
                "device_name": s.device_name,
                "platform": s.platform,
                "app_version": s.app_version,
                "last_ip": s.last_ip,
                "created_at": s.created_at.isoformat(),
                "last_seen_at": s.last_seen_at.isoformat(),
                "ended_at": s.revoked_at.isoformat() if s.revoked_at else None,
            }
            for s in sessions
        ],
        "consents": (await consents(session, caller, user)).model_dump(mode="json")["history"],
        "activity": [
            {
                "at": e.at.isoformat(),
                "action": e.action,
                "ip": e.ip,
                "user_agent": e.user_agent,
            }
            for e in events
        ],
        "emails": [
            {
                "kind": m.kind,
                "subject": m.payload.get("subject"),
                "to": m.recipient,
                "created_at": m.created_at.isoformat(),
                "status": m.status,
            }
            for m in emails
        ],
        "billing": await billing_service.export(session, caller.app, user.id),
        "experiments": await flags_service.export(session, app, user.id),
        "days_active": [
            day.isoformat()
            for day in await session.scalars(
                select(Activity.day)
                .where(Activity.user_id == user.id, Activity.app == app)
                .order_by(Activity.day)
            )
        ],
        app: await caller.app.export_data(session, user.id) if caller.app.export_data else {},
    }
    await audit.record(session, caller.clock, caller.origin, "export", user.id)
    return data


# Deletion and restore


async def delete_account(
    session: AsyncSession, caller: Caller, user_id: uuid.UUID, access_jti: uuid.UUID | None
) -> AccountDeletion:
    """Deactivate now, sign out everywhere, revoke the Apple grant, schedule the purge (the
    user's own request names its access token, revoked too; an admin's names none)."""
    async with unit_of_work(caller.auth.database, write=False) as reading:
        found = await reading.get(User, user_id)
        grant = found.apple_refresh_token if found else None
    # Apple is called before this request writes, so no write lock waits on the network.
    revoked = await caller.auth.apple.revoke(grant) if grant else None
    user = await session.get(User, user_id)
    if user is None or not user.is_active:
        raise BadCredentials()
    now = caller.clock.now()
    retention = timedelta(days=caller.auth.settings.deletion_retention_days)
    user.is_active, user.deleted_at, user.purge_after = False, now, now + retention
    user.updated_at = now
    if revoked:
        user.apple_refresh_token = None
    caller.auth.profiles.forget(session, user)
    await end_all_sessions(session, caller, user.id, "account_deleted")
    if access_jti is not None:
        revoke_after_commit(session, caller, token_key(access_jti))
    if user.email:
        await queue_email(
            session,
            caller.clock,
            caller.app,
            to=user.email,
            template="account_deleted",
            user_id=user.id,
            language=user.language,
            name=user.name,
            purge_date=user.purge_after.date().isoformat(),
        )
    await audit.record(
        session, caller.clock, caller.origin, "account_deleted", user.id, apple_revoked=revoked
    )
    return AccountDeletion(
        deleted_at=now, purge_after=user.purge_after, apple_grant_revoked=revoked
    )


async def restore_with_password(
    session: AsyncSession, caller: Caller, email: str, password: str, device: DeviceInfo | None
) -> AuthResponse:
    check = await check_password(caller, email, password)
    user = await session.get(User, check.user_id) if check.matches and check.user_id else None
    if user is None:
        raise BadCredentials()
    return await _restore(session, caller, user, device, "password")


async def restore_with_identity(
    session: AsyncSession, caller: Caller, identity: Identity, device: DeviceInfo | None
) -> AuthResponse:
    user = await UserRepository(session, caller.app.identity_group).by_provider(
        identity.provider, identity.subject
    )
    if user is None:
        raise BadCredentials()
    return await _restore(session, caller, user, device, identity.provider)


async def _restore(
    session: AsyncSession, caller: Caller, user: User, device: DeviceInfo | None, method: str
) -> AuthResponse:
    now = caller.clock.now()
    if user.deleted_at is None:
        raise Conflict("This account is not deleted; sign in instead")
    if user.purge_after is None or user.purge_after <= now:
        raise BadCredentials()  # past the retention period: as good as gone
    user.is_active, user.deleted_at, user.purge_after, user.updated_at = True, None, None, now
    await audit.record(session, caller.clock, caller.origin, "account_restored", user.id)
    return await complete_sign_in(session, caller, user, device, method)


# Purge


def pseudonym_id(user_id: uuid.UUID, secret: str) -> uuid.UUID:
    """A stable stand-in for a purged user in the records we must keep: the same user always
    maps to the same id, but nobody can map it back without the deployment secret."""
    digest = hashlib.sha256(f"{secret}:purged:{user_id}".encode()).digest()
    return uuid.UUID(bytes=digest[:16], version=4)


async def purge_due(
    db: Database,
    clock: Clock,
    registry: AppRegistry,
    apple: AppleGrants,
    storage: Storage,
    secret: str,
    *,
    limit: int = 500,
) -> int:
    """Erase every account whose retention period has ended; returns how many. Each account
    is purged in its own unit of work, so one failure does not hold back the others."""
    async with unit_of_work(db, write=False) as reading:
        due = list(
            await reading.scalars(
                select(User.id)
                .where(User.deleted_at.is_not(None), User.purge_after <= clock.now())
                .order_by(User.purge_after)
                .limit(limit)
            )
        )
    purged = 0
    for user_id in due:
        try:
            await _purge(db, clock, registry, apple, storage, secret, user_id)
        except Exception:  # noqa: BLE001 - logged; the next run tries again
            log.exception("purge_failed", user_id=str(user_id))
            continue
        purged += 1
    return purged


async def _purge(
    db: Database,
    clock: Clock,
    registry: AppRegistry,
    apple: AppleGrants,
    storage: Storage,
    secret: str,
    user_id: uuid.UUID,
) -> None:
    async with unit_of_work(db, write=False) as reading:
        user = await reading.get(User, user_id)
        grant = user.apple_refresh_token if user else None
        due = user is not None and user.purge_after is not None and user.purge_after <= clock.now()
    if not due:
        return
    # Apple's own guidance: the deletion goes ahead even when the grant cannot be revoked.
    revoked = await apple.revoke(grant) if grant else None
    # Files first: if the store is away, the account stays (deleted, not purged) and the next
    # run tries again, so no account is purged with its photos left behind.
    await erase_media(storage, registry, user_id)
    async with unit_of_work(db) as session:
        user = await session.get(User, user_id)
        if user is None or user.deleted_at is None or user.purge_after is None:
            return  # restored (or purged by another worker) meanwhile
        if user.purge_after > clock.now():
            return
        for app in registry:
            if app.erase_data is not None:
                await app.erase_data(session, user_id)
        stand_in = pseudonym_id(user_id, secret)
        await session.execute(
            update(AuditEvent)
            .where(AuditEvent.user_id == user_id)
            .values(user_id=stand_in, ip=None, user_agent=None)
        )
        await session.execute(delete(OutboxMessage).where(OutboxMessage.user_id == user_id))
        # Memberships, sessions, tokens and consents go with it (ON DELETE CASCADE).
        await session.execute(delete(User).where(User.id == user_id))
        origin = Origin(app=None, ip=None, user_agent=None)
        await audit.record(
            session, clock, origin, "account_purged", stand_in, apple_revoked=revoked
        )
    log.info("account_purged", user=str(stand_in))
