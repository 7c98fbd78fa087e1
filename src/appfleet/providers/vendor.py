"""Small helpers every vendor client shares: reading answers that may not be what they claim."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from typing import Any

import httpx2


def json_object(response: httpx2.Response) -> dict[str, Any]:
    """The response's JSON object, or {} when the body is not one (an HTML error page)."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def retry_after_s(value: str | None, *, default: float) -> float:
    """Seconds to wait from a `Retry-After` header (seconds, or an HTTP date)."""
    if not value:
        return default
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, moment.timestamp() - time.time())
