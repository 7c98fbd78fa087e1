"""Schemathesis against every app's OpenAPI document, on a live server, as a signed-in member:
generated requests (valid and invalid) never get a 5xx, and every answer matches the schema
its operation documents (bodies, error envelope and all)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.fixtures.accounts import PASSWORD
from tests.fixtures.servers import start_server

APPS = ("corpfinity", "fitnudge", "lowkeymode", "healthindex", "pennywise")
# Bounded for CI: examples per operation (each app has ~75 operations).
EXAMPLES = int(os.environ.get("APPFLEET_FUZZ_EXAMPLES", "8"))
# Operations that end the member's own session or account: fuzzing them with a valid token
# would sign the fuzzer out for the rest of the run. Their own tests cover them.
# The event stream never ends by design: each example would wait out the client's timeout
# (its own tests read it).
EXCLUDED = (
    r"/auth/(logout|account|sessions/revoke-others|sessions/\{session_id\}|mfa/)"
    r"|/realtime/events$"
)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir: Path = tmp_path_factory.mktemp("fuzz")
    env = {
        "APPFLEET_SECRET_KEY": "fuzz-test-" + "k" * 32,
        "APPFLEET_LOG__ACCESS": "false",
        # Generated requests come fast from one address; the limiter answering 429 would hide
        # what the handlers do.
        **{
            f"APPFLEET_RATELIMIT__{name}": "1000000000/minute"
            for name in ("ANONYMOUS", "AUTHENTICATED", "LOGIN", "SIGNUP", "FORGOT", "AI", "CHAT")
        },
    }
    process, base = start_server(workdir, env=env, output=workdir / "server.log")
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module", params=APPS)
def app_schema(request: pytest.FixtureRequest, live: str) -> Any:
    app: str = request.param
    account = {"email": f"fuzz@{app}.example.com", "password": PASSWORD, "name": "Fuzz"}
    registered = httpx2.post(f"{live}/api/v1/{app}/auth/register", json=account, timeout=30)
    assert registered.status_code == 201, registered.text
    token = registered.json()["access_token"]
    schema = schemathesis.openapi.from_url(f"{live}/api/v1/{app}/openapi.json", timeout=60)
    schema = schema.exclude(path_regex=EXCLUDED)
    schema.config.update(base_url=live, headers={"Authorization": f"Bearer {token}"})
    return schema


def test_no_server_error_and_every_answer_as_documented(app_schema: Any) -> None:
    # Driven by hand rather than schemathesis.pytest (its lazy loader does not run on pytest 9):
    # every operation gets its examples, and the failures of all of them are reported together.
    failures: list[str] = []
    operations = 0
    for result in app_schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,  # the same examples each run: a CI failure reproduces locally
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def exercise(case: Any) -> None:
            case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])

        try:
            exercise()
        except Exception as error:  # noqa: BLE001 - collected, reported below
            failures.append(f"{operation.label}: {error}")
    assert operations > 40  # the document was read, not an empty one
    assert not failures, "\n\n".join(failures)
