"""App-scoped JWTs: HS256, audience = the app, issuer, and every claim required.

Minting uses PyJWT. Reading is the hot path of every authenticated request, and PyJWT's decode
(header parsing, key preparation, a per-character alphabet scan) cost more than the rest of
`GET /users/me`; these tokens are only ever ours, so reading checks them directly: the header
must be byte-for-byte the one we mint (which refuses `none` and any algorithm swap before
anything else is read), then the HMAC in constant time, then the claims.

Tokens are deterministic in their claims: re-minting a stored (jti, iat) gives the identical
string, which is how a refresh retried inside the replay window gets the same pair back.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import jwt

from appfleet.platform.auth.errors import TokenRejected

ALGORITHM = "HS256"
ISSUER = "appfleet"
TokenType = Literal["access", "refresh", "mfa", "console"]
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


VERIFIED_CACHE_SIZE = 50_000  # about 15 MB at most


class TokenCodec:
    def __init__(self, secret_key: str) -> None:
        # A key of its own for tokens, so other uses of the deployment secret never overlap.
        self._key = hmac.new(secret_key.encode(), b"appfleet/jwt/v1", hashlib.sha256).digest()
        self._header = jwt.encode({}, self._key, algorithm=ALGORITHM).split(".", 1)[0]
        self._verified: dict[str, Claims] = {}

    def tag(self, purpose: str, value: str) -> str:
        """A keyed digest of `value` for `purpose` (the console's CSRF token of a session):
        anyone can check it matches, only this deployment can make it."""
        return hmac.new(self._key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

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
        """The claims of a valid `expected` token for `app`, or TokenRejected saying why.

        A phone sends the same access token for its whole lifetime, so tokens verified before
        are remembered by their exact text (bounded; expiry, app and type still checked)."""
        known = self._verified.get(token)
        if known is not None and known.app == app and known.type == expected:
            if known.expires_at.timestamp() <= now.timestamp():
                raise TokenRejected("token_expired")
            return known
        claims = self._verify(token, app=app, expected=expected, now=now)
        if expected == "access":
            if len(self._verified) >= VERIFIED_CACHE_SIZE:
                del self._verified[next(iter(self._verified))]  # the oldest entry
            self._verified[token] = claims
        return claims

    @staticmethod
    def audience(token: str) -> str | None:
        """The app a token claims to be for, unverified: says which app `read` must check it
        against when the path does not name one (the deployment-wide admin API)."""
        try:
            payload = json.loads(_unb64(token.split(".")[1]))
        except (ValueError, IndexError, binascii.Error):
            return None
        audience = payload.get("aud") if isinstance(payload, dict) else None
        return audience if isinstance(audience, str) else None

    def _verify(self, token: str, *, app: str, expected: TokenType, now: datetime) -> Claims:
        header, _, rest = token.partition(".")
        body, _, signature = rest.partition(".")
        if header != self._header or not body or not signature:
            raise TokenRejected("token_invalid")
        mac = hmac.new(self._key, f"{header}.{body}".encode(), hashlib.sha256).digest()
        try:
            valid = hmac.compare_digest(mac, _unb64(signature))
            payload = json.loads(_unb64(body)) if valid else None
        except (ValueError, binascii.Error):
            raise TokenRejected("token_invalid") from None
        if not isinstance(payload, dict) or any(claim not in payload for claim in _REQUIRED):
            raise TokenRejected("token_invalid")
        if payload["aud"] != app or payload["iss"] != ISSUER:
            raise TokenRejected("token_invalid")
        if not isinstance(payload["exp"], int) or payload["exp"] <= now.timestamp():
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
        except (ValueError, TypeError, AttributeError):
            raise TokenRejected("token_invalid") from None


def _unb64(segment: str) -> bytes:
    # Strict alphabet (validate=True): padding-free base64url as JWTs use it.
    return base64.b64decode(
        segment.replace("-", "+").replace("_", "/") + "=" * (-len(segment) % 4), validate=True
    )


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


def challenge_claims(user_id: uuid.UUID, app: str, at: datetime, ttl_s: int) -> Claims:
    """A short-lived token proving the password step of a two-factor sign-in succeeded."""
    return Claims(
        user_id, app, "mfa", uuid.uuid4(), uuid.uuid4(), _whole(at), _whole(at) + _s(ttl_s)
    )


def console_claims(
    user_id: uuid.UUID, app: str, session_id: uuid.UUID, at: datetime, ttl_s: int
) -> Claims:
    """The admin console's session cookie: the console session it names must still be live."""
    return Claims(
        user_id, app, "console", uuid.uuid4(), session_id, _whole(at), _whole(at) + _s(ttl_s)
    )
