"""Every section of the console, for the composition root to mount."""

from appfleet.platform.console import (
    catalog_pages,
    content_pages,
    flags_pages,
    ops_pages,
    router,
    users_pages,
)

CONSOLE_ROUTERS = (
    router.router,
    users_pages.router,
    content_pages.router,
    ops_pages.router,
    flags_pages.router,
    catalog_pages.router,
)
