"""The outbox's sender for the push channel: one message is one push to one device.

It looks the device up first (a token unregistered since the push was queued gets nothing),
hands the push to the app's FCM or APNs client, and keeps the device list honest: a token
reported dead is marked suspect, and removed when it is reported dead a second time (FCM has
been known to answer UNREGISTERED for live tokens); a successful push clears the mark. Apps
without credentials for a service keep its pushes in the local outbox.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Protocol

import httpx2
from sqlalchemy import delete, update

from appfleet.core.clock import Clock
from appfleet.core.database import Database, unit_of_work
from appfleet.core.logging import get_logger
from appfleet.core.registry import AppRegistry
from appfleet.core.secrets import ConfigurationError
from appfleet.core.settings import AppSettings, PushSettings
from appfleet.providers.push.apns import ApnsClient
from appfleet.providers.push.fcm import FcmClient, ServiceAccount
from appfleet.providers.push.message import DeadToken, PushMessage
from appfleet.providers.push.models import PushDevice
from appfleet.runtime.outbox import OutboxMessage, Undeliverable

log = get_logger("appfleet.push")


class PushClient(Protocol):
    async def send(self, token: str, message: PushMessage) -> str: ...


class PushSender:
    def __init__(
        self, db: Database, clock: Clock, clients: Mapping[tuple[str, str], PushClient]
    ) -> None:
        self._db, self._clock, self._clients = db, clock, clients

    def provider(self, message: OutboxMessage) -> str:
        service = str(message.payload.get("service", "fcm"))
        return service if (message.app, service) in self._clients else "local"

    async def send(self, message: OutboxMessage) -> str | None:
        device_id = uuid.UUID(str(message.payload["device_id"]))
        async with unit_of_work(self._db, write=False) as session:
            device = await session.get(PushDevice, device_id)
        if device is None or device.user_id != message.user_id or device.token != message.recipient:
            raise Undeliverable("the device was unregistered before the push went out")
        client = self._clients.get((message.app, device.service))
        if client is None:
            log.info(
                "push_kept_locally",
                app=message.app,
                service=device.service,
                message=str(message.id),
            )
            return None
        try:
            reference = await client.send(
                device.token, PushMessage.from_payload(message.id, message.payload)
            )
        except DeadToken as exc:
            removed = await self._reported_dead(device, exc.reason)
            state = "removed" if removed else "marked suspect"
            raise Undeliverable(f"device token {state}: {exc.reason}") from exc
        if device.suspect_at is not None:
            await self._alive(device)
        return reference

    async def _reported_dead(self, device: PushDevice, reason: str) -> bool:
        async with unit_of_work(self._db) as session:
            if device.suspect_at is None:
                await session.execute(
                    update(PushDevice)
                    .where(PushDevice.id == device.id)
                    .values(suspect_at=self._clock.now(), suspect_reason=reason[:40])
                )
                log.info("push_token_suspect", app=device.app, device=str(device.id), reason=reason)
                return False
            await session.execute(delete(PushDevice).where(PushDevice.id == device.id))
        log.info("push_token_removed", app=device.app, device=str(device.id), reason=reason)
        return True

    async def _alive(self, device: PushDevice) -> None:
        async with unit_of_work(self._db) as session:
            await session.execute(
                update(PushDevice)
                .where(PushDevice.id == device.id)
                .values(suspect_at=None, suspect_reason=None)
            )


def _apns_credentials(config: AppSettings) -> tuple[str, str, str] | None:
    """The app's APNs team id, key id and private key, when all three are set."""
    team_id, key_id, key = config.apns_team_id, config.apns_key_id, config.apns_private_key
    if key is None or not team_id or not key_id:
        return None
    return team_id, key_id, key.get_secret_value()


def sends_through_apns(config: AppSettings) -> bool:
    """Whether the app has APNs credentials (push_clients makes its APNs client from them)."""
    return _apns_credentials(config) is not None


def push_clients(
    registry: AppRegistry,
    settings: PushSettings,
    http: httpx2.AsyncClient,
    http2: httpx2.AsyncClient | None,
) -> dict[tuple[str, str], PushClient]:
    """The FCM and APNs clients of every mounted app that has credentials for them (`http2`,
    APNs' pool, is made when some app `sends_through_apns`)."""
    clients: dict[tuple[str, str], PushClient] = {}
    for app in registry:
        config = app.config
        if config.fcm_credentials is not None:
            try:
                account = ServiceAccount.parse(config.fcm_credentials.get_secret_value())
            except (OSError, ValueError) as exc:
                raise ConfigurationError(f"[app.{app.name}].fcm_credentials: {exc}") from exc
            clients[(app.name, "fcm")] = FcmClient(
                http, account, base_url=settings.fcm_url, timeout_s=settings.timeout_s
            )
        if (apns := _apns_credentials(config)) is not None:
            if http2 is None:
                raise RuntimeError(f"{app.name} sends through APNs, but no HTTP/2 pool was made")
            team_id, key_id, private_key = apns
            topic = config.apns_topic or (config.bundle_ids[0] if config.bundle_ids else None)
            if topic is None:
                raise ConfigurationError(f"[app.{app.name}]: APNs needs apns_topic or bundle_ids")
            sandbox = config.apns_environment == "sandbox"
            clients[(app.name, "apns")] = ApnsClient(
                http2,
                base_url=settings.apns_sandbox_url if sandbox else settings.apns_production_url,
                team_id=team_id,
                key_id=key_id,
                private_key=private_key,
                topic=topic,
            )
    return clients
