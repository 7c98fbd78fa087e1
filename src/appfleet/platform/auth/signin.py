"""A password sign-in written at once: the session, its first refresh token, the audit event
and the day's activity as one atomic write (on PostgreSQL one statement, where the general path
takes a transaction, a re-read of the account and four inserts: six round trips).

Each row is inserted from the account's own row, on condition that the account is still as the
sign-in read it before hashing: the same password hash, active, not deleted, no second factor.
When it changed during the hash, nothing is written and the sign-in takes the general path,
which reads the account again inside its transaction and decides there.
"""

from __future__ import annotations

import functools
import uuid
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, bindparam, literal, select
from sqlalchemy.dialects import postgresql, sqlite

from appfleet.core.database import Database, InsertsTogether, insert_for
from appfleet.platform.audit.models import AuditEvent
from appfleet.platform.audit.service import Origin
from appfleet.platform.auth.models import AuthSession, RefreshToken
from appfleet.platform.auth.schemas import DeviceInfo
from appfleet.platform.users.models import Activity, User

_ACCOUNT = cast(Table, User.__table__)
# The account as the sign-in saw it; every insert selects from it.
_UNCHANGED = (
    _ACCOUNT.c.id == bindparam("user_id"),
    _ACCOUNT.c.password_hash == bindparam("stored_hash"),
    _ACCOUNT.c.is_active.is_(True),
    _ACCOUNT.c.deleted_at.is_(None),
    _ACCOUNT.c.totp_enabled_at.is_(None),
)


def _from_account(
    dialect: str, model: type, **values: ColumnElement[Any] | str
) -> postgresql.Insert | sqlite.Insert:
    """INSERT INTO the model's table SELECT `values` FROM the unchanged account; a string
    value names a parameter of the column's type."""
    table = cast(Table, model.__table__)  # type: ignore[attr-defined]
    columns = [
        value if not isinstance(value, str) else bindparam(value, type_=table.c[name].type)
        for name, value in values.items()
    ]
    chosen = select(*columns).where(*_UNCHANGED)
    return insert_for(dialect, table).from_select(list(values), chosen)


@functools.cache
def _writes(dialect: str) -> InsertsTogether:
    session = _from_account(
        dialect,
        AuthSession,
        id="session_id",
        user_id=_ACCOUNT.c.id,
        app="app",
        device_name="device_name",
        platform="platform",
        app_version="app_version",
        last_ip="ip",
        created_at="now",
        last_seen_at="now",
        expires_at="session_expires_at",
    )
    token = _from_account(
        dialect,
        RefreshToken,
        jti="refresh_jti",
        session_id="session_id",
        access_jti="access_jti",
        issued_at="issued_at",
        expires_at="refresh_expires_at",
    )
    event = _from_account(
        dialect,
        AuditEvent,
        at="now",
        app="app",
        user_id=_ACCOUNT.c.id,
        action=literal("login"),
        ip="ip",
        user_agent="user_agent",
        details="details",
    )
    activity = _from_account(dialect, Activity, app="app", day="day", user_id=_ACCOUNT.c.id)
    return InsertsTogether((session, token, event, activity.on_conflict_do_nothing()))


async def write_sign_in(
    db: Database,
    *,
    user_id: uuid.UUID,
    stored_hash: str,
    app: str,
    origin: Origin,
    device: DeviceInfo | None,
    session_id: uuid.UUID,
    refresh_jti: uuid.UUID,
    access_jti: uuid.UUID,
    now: datetime,
    refresh_ttl_s: int,
) -> bool:
    """Store a password sign-in's rows; False (nothing written) when the account changed
    since `stored_hash` was read."""
    issued = now.replace(microsecond=0)
    ttl = timedelta(seconds=refresh_ttl_s)
    parameters = {
        "user_id": user_id,
        "stored_hash": stored_hash,
        "session_id": session_id,
        "app": app,
        "device_name": device.name if device else None,
        "platform": device.platform if device else None,
        "app_version": device.app_version if device else None,
        "ip": origin.ip,
        "user_agent": origin.user_agent,
        "now": now,
        "session_expires_at": now + ttl,
        "refresh_jti": refresh_jti,
        "access_jti": access_jti,
        "issued_at": issued,
        "refresh_expires_at": issued + ttl,
        "details": {"method": "password"},
        "day": now.date(),
    }
    return await db.insert_together(_writes(db.dialect), parameters) == 1
