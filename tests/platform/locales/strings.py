"""Changing FitNudge's strings the way the import command and the translation job do."""

from __future__ import annotations

from fastapi import FastAPI

from appfleet.core.database import unit_of_work
from appfleet.platform.locales import service


async def save_strings(
    app: FastAPI, bundles: service.Bundles, **options: bool
) -> list[service.Saved]:
    async with unit_of_work(app.state.db) as session:
        return await service.save(
            session, app.state.clock, app.state.cache, "fitnudge", bundles, **options
        )
