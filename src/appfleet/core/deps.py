"""Dependencies every router uses: the unit of work, the clock, the current app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.core.clock import Clock
from appfleet.core.database import Database, unit_of_work
from appfleet.core.registry import AppContext, current_app

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_database(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: committed after the handler, before the response is sent."""
    write = request.method not in _SAFE_METHODS
    async with unit_of_work(request.app.state.db, write=write) as session:
        yield session


async def get_clock(request: Request) -> Clock:
    return request.app.state.clock  # type: ignore[no-any-return]


# Function scope: the session closes (and commits) once the response object exists but before
# it is sent, so a client never sees success for a change that failed to commit.
DbSession = Annotated[AsyncSession, Depends(get_session, scope="function")]
DatabaseDep = Annotated[Database, Depends(get_database)]
ClockDep = Annotated[Clock, Depends(get_clock)]
CurrentApp = Annotated[AppContext, Depends(current_app)]
