"""What Health Index's services share: the process services they use and the cache keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from appfleet.apps.healthindex.models import Product
from appfleet.core.clock import Clock
from appfleet.core.settings import StorageSettings
from appfleet.platform.billing.runtime import Billing
from appfleet.providers.storage.base import Storage
from appfleet.runtime.cache import Cache, forget_after_commit

CATALOG_PREFIX = "cache:healthindex:catalog:"
# Shorter than the product pictures' signed links live, so a cached page never shows a dead one.
CATALOG_TTL_S = 300
CACHED_OFFSETS = 200  # browsing pages beyond this are rare: read from the database


@dataclass(frozen=True, slots=True)
class Shop:
    clock: Clock
    cache: Cache
    billing: Billing
    storage: Storage
    storage_settings: StorageSettings

    def image_url(self, product: Product) -> str | None:
        if product.image_key is None:
            return None
        return self.storage.download_url(
            product.image_key, expires_s=self.storage_settings.download_url_ttl_s
        )


def forget_catalog(session: AsyncSession, shop: Shop) -> None:
    """The cached catalog pages go once a change to what they show commits."""
    forget_after_commit(session, shop.cache, prefix=CATALOG_PREFIX)


def shop_from(state: Any) -> Shop:
    """Health Index's services from the process's resources (`app.state`)."""
    return Shop(
        clock=state.clock,
        cache=state.cache,
        billing=state.billing,
        storage=state.storage,
        storage_settings=state.settings.storage,
    )
