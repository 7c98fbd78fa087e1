from __future__ import annotations

from pydantic import BaseModel, Field


class TickRead(BaseModel):
    enqueued: int = Field(description="Periodic jobs that became due with this tick.")
    ran: int = Field(description="Jobs run to an outcome (done, retrying or dead) by this call.")
