"""`locales.translate`: fill one language's missing keys through the AI provider (seed 001's
`translate_common_words` workflow), in the background."""

from __future__ import annotations

from typing import Any

from appfleet.core.database import unit_of_work
from appfleet.core.logging import get_logger
from appfleet.core.tasks import JobContext, Task
from appfleet.platform.ai.service import AiService
from appfleet.platform.locales import service
from appfleet.platform.locales.codes import TRANSLATE_LIMIT
from appfleet.runtime.cache import Cache

log = get_logger("appfleet.locales")


async def translate_missing(context: JobContext, args: dict[str, Any]) -> None:
    app, lang = str(args["app"]), str(args["lang"])
    # The model is asked before the job's session is touched: SQLite's writer stays free.
    async with unit_of_work(context.db, write=False) as reading:
        rows = await service.load(reading, app)
    result = await service.translate(
        context.resource(AiService),
        app,
        service.missing(rows, lang),
        limit=int(args.get("limit", TRANSLATE_LIMIT)),
    )
    # Only keys still missing are added: an edit made meanwhile wins over the model.
    saved = await service.save(
        context.session,
        context.clock,
        context.resource(Cache),
        app,
        result.bundles,
        only_missing=True,
    )
    log.info(
        "locales_translated",
        app=app,
        lang=lang,
        filled=result.filled,
        skipped=len(result.skipped),
        versions={f"{s.lang}/{s.namespace}": s.version for s in saved},
    )


TRANSLATE = Task("locales.translate", translate_missing, queue="default", timeout_s=900)
