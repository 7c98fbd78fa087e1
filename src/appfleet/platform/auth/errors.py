from __future__ import annotations

from datetime import datetime
from typing import Literal

from appfleet.core.errors import Conflict, Forbidden, NotAuthenticated

TokenProblem = Literal["token_expired", "token_revoked", "reuse_detected", "token_invalid"]


class TokenRejected(NotAuthenticated):
    """A 401 whose `details.reason` tells the client whether to refresh or to sign out."""

    def __init__(
        self, reason: TokenProblem, message: str | None = None, *, keep_changes: bool = False
    ) -> None:
        messages = {
            "token_expired": "The token has expired; refresh it",
            "token_revoked": "The session was signed out; sign in again",
            "reuse_detected": "This refresh token was already used; the session is signed out",
            "token_invalid": "The token is not valid here",
        }
        super().__init__(
            message or messages[reason],
            details={"reason": reason},
            headers={"WWW-Authenticate": f'Bearer error="invalid_token", reason="{reason}"'},
            keep_changes=keep_changes,
        )


class BadCredentials(NotAuthenticated):
    default_message = "Email or password is incorrect"

    def __init__(self) -> None:
        # The failed attempt is audited even though the request fails.
        super().__init__(details={"reason": "bad_credentials"}, keep_changes=True)


class AccountExists(Conflict):
    default_message = "An account with this email exists; sign in instead"

    def __init__(self) -> None:
        super().__init__(details={"reason": "account_exists"})


class SecondFactorRequired(NotAuthenticated):
    """The password was right; a one-time code must follow, with this challenge token."""

    default_message = "Enter the code from your authenticator app"

    def __init__(self, challenge_token: str, expires_in: int) -> None:
        super().__init__(
            details={
                "reason": "mfa_required",
                "challenge_token": challenge_token,
                "expires_in": expires_in,
            },
            keep_changes=True,
        )


class WrongSecondFactor(NotAuthenticated):
    default_message = "That code is not valid"

    def __init__(self) -> None:
        super().__init__(details={"reason": "mfa_code_invalid"}, keep_changes=True)


class AccountDeleted(Forbidden):
    """Right credentials, but the account was deleted: it can be restored until it is purged."""

    default_message = "This account was deleted; restore it to sign in again"

    def __init__(self, purge_after: datetime | None) -> None:
        super().__init__(
            details={
                "reason": "account_deleted",
                "restorable_until": purge_after.isoformat() if purge_after else None,
            },
            keep_changes=True,
        )
