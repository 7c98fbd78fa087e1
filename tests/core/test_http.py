"""Cross-cutting HTTP behaviour every endpoint shares: ids, headers, the error envelope, limits."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx2
import pytest
import structlog
from fastapi import FastAPI

from appfleet.core.clock import FixedClock
from appfleet.main import create_app
from tests.fixtures.app import serve

pytestmark = pytest.mark.anyio

ENVELOPE_KEYS = {"code", "message", "details", "request_id", "timestamp"}


def assert_envelope(response: httpx2.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == ENVELOPE_KEYS
    assert error["code"] == code
    assert error["request_id"] == response.headers["x-request-id"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", error["timestamp"])
    return error  # type: ignore[no-any-return]


async def test_request_id_is_generated_and_echoed(client: httpx2.AsyncClient) -> None:
    generated = await client.get("/health")
    assert re.fullmatch(r"req_[0-9a-f]{24}", generated.headers["x-request-id"])
    echoed = await client.get("/health", headers={"X-Request-ID": "mobile-42.retry:1"})
    assert echoed.headers["x-request-id"] == "mobile-42.retry:1"


async def test_unsafe_request_id_is_replaced(client: httpx2.AsyncClient) -> None:
    response = await client.get("/health", headers={"X-Request-ID": "bad id\twith <html>"})
    assert response.headers["x-request-id"].startswith("req_")


async def test_security_headers_on_success_and_error(client: httpx2.AsyncClient) -> None:
    for path in ("/health", "/api/v1/nope/"):
        response = await client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-xss-protection"] == "1; mode=block"
        assert "max-age=31536000" in response.headers["strict-transport-security"]


async def test_unknown_app_is_enveloped_404(client: httpx2.AsyncClient) -> None:
    error = assert_envelope(await client.get("/api/v1/nope/users/me"), 404, "NOT_FOUND")
    assert "Unknown app 'nope'" in error["message"]
    assert "corpfinity" in error["message"]


async def test_unknown_route_is_enveloped_404(client: httpx2.AsyncClient) -> None:
    error = assert_envelope(await client.get("/api/v1/corpfinity/no-such"), 404, "NOT_FOUND")
    assert error["message"] == "No endpoint at GET /api/v1/corpfinity/no-such"


async def test_wrong_method_is_enveloped_405_with_allow(client: httpx2.AsyncClient) -> None:
    response = await client.delete("/api/v1/probe/items/count")
    error = assert_envelope(response, 405, "VALIDATION_ERROR")
    assert error["details"] == {"allowed_methods": ["GET"]}
    assert response.headers["allow"] == "GET"


async def test_validation_error_is_400_keyed_by_field(client: httpx2.AsyncClient) -> None:
    response = await client.post("/api/v1/probe/items", json={"title": "", "quantity": 9})
    error = assert_envelope(response, 400, "VALIDATION_ERROR")
    assert set(error["details"]) == {"title", "quantity"}
    assert error["details"]["title"]["constraint"] == "string_too_short"
    assert "title" in error["message"]


async def test_malformed_json_is_400_on_body(client: httpx2.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/probe/items", content=b'{"title": ', headers={"content-type": "application/json"}
    )
    error = assert_envelope(response, 400, "VALIDATION_ERROR")
    assert "body" in error["details"]


async def test_query_validation_names_the_parameter(client: httpx2.AsyncClient) -> None:
    # FastAPI's own query parsing: a non-integer where an integer is expected.
    response = await client.get("/api/v1/corpfinity/openapi.json")
    assert response.status_code == 200
    error = assert_envelope(
        await client.post("/api/v1/probe/items", json={"title": "x", "quantity": "many"}),
        400,
        "VALIDATION_ERROR",
    )
    assert error["details"]["quantity"]["constraint"] == "int_parsing"


async def test_service_errors_use_their_status_and_code(client: httpx2.AsyncClient) -> None:
    response = await client.post("/api/v1/probe/items", json={"title": "conflict"})
    error = assert_envelope(response, 409, "CONFLICT")
    assert error["details"] == {"title": "taken"}


async def test_unhandled_error_is_500_without_traceback_and_is_logged(
    client: httpx2.AsyncClient, capture_logs: list[dict[str, Any]]
) -> None:
    response = await client.get("/api/v1/probe/explode")
    error = assert_envelope(response, 500, "INTERNAL_ERROR")
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text
    logged = [e for e in capture_logs if e["event"] == "unhandled_exception"]
    assert len(logged) == 1
    assert logged[0]["request_id"] == error["request_id"]
    assert isinstance(logged[0]["exc_info"], RuntimeError)


@pytest.mark.parametrize("error", ["refused", "locked"])
async def test_an_unreachable_or_busy_database_is_503_with_retry_after(
    client: httpx2.AsyncClient, capture_logs: list[dict[str, Any]], error: str
) -> None:
    # A restart or a busy writer is not a bug: clients are told to retry, and no traceback is
    # logged per request through an outage.
    response = await client.get("/api/v1/probe/database-fails", params={"error": error})
    assert_envelope(response, 503, "SERVICE_UNAVAILABLE")
    assert response.headers["retry-after"] == "1"
    warned = [e["event"] for e in capture_logs if e.get("log_level") != "info"]
    assert warned == ["database_unavailable"]


async def test_a_query_that_is_wrong_stays_a_500(
    client: httpx2.AsyncClient, capture_logs: list[dict[str, Any]]
) -> None:
    response = await client.get("/api/v1/probe/database-fails", params={"error": "missing"})
    assert_envelope(response, 500, "INTERNAL_ERROR")
    assert any(e["event"] == "unhandled_exception" for e in capture_logs)


async def test_write_is_rolled_back_when_the_handler_fails(client: httpx2.AsyncClient) -> None:
    response = await client.post("/api/v1/probe/items", json={"title": "explode-after-write"})
    assert response.status_code == 500
    assert (await client.get("/api/v1/probe/items/count")).json() == {"count": 0}


async def test_body_over_the_default_limit_is_413(client: httpx2.AsyncClient, app: FastAPI) -> None:
    limit = app.state.settings.http.max_body_bytes
    body = b'{"title": "' + b"x" * limit + b'"}'
    response = await client.post(
        "/api/v1/probe/items", content=body, headers={"content-type": "application/json"}
    )
    error = assert_envelope(response, 413, "VALIDATION_ERROR")
    assert error["details"] == {"max_bytes": limit}
    assert (await client.get("/api/v1/probe/items/count")).json() == {"count": 0}


async def test_route_limit_applies_with_and_without_content_length(
    client: httpx2.AsyncClient,
) -> None:
    ok = await client.post("/api/v1/probe/upload", content=b"a" * 4096)
    assert ok.json() == {"bytes": 4096}
    assert_envelope(
        await client.post("/api/v1/probe/upload", content=b"a" * 4097), 413, "VALIDATION_ERROR"
    )

    async def chunks() -> Any:
        for _ in range(5):
            yield b"a" * 1000

    streamed = await client.post("/api/v1/probe/upload", content=chunks())
    assert "content-length" not in streamed.request.headers
    assert_envelope(streamed, 413, "VALIDATION_ERROR")


async def test_large_responses_are_gzipped(client: httpx2.AsyncClient) -> None:
    response = await client.get("/api/v1/probe/large", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.json()["text"].startswith("appfleet ")
    small = await client.get("/health", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers


@pytest.mark.parametrize(
    "origin, allowed", [("https://app.example", True), ("https://evil", False)]
)
async def test_cors_allows_only_configured_origins(
    settings: Any, clock: Any, origin: str, allowed: bool
) -> None:
    http = settings.http.model_copy(update={"cors_origins": ["https://app.example"]})
    async with serve(create_app(settings.model_copy(update={"http": http}), clock=clock)) as c:
        response = await c.options(
            "/api/v1/corpfinity/",
            headers={"Origin": origin, "Access-Control-Request-Method": "GET"},
        )
    assert (response.headers.get("access-control-allow-origin") == origin) is allowed


async def test_metrics_are_labelled_by_route_template(client: httpx2.AsyncClient) -> None:
    await client.get("/api/v1/corpfinity/")
    await client.get("/api/v1/corpfinity/definitely/not/a/route")
    text = (await client.get("/metrics")).text
    assert re.search(
        r'appfleet_http_requests_total\{method="GET",route="/api/v1/corpfinity/",status="200"\} '
        r"[1-9]",
        text,
    )
    assert 'route="<unmatched>",status="404"' in text
    assert "definitely" not in text
    assert 'appfleet_http_request_duration_seconds_bucket{le="0.005",method="GET"' in text


async def test_access_log_carries_request_context(settings: Any, clock: Any) -> None:
    log = settings.log.model_copy(update={"access": True})
    app = create_app(settings.model_copy(update={"log": log}), clock=clock)
    with structlog.testing.capture_logs() as capture_logs:
        async with serve(app) as c:
            response = await c.get("/api/v1/pennywise/")
    (line,) = [e for e in capture_logs if e["event"] == "request"]
    assert line["request_id"] == response.headers["x-request-id"]
    assert line["app"] == "pennywise"
    assert line["route"] == "/api/v1/pennywise/"
    assert line["status"] == 200
    assert line["method"] == "GET"
    assert line["duration_ms"] >= 0
    assert "user_id" in line


async def test_rate_limit_errors_carry_retry_after(client: httpx2.AsyncClient) -> None:
    response = await client.post("/api/v1/probe/limited")
    error = assert_envelope(response, 429, "RATE_LIMIT_ERROR")
    assert response.headers["retry-after"] == "30"
    assert error["details"] == {"limit": 5}


async def test_offset_pages_default_to_20_and_cap_at_100(
    client: httpx2.AsyncClient, clock: FixedClock
) -> None:
    for n in range(25):
        await client.post("/api/v1/probe/items", json={"title": f"item {n}"})
        clock.advance(timedelta(seconds=3))  # within the anonymous limit of 20 a minute
    first = (await client.get("/api/v1/probe/items")).json()
    assert (first["total"], first["limit"], first["offset"], len(first["items"])) == (25, 20, 0, 20)
    rest = (await client.get("/api/v1/probe/items", params={"offset": 20})).json()
    assert [item["title"] for item in rest["items"]] == [f"item {n}" for n in range(20, 25)]
    too_many = await client.get("/api/v1/probe/items", params={"limit": 101})
    error = assert_envelope(too_many, 400, "VALIDATION_ERROR")
    assert error["details"]["limit"]["constraint"] == "less_than_equal"
    # Found by the fuzzer: an offset past 2**63 reached the database and was a 500.
    too_deep = await client.get("/api/v1/probe/items", params={"offset": 2**90})
    error = assert_envelope(too_deep, 400, "VALIDATION_ERROR")
    assert error["details"]["offset"]["constraint"] == "less_than_equal"
