"""`locales.translate`: the AI provider fills a language's missing keys in the background;
placeholders must survive, the local generator never passes for a translator, and an edit
made while the job ran is not overwritten."""

from __future__ import annotations

import httpx2
import pytest
from fastapi import FastAPI

from appfleet.core.database import unit_of_work
from appfleet.core.settings import Settings
from appfleet.platform.locales import service
from appfleet.platform.locales.jobs import TRANSLATE
from appfleet.runtime.jobs import queue
from tests.fixtures.ai import FakeModel, with_model
from tests.platform.locales.strings import save_strings

pytestmark = pytest.mark.anyio
FN = "/api/v1/fitnudge"
NEW = {"wall.empty": "No posts yet, {name}", "wall.share": "Share"}


async def _add_english(app: FastAPI, messages: dict[str, str]) -> None:
    await save_strings(app, {("en", "ui"): messages})


async def _translate(app: FastAPI, lang: str) -> None:
    async with unit_of_work(app.state.db) as session:
        await queue.enqueue(session, app.state.clock, TRANSLATE, {"app": "fitnudge", "lang": lang})
    await app.state.jobs.worker.drain()


class TestWithAModel:
    @pytest.fixture
    def settings(self, settings: Settings, model_server: FakeModel) -> Settings:
        return with_model(settings, model_server)

    async def test_missing_keys_are_filled_and_served(
        self, client: httpx2.AsyncClient, app: FastAPI, model_server: FakeModel
    ) -> None:
        await _add_english(app, NEW)
        # In key order: wall.empty, then wall.share.
        model_server.replies = ["Todavía no hay publicaciones, {name}", "Compartir"]
        await _translate(app, "es")
        prompts = [r["messages"] for r in model_server.requests]
        assert [p[1]["content"] for p in prompts] == ["No posts yet, {name}", "Share"]
        assert "from English to Spanish (es)" in prompts[0][0]["content"]
        assert "{name}" in prompts[0][0]["content"]  # told to keep placeholders
        es = (await client.get(f"{FN}/locales/es")).json()
        assert es["messages"]["wall.empty"] == "Todavía no hay publicaciones, {name}"
        assert es["messages"]["wall.share"] == "Compartir"
        assert es["untranslated"] == []
        assert es["messages"]["checkin.prompt"] == "¿Fuiste hoy?"  # the rest untouched
        fr = (await client.get(f"{FN}/locales/fr")).json()
        assert fr["untranslated"] == sorted(NEW)  # only the language asked for

    async def test_an_answer_that_loses_a_placeholder_is_discarded(
        self, client: httpx2.AsyncClient, app: FastAPI, model_server: FakeModel
    ) -> None:
        await _add_english(app, NEW)
        model_server.replies = ["Noch keine Beiträge", "Teilen"]
        await _translate(app, "de")
        de = (await client.get(f"{FN}/locales/de")).json()
        assert de["untranslated"] == ["wall.empty"]
        assert de["messages"]["wall.share"] == "Teilen"

    async def test_a_human_edit_made_meanwhile_wins(
        self, client: httpx2.AsyncClient, app: FastAPI, model_server: FakeModel
    ) -> None:
        await _add_english(app, {"wall.share": "Share"})
        async with unit_of_work(app.state.db, write=False) as session:
            gaps = service.missing(await service.load(session, "fitnudge"), "fr")
        model_server.replies = ["Partager (IA)"]
        result = await service.translate(app.state.ai, "fitnudge", gaps, limit=10)
        await save_strings(app, {("fr", "ui"): {"wall.share": "Partager"}})
        await save_strings(app, result.bundles, only_missing=True)
        fr = (await client.get(f"{FN}/locales/fr")).json()
        assert fr["messages"]["wall.share"] == "Partager"

    async def test_the_limit_bounds_one_run(
        self, client: httpx2.AsyncClient, app: FastAPI, model_server: FakeModel
    ) -> None:
        await _add_english(app, NEW)
        async with unit_of_work(app.state.db, write=False) as session:
            gaps = service.missing(await service.load(session, "fitnudge"), "es")
        model_server.replies = ["Aún nada, {name}"]
        result = await service.translate(app.state.ai, "fitnudge", gaps, limit=1)
        assert result.bundles == {("es", "ui"): {"wall.empty": "Aún nada, {name}"}}
        assert result.skipped == {"wall.share": "limit"}
        assert len(model_server.requests) == 1


async def test_without_a_model_nothing_is_made_up(client: httpx2.AsyncClient, app: FastAPI) -> None:
    await _add_english(app, NEW)
    await _translate(app, "es")
    es = (await client.get(f"{FN}/locales/es")).json()
    assert es["untranslated"] == sorted(NEW)  # still English, not an encouragement line
    assert es["messages"]["wall.share"] == "Share"
