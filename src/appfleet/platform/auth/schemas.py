from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from appfleet.platform.users.schemas import UserRead


class DeviceInfo(BaseModel):
    name: str | None = Field(None, max_length=100, description="e.g. Ann's iPhone")
    platform: Literal["ios", "android", "web", "other"] | None = None
    app_version: str | None = Field(None, max_length=40)


class RegisterRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    password: str = Field(min_length=1, max_length=1024)
    name: str = Field(min_length=1, max_length=100)
    device: DeviceInfo | None = None


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    password: str = Field(min_length=1, max_length=1024)
    device: DeviceInfo | None = None


class AnonymousRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    device: DeviceInfo | None = None


class AppleSignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    identity_token: str = Field(min_length=1, max_length=8192)
    authorization_code: str | None = Field(None, max_length=1024)
    name: str | None = Field(
        None, min_length=1, max_length=100, description="Apple sends it on the first sign-in only"
    )
    nonce: str | None = Field(None, max_length=256)
    device: DeviceInfo | None = None


class GoogleSignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id_token: str = Field(min_length=1, max_length=8192)
    nonce: str | None = Field(None, max_length=256)
    device: DeviceInfo | None = None


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str = Field(min_length=1, max_length=4096)


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int = Field(description="Seconds until the access token expires.")


class AuthResponse(BaseModel):
    user: UserRead
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 type name
    expires_in: int = Field(description="Seconds until the access token expires.")


class SessionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    device_name: str | None
    platform: str | None
    app_version: str | None
    last_ip: str | None
    created_at: datetime
    last_seen_at: datetime
    current: bool


class TotpSetupRead(BaseModel):
    secret: str = Field(description="Base32 secret, for manual entry")
    otpauth_uri: str = Field(description="Encode as a QR code for authenticator apps")


class CodeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=6, max_length=32, description="A 6-digit code or a recovery code")


class RecoveryCodesRead(BaseModel):
    recovery_codes: list[str] = Field(description="Shown once; each works one time")


class MfaVerifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    challenge_token: str = Field(min_length=1, max_length=4096)
    code: str = Field(min_length=6, max_length=32)
    device: DeviceInfo | None = None


class ForgotRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr


class ResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=256, description="From the reset email")
    password: str = Field(min_length=1, max_length=1024)


class Accepted(BaseModel):
    message: str


class VerificationSent(BaseModel):
    message: str
    expires_at: datetime


class VerifyEmailRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^\s*\d{6}\s*$", description="The six digits from the email")
