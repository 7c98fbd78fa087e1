"""Cross-cutting HTTP: request ids, access logs, metrics, security headers and error rendering.

The request middleware is plain ASGI (no BaseHTTPMiddleware) because it runs on every request.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from appfleet.core import metrics
from appfleet.core.database import is_unavailable, unstorable_value
from appfleet.core.errors import (
    AppError,
    InternalError,
    ServiceUnavailable,
    error_class_for_status,
)
from appfleet.core.idempotency.service import Replay
from appfleet.core.logging import access_line, bind_request_context, get_logger
from appfleet.core.registry import API_PREFIX, AppRegistry

log = get_logger("appfleet.http")

REQUEST_ID_HEADER = "x-request-id"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
_UNMATCHED_ROUTE = "<unmatched>"
BODY_LIMIT_SCOPE_KEY = "appfleet.max_body_bytes"
EXTRA_HEADERS_KEY = "response_headers"
BODY_LIMIT_OPENAPI_KEY = "x-max-body-bytes"
UNAVAILABLE_RETRY_AFTER_S = 1


def request_id_of(scope: Mapping[str, Any]) -> str | None:
    state = scope.get("state") or {}
    request_id = state.get("request_id")
    return request_id if isinstance(request_id, str) else None


class RequestContextMiddleware:
    """Gives each request an id, logs and measures it, adds security headers, and turns an
    unhandled exception into an enveloped 500 that carries the request id."""

    def __init__(self, app: ASGIApp, *, hsts: bool, access_log: bool, max_body_bytes: int) -> None:
        self.app = app
        self.access_log = access_log
        self.max_body_bytes = max_body_bytes
        extra: list[tuple[bytes, bytes]] = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"x-xss-protection", b"1; mode=block"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
        ]
        if hsts:
            extra.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
        self.security_headers = extra

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or f"req_{secrets.token_hex(12)}"
        # A per-request copy: some servers hand every request the same lifespan state dict.
        state = scope["state"] = dict(scope.get("state") or ())
        state["request_id"] = request_id
        state["app"] = _app_segment(scope["path"])
        bind_request_context(request_id=request_id)
        started = time.perf_counter()
        status = 500
        response_started = False
        id_header = (REQUEST_ID_HEADER.encode(), request_id.encode())

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", ()),
                    id_header,
                    *self.security_headers,
                    *(
                        (name.encode(), value.encode())
                        for name, value in state.get(EXTRA_HEADERS_KEY, {}).items()
                    ),
                ]
            await send(message)

        try:
            await self.app(scope, self._limited(scope, receive), send_with_headers)
        except Exception as exc:
            route = route_template(scope)
            error: AppError
            if is_unavailable(exc):
                # Not a bug: the database is restarting or out of connections. One line, no
                # traceback (an outage would otherwise log one per request).
                log.warning("database_unavailable", route=route, error=repr(exc)[:300])
                error = ServiceUnavailable(
                    "The database is unavailable; try again shortly",
                    headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER_S)},
                )
            elif (reason := unstorable_value(exc)) is not None:
                log.warning("unstorable_value", route=route, reason=reason)
                error = error_class_for_status(400)(
                    f"A value in the request cannot be stored: {reason}",
                    details={"body": {"message": reason, "constraint": "storable"}},
                )
            else:
                metrics.UNHANDLED_ERRORS.labels(route).inc()
                log.error("unhandled_exception", route=route, request_id=request_id, exc_info=exc)
                error = InternalError()
            if not response_started:
                response = error_response(error, request_id)
                await response(scope, receive, send_with_headers)
        finally:
            elapsed = time.perf_counter() - started
            route = route_template(scope)
            metrics.observe_request(scope["method"], route, status, elapsed)
            if self.access_log:
                access_line(
                    request_id=request_id,
                    method=scope["method"],
                    route=route,
                    path=scope["path"],
                    status=status,
                    duration_ms=round(elapsed * 1000, 2),
                    app=state.get("app"),
                    user_id=state.get("user_id"),
                )

    def _limited(self, scope: Scope, receive: Receive) -> Receive:
        """`receive`, refusing bodies over the matched route's limit (or the default).

        The limit is looked up when the body is first read: by then routing has chosen the route.
        """
        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            limit = body_limit_of(scope.get("route")) or self.max_body_bytes
            scope[BODY_LIMIT_SCOPE_KEY] = limit
            if received == 0 and (declared := _content_length(scope)) is not None:
                if declared > limit:
                    raise HTTPException(413)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(413)
            return message

        return receive_within_limit


def add_response_headers(scope: Scope, headers: Mapping[str, str]) -> None:
    """Headers for whatever response this request gets, success or error (e.g. rate limits).
    A later call replaces what an earlier one set under the same name."""
    extra = scope["state"].setdefault(EXTRA_HEADERS_KEY, {})
    extra.update((name.lower(), value) for name, value in headers.items())


def body_limit(max_bytes: int) -> dict[str, Any]:
    """`openapi_extra` for a route accepting bodies up to `max_bytes` (documented in OpenAPI)."""
    return {BODY_LIMIT_OPENAPI_KEY: max_bytes}


def body_limit_of(route: object) -> int | None:
    extra = getattr(route, "openapi_extra", None)
    return extra.get(BODY_LIMIT_OPENAPI_KEY) if extra else None


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            # Echoing client text into logs and headers: only a safe, bounded alphabet.
            return candidate if _VALID_REQUEST_ID.match(candidate) else None
    return None


def _app_segment(path: str) -> str | None:
    if not path.startswith(API_PREFIX + "/"):
        return None
    return path[len(API_PREFIX) + 1 :].split("/", 1)[0] or None


def route_template(scope: Scope) -> str:
    """The matched route's path template, e.g. `/api/v1/pennywise/transactions/{id}`."""
    path = getattr(scope.get("route"), "path", None)
    if not isinstance(path, str):
        # Plain Starlette routes (/openapi.json, /docs) have fixed paths. Unmatched paths share
        # one label so random URLs cannot blow up metric cardinality.
        return scope["path"] if "endpoint" in scope else _UNMATCHED_ROUTE
    # Routers are included once per app; the matched route object carries the path as declared
    # in its router, and the app prefix it was mounted under is the one the request came by.
    app = scope["state"].get("app")
    return f"{API_PREFIX}/{app}{path}" if app else path


def envelope(error: AppError, request_id: str | None) -> dict[str, Any]:
    return {
        "error": {
            "code": error.code,
            "message": error.message,
            "details": error.details,
            "request_id": request_id,
            "timestamp": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        }
    }


def error_response(error: AppError, request_id: str | None) -> JSONResponse:
    return JSONResponse(
        envelope(error, request_id), status_code=error.status, headers=error.headers
    )


async def handle_app_error(request: Request, exc: AppError) -> Response:
    return error_response(exc, request_id_of(request.scope))


async def handle_validation_error(request: Request, exc: RequestValidationError) -> Response:
    details: dict[str, Any] = {}
    for problem in exc.errors():
        field = _field_name(problem)
        details.setdefault(
            field, {"message": problem.get("msg", "invalid"), "constraint": problem.get("type")}
        )
    summary = "; ".join(f"{field}: {info['message']}" for field, info in details.items())
    error = error_class_for_status(400)(f"Invalid request: {summary}", details=details)
    return error_response(error, request_id_of(request.scope))


def _field_name(problem: Mapping[str, Any]) -> str:
    """`title`, `items.0.qty`, or `body` for errors about the body as a whole."""
    parts = [str(part) for part in problem.get("loc", ())]
    if len(parts) > 1 and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    if problem.get("type") == "json_invalid" or not parts:
        return "body"
    return ".".join(parts)


async def handle_http_exception(request: Request, exc: HTTPException) -> Response:
    error_class = error_class_for_status(exc.status_code)
    details: dict[str, Any] = {}
    message = None
    if exc.status_code == 404:
        message = _not_found_message(request)
    elif exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        message = f"{request.method} is not allowed here"
        details = {"allowed_methods": [m.strip() for m in allowed.split(",") if m.strip()]}
    elif exc.status_code == 413:
        limit = request.scope.get(BODY_LIMIT_SCOPE_KEY)
        message = "The request body is too large"
        details = {"max_bytes": limit} if isinstance(limit, int) else {}
    elif isinstance(exc.detail, str):
        message = exc.detail
    error = error_class(message, details=details, headers=dict(exc.headers or {}))
    response = error_response(error, request_id_of(request.scope))
    response.status_code = exc.status_code
    return response


def _not_found_message(request: Request) -> str:
    path = request.scope["path"]
    registry: AppRegistry | None = getattr(request.app.state, "registry", None)
    name = _app_segment(path)
    if registry is not None and name is not None:
        if name not in registry:
            return f"Unknown app {name!r}; this deployment serves: {', '.join(registry.names)}"
    return f"No endpoint at {request.method} {path}"


async def handle_replay(request: Request, exc: Replay) -> Response:
    return exc.response


ExceptionHandler = Callable[[Request, Any], Awaitable[Response]]
EXCEPTION_HANDLERS: dict[type[Exception], ExceptionHandler] = {
    AppError: handle_app_error,
    RequestValidationError: handle_validation_error,
    HTTPException: handle_http_exception,
    Replay: handle_replay,
}
