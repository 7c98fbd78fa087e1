from __future__ import annotations

from datetime import datetime
from typing import Literal, Self

from pydantic import ConfigDict, EmailStr, Field, model_validator

from appfleet.core.schemas import Schema
from appfleet.platform.auth.schemas import DeviceInfo


class ConsentRequest(Schema):
    model_config = ConfigDict(extra="forbid")

    purpose: str = Field(
        pattern=r"^[a-z][a-z0-9_]{1,39}$",
        description="What the consent is for: terms, privacy_policy, marketing_email, analytics…",
    )
    granted: bool
    version: str | None = Field(None, max_length=40, description="e.g. the policy's date")


class ConsentRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    purpose: str
    granted: bool
    version: str | None
    recorded_at: datetime


class ConsentsRead(Schema):
    current: list[ConsentRead] = Field(description="The newest decision per purpose")
    history: list[ConsentRead] = Field(description="Every decision, newest first")


class AccountDeletion(Schema):
    deleted_at: datetime
    purge_after: datetime = Field(description="Until then, POST /auth/account/restore undoes it")
    apple_grant_revoked: bool | None = Field(
        description="Whether Apple confirmed revoking Sign in with Apple (null: not used)"
    )


class RestoreRequest(Schema):
    """Prove it is you, as at sign-in: email and password, or an Apple/Google token."""

    model_config = ConfigDict(extra="forbid")

    email: EmailStr | None = None
    password: str | None = Field(None, min_length=1, max_length=1024)
    provider: Literal["apple", "google"] | None = None
    identity_token: str | None = Field(None, min_length=1, max_length=8192)
    nonce: str | None = Field(None, max_length=256)
    device: DeviceInfo | None = None

    @model_validator(mode="after")
    def _one_method(self) -> Self:
        with_password = self.email is not None and self.password is not None
        with_provider = self.provider is not None and self.identity_token is not None
        if with_password == with_provider:
            raise ValueError("send either email and password, or provider and identity_token")
        return self
