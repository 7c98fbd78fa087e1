"""Time-based one-time passwords (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps), the secrets
encrypted at rest, and single-use recovery codes stored as hashes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from datetime import datetime
from urllib.parse import quote, urlencode

from cryptography.fernet import Fernet, InvalidToken

STEP_S = 30
DIGITS = 6
RECOVERY_CODES = 10


def new_secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    query = urlencode(
        {
            "secret": secret,
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": STEP_S,
        }
    )
    return f"otpauth://totp/{quote(issuer)}:{quote(account)}?{query}"


def code_at(secret: str, step: int) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def matching_step(secret: str, code: str, now: datetime, after_step: int | None) -> int | None:
    """The time step `code` belongs to (one step of clock drift either way), if it is newer than
    `after_step` — a code, once used, cannot be used again."""
    if not (len(code) == DIGITS and code.isdigit()):
        return None
    current = int(now.timestamp()) // STEP_S
    for step in (current - 1, current, current + 1):
        if after_step is not None and step <= after_step:
            continue
        if hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    return [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]


def recovery_hash(code: str) -> str:
    # Recovery codes carry 48 random bits: a fast hash is enough, and allows lookup by value.
    return hashlib.sha256(code.strip().lower().encode()).hexdigest()


class SecretBox:
    """Encrypts secrets we must keep (TOTP secrets, Apple refresh tokens) with a key derived
    from the deployment secret."""

    def __init__(self, secret_key: str) -> None:
        # The derivation label predates the Apple tokens; changing it would orphan sealed data.
        raw = hmac.new(secret_key.encode(), b"appfleet/totp/v1", hashlib.sha256).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(raw))

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str | None:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            return None
