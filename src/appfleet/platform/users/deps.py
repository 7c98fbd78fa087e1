from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from appfleet.platform.users.service import ProfileCache


async def get_profiles(request: Request) -> ProfileCache:
    return request.app.state.profiles  # type: ignore[no-any-return]


Profiles = Annotated[ProfileCache, Depends(get_profiles)]
