from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from appfleet.core.deps import ClockDep, CurrentApp, DbSession
from appfleet.core.idempotency import service

CLAIM_SCOPE_KEY = "appfleet.idempotency_claim"
_GUARDED_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def idempotency_guard(
    request: Request,
    session: DbSession,
    clock: ClockDep,
    app: CurrentApp,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="Client-generated key; a retry with the same key replays the first result.",
        ),
    ] = None,
) -> None:
    if idempotency_key is None or request.method not in _GUARDED_METHODS:
        return
    # Authentication (when a route has it) runs first and names the caller; keys are per caller.
    principal = request.scope["state"].get("principal", "anonymous")
    fingerprint = service.request_fingerprint(
        request.method, request.scope["path"], await request.body()
    )
    request.scope[CLAIM_SCOPE_KEY] = await service.claim(
        session,
        clock,
        app=app.name,
        principal=principal,
        key=idempotency_key,
        fingerprint=fingerprint,
    )


# List it in a route's `dependencies` after the dependency that authenticates the caller.
Idempotent = Depends(idempotency_guard, scope="function")
