"""The FCM client against a local FCM: access tokens minted from the service account and
reused, the message FCM receives, and how each kind of refusal is sorted."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2
import pytest

from appfleet.core.tasks import RetryLater
from appfleet.providers.push.fcm import FcmClient, ServiceAccount
from appfleet.providers.push.message import DeadToken, PushMessage
from appfleet.runtime.outbox import Undeliverable
from tests.fixtures.push import Answer, FcmServer, fcm_error

pytestmark = pytest.mark.anyio
TOKEN_WORDS = "registration token"  # what FCM's message names when the token is at fault


def push(**overrides: object) -> PushMessage:
    values: dict[str, object] = {
        "id": uuid.uuid4(),
        "title": "Keep it going",
        "body": "Your 5 day streak ends at midnight",
        "data": {"notification_id": "n-1", "kind": "streak_risk"},
    }
    return PushMessage(**(values | overrides))  # type: ignore[arg-type]


def client(fake: FcmServer, http: httpx2.AsyncClient) -> FcmClient:
    account = ServiceAccount.parse(fake.service_account)
    return FcmClient(http, account, base_url=fake.url, timeout_s=5)


async def test_a_push_reaches_fcm_with_a_minted_token_that_is_reused(
    fcm_server: FcmServer,
) -> None:
    expires = datetime.now(UTC) + timedelta(hours=2)
    async with httpx2.AsyncClient() as http:
        fcm = client(fcm_server, http)
        name = await fcm.send("android-token-1", push(collapse_key="streak", expires_at=expires))
        await fcm.send("android-token-2", push(urgent=False))

    assert name.startswith("projects/fleet-test/messages/")
    assert fcm_server.token_requests == 1  # the second push reused the access token
    assert fcm_server.refusals == []
    first, second = (p["message"] for p in fcm_server.accepted())
    assert first["token"] == "android-token-1"
    assert first["notification"] == {
        "title": "Keep it going",
        "body": "Your 5 day streak ends at midnight",
    }
    assert first["data"] == {"notification_id": "n-1", "kind": "streak_risk"}
    assert first["android"]["collapse_key"] == "streak"
    assert first["android"]["priority"] == "HIGH"
    assert 7100 <= int(first["android"]["ttl"].removesuffix("s")) <= 7200
    assert first["apns"]["headers"]["apns-collapse-id"] == "streak"
    assert second["android"]["priority"] == "NORMAL"
    assert "ttl" not in second["android"]


async def test_a_service_account_key_is_read_from_a_file_too(
    fcm_server: FcmServer, tmp_path: Path
) -> None:
    path = tmp_path / "firebase.json"
    path.write_text(fcm_server.service_account)
    assert ServiceAccount.parse(str(path)).project_id == "fleet-test"
    with pytest.raises(ValueError, match="lacks project_id"):
        ServiceAccount.parse('{"client_email": "x@y", "private_key": "k"}')


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        (fcm_error(404, "UNREGISTERED", "Requested entity was not found."), DeadToken),
        (
            fcm_error(
                400,
                "INVALID_ARGUMENT",
                "The registration token is not a valid FCM registration token",
            ),
            DeadToken,
        ),
        (fcm_error(403, "SENDER_ID_MISMATCH", "SenderId mismatch"), DeadToken),
        # A payload bug: no retry can fix it, and the token is fine.
        (
            fcm_error(400, "INVALID_ARGUMENT", "Invalid value at 'message.data[0].value'", "field"),
            Undeliverable,
        ),
        (fcm_error(503, "UNAVAILABLE", "try later"), RuntimeError),
    ],
)
async def test_refusals_are_sorted_by_what_fcm_says(
    fcm_server: FcmServer, answer: Answer, outcome: type[Exception]
) -> None:
    fcm_server.answers["the-token"] = answer
    async with httpx2.AsyncClient() as http:
        with pytest.raises(outcome):
            await client(fcm_server, http).send("the-token", push())


async def test_quota_and_outages_come_back_after_retry_after(fcm_server: FcmServer) -> None:
    busy = fcm_error(429, "QUOTA_EXCEEDED", "Quota exceeded")
    busy.headers = {"Retry-After": "120"}
    fcm_server.answers["the-token"] = busy
    async with httpx2.AsyncClient() as http:
        with pytest.raises(RetryLater) as raised:
            await client(fcm_server, http).send("the-token", push())
    assert raised.value.delay_s == 120


async def test_refused_credentials_are_minted_again_on_the_next_try(
    fcm_server: FcmServer,
) -> None:
    async with httpx2.AsyncClient() as http:
        fcm = client(fcm_server, http)
        await fcm.send("t-1", push())
        fcm_server.issued.clear()  # Google revoked every token it gave out
        with pytest.raises(RuntimeError, match="credentials"):
            await fcm.send("t-1", push())
        await fcm.send("t-1", push())
    assert fcm_server.token_requests == 2
    assert len(fcm_server.accepted()) == 2
