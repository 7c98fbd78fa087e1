"""The release gate: a build older than its app's minimum version (clients send
`X-App-Version`, and `X-App-Platform` when releases differ per platform) gets 426 with the
store URL on every HTTP request but `GET /config`. Requests without the header pass untouched,
and at no cost beyond a header scan."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from appfleet.core.errors import AppError, ErrorCode, ValidationFailed
from appfleet.core.http import error_response, request_id_of
from appfleet.core.logging import get_logger
from appfleet.core.registry import API_PREFIX
from appfleet.platform.flags.router import CONFIG_PATH
from appfleet.platform.flags.rules import version

log = get_logger(__name__)


class AppVersionUnsupported(AppError):
    status = 426
    code = ErrorCode.APP_VERSION_UNSUPPORTED
    default_message = "This version of the app is no longer supported; please update it"


class VersionGate:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (app_name := scope["state"].get("app")) is None:
            await self.app(scope, receive, send)
            return
        sent: str | None = None
        platform: str | None = None
        for name, value in scope["headers"]:
            if name == b"x-app-version":
                sent = value.decode("latin-1")
            elif name == b"x-app-platform":
                platform = value.decode("latin-1").lower()
        if sent is None or scope["path"] == f"{API_PREFIX}/{app_name}{CONFIG_PATH}":
            await self.app(scope, receive, send)
            return
        refusal = await self._refusal(scope, app_name, sent, platform)
        if refusal is not None:
            await error_response(refusal, request_id_of(scope))(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _refusal(
        self, scope: Scope, app_name: str, sent: str, platform: str | None
    ) -> AppError | None:
        parsed = version(sent)
        if parsed is None:
            return ValidationFailed(
                "X-App-Version must be a version such as 2.3.1",
                details={"field": "X-App-Version", "reason": "invalid_app_version"},
            )
        state = scope["app"].state
        if app_name not in state.registry:
            return None
        try:
            snapshot = await state.flags.snapshot(app_name)
        except Exception as exc:  # the database away: the route answers 503 if it must
            log.warning("release_gate_unavailable", error=type(exc).__name__)
            return None
        release = snapshot.release_for(platform)
        if release is None or release.min_version is None or parsed >= release.min_version:
            return None
        return AppVersionUnsupported(
            details={
                "reason": "app_version_unsupported",
                "version": sent,
                "min_version": release.min_text,
                "store_url": release.store_url,
            }
        )
