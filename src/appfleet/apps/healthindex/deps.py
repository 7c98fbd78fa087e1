from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from appfleet.apps.healthindex.service import Shop


async def get_shop(request: Request) -> Shop:
    state = request.app.state
    return Shop(
        clock=state.clock,
        cache=state.cache,
        billing=state.billing,
        storage=state.storage,
        storage_settings=state.settings.storage,
    )


ShopDep = Annotated[Shop, Depends(get_shop)]
