"""Firebase Cloud Messaging, HTTP v1 API: one request per device token.

Requests carry an OAuth 2 access token minted from the app's service-account key (a JWT
assertion signed RS256, exchanged at the key's `token_uri`) and cached until shortly before it
expires. Errors are sorted the way FCM documents them: UNREGISTERED (and an INVALID_ARGUMENT
that names the registration token, and SENDER_ID_MISMATCH) report a dead token; any other
INVALID_ARGUMENT is a bug in our payload, which no retry fixes; 429 and 5xx come back later,
after `Retry-After` when FCM gives one.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
import jwt

from appfleet.core.logging import get_logger
from appfleet.core.tasks import RetryLater
from appfleet.providers.push.message import DeadToken, PushMessage
from appfleet.providers.vendor import json_object, retry_after_s
from appfleet.runtime.outbox import Undeliverable

log = get_logger("appfleet.push.fcm")

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
ASSERTION_TTL_S = 3600
REFRESH_MARGIN_S = 120  # mint a new access token this long before the old one expires
FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"


@dataclass(frozen=True, slots=True)
class ServiceAccount:
    project_id: str
    client_email: str
    private_key: str
    private_key_id: str
    token_uri: str

    @classmethod
    def parse(cls, text: str) -> ServiceAccount:
        """The key's JSON, or the path of a file holding it."""
        stripped = text.strip()
        if not stripped.startswith("{"):
            stripped = Path(stripped).expanduser().read_text()
        data = json.loads(stripped)
        missing = [k for k in ("project_id", "client_email", "private_key") if not data.get(k)]
        if missing:
            raise ValueError(f"the FCM service-account key lacks {', '.join(missing)}")
        return cls(
            project_id=data["project_id"],
            client_email=data["client_email"],
            private_key=data["private_key"],
            private_key_id=data.get("private_key_id", ""),
            token_uri=data.get("token_uri") or "https://oauth2.googleapis.com/token",
        )


class FcmClient:
    def __init__(
        self,
        http: httpx2.AsyncClient,
        account: ServiceAccount,
        *,
        base_url: str,
        timeout_s: float,
    ) -> None:
        self._http = http
        self._account = account
        self._url = f"{base_url.rstrip('/')}/v1/projects/{account.project_id}/messages:send"
        self._timeout = timeout_s
        self._token: str | None = None
        self._token_expires = 0.0
        self._minting = asyncio.Lock()  # one mint at a time: concurrent sends share it

    async def send(self, token: str, message: PushMessage) -> str:
        """Send one push; FCM's message name on success."""
        access = await self._access_token()
        body = {"message": self._message(token, message)}
        try:
            response = await self._http.post(
                self._url,
                json=body,
                headers={"Authorization": f"Bearer {access}"},
                timeout=self._timeout,
            )
        except httpx2.TransportError as exc:
            raise RuntimeError(f"FCM unreachable: {type(exc).__name__}") from exc
        if response.status_code == 200:
            return str(json_object(response).get("name", ""))
        self._raise_for(response)
        raise AssertionError("unreachable")

    def _message(self, token: str, message: PushMessage) -> dict[str, Any]:
        ttl = message.ttl_s(datetime.now(UTC))
        android: dict[str, Any] = {"priority": "HIGH" if message.urgent else "NORMAL"}
        apns_headers = {"apns-priority": "10" if message.urgent else "5"}
        webpush_headers = {"Urgency": "high" if message.urgent else "normal"}
        if ttl is not None:
            android["ttl"] = f"{ttl}s"
            apns_headers["apns-expiration"] = str(int(time.time()) + ttl)  # epoch seconds
            webpush_headers["TTL"] = str(ttl)
        if message.collapse_key:
            android["collapse_key"] = message.collapse_key
            android["notification"] = {"tag": message.collapse_key}
            apns_headers["apns-collapse-id"] = message.collapse_key
        aps: dict[str, Any] = {"sound": "default"}
        if message.badge is not None:
            aps["badge"] = message.badge
        return {
            "token": token,
            "notification": {"title": message.title, "body": message.body},
            "data": message.data,
            "android": android,
            "apns": {"headers": apns_headers, "payload": {"aps": aps}},
            "webpush": {"headers": webpush_headers},
        }

    def _raise_for(self, response: httpx2.Response) -> None:
        error = json_object(response).get("error")
        error = error if isinstance(error, dict) else {}
        status = str(error.get("status", ""))
        text = str(error.get("message", response.text[:200]))
        details = [d for d in error.get("details", []) if isinstance(d, dict)]
        fcm_code = next((d.get("errorCode") for d in details if d.get("@type") == FCM_ERROR), None)
        code = str(fcm_code or status)
        if code in ("UNREGISTERED", "SENDER_ID_MISMATCH"):
            raise DeadToken(code)
        if code == "INVALID_ARGUMENT":
            names_token = "registration token" in text.lower()
            field_errors = any(d.get("@type") == BAD_REQUEST for d in details)
            if names_token and not field_errors:
                raise DeadToken("INVALID_ARGUMENT")
            log.error("fcm_payload_rejected", error=text)  # our bug: fix the payload
            raise Undeliverable(f"FCM refused the message: {text}")
        if response.status_code == 401:
            self._token = None  # revoked or expired early: mint a new one next time
            raise RuntimeError(f"FCM refused our credentials: {text}")
        if response.status_code == 429 or response.status_code >= 500:
            wait = retry_after_s(response.headers.get("retry-after"), default=0.0)
            if wait:
                raise RetryLater(f"FCM {response.status_code} {code}", delay_s=wait)
            raise RuntimeError(f"FCM {response.status_code} {code}: {text}")
        raise Undeliverable(f"FCM {response.status_code} {code}: {text}")

    async def _access_token(self) -> str:
        if self._token is not None and time.monotonic() < self._token_expires:
            return self._token
        async with self._minting:
            if self._token is not None and time.monotonic() < self._token_expires:
                return self._token
            self._token, lifetime = await self._mint()
            self._token_expires = time.monotonic() + max(0.0, lifetime - REFRESH_MARGIN_S)
            return self._token

    async def _mint(self) -> tuple[str, float]:
        account = self._account
        now = int(time.time())
        assertion = jwt.encode(
            {
                "iss": account.client_email,
                "scope": SCOPE,
                "aud": account.token_uri,
                "iat": now,
                "exp": now + ASSERTION_TTL_S,
            },
            account.private_key,
            algorithm="RS256",
            headers={"kid": account.private_key_id} if account.private_key_id else None,
        )
        try:
            response = await self._http.post(
                account.token_uri,
                data={
                    "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                    "assertion": assertion,
                },
                timeout=self._timeout,
            )
        except httpx2.TransportError as exc:
            raise RuntimeError(f"Google's token endpoint unreachable: {exc}") from exc
        granted = json_object(response)
        token = granted.get("access_token")
        if response.status_code != 200 or not isinstance(token, str):
            raise RuntimeError(
                f"Google refused the FCM service account ({response.status_code}): "
                f"{granted.get('error_description') or granted.get('error') or response.text[:200]}"
            )
        return token, float(granted.get("expires_in", 3600))
