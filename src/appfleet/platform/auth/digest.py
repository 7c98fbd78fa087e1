"""Keyed hashes of the secrets we email (reset tokens, verification codes)."""

from __future__ import annotations

import hashlib
import hmac


class TokenDigest:
    """HMAC-SHA256 under a key derived from the deployment secret: a leaked table of digests
    cannot be searched offline, not even over six-digit codes."""

    def __init__(self, secret_key: str) -> None:
        label = b"appfleet/email-token/v1"
        self._key = hmac.new(secret_key.encode(), label, hashlib.sha256).digest()

    def __call__(self, purpose: str, value: str) -> str:
        return hmac.new(self._key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()
