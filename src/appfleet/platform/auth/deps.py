"""Who is calling. The access-token check is the hot path of every authenticated request:
one signature check, one revocation lookup (in memory or one Redis round trip), no SQL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.requests import HTTPConnection
from starlette.types import Scope

from appfleet.core.clock import Clock
from appfleet.core.deps import CurrentApp, DbSession
from appfleet.core.errors import NotAuthenticated
from appfleet.core.registry import current_app
from appfleet.platform.audit.service import Origin
from appfleet.platform.auth.errors import TokenRejected
from appfleet.platform.auth.runtime import AuthRuntime
from appfleet.platform.auth.service import Caller
from appfleet.platform.auth.tokens import VERIFIED_CACHE_SIZE, Claims, TokenCodec
from appfleet.platform.users.models import Membership, User
from appfleet.platform.users.repository import UserRepository
from appfleet.runtime.ratelimit import enforce_named


@dataclass(frozen=True, slots=True)
class Member:
    """The signed-in user and their membership of the current app."""

    user: User
    membership: Membership
    claims: Claims


async def get_auth(request: Request) -> AuthRuntime:
    return request.app.state.auth  # type: ignore[no-any-return]


AuthDep = Annotated[AuthRuntime, Depends(get_auth)]


async def get_caller(request: Request) -> Caller:
    # One dependency reading app state, rather than four sub-dependencies: FastAPI's cost per
    # dependency is larger than these lookups, and nearly every route takes a Caller.
    state = request.app.state
    app = await current_app(request)
    return Caller(app=app, origin=Origin.of(request, app.name), clock=state.clock, auth=state.auth)


CallerDep = Annotated[Caller, Depends(get_caller)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TokenRejected("token_invalid", "Send the access token as: Authorization: Bearer …")
    return token.strip()


def token_identity(tokens: TokenCodec, clock: Clock) -> Callable[[Scope, str], str | None]:
    """Who a request claims to be, for rate limiting: the user id of a valid access token for
    `app`, else None. Revocation is not consulted (a revoked token is refused by the route)."""

    # Header value -> user id, for tokens already verified (the limiter runs on every request).
    # An expired token keeps counting against its user, which is no looser than refusing it.
    known: dict[tuple[bytes, str], str] = {}

    def identify(scope: Scope, app: str) -> str | None:
        for name, value in scope["headers"]:
            if name == b"authorization":
                if (user := known.get((value, app))) is not None:
                    return user
                scheme, _, token = value.decode("latin-1").partition(" ")
                if scheme.lower() != "bearer":
                    return None
                try:
                    claims = tokens.read(token.strip(), app=app, expected="access", now=clock.now())
                except TokenRejected:
                    return None
                if len(known) >= VERIFIED_CACHE_SIZE:
                    known.clear()
                user = known[(value, app)] = str(claims.user_id)
                return user
        return None

    return identify


async def access_claims(request: HTTPConnection, token: str) -> Claims:
    """Verify an access token for the app the connection's path names (HTTP or WebSocket)."""
    return await _claims(request, token)


async def _claims(request: HTTPConnection, token: str) -> Claims:
    # The hot path: everything comes straight off app.state rather than through sub-dependencies,
    # each of which costs FastAPI more to resolve than the lookup itself.
    state = request.app.state
    app = state.registry.for_path(request.scope["path"])
    if app is None:
        raise TokenRejected("token_invalid")
    auth: AuthRuntime = state.auth
    claims = auth.tokens.read(token, app=app.name, expected="access", now=state.clock.now())
    if await auth.is_revoked(claims):
        raise TokenRejected("token_revoked")
    request_state = request.scope["state"]
    user = request_state["user_id"] = request_state["principal"] = str(claims.user_id)
    state.analytics.seen(app.name, user)  # daily active users: a set lookup
    return claims


def required_bearer(request: Request, message: str = "Sign in to use this endpoint") -> str:
    """The request's bearer token; 401 `token_missing` without one."""
    token = _bearer(request)
    if token is None:
        raise NotAuthenticated(
            message, details={"reason": "token_missing"}, headers={"WWW-Authenticate": "Bearer"}
        )
    return token


async def current_claims(request: Request) -> Claims:
    """The verified access token of the request (401 without one)."""
    return await _claims(request, required_bearer(request))


async def optional_claims(request: Request) -> Claims | None:
    token = _bearer(request)
    return None if token is None else await _claims(request, token)


CurrentClaims = Annotated[Claims, Depends(current_claims)]
OptionalClaims = Annotated[Claims | None, Depends(optional_claims)]


async def current_member(claims: CurrentClaims, session: DbSession, app: CurrentApp) -> Member:
    found = await UserRepository(session, app.identity_group).member_of(claims.user_id, app.name)
    if found is None or not found[0].is_active:
        raise TokenRejected("token_revoked", "This account is no longer active")
    return Member(found[0], found[1], claims)


CurrentMember = Annotated[Member, Depends(current_member, scope="function")]


def per_user(name: str) -> Any:
    """A route dependency: the limit named `name` in settings (`ai`, `uploads`, or one of
    `[ratelimit.routes]`), per signed-in user and app. Requires a valid access token."""

    async def dependency(request: Request, claims: CurrentClaims) -> None:
        await enforce_named(request, f"ratelimit:user:{claims.user_id}:{claims.app}", name)

    return Depends(dependency)
