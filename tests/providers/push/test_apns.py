"""The APNs client against a local APNs over TLS and HTTP/2: the provider token, headers and
payload Apple checks, and how each refusal is sorted."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx2
import pytest

from appfleet.core.tasks import RetryLater
from appfleet.providers.push.apns import ApnsClient, http2_client
from appfleet.providers.push.message import DeadToken, PushMessage
from appfleet.runtime.outbox import Undeliverable
from tests.fixtures.push import APNS_KEY_ID, APNS_TEAM, BUNDLE_ID, Answer, ApnsServer

pytestmark = pytest.mark.anyio
DEVICE = "a1" * 32


def push(**overrides: object) -> PushMessage:
    values: dict[str, object] = {
        "id": uuid.uuid4(),
        "title": "Achievement unlocked",
        "body": "You earned: Hydration Hero",
        "data": {"notification_id": "n-7"},
    }
    return PushMessage(**(values | overrides))  # type: ignore[arg-type]


def client(fake: ApnsServer, http: httpx2.AsyncClient, topic: str = BUNDLE_ID) -> ApnsClient:
    return ApnsClient(
        http,
        base_url=fake.url,
        team_id=APNS_TEAM,
        key_id=APNS_KEY_ID,
        private_key=fake.private_key,
        topic=topic,
    )


async def test_a_push_goes_over_http2_with_the_headers_apple_reads(
    apns_server: ApnsServer,
) -> None:
    message = push(collapse_key="streak", expires_at=datetime.now(UTC) + timedelta(hours=1))
    async with http2_client(5, apns_server.ca_file) as http:
        apns = client(apns_server, http)
        apns_id = await apns.send(DEVICE, message)
        await apns.send(DEVICE, push(urgent=False, badge=3))

    assert apns_id == str(message.id)
    assert apns_server.refusals == []
    assert len(apns_server.provider_tokens) == 1  # one provider token for both pushes
    first, second = apns_server.accepted()
    assert first["device"] == DEVICE
    headers = first["headers"]
    assert headers["apns-topic"] == BUNDLE_ID
    assert headers["apns-push-type"] == "alert"
    assert headers["apns-priority"] == "10"
    assert headers["apns-collapse-id"] == "streak"
    assert headers["apns-expiration"] == str(int(message.expires_at.timestamp()))  # type: ignore[union-attr]
    assert first["payload"]["aps"]["alert"] == {
        "title": "Achievement unlocked",
        "body": "You earned: Hydration Hero",
    }
    assert first["payload"]["notification_id"] == "n-7"
    assert second["headers"]["apns-priority"] == "5"
    assert second["payload"]["aps"]["badge"] == 3


async def test_http1_is_not_enough_for_apns(apns_server: ApnsServer) -> None:
    import ssl

    context = ssl.create_default_context(cafile=apns_server.ca_file)
    async with httpx2.AsyncClient(verify=context) as http:  # HTTP/1.1 only
        with pytest.raises(RuntimeError, match="505"):
            await client(apns_server, http).send(DEVICE, push())
    assert apns_server.refusals == ["HTTP/1.1"]


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        (Answer(410, {"reason": "Unregistered", "timestamp": 1700000000000}), DeadToken),
        (Answer(400, {"reason": "BadDeviceToken"}), DeadToken),
        (Answer(400, {"reason": "BadCollapseId"}), Undeliverable),
        (Answer(413, {"reason": "PayloadTooLarge"}), Undeliverable),
        (Answer(503, {"reason": "ServiceUnavailable"}), RuntimeError),
        (Answer(429, {"reason": "TooManyRequests"}, {"retry-after": "30"}), RetryLater),
    ],
)
async def test_refusals_are_sorted_by_apples_reason(
    apns_server: ApnsServer, answer: Answer, outcome: type[Exception]
) -> None:
    apns_server.answers[DEVICE] = answer
    async with http2_client(5, apns_server.ca_file) as http:
        with pytest.raises(outcome):
            await client(apns_server, http).send(DEVICE, push())


async def test_a_token_for_another_app_is_dead_for_this_one(apns_server: ApnsServer) -> None:
    async with http2_client(5, apns_server.ca_file) as http:
        with pytest.raises(DeadToken, match="DeviceTokenNotForTopic"):
            await client(apns_server, http, topic="com.example.other").send(DEVICE, push())


async def test_a_payload_over_4_kib_is_refused_before_sending(apns_server: ApnsServer) -> None:
    async with http2_client(5, apns_server.ca_file) as http:
        with pytest.raises(Undeliverable, match="4096"):
            await client(apns_server, http).send(DEVICE, push(body="x" * 5000))
    assert apns_server.pushes == []


async def test_an_untrusted_certificate_is_refused(apns_server: ApnsServer) -> None:
    async with http2_client(5, None) as http:  # the system CAs do not know the test CA
        with pytest.raises(RuntimeError, match="unreachable"):
            await client(apns_server, http).send(DEVICE, push())
