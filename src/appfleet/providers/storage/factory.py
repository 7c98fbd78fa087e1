from __future__ import annotations

import httpx2

from appfleet.core.settings import Settings
from appfleet.providers.storage.base import Storage
from appfleet.providers.storage.local import LocalStorage, MediaSigner


def storage_from(settings: Settings, http: httpx2.AsyncClient) -> Storage:
    """The configured store: S3-compatible when chosen, else files in the data directory."""
    if settings.storage.provider == "s3":
        from appfleet.providers.storage.s3 import S3Storage

        return S3Storage(settings.storage, http)
    secret = settings.secret_key.get_secret_value() if settings.secret_key else ""
    return LocalStorage(settings.media_dir, settings.public_url, MediaSigner(secret))
