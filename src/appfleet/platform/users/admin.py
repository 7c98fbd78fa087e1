"""Operator actions on accounts, run from the command line: the first administrator."""

from __future__ import annotations

from appfleet.core.clock import Clock
from appfleet.core.database import Database, unit_of_work
from appfleet.core.registry import AppContext
from appfleet.core.settings import AuthSettings
from appfleet.platform.admin import service as admin_service
from appfleet.platform.audit.service import Origin
from appfleet.platform.auth.passwords import Passwords, check_strength
from appfleet.platform.users import service as user_service
from appfleet.platform.users.models import User
from appfleet.platform.users.repository import UserRepository


async def grant_role(
    db: Database,
    clock: Clock,
    settings: AuthSettings,
    app: AppContext,
    email: str,
    role: str,
    password: str,
    scope: str | None = None,
) -> str:
    """Give `email` `role` deployment-wide (or in the app `scope` only), creating the account
    in `app`'s identity group if needed: 'created' or 'updated'. The change is audited."""
    email = email.lower()
    origin = Origin(app=app.name, ip=None, user_agent="appfleet cli")
    async with unit_of_work(db) as session:
        users = UserRepository(session, app.identity_group)
        user = await users.by_email(email)
        outcome = "updated"
        if user is None:
            check_strength(password, email=email)
            now = clock.now()
            user = User(
                identity_group=app.identity_group,
                email=email,
                name=email.split("@")[0],
                password_hash=await Passwords(settings).hash(password),
                created_at=now,
                updated_at=now,
            )
            session.add(user)
            await session.flush()
            await user_service.join_app(session, clock, user, app)
            outcome = "created"
        await admin_service.grant(
            session, clock, origin, user_id=user.id, role=role, app=scope, by=None
        )
    return outcome
