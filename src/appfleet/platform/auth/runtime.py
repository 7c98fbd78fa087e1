"""What the auth module needs at run time, built once per process by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from appfleet.core.database import Database
from appfleet.core.registry import AppContext
from appfleet.core.settings import AuthSettings
from appfleet.platform.auth.apple import AppleGrants
from appfleet.platform.auth.digest import TokenDigest
from appfleet.platform.auth.federated import IdentityVerifier
from appfleet.platform.auth.passwords import Passwords
from appfleet.platform.auth.tokens import Claims, TokenCodec
from appfleet.platform.auth.totp import SecretBox
from appfleet.platform.users.service import ProfileCache
from appfleet.runtime.ratelimit import RateLimiter
from appfleet.runtime.revocation import Revocations, session_key, token_key


@dataclass(frozen=True, slots=True)
class AuthRuntime:
    settings: AuthSettings
    database: Database
    tokens: TokenCodec
    passwords: Passwords
    revocations: Revocations
    limiter: RateLimiter
    identities: IdentityVerifier
    secret_box: SecretBox
    profiles: ProfileCache
    digest: TokenDigest
    apple: AppleGrants

    async def is_revoked(self, claims: Claims) -> bool:
        """Whether this token, or the session it belongs to, was signed out."""
        return await self.revocations.is_revoked(
            token_key(claims.jti), session_key(claims.session_id)
        )

    def access_ttl(self, app: AppContext) -> int:
        return app.config.access_token_ttl_s or self.settings.access_token_ttl_s

    def refresh_ttl(self, app: AppContext) -> int:
        return app.config.refresh_token_ttl_s or self.settings.refresh_token_ttl_s
