"""Health Index, the shop of the shared-backend apps (seed 002)."""

from appfleet.apps.healthindex.router import router
from appfleet.apps.healthindex.service import admin, orders, privacy
from appfleet.apps.healthindex.service._common import CATALOG_PREFIX, CATALOG_TTL_S
from appfleet.core.registry import AppManifest, OrderHooks, PublicPage

manifest = AppManifest(
    name="healthindex",
    display_name="Health Index",
    summary="A health product catalog with cart, checkout and orders.",
    router=router,
    features=("catalog", "cart", "orders"),
    identity_group="shared",
    export_data=privacy.export_data,
    erase_data=privacy.erase_data,
    catalogs=(admin.CATALOG,),
    orders=OrderHooks(quote=orders.quote, paid=orders.paid, canceled=orders.canceled),
    # The browsing pages, answered before routing (runtime/edge.py); searches are not.
    public_pages=(
        PublicPage("/products", ("category", "limit", "offset"), CATALOG_PREFIX, CATALOG_TTL_S),
        PublicPage("/categories", (), CATALOG_PREFIX, CATALOG_TTL_S),
    ),
)
