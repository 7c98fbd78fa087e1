"""The composition root's process-wide clients."""

from __future__ import annotations

import pytest

from appfleet.apps import MANIFESTS
from appfleet.core.registry import AppRegistry
from appfleet.core.settings import Settings
from appfleet.main import services

pytestmark = pytest.mark.anyio

APNS = {"apns_team_id": "TEAM123456", "apns_key_id": "KEY1234567", "apns_private_key": "k"}


async def test_the_apns_pool_is_made_only_when_an_app_sends_through_apns(
    settings: Settings,
) -> None:
    async with services(settings, AppRegistry(MANIFESTS, settings)) as clients:
        assert clients.http2 is None
    with_apns = Settings(**(settings.model_dump() | {"app": {"fitnudge": APNS}}))
    async with services(with_apns, AppRegistry(MANIFESTS, with_apns)) as clients:
        assert clients.http2 is not None
        assert not clients.http2.is_closed
    assert clients.http2.is_closed
