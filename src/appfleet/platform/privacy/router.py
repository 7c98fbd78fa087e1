"""Privacy under every app prefix: consents, the data export, account deletion and restore."""

from __future__ import annotations

from typing import Any

from appfleet.core.deps import DbSession
from appfleet.core.errors import ValidationFailed
from appfleet.core.routing import app_router
from appfleet.platform.auth.deps import CallerDep, CurrentClaims, CurrentMember
from appfleet.platform.auth.federated import audiences_for
from appfleet.platform.auth.schemas import AuthResponse
from appfleet.platform.privacy import service
from appfleet.platform.privacy.schemas import (
    AccountDeletion,
    ConsentRead,
    ConsentRequest,
    ConsentsRead,
    RestoreRequest,
)
from appfleet.runtime.ratelimit import per_ip

router = app_router(tags=["privacy"])


@router.get("/users/me/data")
async def export_my_data(
    member: CurrentMember, session: DbSession, caller: CallerDep
) -> dict[str, Any]:
    """Everything this app stores about you, as one JSON document."""
    return await service.export(session, caller, member.user.id)


@router.get("/users/me/consents")
async def list_consents(
    member: CurrentMember, session: DbSession, caller: CallerDep
) -> ConsentsRead:
    """Your consent decisions in this app: the current one per purpose, and the history."""
    return await service.consents(session, caller, member.user)


@router.post("/users/me/consents", status_code=201)
async def record_consent(
    body: ConsentRequest, member: CurrentMember, session: DbSession, caller: CallerDep
) -> ConsentRead:
    """Grant or withdraw consent for one purpose (each decision is kept)."""
    return await service.record_consent(session, caller, member.user, body)


@router.delete("/auth/account", status_code=202)
async def delete_account(
    claims: CurrentClaims, session: DbSession, caller: CallerDep
) -> AccountDeletion:
    """Delete your account: signed out everywhere now, erased for good after the retention
    period (restorable until then)."""
    return await service.delete_account(session, caller, claims.user_id, claims.jti)


@router.post("/auth/account/restore", dependencies=[per_ip("login")])
async def restore_account(
    body: RestoreRequest, session: DbSession, caller: CallerDep
) -> AuthResponse:
    """Undo a deletion within the retention period; signs you in."""
    if body.email is not None and body.password is not None:
        return await service.restore_with_password(
            session, caller, body.email, body.password, body.device
        )
    if body.provider is None or body.identity_token is None:
        raise ValidationFailed("Send email and password, or provider and identity_token")
    identity = await caller.auth.identities.verify(
        body.provider,
        body.identity_token,
        audiences_for(body.provider, caller.app.config),
        body.nonce,
    )
    return await service.restore_with_identity(session, caller, identity, body.device)
