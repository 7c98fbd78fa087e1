"""App-scoped JWTs. HS256 only, with audience, issuer and every claim required on decode.

Tokens are deterministic in their claims: re-minting a stored (jti, iat) gives the identical
string, which is how a refresh retried inside the replay window gets the same pair back.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import jwt

from appfleet.platform.auth.errors import TokenRejected

ALGORITHM = "HS256"
ISSUER = "appfleet"
TokenType = Literal["access", "refresh"]
_REQUIRED = ["sub", "aud", "iss", "type", "iat", "exp", "jti", "sid"]


@dataclass(frozen=True, slots=True)
class Claims:
    user_id: uuid.UUID
    app: str
    type: TokenType
    jti: uuid.UUID
    session_id: uuid.UUID
    issued_at: datetime
    expires_at: datetime


class TokenCodec:
    def __init__(self, secret_key: str) -> None:
        # A key of its own for tokens, so other uses of the deployment secret never overlap.
        self._key = hmac.new(secret_key.encode(), b"appfleet/jwt/v1", hashlib.sha256).digest()

    def mint(self, claims: Claims) -> str:
        payload = {
            "sub": str(claims.user_id),
            "aud": claims.app,
            "iss": ISSUER,
            "type": claims.type,
            "iat": int(claims.issued_at.timestamp()),
            "exp": int(claims.expires_at.timestamp()),
            "jti": str(claims.jti),
            "sid": str(claims.session_id),
        }
        return jwt.encode(payload, self._key, algorithm=ALGORITHM)

    def read(self, token: str, *, app: str, expected: TokenType, now: datetime) -> Claims:
        """The claims of a valid `expected` token for `app`, or TokenRejected saying why."""
        try:
            payload = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                audience=app,
                issuer=ISSUER,
                options={"require": _REQUIRED, "verify_exp": False},
            )
        except jwt.PyJWTError:
            raise TokenRejected("token_invalid") from None
        # Expiry is checked against the injectable clock, not the wall clock PyJWT would use.
        if payload["exp"] <= now.timestamp():
            raise TokenRejected("token_expired")
        if payload["type"] != expected:
            raise TokenRejected("token_invalid", f"A {payload['type']} token cannot be used here")
        try:
            return Claims(
                user_id=uuid.UUID(payload["sub"]),
                app=app,
                type=expected,
                jti=uuid.UUID(payload["jti"]),
                session_id=uuid.UUID(payload["sid"]),
                issued_at=datetime.fromtimestamp(payload["iat"], now.tzinfo),
                expires_at=datetime.fromtimestamp(payload["exp"], now.tzinfo),
            )
        except (ValueError, TypeError):
            raise TokenRejected("token_invalid") from None


def access_claims(
    user_id: uuid.UUID, app: str, session_id: uuid.UUID, jti: uuid.UUID, at: datetime, ttl_s: int
) -> Claims:
    return Claims(user_id, app, "access", jti, session_id, _whole(at), _whole(at) + _s(ttl_s))


def refresh_claims(
    user_id: uuid.UUID, app: str, session_id: uuid.UUID, jti: uuid.UUID, at: datetime, ttl_s: int
) -> Claims:
    return Claims(user_id, app, "refresh", jti, session_id, _whole(at), _whole(at) + _s(ttl_s))


def _whole(moment: datetime) -> datetime:
    # JWT times are whole seconds; truncating here keeps stored and re-minted tokens identical.
    return moment.replace(microsecond=0)


def _s(seconds: int) -> timedelta:
    return timedelta(seconds=seconds)
