"""One error hierarchy and the envelope every error response uses.

`{"error": {"code", "message", "details", "request_id", "timestamp"}}` — the codes are a closed set
so mobile clients can switch on them; the HTTP status carries the finer distinction.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, Field, ValidationError

from appfleet.core.schemas import Schema

M = TypeVar("M", bound=BaseModel)


class ErrorCode:
    VALIDATION = "VALIDATION_ERROR"
    AUTHENTICATION = "AUTHENTICATION_ERROR"
    AUTHORIZATION = "AUTHORIZATION_ERROR"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    RATE_LIMIT = "RATE_LIMIT_ERROR"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    APP_VERSION_UNSUPPORTED = "APP_VERSION_UNSUPPORTED"
    INTERNAL = "INTERNAL_ERROR"


class AppError(Exception):
    """An error a client can act on. Services raise these, never HTTPException."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = ErrorCode.INTERNAL
    default_message: ClassVar[str] = "Something went wrong"

    def __init__(
        self,
        message: str | None = None,
        *,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        keep_changes: bool = False,
    ) -> None:
        self.message = message or self.default_message
        self.details = details or {}
        self.headers = headers or {}
        # A refusal whose consequences must stand (a leaked token's session ended, a failed
        # attempt counted): the unit of work commits before the error is answered.
        self.keep_changes = keep_changes
        super().__init__(self.message)


class ValidationFailed(AppError):
    status = 400
    code = ErrorCode.VALIDATION
    default_message = "The request is not valid"


class PayloadTooLarge(ValidationFailed):
    status = 413
    default_message = "The request body is too large"


class NotAuthenticated(AppError):
    status = 401
    code = ErrorCode.AUTHENTICATION
    default_message = "Authentication is required"


class Forbidden(AppError):
    status = 403
    code = ErrorCode.AUTHORIZATION
    default_message = "You are not allowed to do this"


class NotFound(AppError):
    status = 404
    code = ErrorCode.NOT_FOUND
    default_message = "Not found"


class MethodNotAllowed(AppError):
    status = 405
    code = ErrorCode.VALIDATION
    default_message = "This method is not allowed here"


class Conflict(AppError):
    status = 409
    code = ErrorCode.CONFLICT
    default_message = "The request conflicts with the current state"


class RateLimited(AppError):
    status = 429
    code = ErrorCode.RATE_LIMIT
    default_message = "Too many requests"


class ServiceUnavailable(AppError):
    status = 503
    code = ErrorCode.SERVICE_UNAVAILABLE
    default_message = "The service is temporarily unavailable"


class InternalError(AppError):
    status = 500
    code = ErrorCode.INTERNAL
    default_message = "Internal server error"


_BY_STATUS: dict[int, type[AppError]] = {
    400: ValidationFailed,
    401: NotAuthenticated,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    409: Conflict,
    413: PayloadTooLarge,
    422: ValidationFailed,
    429: RateLimited,
    503: ServiceUnavailable,
}


def error_class_for_status(status: int) -> type[AppError]:
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    return ValidationFailed if 400 <= status < 500 else InternalError


class ErrorBody(Schema):
    code: str = Field(examples=[ErrorCode.VALIDATION])
    message: str = Field(examples=["Invalid request: amount: must be greater than 0"])
    details: dict[str, Any] = Field(default_factory=dict)
    request_id: str | None = Field(None, examples=["req_3bcae8e7898d689f27056db4"])
    timestamp: str = Field(examples=["2026-03-08T12:00:00Z"])


class ErrorEnvelope(Schema):
    """Every error answer's shape (DESIGN.md)."""

    error: ErrorBody


def invalid(error: ValidationError) -> ValidationFailed:
    """A model's validation error as the envelope's: one message, details per field."""
    details: dict[str, Any] = {}
    for problem in error.errors():
        field = ".".join(str(part) for part in problem["loc"]) or "body"
        details.setdefault(field, {"message": problem["msg"], "constraint": problem["type"]})
    summary = "; ".join(f"{field}: {info['message']}" for field, info in details.items())
    return ValidationFailed(f"Invalid: {summary}", details=details)


def validated(model: type[M], data: Any) -> M:
    """`model` from `data`, or ValidationFailed naming each bad field (forms, app hooks)."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise invalid(error) from None
