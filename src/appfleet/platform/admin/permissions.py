"""Seed 001's roles as permission sets. A grant's permissions hold deployment-wide or in its
one app; `users` includes `users:read`. `outbox` (email and push sent, dead letters, their
requeue) is ours: the seed names no role for operations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Role = Literal["super_admin", "admin", "support"]
Permission = Literal[
    "users",
    "users:read",
    "analytics",
    "content",
    "products",
    "flags",
    "outbox",
    "tickets",
    "grants",
]

ROLES: dict[str, frozenset[str]] = {
    "super_admin": frozenset({"*"}),
    "admin": frozenset(
        {"users", "users:read", "analytics", "content", "products", "flags", "outbox"}
    ),
    "support": frozenset({"users:read", "tickets"}),
}
ROLE_NAMES: tuple[str, ...] = tuple(ROLES)


@dataclass(frozen=True, slots=True)
class Held:
    role: str
    app: str | None  # None: every app


def allows(grants: Iterable[Held], permission: str, app: str | None) -> bool:
    """Whether `grants` give `permission` in `app` (None: deployment-wide, which only a
    deployment-wide grant gives)."""
    for grant in grants:
        if grant.app is not None and grant.app != app:
            continue
        held = ROLES.get(grant.role, frozenset())
        if "*" in held or permission in held:
            return True
    return False


def apps_allowed(grants: Iterable[Held], permission: str) -> frozenset[str] | None:
    """The apps where `permission` is held: None for all of them."""
    apps: set[str] = set()
    for grant in grants:
        held = ROLES.get(grant.role, frozenset())
        if "*" in held or permission in held:
            if grant.app is None:
                return None
            apps.add(grant.app)
    return frozenset(apps)
