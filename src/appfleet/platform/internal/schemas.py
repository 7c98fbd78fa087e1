from __future__ import annotations

from pydantic import Field

from appfleet.core.schemas import Schema


class TickRead(Schema):
    enqueued: int = Field(description="Periodic jobs that became due with this tick.")
    ran: int = Field(description="Jobs run to an outcome (done, retrying or dead) by this call.")
