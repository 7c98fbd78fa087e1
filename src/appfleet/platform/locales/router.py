"""`GET /locales` and `GET /locales/{lang}`: an app's strings for its clients, before sign-in
(the first screen is already translated). ETag/304; cached a minute in the process."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import Header, Path
from starlette.responses import Response

from appfleet.core.conditional import cacheable_json
from appfleet.core.database import unit_of_work
from appfleet.core.deps import CurrentApp, DatabaseDep
from appfleet.core.errors import NotFound
from appfleet.core.routing import app_router
from appfleet.platform.locales import service
from appfleet.platform.locales.codes import BASE, LANG_PATTERN
from appfleet.platform.locales.schemas import LanguageList, LocalePage
from appfleet.runtime.cache import CacheDep, read_through

router = app_router(prefix="/locales", tags=["locales"])
IfNoneMatch = Annotated[str | None, Header()]
MAX_AGE_S = 300


@router.get("", response_model=LanguageList)
async def list_languages(
    app: CurrentApp, db: DatabaseDep, cache: CacheDep, if_none_match: IfNoneMatch = None
) -> Response:
    """The languages this app has strings in, each with its version and what is untranslated."""

    async def build() -> bytes:
        async with unit_of_work(db, write=False) as session:
            rows = await service.load(session, app.name)
        pages = [service.page(rows, app.name, lang) for lang in service.languages(rows)]
        return orjson.dumps(
            {
                "default": BASE,
                "languages": [
                    {"lang": p.lang, "version": p.version, "untranslated": len(p.untranslated)}
                    for p in pages
                ],
            }
        )

    body = await read_through(
        cache, f"{service.CACHE_PREFIX}{app.name}:", service.CACHE_TTL_S, build
    )
    assert body is not None  # noqa: S101 - build never answers None
    return cacheable_json(body, if_none_match, max_age_s=MAX_AGE_S)


@router.get("/{lang}", response_model=LocalePage)
async def read_locale(
    app: CurrentApp,
    db: DatabaseDep,
    cache: CacheDep,
    lang: Annotated[str, Path(pattern=LANG_PATTERN, examples=["es"])],
    if_none_match: IfNoneMatch = None,
) -> Response:
    """The UI strings and common phrases in `lang` (`es-MX` falls back to `es`), over English
    for keys not translated yet (listed in `untranslated`)."""

    async def build() -> bytes | None:
        async with unit_of_work(db, write=False) as session:
            rows = await service.load(session, app.name)
        served = service.resolve(service.languages(rows), lang)
        if served is None:
            return None
        return orjson.dumps(service.page(rows, app.name, served).as_dict())

    body = await read_through(
        cache, f"{service.CACHE_PREFIX}{app.name}:{lang}", service.CACHE_TTL_S, build
    )
    if body is None:
        raise NotFound(f"{app.display_name} has no strings in {lang!r}")
    return cacheable_json(body, if_none_match, max_age_s=MAX_AGE_S)
