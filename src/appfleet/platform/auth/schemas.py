from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, EmailStr, Field

from appfleet.core.schemas import Schema
from appfleet.platform.users.schemas import UserRead


class DeviceInfo(Schema):
    name: str | None = Field(None, max_length=100, description="e.g. Ann's iPhone")
    platform: Literal["ios", "android", "web", "other"] | None = None
    app_version: str | None = Field(None, max_length=40)


class RegisterRequest(Schema):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    password: str = Field(min_length=1, max_length=1024)
    name: str = Field(min_length=1, max_length=100)
    device: DeviceInfo | None = None


class LoginRequest(Schema):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    password: str = Field(min_length=1, max_length=1024)
    device: DeviceInfo | None = None


class AnonymousRequest(Schema):
    model_config = ConfigDict(extra="forbid")

    device: DeviceInfo | None = None


class AppleSignIn(Schema):
    model_config = ConfigDict(extra="forbid")

    identity_token: str = Field(min_length=1, max_length=8192)
    authorization_code: str | None = Field(None, max_length=1024)
    name: str | None = Field(
        None, min_length=1, max_length=100, description="Apple sends it on the first sign-in only"
    )
    nonce: str | None = Field(None, max_length=256)
    device: DeviceInfo | None = None


class GoogleSignIn(Schema):
    model_config = ConfigDict(extra="forbid")

    id_token: str = Field(min_length=1, max_length=8192)
    nonce: str | None = Field(None, max_length=256)
    device: DeviceInfo | None = None


class RefreshRequest(Schema):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str = Field(min_length=1, max_length=4096)


class TokenPair(Schema):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int = Field(description="Seconds until the access token expires.")


class AuthResponse(Schema):
    user: UserRead
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 type name
    expires_in: int = Field(description="Seconds until the access token expires.")


class SessionRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    device_name: str | None
    platform: str | None
    app_version: str | None
    last_ip: str | None
    created_at: datetime
    last_seen_at: datetime
    current: bool


class TotpSetupRead(Schema):
    secret: str = Field(description="Base32 secret, for manual entry")
    otpauth_uri: str = Field(description="Encode as a QR code for authenticator apps")


class CodeRequest(Schema):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=6, max_length=32, description="A 6-digit code or a recovery code")


class RecoveryCodesRead(Schema):
    recovery_codes: list[str] = Field(description="Shown once; each works one time")


class MfaVerifyRequest(Schema):
    model_config = ConfigDict(extra="forbid")

    challenge_token: str = Field(min_length=1, max_length=4096)
    code: str = Field(min_length=6, max_length=32)
    device: DeviceInfo | None = None


class ForgotRequest(Schema):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr


class ResetRequest(Schema):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=256, description="From the reset email")
    password: str = Field(min_length=1, max_length=1024)


class Accepted(Schema):
    message: str


class VerificationSent(Schema):
    message: str
    expires_at: datetime


class VerifyEmailRequest(Schema):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^\s*\d{6}\s*$", description="The six digits from the email")
