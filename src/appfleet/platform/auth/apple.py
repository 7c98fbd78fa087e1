"""Apple's REST API for Sign in with Apple grants: turning the one-time authorization code into
a refresh token at sign-in, and revoking that token when the account is deleted (App Store
guideline 5.1.1(v)). Both calls authenticate with a client secret: a short ES256 JWT signed
with the app's Sign in with Apple key.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import httpx2
import jwt

from appfleet.core.logging import get_logger
from appfleet.core.registry import AppContext, AppRegistry
from appfleet.platform.auth.totp import SecretBox

log = get_logger("appfleet.auth.apple")

APPLE_AUDIENCE = "https://appleid.apple.com"  # the client secret's aud, whatever host we call
CLIENT_SECRET_TTL_S = 300


@dataclass(frozen=True, slots=True)
class Grant:
    """What revoking needs later: the app, the client id and Apple's refresh token."""

    app: str
    client_id: str
    refresh_token: str


class AppleGrants:
    def __init__(
        self, client: httpx2.AsyncClient, base_url: str, box: SecretBox, registry: AppRegistry
    ) -> None:
        self._client = client
        self._base = base_url.rstrip("/")
        self._box = box
        self._registry = registry

    @staticmethod
    def configured(app: AppContext) -> bool:
        c = app.config
        return bool(c.apple_team_id and c.apple_key_id and c.apple_private_key and c.bundle_ids)

    def _client_secret(self, app: AppContext, client_id: str) -> str:
        config = app.config
        if config.apple_private_key is None:
            raise ValueError(f"app {app.name} has no Sign in with Apple key")
        now = int(time.time())
        return jwt.encode(
            {
                "iss": config.apple_team_id,
                "iat": now,
                "exp": now + CLIENT_SECRET_TTL_S,
                "aud": APPLE_AUDIENCE,
                "sub": client_id,
            },
            config.apple_private_key.get_secret_value(),
            algorithm="ES256",
            headers={"kid": config.apple_key_id},
        )

    async def exchange(self, app: AppContext, client_id: str, code: str) -> str | None:
        """The sealed grant for an authorization code, or None when the app has no Apple key
        or Apple refused (sign-in still succeeds: the identity token was verified already)."""
        if not self.configured(app):
            return None
        form = {
            "client_id": client_id,
            "client_secret": self._client_secret(app, client_id),
            "code": code,
            "grant_type": "authorization_code",
        }
        try:
            response = await self._client.post(f"{self._base}/auth/token", data=form)
            response.raise_for_status()
            refresh_token = response.json().get("refresh_token")
        except (httpx2.HTTPError, ValueError) as exc:
            log.warning("apple_code_exchange_failed", app=app.name, error=type(exc).__name__)
            return None
        if not isinstance(refresh_token, str):
            return None
        grant = {"app": app.name, "client_id": client_id, "refresh_token": refresh_token}
        return self._box.seal(json.dumps(grant))

    def open(self, sealed: str) -> Grant | None:
        opened = self._box.open(sealed)
        return Grant(**json.loads(opened)) if opened else None

    async def revoke(self, sealed: str) -> bool:
        """Revoke a stored grant; True when Apple confirmed (it answers 200 for tokens already
        revoked too). False means: keep the grant and try again later."""
        grant = self.open(sealed)
        app = self._registry.get(grant.app) if grant and grant.app in self._registry else None
        if grant is None or app is None or not self.configured(app):
            log.warning("apple_revoke_impossible", app=grant.app if grant else None)
            return False
        form = {
            "client_id": grant.client_id,
            "client_secret": self._client_secret(app, grant.client_id),
            "token": grant.refresh_token,
            "token_type_hint": "refresh_token",
        }
        try:
            response = await self._client.post(f"{self._base}/auth/revoke", data=form)
        except httpx2.HTTPError as exc:
            log.warning("apple_revoke_failed", app=app.name, error=type(exc).__name__)
            return False
        if response.status_code != 200:
            log.warning("apple_revoke_failed", app=app.name, status=response.status_code)
            return False
        return True
