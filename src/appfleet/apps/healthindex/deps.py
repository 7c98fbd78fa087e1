from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from appfleet.apps.healthindex.service import Shop
from appfleet.apps.healthindex.service._common import shop_from


async def get_shop(request: Request) -> Shop:
    return shop_from(request.app.state)


ShopDep = Annotated[Shop, Depends(get_shop)]
