"""Apps' editable catalogs (`AppManifest.catalogs`): which ones an admin may edit — each
names the permission it needs in its app — and finding one by app and key."""

from __future__ import annotations

from appfleet.core.errors import NotFound
from appfleet.core.registry import AppContext, AppRegistry, EditableCatalog
from appfleet.platform.admin.deps import Admin


def editable(registry: AppRegistry, admin: Admin) -> list[tuple[AppContext, EditableCatalog]]:
    return [
        (context, catalog)
        for context in registry
        for catalog in context.catalogs
        if admin.can(catalog.permission, context.name)
    ]


def find(
    registry: AppRegistry, admin: Admin, app: str, key: str
) -> tuple[AppContext, EditableCatalog]:
    if app in registry:
        context = registry.get(app)
        for catalog in context.catalogs:
            if catalog.key == key:
                admin.check(catalog.permission, app)
                return context, catalog
    raise NotFound(f"No catalog {key!r} in {app!r}")
