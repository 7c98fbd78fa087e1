"""What a starting process loads: vendor SDKs stay off the start-up path (serverless hosts pay
for every import on each cold start) until a configured provider needs them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.fixtures.processes import run_python

VENDOR_SDKS = ("openai", "stripe", "boto3", "botocore", "PIL", "playwright")
# Needed to migrate, not to start: the start-up check for pending migrations reads the version
# table itself.
MIGRATION_TOOLS = ("alembic",)
# Clients of services a deployment may not use: loaded once configured (PostgreSQL's driver by
# a PostgreSQL URL, the SMTP client by the first email sent over SMTP).
SERVICE_CLIENTS = ("redis", "asyncpg", "aiosmtplib")

# The app is built and started (lifespan: providers, pools, listeners), as for a first request.
_PROBE = """
import asyncio, json, sys
from asgi_lifespan import LifespanManager
from appfleet.main import app_from_environment

async def start():
    async with LifespanManager(app_from_environment()):
        pass

asyncio.run(start())
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {names})))
"""


def _loaded(tmp_path: Path, **env: str) -> list[str]:
    source = _PROBE.format(names={*VENDOR_SDKS, *MIGRATION_TOOLS, *SERVICE_CLIENTS})
    output = run_python(source, tmp_path, **env)
    return [m.split(".")[0] for m in json.loads(output.splitlines()[-1])]


def test_no_vendor_sdk_migration_tool_or_unused_client_is_imported_to_start(tmp_path: Path) -> None:
    assert _loaded(tmp_path) == []


def test_a_configured_provider_brings_its_sdk(tmp_path: Path) -> None:
    loaded = _loaded(
        tmp_path,
        APPFLEET_AI__PROVIDER="openai",
        APPFLEET_AI__API_KEY="sk-test",
        APPFLEET_BILLING__PROVIDER="stripe",
        APPFLEET_BILLING__STRIPE_SECRET_KEY="sk_test_x",
    )
    assert {"openai", "stripe"} <= set(loaded)


def test_a_configured_redis_brings_its_client(tmp_path: Path) -> None:
    # Nothing listens on port 1: the client is made at start-up and fails only when used.
    assert "redis" in _loaded(tmp_path, REDIS_URL="redis://127.0.0.1:1/0")
