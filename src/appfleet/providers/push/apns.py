"""Apple Push Notification service: token-based auth over HTTP/2.

Each request is authenticated by a provider token: an ES256 JWT (`iss` team id, `kid` key id)
that Apple wants refreshed at most every 20 minutes and accepts for an hour, so one is kept for
50 minutes and shared by every request. A 410, BadDeviceToken or DeviceTokenNotForTopic reports
a dead token (BadDeviceToken is also what a sandbox token sent to production gets, which is one
reason a token is only removed on the second report); ExpiredProviderToken makes us mint anew;
429 and 5xx come back later.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import time
from typing import Any

import httpx2
import jwt

from appfleet.core.tasks import RetryLater
from appfleet.providers.push.message import COLLAPSE_ID_MAX_BYTES, DeadToken, PushMessage
from appfleet.providers.vendor import json_object, retry_after_s
from appfleet.runtime.outbox import Undeliverable

PROVIDER_TOKEN_TTL_S = 50 * 60
DEAD_TOKEN_REASONS = {"BadDeviceToken", "DeviceTokenNotForTopic", "Unregistered", "ExpiredToken"}
PROVIDER_TOKEN_REASONS = {"ExpiredProviderToken", "InvalidProviderToken", "MissingProviderToken"}
PAYLOAD_LIMIT_BYTES = 4096


def http2_client(timeout_s: float, ca_file: str | None) -> httpx2.AsyncClient:
    """The HTTP/2 connection pool APNs requires (one per process, shared by every app)."""
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return httpx2.AsyncClient(http2=True, verify=context, timeout=timeout_s)


class ApnsClient:
    def __init__(
        self,
        http: httpx2.AsyncClient,
        *,
        base_url: str,
        team_id: str,
        key_id: str,
        private_key: str,
        topic: str,
    ) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._team, self._key_id, self._key, self.topic = team_id, key_id, private_key, topic
        self._token: str | None = None
        self._token_at = 0.0
        self._minting = asyncio.Lock()

    async def send(self, device_token: str, message: PushMessage) -> str:
        """Send one push; the apns-id Apple confirms on success."""
        body = json.dumps(self._payload(message), separators=(",", ":")).encode()
        if len(body) > PAYLOAD_LIMIT_BYTES:
            raise Undeliverable(f"APNs payload is {len(body)} bytes; the limit is 4096")
        headers = {
            "authorization": f"bearer {await self._provider_token()}",
            "apns-topic": self.topic,
            "apns-push-type": "alert",
            "apns-id": str(message.id),
            "apns-priority": "10" if message.urgent else "5",
        }
        if message.expires_at is not None:
            headers["apns-expiration"] = str(int(message.expires_at.timestamp()))
        if message.collapse_key:
            headers["apns-collapse-id"] = _collapse_id(message.collapse_key)
        try:
            response = await self._http.post(
                f"{self._base}/3/device/{device_token}", content=body, headers=headers
            )
        except httpx2.TransportError as exc:
            raise RuntimeError(f"APNs unreachable: {type(exc).__name__}") from exc
        if response.status_code == 200:
            return response.headers.get("apns-id", str(message.id))
        reason = str(json_object(response).get("reason", ""))
        status = response.status_code
        if status == 410 or reason in DEAD_TOKEN_REASONS:
            raise DeadToken(reason or "Unregistered")
        if reason in PROVIDER_TOKEN_REASONS:
            self._token = None
            raise RuntimeError(f"APNs refused the provider token: {reason}")
        if status == 429 or status >= 500:
            wait = retry_after_s(response.headers.get("retry-after"), default=0.0)
            if wait:
                raise RetryLater(f"APNs {status} {reason}", delay_s=wait)
            raise RuntimeError(f"APNs {status} {reason}")
        raise Undeliverable(f"APNs {status} {reason}")

    def _payload(self, message: PushMessage) -> dict[str, Any]:
        aps: dict[str, Any] = {
            "alert": {"title": message.title, "body": message.body},
            "sound": "default",
        }
        if message.badge is not None:
            aps["badge"] = message.badge
        if message.collapse_key:
            aps["thread-id"] = message.collapse_key  # groups them in Notification Center
        return {**message.data, "aps": aps}

    async def _provider_token(self) -> str:
        if self._token is not None and time.time() - self._token_at < PROVIDER_TOKEN_TTL_S:
            return self._token
        async with self._minting:
            if self._token is None or time.time() - self._token_at >= PROVIDER_TOKEN_TTL_S:
                self._token_at = time.time()
                self._token = jwt.encode(
                    {"iss": self._team, "iat": int(self._token_at)},
                    self._key,
                    algorithm="ES256",
                    headers={"kid": self._key_id},
                )
            return self._token


def _collapse_id(key: str) -> str:
    encoded = key.encode()[:COLLAPSE_ID_MAX_BYTES]
    return encoded.decode("utf-8", errors="ignore")
