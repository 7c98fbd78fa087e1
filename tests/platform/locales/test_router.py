"""`GET /locales` and `/locales/{lang}`: FitNudge's shipped strings, English under every other
language until translated, versions that grow on change, ETag/304, no sign-in needed."""

from __future__ import annotations

import httpx2
import pytest
from fastapi import FastAPI

from tests.platform.locales.strings import save_strings

pytestmark = pytest.mark.anyio
FN = "/api/v1/fitnudge"


async def test_fitnudge_ships_four_languages_with_common_phrases(
    client: httpx2.AsyncClient,
) -> None:
    listed = await client.get(f"{FN}/locales")
    assert listed.status_code == 200
    body = listed.json()
    assert body["default"] == "en"
    assert [(x["lang"], x["untranslated"]) for x in body["languages"]] == [
        ("de", 0),
        ("en", 0),
        ("es", 0),
        ("fr", 0),
    ]
    es = (await client.get(f"{FN}/locales/es")).json()
    assert es["lang"] == "es" and es["fallback"] == "en"
    assert es["messages"]["checkin.prompt"] == "¿Fuiste hoy?"
    assert es["common"]["today"] == "Hoy cuenta."
    assert es["untranslated"] == []
    regional = (await client.get(f"{FN}/locales/es-MX")).json()
    assert regional["lang"] == "es" and regional["messages"] == es["messages"]


async def test_unknown_languages_and_apps_without_strings_are_404(
    client: httpx2.AsyncClient,
) -> None:
    missing = await client.get(f"{FN}/locales/ja")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "NOT_FOUND"
    assert "'ja'" in missing.json()["error"]["message"]
    assert (await client.get("/api/v1/pennywise/locales/en")).status_code == 404
    bad = await client.get(f"{FN}/locales/spanish")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_a_new_english_key_shows_in_english_until_translated(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    before = await client.get(f"{FN}/locales/de")
    etag = before.headers["ETag"]
    assert (
        await client.get(f"{FN}/locales/de", headers={"If-None-Match": etag})
    ).status_code == 304
    await save_strings(
        app, {("en", "ui"): {"wall.empty": "No posts yet"}, ("en", "common"): {"new": "New!"}}
    )
    after = await client.get(f"{FN}/locales/de", headers={"If-None-Match": etag})
    assert after.status_code == 200  # the cached copy was dropped with the change
    body = after.json()
    assert body["messages"]["wall.empty"] == "No posts yet"
    assert body["messages"]["wall.title"] == "Community"  # German, which says the same
    assert body["untranslated"] == ["common.new", "wall.empty"]
    assert body["version"] == before.json()["version"] + 2
    en = (await client.get(f"{FN}/locales/en")).json()
    assert en["untranslated"] == [] and en["messages"]["wall.empty"] == "No posts yet"
    listed = {
        x["lang"]: x["untranslated"]
        for x in (await client.get(f"{FN}/locales")).json()["languages"]
    }
    assert listed == {"de": 2, "en": 0, "es": 2, "fr": 2}


async def test_saving_the_same_strings_again_changes_no_version(
    client: httpx2.AsyncClient, app: FastAPI
) -> None:
    version = (await client.get(f"{FN}/locales/fr")).json()["version"]
    saved = await save_strings(app, {("fr", "ui"): {"wall.like": "J'aime"}})
    assert saved == []
    assert (await client.get(f"{FN}/locales/fr")).json()["version"] == version
