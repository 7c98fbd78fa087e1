"""Open and click tracking for the email templates an app opts in (off for every template by
default, and never for sensitive ones: a reset link must not pass through a redirect).

Instrumenting happens at delivery, on the copy handed to the vendor: the HTML part gets a 1x1
pixel (`/e/o/{token}.gif`) and every link becomes a signed redirect (`/e/c/{token}`) that
records the click and sends the reader on. The signature binds the message id and the target,
so the redirect cannot be turned into an open redirect to anywhere else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import re
import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, update

from appfleet.core.database import unit_of_work
from appfleet.core.deps import ClockDep
from appfleet.core.errors import ValidationFailed
from appfleet.core.registry import AppRegistry
from appfleet.core.routing import DeferredRoute
from appfleet.runtime.outbox import OutboxMessage, Sender

HREF = re.compile(r'href="(https?://[^"]+)"')
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
OPEN_PATH, CLICK_PATH = "/e/o/", "/e/c/"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class EmailTracker:
    def __init__(self, secret: str, public_url: str, registry: AppRegistry) -> None:
        self._key = hashlib.sha256(f"{secret}:email-tracking".encode()).digest()
        self._public = public_url.rstrip("/")
        self._registry = registry

    def wanted(self, message: OutboxMessage) -> tuple[bool, bool]:
        """(track opens, track clicks) for this message."""
        if message.sensitive or message.channel != "email" or message.app not in self._registry:
            return False, False
        config = self._registry.get(message.app).config
        return message.kind in config.track_opens, message.kind in config.track_clicks

    def _mac(self, material: bytes) -> str:
        return _b64(hmac.new(self._key, material, hashlib.sha256).digest()[:16])

    def open_url(self, message_id: uuid.UUID) -> str:
        return (
            f"{self._public}{OPEN_PATH}{_b64(message_id.bytes)}.{self._mac(message_id.bytes)}.gif"
        )

    def click_url(self, message_id: uuid.UUID, target: str) -> str:
        material = message_id.bytes + target.encode()
        return f"{self._public}{CLICK_PATH}{_b64(material)}.{self._mac(material)}"

    def read_open(self, token: str) -> uuid.UUID:
        material = self._verified(token.removesuffix(".gif"))
        if len(material) != 16:
            raise ValueError("not an open token")
        return uuid.UUID(bytes=material)

    def read_click(self, token: str) -> tuple[uuid.UUID, str]:
        material = self._verified(token)
        if len(material) <= 16:
            raise ValueError("not a click token")
        target = material[16:].decode()
        if not target.startswith(("https://", "http://")):
            raise ValueError("not a web link")
        return uuid.UUID(bytes=material[:16]), target

    def _verified(self, token: str) -> bytes:
        body, _, mac = token.partition(".")
        try:
            material = _unb64(body)
        except ValueError as exc:
            raise ValueError("malformed") from exc
        if not mac or not hmac.compare_digest(mac, self._mac(material)):
            raise ValueError("bad signature")
        return material

    def instrument(self, body: str, message_id: uuid.UUID, *, opens: bool, clicks: bool) -> str:
        if clicks:

            def tracked(match: re.Match[str]) -> str:
                target = html.unescape(match.group(1))
                return f'href="{html.escape(self.click_url(message_id, target))}"'

            body = HREF.sub(tracked, body)
        if opens:
            pixel = f'<img src="{self.open_url(message_id)}" width="1" height="1" alt="">'
            body = body.replace("</body>", f"{pixel}</body>") if "</body>" in body else body + pixel
        return body


class TrackingSender:
    """Instruments the HTML of opted-in emails, then hands them to the real sender."""

    def __init__(self, inner: Sender, tracker: EmailTracker) -> None:
        self._inner, self._tracker = inner, tracker

    def provider(self, message: OutboxMessage) -> str:
        return self._inner.provider(message)

    async def send(self, message: OutboxMessage) -> str | None:
        opens, clicks = self._tracker.wanted(message)
        html_part = message.payload.get("html")
        if (opens or clicks) and isinstance(html_part, str):
            instrumented = self._tracker.instrument(
                html_part, message.id, opens=opens, clicks=clicks
            )
            # A copy for the vendor: the stored message keeps its plain body.
            message = OutboxMessage(
                id=message.id,
                channel=message.channel,
                app=message.app,
                user_id=message.user_id,
                recipient=message.recipient,
                kind=message.kind,
                payload={**message.payload, "html": instrumented},
                sensitive=message.sensitive,
            )
        return await self._inner.send(message)


router = APIRouter(prefix="/e", tags=["email"], include_in_schema=False, route_class=DeferredRoute)


def _tracker(request: Request) -> EmailTracker:
    return request.app.state.email_tracker  # type: ignore[no-any-return]


async def _record(request: Request, message_id: uuid.UUID, **values: object) -> None:
    # A GET that writes: its own writing unit of work (request sessions of GETs only read).
    async with unit_of_work(request.app.state.db) as session:
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values)
        )


@router.get("/o/{token}")
async def opened(token: str, request: Request, clock: ClockDep) -> Response:
    try:
        message_id = _tracker(request).read_open(token)
    except ValueError:
        message_id = None  # a pixel always answers: mail clients show broken images otherwise
    if message_id is not None:
        await _record(
            request,
            message_id,
            open_count=OutboxMessage.open_count + 1,
            opened_at=func.coalesce(OutboxMessage.opened_at, clock.now()),
        )
    return Response(PIXEL, media_type="image/gif", headers={"Cache-Control": "no-store"})


@router.get("/c/{token}")
async def clicked(token: str, request: Request, clock: ClockDep) -> RedirectResponse:
    try:
        message_id, target = _tracker(request).read_click(token)
    except ValueError as exc:
        raise ValidationFailed(
            "This link is not valid", details={"reason": "bad_tracking_link", "why": str(exc)}
        ) from None
    await _record(
        request,
        message_id,
        click_count=OutboxMessage.click_count + 1,
        clicked_at=func.coalesce(OutboxMessage.clicked_at, clock.now()),
    )
    return RedirectResponse(target, status_code=302)
