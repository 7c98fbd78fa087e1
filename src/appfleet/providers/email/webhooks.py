"""Bounce and complaint webhooks: `POST /webhooks/sendgrid` (the signed Event Webhook: ECDSA
P-256 over timestamp + body) and `POST /webhooks/postmark` (HTTP Basic credentials, Postmark's
way of securing webhooks). A hard bounce or a spam complaint suppresses the address."""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_public_key
from fastapi import APIRouter, Request

from appfleet.core.deps import ClockDep, DbSession
from appfleet.core.errors import NotAuthenticated, NotFound, ValidationFailed
from appfleet.core.routing import DeferredRoute
from appfleet.core.settings import EmailSettings
from appfleet.providers.email.reports import outbox_id, record_bounced, record_delivered
from appfleet.providers.email.suppression import suppress

router = APIRouter(prefix="/webhooks", tags=["webhooks"], route_class=DeferredRoute)
TIMESTAMP_TOLERANCE_S = 300  # an older signed request is a replay
POSTMARK_HARD_BOUNCES = {"HardBounce", "BadEmailAddress", "ManuallyDeactivated"}


def sendgrid_signature_ok(key: str, body: bytes, signature: str, timestamp: str) -> bool:
    try:
        public_key = load_der_public_key(base64.b64decode(key))
        if not isinstance(public_key, ec.EllipticCurvePublicKey):
            return False
        public_key.verify(
            base64.b64decode(signature), timestamp.encode() + body, ec.ECDSA(hashes.SHA256())
        )
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


def _json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise ValidationFailed("The body is not JSON") from None


@router.post("/sendgrid", status_code=204)
async def sendgrid_events(request: Request, session: DbSession, clock: ClockDep) -> None:
    """SendGrid's Event Webhook: bounces and spam reports suppress the address."""
    settings: EmailSettings = request.app.state.settings.email
    if settings.sendgrid_webhook_key is None:
        raise NotFound("Set APPFLEET_EMAIL__SENDGRID_WEBHOOK_KEY to receive SendGrid events")
    body = await request.body()
    signature = request.headers.get("x-twilio-email-event-webhook-signature", "")
    timestamp = request.headers.get("x-twilio-email-event-webhook-timestamp", "")
    fresh = timestamp.isdigit() and abs(clock.timestamp() - int(timestamp)) <= TIMESTAMP_TOLERANCE_S
    if not fresh or not sendgrid_signature_ok(
        settings.sendgrid_webhook_key, body, signature, timestamp
    ):
        raise ValidationFailed(
            "The event signature does not verify", details={"reason": "bad_signature"}
        )
    events = _json(body)
    if not isinstance(events, list):
        raise ValidationFailed("Expected a JSON array of events")
    for event in events:
        if not isinstance(event, dict) or not isinstance(event.get("email"), str):
            continue
        kind = event.get("event")
        message_id = outbox_id(event.get("outbox_id"))
        if message_id is not None and kind == "delivered":
            await record_delivered(session, message_id, clock.now())
        # A "blocked" bounce is temporary (the receiving server said later); only "bounce" is hard.
        if kind == "bounce" and event.get("type", "bounce") == "bounce":
            if message_id is not None:
                await record_bounced(session, message_id, clock.now(), "hard bounce")
            await suppress(
                session,
                clock,
                event["email"],
                reason="hard_bounce",
                source="sendgrid",
                detail=str(event.get("reason", "")),
            )
        elif kind == "spamreport":
            await suppress(session, clock, event["email"], reason="complaint", source="sendgrid")


@router.post("/postmark", status_code=204)
async def postmark_events(request: Request, session: DbSession, clock: ClockDep) -> None:
    """Postmark's bounce and spam-complaint webhooks (Basic credentials in the webhook URL)."""
    settings: EmailSettings = request.app.state.settings.email
    username, password = settings.postmark_webhook_username, settings.postmark_webhook_password
    if username is None or password is None:
        raise NotFound("Set APPFLEET_EMAIL__POSTMARK_WEBHOOK_USERNAME and _PASSWORD first")
    expected = base64.b64encode(f"{username}:{password.get_secret_value()}".encode()).decode()
    given = request.headers.get("authorization", "")
    if not hmac.compare_digest(given.encode(), f"Basic {expected}".encode()):
        raise NotAuthenticated(
            "Webhook credentials required", headers={"WWW-Authenticate": 'Basic realm="webhooks"'}
        )
    record = _json(await request.body())
    if not isinstance(record, dict):
        raise ValidationFailed("Expected a Postmark webhook record")
    kind = record.get("RecordType")
    email = record.get("Email")  # bounces and complaints; deliveries name a Recipient
    metadata = record.get("Metadata")
    message_id = outbox_id(metadata.get("outbox_id")) if isinstance(metadata, dict) else None
    hard = kind == "Bounce" and record.get("Type") in POSTMARK_HARD_BOUNCES
    if message_id is not None and kind == "Delivery":
        await record_delivered(session, message_id, clock.now())
    if message_id is not None and hard:
        await record_bounced(session, message_id, clock.now(), str(record.get("Type")))
    if not isinstance(email, str):
        return
    if kind == "SpamComplaint":
        await suppress(session, clock, email, reason="complaint", source="postmark")
    elif hard:
        detail = str(record.get("Description", ""))
        await suppress(
            session, clock, email, reason="hard_bounce", source="postmark", detail=detail
        )
