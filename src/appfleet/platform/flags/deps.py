from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from appfleet.core.deps import CurrentApp, DbSession
from appfleet.platform.auth.deps import CurrentMember
from appfleet.platform.billing.deps import BillingDep
from appfleet.platform.flags.rules import Subject
from appfleet.platform.flags.service import FlagStore, subject_of


async def get_flags(request: Request) -> FlagStore:
    return request.app.state.flags  # type: ignore[no-any-return]


FlagsDep = Annotated[FlagStore, Depends(get_flags)]


async def get_subject(
    member: CurrentMember, session: DbSession, billing: BillingDep, app: CurrentApp
) -> Subject:
    """The signed-in member as flags see them (plan, country, signup day)."""
    return await subject_of(session, billing, app, member.user)


CurrentSubject = Annotated[Subject, Depends(get_subject)]
