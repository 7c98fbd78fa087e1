from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import ValidationError

from appfleet.core.deps import DbSession
from appfleet.core.errors import ValidationFailed
from appfleet.core.idempotency.deps import Idempotent
from appfleet.core.routing import app_router
from appfleet.platform.auth import mfa, recovery, service
from appfleet.platform.auth.deps import (
    CallerDep,
    CurrentClaims,
    CurrentMember,
    OptionalClaims,
)
from appfleet.platform.auth.federated import audiences_for
from appfleet.platform.auth.schemas import (
    Accepted,
    AnonymousRequest,
    AppleSignIn,
    AuthResponse,
    CodeRequest,
    ForgotRequest,
    GoogleSignIn,
    LoginRequest,
    MfaVerifyRequest,
    RecoveryCodesRead,
    RefreshRequest,
    RegisterRequest,
    ResetRequest,
    SessionRead,
    TokenPair,
    TotpSetupRead,
    VerificationSent,
    VerifyEmailRequest,
)
from appfleet.platform.users.models import User
from appfleet.platform.users.repository import UserRepository
from appfleet.runtime.analytics import AnalyticsDep
from appfleet.runtime.ratelimit import enforce_all_named, enforce_named, ip_key, per_ip

router = app_router(prefix="/auth", tags=["auth"])


async def _guest(session: DbSession, caller: CallerDep, claims: OptionalClaims) -> User | None:
    """The calling guest account, when a guest's token came with the request."""
    if claims is None:
        return None
    found = await UserRepository(session, caller.app.identity_group).member_of(
        claims.user_id, caller.app.name
    )
    return found[0] if found and found[0].is_anonymous else None


Guest = Annotated[User | None, Depends(_guest, scope="function")]


@router.post("/register", status_code=201, dependencies=[per_ip("signup"), Idempotent])
async def register(
    body: RegisterRequest,
    session: DbSession,
    caller: CallerDep,
    guest: Guest,
    analytics: AnalyticsDep,
) -> AuthResponse:
    """Create an account (or upgrade the calling guest account, keeping its data)."""
    created = await service.register(session, caller, body, guest)
    analytics.count(caller.app.name, "sign_up")
    return created


@router.post("/anonymous", status_code=201, dependencies=[per_ip("signup")])
async def sign_in_anonymously(
    session: DbSession, caller: CallerDep, body: AnonymousRequest | None = None
) -> AuthResponse:
    """A guest account for this app; registering later keeps its data."""
    return await service.sign_in_anonymously(session, caller, body.device if body else None)


@router.post("/login")
async def log_in(
    body: LoginRequest,
    session: DbSession,
    caller: CallerDep,
    request: Request,
    analytics: AnalyticsDep,
) -> AuthResponse:
    """Sign in with email and password."""
    # Per IP and per email, in one round trip to the limiter.
    email_key = f"ratelimit:email:{caller.app.identity_group}:{body.email.lower()}"
    await enforce_all_named(request, [(ip_key(request.scope), "login"), (email_key, "login")])
    signed_in = await service.log_in(session, caller, body)
    analytics.count(caller.app.name, "sign_in")
    return signed_in


@router.post("/token", dependencies=[per_ip("login")])
async def oauth2_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], session: DbSession, caller: CallerDep
) -> AuthResponse:
    """The OAuth2 password flow (the Authorize button of /docs): username is the email."""
    try:
        body = LoginRequest(email=form.username, password=form.password)
    except ValidationError as exc:
        raise ValidationFailed(
            "username must be an email address", details={"username": {"message": "not an email"}}
        ) from exc
    return await service.log_in(session, caller, body)


@router.post("/apple", dependencies=[per_ip("login")])
async def sign_in_with_apple(
    body: AppleSignIn, session: DbSession, caller: CallerDep, guest: Guest
) -> AuthResponse:
    """Sign in with Apple: the identity token from the device, checked against Apple's keys."""
    identity = await caller.auth.identities.verify(
        "apple", body.identity_token, audiences_for("apple", caller.app.config), body.nonce
    )
    # The code buys a refresh token we keep only to revoke the grant if the account is deleted.
    grant = (
        await caller.auth.apple.exchange(caller.app, identity.audience, body.authorization_code)
        if body.authorization_code
        else None
    )
    return await service.sign_in_federated(
        session, caller, identity, body.name, guest, body.device, apple_grant=grant
    )


@router.post("/google", dependencies=[per_ip("login")])
async def sign_in_with_google(
    body: GoogleSignIn, session: DbSession, caller: CallerDep, guest: Guest
) -> AuthResponse:
    """Sign in with Google: the ID token from the device, checked against Google's keys."""
    identity = await caller.auth.identities.verify(
        "google", body.id_token, audiences_for("google", caller.app.config), body.nonce
    )
    return await service.sign_in_federated(session, caller, identity, None, guest, body.device)


@router.post("/refresh")
async def refresh(body: RefreshRequest, session: DbSession, caller: CallerDep) -> TokenPair:
    """Exchange a refresh token for a new pair (each refresh token works once)."""
    return await service.refresh(session, caller, body.refresh_token)


@router.post("/logout", status_code=204)
async def log_out(claims: CurrentClaims, session: DbSession, caller: CallerDep) -> None:
    """End this device's session: its refresh token and this access token stop working."""
    await service.log_out(session, caller, claims.user_id, claims.session_id, claims.jti)


@router.get("/sessions")
async def list_sessions(
    member: CurrentMember, session: DbSession, caller: CallerDep
) -> list[SessionRead]:
    """The devices signed in to this app."""
    current = member.claims.session_id
    return [
        SessionRead(
            id=s.id,
            device_name=s.device_name,
            platform=s.platform,
            app_version=s.app_version,
            last_ip=s.last_ip,
            created_at=s.created_at,
            last_seen_at=s.last_seen_at,
            current=s.id == current,
        )
        for s in await service.list_sessions(session, caller, member.user.id)
    ]


@router.delete("/sessions/{session_id}", status_code=204)
async def revoke_session(
    session_id: uuid.UUID, member: CurrentMember, session: DbSession, caller: CallerDep
) -> None:
    """Sign one device out."""
    await service.revoke_session(session, caller, member.user.id, session_id)


@router.post("/sessions/revoke-others")
async def revoke_other_sessions(
    member: CurrentMember, session: DbSession, caller: CallerDep
) -> dict[str, int]:
    """Sign every other device out of this app."""
    revoked = await service.revoke_other_sessions(
        session, caller, member.user.id, member.claims.session_id
    )
    return {"revoked": revoked}


@router.post("/mfa/totp/setup")
async def start_totp_setup(
    member: CurrentMember, session: DbSession, caller: CallerDep
) -> TotpSetupRead:
    """Begin two-factor sign-in: a secret and an otpauth:// URI for an authenticator app."""
    return await mfa.start_setup(session, caller, member.user)


@router.post("/mfa/totp/confirm")
async def confirm_totp(
    body: CodeRequest, member: CurrentMember, session: DbSession, caller: CallerDep
) -> RecoveryCodesRead:
    """Turn two-factor on with a first code; answers ten recovery codes, shown only now."""
    return RecoveryCodesRead(
        recovery_codes=await mfa.confirm(session, caller, member.user, body.code)
    )


@router.post("/mfa/totp/disable", status_code=204)
async def disable_totp(
    body: CodeRequest, member: CurrentMember, session: DbSession, caller: CallerDep
) -> None:
    """Turn two-factor off (needs a current code or a recovery code)."""
    await mfa.disable(session, caller, member.user, body.code)


@router.post("/mfa/verify")
async def verify_second_factor(
    body: MfaVerifyRequest, session: DbSession, caller: CallerDep
) -> AuthResponse:
    """Finish a two-factor sign-in: the login's challenge token and a code."""
    return await mfa.verify(session, caller, body.challenge_token, body.code, body.device)


@router.post("/forgot", status_code=202)
async def forgot_password(
    body: ForgotRequest, session: DbSession, caller: CallerDep, request: Request
) -> Accepted:
    """Email a password-reset link. The answer is the same whether or not the account exists."""
    email_key = f"ratelimit:email:{caller.app.identity_group}:{body.email.lower()}"
    await enforce_all_named(request, [(ip_key(request.scope), "forgot"), (email_key, "forgot")])
    await recovery.request_password_reset(session, caller, body.email)
    return Accepted(message="If an account uses this address, a reset email is on its way")


@router.post("/reset", status_code=204, dependencies=[per_ip("login")])
async def reset_password(body: ResetRequest, session: DbSession, caller: CallerDep) -> None:
    """Choose a new password with the token from the reset email; signs out every device."""
    await recovery.reset_password(session, caller, body.token, body.password)


@router.post("/verify-email/request", status_code=202)
async def request_email_verification(
    member: CurrentMember, session: DbSession, caller: CallerDep, request: Request
) -> VerificationSent:
    """Email a six-digit code to confirm the account's address."""
    await enforce_named(request, f"ratelimit:user:{member.user.id}:verify-email", "forgot")
    expires_at = await recovery.request_verification(session, caller, member.user)
    return VerificationSent(message="A code is on its way", expires_at=expires_at)


@router.post("/verify-email", status_code=204)
async def verify_email(
    body: VerifyEmailRequest, member: CurrentMember, session: DbSession, caller: CallerDep
) -> None:
    """Confirm the address with the emailed code (five tries per code)."""
    await recovery.verify_email(session, caller, member.user, body.code.strip())
