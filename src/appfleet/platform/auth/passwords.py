"""Password hashing: argon2id for new hashes, imported bcrypt hashes upgraded on login.

Hashing runs in worker threads: at OWASP's parameters one hash takes tens of milliseconds of
CPU, which would otherwise stall every other request on the event loop. At most one hash per
usable core runs at a time: forty concurrent argon2id hashes of 7 MiB each on one core only
thrash the CPU caches, and every login waits longer.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable
from importlib.resources import files
from typing import TypeVar

import anyio
import argon2
from argon2.low_level import ARGON2_VERSION
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from pwdlib.hashers.bcrypt import BcryptHasher

from appfleet.core.errors import ValidationFailed
from appfleet.core.settings import AuthSettings

MIN_LENGTH = 8
MAX_LENGTH = 128
_BCRYPT_MAX_BYTES = 72
T = TypeVar("T")


def _common_passwords() -> frozenset[str]:
    text = files("appfleet.platform.auth").joinpath("common_passwords.txt").read_text()
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


COMMON = _common_passwords()


class Passwords:
    def __init__(self, settings: AuthSettings) -> None:
        self._hash = PasswordHash(
            (
                Argon2Hasher(
                    time_cost=settings.argon2_time_cost,
                    memory_cost=settings.argon2_memory_kib,
                    parallelism=settings.argon2_parallelism,
                ),
                BcryptHasher(),
            )
        )
        # Verified against when the email is unknown, so both paths cost one hash.
        self._decoy = decoy_hash(settings)
        self._slots: anyio.CapacityLimiter | None = None

    async def _run(self, function: Callable[..., T], *args: object) -> T:
        if self._slots is None:  # created on first use, inside the running event loop
            self._slots = anyio.CapacityLimiter(len(os.sched_getaffinity(0)) or 1)
        return await anyio.to_thread.run_sync(function, *args, limiter=self._slots)

    async def hash(self, password: str) -> str:
        return await self._run(self._hash.hash, password)

    async def verify(self, password: str, stored: str | None) -> tuple[bool, str | None]:
        """(matches, a new hash to store when the stored one is outdated)."""
        if stored is None:
            await self._run(self._hash.verify, password, self._decoy)
            return False, None
        if stored.startswith("$2"):
            # bcrypt only reads 72 bytes (and bcrypt 5 raises beyond them): compare what the
            # seed-era apps actually hashed.
            candidate = password.encode()[:_BCRYPT_MAX_BYTES].decode(errors="ignore")
            matches, _ = await self._run(self._hash.verify_and_update, candidate, stored)
            return matches, (await self.hash(password) if matches else None)
        matches, updated = await self._run(self._hash.verify_and_update, password, stored)
        return matches, updated


def decoy_hash(settings: AuthSettings) -> str:
    """A well-formed argon2id hash with our parameters that no password matches: verifying
    against it costs what verifying a real hash costs (the parameters are in the string).
    Made of random bytes rather than by hashing, so a starting process does not pay a hash."""
    salt, digest = (
        base64.b64encode(os.urandom(size)).rstrip(b"=").decode()
        for size in (argon2.DEFAULT_RANDOM_SALT_LENGTH, argon2.DEFAULT_HASH_LENGTH)
    )
    parameters = (
        f"m={settings.argon2_memory_kib},t={settings.argon2_time_cost},"
        f"p={settings.argon2_parallelism}"
    )
    return f"$argon2id$v={ARGON2_VERSION}${parameters}${salt}${digest}"


def check_strength(password: str, *, email: str | None = None) -> None:
    problem = None
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        problem = f"must be {MIN_LENGTH} to {MAX_LENGTH} characters"
    elif password.lower() in COMMON:
        problem = "is one of the most common passwords"
    elif email and password.lower() == email.lower():
        problem = "must not be your email address"
    if problem:
        raise ValidationFailed(
            f"The password {problem}",
            details={"password": {"message": problem, "constraint": "password_policy"}},
        )
