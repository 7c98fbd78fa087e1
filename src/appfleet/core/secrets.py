"""The deployment secret: configured, or generated once into the data directory."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import SecretStr

from appfleet.core.settings import Settings

SECRET_FILE = "secret_key"  # noqa: S105 - a file name, not a secret


class ConfigurationError(RuntimeError):
    """The settings cannot run as given; the message names every setting at fault."""


def check_production(settings: Settings) -> None:
    if settings.is_production and (problems := settings.production_problems()):
        raise ConfigurationError("refusing to start in production: " + "; ".join(problems))


def with_secret_key(settings: Settings) -> Settings:
    """Settings whose secret key is set, generating and storing one outside production."""
    check_production(settings)
    if settings.secret_key is not None:
        return settings
    key = _load_or_create(settings.data_dir / SECRET_FILE)
    return settings.model_copy(update={"secret_key": SecretStr(key)})


def _load_or_create(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: when several workers start at once, exactly one writes the key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text().strip()
        if len(key) < 32:
            raise ConfigurationError(
                f"{path} is damaged: delete it to generate a new key"
            ) from None
        return key
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key
