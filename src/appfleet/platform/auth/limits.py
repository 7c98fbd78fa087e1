"""Seed 000's auth rate limits, read from settings per request: login 5/min (per IP and per
email), register 3/min per IP, forgot-password 3 per 5 minutes."""

from __future__ import annotations

from fastapi import Request

MINUTE = 60.0
FIVE_MINUTES = 300.0


def login_limit(request: Request) -> int:
    return request.app.state.auth.settings.login_per_minute  # type: ignore[no-any-return]


def register_limit(request: Request) -> int:
    return request.app.state.auth.settings.register_per_minute  # type: ignore[no-any-return]


def forgot_limit(request: Request) -> int:
    return request.app.state.auth.settings.forgot_per_5_minutes  # type: ignore[no-any-return]
