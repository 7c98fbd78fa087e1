"""Sign in with Apple and Google: their ID tokens, verified against their published keys.

Keys are fetched over HTTPS with httpx2 (PyJWKClient would block the event loop), cached, and
fetched again when a token names a key id we have not seen (providers rotate keys), at most once
every few seconds so a flood of bad tokens cannot make us hammer the provider.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any

import httpx2
import jwt

from appfleet.core.errors import ServiceUnavailable
from appfleet.core.settings import AppSettings
from appfleet.platform.auth.errors import TokenRejected

REFETCH_FLOOR_S = 10.0


@dataclass(frozen=True, slots=True)
class Provider:
    name: str
    issuers: tuple[str, ...]
    jwks_url: str


@dataclass(frozen=True, slots=True)
class Identity:
    provider: str
    subject: str
    email: str | None
    email_verified: bool
    audience: str  # the app id the token was issued to (a bundle id or client id)


class KeySet:
    """One provider's signing keys, by key id."""

    def __init__(self, client: httpx2.AsyncClient, url: str, ttl_s: float) -> None:
        self._client = client
        self._url = url
        self._ttl_s = ttl_s
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = -float("inf")

    async def key(self, kid: str) -> jwt.PyJWK | None:
        age = time.monotonic() - self._fetched_at
        if age > self._ttl_s or (kid not in self._keys and age > REFETCH_FLOOR_S):
            await self._fetch()
        return self._keys.get(kid)

    async def _fetch(self) -> None:
        try:
            response = await self._client.get(self._url)
            response.raise_for_status()
            found = jwt.PyJWKSet.from_dict(response.json())
        except (httpx2.HTTPError, ValueError, jwt.PyJWKSetError) as exc:
            if self._keys:  # keep serving with the keys we have
                return
            raise ServiceUnavailable("The sign-in provider's keys could not be fetched") from exc
        self._keys = {key.key_id: key for key in found.keys if key.key_id}
        self._fetched_at = time.monotonic()


class IdentityVerifier:
    def __init__(self, client: httpx2.AsyncClient, providers: list[Provider], ttl_s: float) -> None:
        self._providers = {p.name: p for p in providers}
        self._keys = {p.name: KeySet(client, p.jwks_url, ttl_s) for p in providers}

    async def verify(
        self, provider: str, token: str, audiences: list[str], nonce: str | None
    ) -> Identity:
        """The identity in `token`, checked: RS256 signature by the provider's current key,
        issuer, audience (one of the app's ids), expiry, and the nonce when one was sent."""
        if not audiences:
            raise TokenRejected("token_invalid", f"Sign in with {provider} is not set up here")
        spec = self._providers[provider]
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenRejected("token_invalid") from None
        kid = header.get("kid")
        if header.get("alg") != "RS256" or not isinstance(kid, str):
            raise TokenRejected("token_invalid")
        key = await self._keys[provider].key(kid)
        if key is None:
            raise TokenRejected("token_invalid", "The token was signed by an unknown key")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=audiences,
                issuer=list(spec.issuers),
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise TokenRejected("token_expired") from None
        except jwt.PyJWTError:
            raise TokenRejected("token_invalid") from None
        if nonce is not None and not _nonce_matches(nonce, claims.get("nonce")):
            raise TokenRejected("token_invalid", "The nonce does not match")
        verified = claims.get("email_verified") in (True, "true")
        email = claims.get("email")
        audience = claims["aud"] if isinstance(claims["aud"], str) else claims["aud"][0]
        return Identity(
            provider,
            str(claims["sub"]),
            email if isinstance(email, str) else None,
            verified,
            str(audience),
        )


def _nonce_matches(sent: str, claimed: object) -> bool:
    # Apple's guidance is to put SHA-256(raw nonce) in the request and keep the raw one; accept
    # the client sending either form.
    if not isinstance(claimed, str):
        return False
    hashed = hashlib.sha256(sent.encode()).hexdigest()
    return hmac.compare_digest(claimed, sent) or hmac.compare_digest(claimed, hashed)


def audiences_for(provider: str, config: AppSettings) -> list[str]:
    """The ids an app's ID tokens may be issued to: bundle ids for Apple, client ids for Google."""
    return config.bundle_ids if provider == "apple" else config.google_client_ids


def providers_from(apple_jwks_url: str, google_jwks_url: str) -> list[Provider]:
    return [
        Provider("apple", ("https://appleid.apple.com",), apple_jwks_url),
        Provider("google", ("https://accounts.google.com", "accounts.google.com"), google_jwks_url),
    ]
