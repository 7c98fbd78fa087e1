"""Administering flags, experiments and releases: `/api/v1/admin/apps/{app}/…` for one app's
(the `flags` permission there), `/api/v1/admin/flags/…` for deployment-wide flags (the
permission deployment-wide)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response, status

from appfleet.core.deps import ClockDep, DbSession
from appfleet.core.routing import app_router
from appfleet.platform.admin.deps import Admin, require
from appfleet.platform.admin.router import ADMIN_PREFIX
from appfleet.platform.flags import service
from appfleet.platform.flags.deps import FlagsDep
from appfleet.platform.flags.schemas import (
    KEY_PATTERN,
    ExperimentRead,
    ExperimentResults,
    ExperimentStop,
    ExperimentWrite,
    FlagRead,
    FlagWrite,
    Platform,
    ReleaseRead,
    ReleaseWrite,
)
from appfleet.platform.flags.service import AdminEdit

router: APIRouter = app_router(prefix=ADMIN_PREFIX, tags=["admin: flags"])
Flags = Annotated[Admin, require("flags")]
Key = Annotated[str, Path(pattern=KEY_PATTERN, examples=["multiple-goals"])]
AppName = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_-]{0,39}$", examples=["fitnudge"])]


async def get_edit(
    request: Request, admin: Flags, session: DbSession, flags: FlagsDep, clock: ClockDep
) -> AdminEdit:
    """The permission checked (in the path's app, or deployment-wide), the change's context."""
    origin = admin.acting_on(request.path_params.get("app"))
    return AdminEdit(session, flags, clock, origin, admin.user.id)


Edit = Annotated[AdminEdit, Depends(get_edit)]


def _put_status(response: Response, created: bool) -> None:
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK


@router.get("/flags", response_model=list[FlagRead])
async def list_global_flags(_admin: Flags, session: DbSession) -> list[FlagRead]:
    """Deployment-wide flags."""
    return await service.list_flags(session, None)


@router.get("/apps/{app}/flags", response_model=list[FlagRead])
async def list_app_flags(app: AppName, _admin: Flags, session: DbSession) -> list[FlagRead]:
    """The app's own flags (deployment-wide ones are listed at /admin/flags)."""
    return await service.list_flags(session, app)


@router.put("/flags/{key}", response_model=FlagRead)
async def put_global_flag(key: Key, body: FlagWrite, edit: Edit, response: Response) -> FlagRead:
    """Create or replace a deployment-wide flag (201 when created)."""
    flag, created = await service.put_flag(edit, None, key, body)
    _put_status(response, created)
    return flag


@router.put("/apps/{app}/flags/{key}", response_model=FlagRead)
async def put_app_flag(
    app: AppName, key: Key, body: FlagWrite, edit: Edit, response: Response
) -> FlagRead:
    """Create or replace one of the app's flags (201 when created)."""
    flag, created = await service.put_flag(edit, app, key, body)
    _put_status(response, created)
    return flag


@router.post("/flags/{key}/kill", response_model=FlagRead)
async def kill_global_flag(key: Key, edit: Edit) -> FlagRead:
    """Kill switch: the deployment-wide flag is off for everyone, now."""
    return await service.kill_flag(edit, None, key)


@router.post("/apps/{app}/flags/{key}/kill", response_model=FlagRead)
async def kill_app_flag(app: AppName, key: Key, edit: Edit) -> FlagRead:
    """Kill switch: the flag is off for everyone in the app, now."""
    return await service.kill_flag(edit, app, key)


@router.delete("/flags/{key}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_global_flag(key: Key, edit: Edit) -> None:
    """Delete a deployment-wide flag (clients then get their default)."""
    await service.delete_flag(edit, None, key)


@router.delete("/apps/{app}/flags/{key}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_app_flag(app: AppName, key: Key, edit: Edit) -> None:
    """Delete one of the app's flags."""
    await service.delete_flag(edit, app, key)


@router.get("/apps/{app}/experiments", response_model=list[ExperimentRead])
async def list_experiments(app: AppName, _admin: Flags, session: DbSession) -> list[ExperimentRead]:
    """The app's experiments."""
    return await service.list_experiments(session, app)


@router.put("/apps/{app}/experiments/{key}", response_model=ExperimentRead)
async def put_experiment(
    app: AppName, key: Key, body: ExperimentWrite, edit: Edit, response: Response
) -> ExperimentRead:
    """Create or edit an experiment (arms, audience and event are fixed once it starts)."""
    found, created = await service.put_experiment(edit, app, key, body)
    _put_status(response, created)
    return found


@router.post("/apps/{app}/experiments/{key}/start", response_model=ExperimentRead)
async def start_experiment(app: AppName, key: Key, edit: Edit) -> ExperimentRead:
    """Start assigning arms."""
    return await service.start(edit, app, key)


@router.post("/apps/{app}/experiments/{key}/stop", response_model=ExperimentRead)
async def stop_experiment(
    app: AppName, key: Key, body: ExperimentStop, edit: Edit
) -> ExperimentRead:
    """Stop it; with a winner, every user gets that arm from now on."""
    return await service.stop(edit, app, key, body.winner)


@router.get("/apps/{app}/experiments/{key}/results", response_model=ExperimentResults)
async def experiment_results(
    app: AppName, key: Key, _admin: Flags, session: DbSession
) -> ExperimentResults:
    """Each arm's exposed users, conversions and rate (95% Wilson interval), and against the
    control: the difference with its 95% interval and a two-proportion z-test."""
    return await service.results(session, app, key)


@router.get("/apps/{app}/releases", response_model=list[ReleaseRead])
async def list_releases(app: AppName, _admin: Flags, session: DbSession) -> list[ReleaseRead]:
    """The app's release config per platform."""
    return await service.list_releases(session, app)


@router.put("/apps/{app}/releases/{platform}", response_model=ReleaseRead)
async def put_release(
    app: AppName, platform: Platform, body: ReleaseWrite, edit: Edit
) -> ReleaseRead:
    """Set the minimum (426 below it) and recommended versions of a platform's builds."""
    return await service.put_release(edit, app, platform, body)


@router.delete("/apps/{app}/releases/{platform}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_release(app: AppName, platform: Platform, edit: Edit) -> None:
    """Remove a platform's release config (no build is refused)."""
    await service.delete_release(edit, app, platform)
