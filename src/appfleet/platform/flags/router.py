"""What an app's clients read: `GET /flags` (their evaluated flags and experiment arms),
`POST /experiments/{key}/conversions`, and `GET /config` (whether their build must update)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Path, Query

from appfleet.core.deps import ClockDep, CurrentApp, DbSession
from appfleet.core.routing import app_router
from appfleet.platform.flags import service
from appfleet.platform.flags.deps import CurrentSubject, FlagsDep
from appfleet.platform.flags.schemas import (
    KEY_PATTERN,
    ClientConfig,
    ClientFlags,
    ConversionRead,
    ConversionWrite,
    Platform,
)

router = app_router(tags=["flags"])
CONFIG_PATH = "/config"  # answered even to builds below the minimum version


@router.get("/flags", response_model=ClientFlags)
async def read_flags(subject: CurrentSubject, flags: FlagsDep, clock: ClockDep) -> ClientFlags:
    """The caller's feature flags and experiment arms (their first sight of an arm is counted
    as an exposure)."""
    return await service.flags_for(flags, clock, subject)


@router.post("/experiments/{key}/conversions", response_model=ConversionRead)
async def record_conversion(
    key: Annotated[str, Path(pattern=KEY_PATTERN)],
    body: ConversionWrite,
    subject: CurrentSubject,
    session: DbSession,
    flags: FlagsDep,
    clock: ClockDep,
) -> ConversionRead:
    """Count a conversion for the caller's arm of a running experiment (once per event)."""
    return await service.convert(session, flags, clock, key, subject, body.event)


@router.get(CONFIG_PATH, response_model=ClientConfig)
async def read_config(
    app: CurrentApp,
    flags: FlagsDep,
    platform: Annotated[Platform | None, Query(description="Else X-App-Platform.")] = None,
    x_app_platform: Annotated[Platform | None, Header()] = None,
    x_app_version: Annotated[str | None, Header(max_length=40)] = None,
) -> ClientConfig:
    """Remote config for the caller's build: minimum and recommended versions, the store URL,
    and whether an update is required or recommended."""
    return await service.client_config(flags, app.name, platform or x_app_platform, x_app_version)
