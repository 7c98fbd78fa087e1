"""Typed settings, read from the environment, `.env` and an optional `appfleet.toml`.

Precedence, highest first: values passed to `Settings(...)`, `APPFLEET_*` environment variables,
the plain `DATABASE_URL` / `REDIS_URL` variables hosts set by convention, `.env`, `appfleet.toml`,
then the defaults below. Nested sections use `__` in variable names: `APPFLEET_DATABASE__POOL_SIZE`.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from dotenv import dotenv_values
from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

ENV_PREFIX = "APPFLEET_"
CONFIG_FILE_VARIABLE = "APPFLEET_CONFIG"
# Hosts (Heroku, Render, Fly, compose files) set these without our prefix.
PLAIN_URL_VARIABLES = {"DATABASE_URL": "database", "REDIS_URL": "redis"}


def _split_csv(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class ServerSettings(BaseModel):
    host: str = Field("127.0.0.1", description="Address `appfleet serve` binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port `appfleet serve` listens on.")
    workers: int = Field(
        1, ge=1, le=64, description="API worker processes (more than 1 uses gunicorn)."
    )
    public_url: str | None = Field(
        None,
        description="Where clients reach this server (https://api.example.com): the base of "
        "links in emails and of signed media URLs. Unset: http://host:port.",
    )
    ws_per_message_deflate: bool = Field(
        False,
        description="Offer WebSocket compression. Off: realtime messages are small, and "
        "compressing each one per connection costs more CPU than it saves bytes.",
    )


class DatabaseSettings(BaseModel):
    url: str | None = Field(
        None,
        description="SQLAlchemy URL, e.g. postgresql://user@host/db. Also read from DATABASE_URL. "
        "Unset: a SQLite file in the data directory.",
    )
    pool_size: int = Field(
        20,
        ge=1,
        description="PostgreSQL connections per process, opened as needed and then kept (seed "
        "001: at most 20).",
    )
    max_overflow: int = Field(
        0,
        ge=0,
        description="Extra connections beyond the pool, closed again when returned (each costs "
        "a new connection, TLS included, so steady load should fit in pool_size).",
    )
    pool_timeout_s: float = Field(30.0, gt=0, description="Seconds to wait for a free connection.")
    pool_recycle_s: int = Field(1800, ge=60, description="Reconnect connections older than this.")
    connect_timeout_s: float = Field(30.0, gt=0, description="Seconds to establish a connection.")
    statement_timeout_ms: int = Field(
        10_000, ge=0, description="PostgreSQL statement_timeout per connection (0 = none)."
    )
    sqlite_busy_timeout_ms: int = Field(
        5_000, ge=0, description="How long SQLite waits for the write lock before failing."
    )
    echo: bool = Field(False, description="Log every SQL statement (development aid).")


class RedisSettings(BaseModel):
    url: str | None = Field(
        None,
        description="redis:// URL. Also read from REDIS_URL. Unset: in-process cache, limiter "
        "and pub-sub.",
    )
    socket_timeout_s: float = Field(2.0, gt=0, description="Timeout of one Redis command.")
    health_check_interval_s: int = Field(
        15, ge=0, description="Ping idle Redis connections this often."
    )
    max_connections: int = Field(
        64,
        ge=2,
        description="Connections per process; past it a command waits (up to the socket "
        "timeout) instead of failing.",
    )


class HttpSettings(BaseModel):
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins allowed by CORS, comma-separated. Empty: no CORS headers.",
    )
    max_body_bytes: int = Field(
        1_048_576, ge=1, description="Largest request body (routes may set their own)."
    )
    gzip_min_bytes: int = Field(1000, ge=0, description="Compress responses at least this big.")
    hsts: bool = Field(True, description="Send Strict-Transport-Security.")

    _split = field_validator("cors_origins", mode="before")(_split_csv)


class LogSettings(BaseModel):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Lowest level written."
    )
    json_output: bool = Field(True, description="JSON lines (false: coloured console lines).")
    access: bool = Field(True, description="One line per HTTP request.")
    batch_ms: int = Field(
        50,
        ge=0,
        le=1000,
        description="A server writes its lines below WARNING every this many ms, from a "
        "background thread (0: each line at once). Warnings and errors are written at once.",
    )


class AuthSettings(BaseModel):
    access_token_ttl_s: int = Field(900, ge=5, description="Access token lifetime (15 min).")
    refresh_token_ttl_s: int = Field(
        604_800, ge=3600, description="Refresh token lifetime (7 days); each refresh renews it."
    )
    refresh_replay_window_s: int = Field(
        30, ge=0, description="A just-rotated refresh token replays its answer for this long."
    )
    # OWASP's argon2id rows are equally strong; 7 MiB x 5 passes is the one that leaves the
    # CPU caches to the rest of the request (and uses a third of the memory per hash).
    argon2_time_cost: int = Field(5, ge=1, le=32, description="argon2id passes.")
    argon2_memory_kib: int = Field(
        7_168, ge=7_168, description="argon2id memory in KiB (at least OWASP's for the passes)."
    )
    argon2_parallelism: int = Field(1, ge=1, description="argon2id lanes.")
    apple_jwks_url: str = Field(
        "https://appleid.apple.com/auth/keys", description="Apple's signing keys (JWKS)."
    )
    google_jwks_url: str = Field(
        "https://www.googleapis.com/oauth2/v3/certs", description="Google's signing keys (JWKS)."
    )
    jwks_cache_s: int = Field(3600, ge=60, description="How long fetched signing keys are kept.")
    apple_api_url: str = Field(
        "https://appleid.apple.com",
        description="Apple's token and revocation endpoints live under this URL.",
    )
    password_reset_ttl_s: int = Field(3600, ge=300, description="A reset link works this long.")
    verification_code_ttl_s: int = Field(
        900, ge=60, description="An email verification code works this long."
    )
    deletion_retention_days: int = Field(
        30, ge=0, description="A deleted account can be restored for this long, then is purged."
    )

    @model_validator(mode="after")
    def _owasp_minimum(self) -> AuthSettings:
        floor = argon2_memory_floor_kib(self.argon2_time_cost)
        if self.argon2_memory_kib < floor:
            raise ValueError(
                f"argon2id with {self.argon2_time_cost} passes needs at least {floor} KiB "
                "(OWASP's password storage minimums)"
            )
        return self


# OWASP's Password Storage Cheat Sheet: argon2id memory (KiB) for 1 to 5 passes, each row
# equally strong; more passes than five still need the fifth row's memory.
_OWASP_ARGON2_MEMORY_KIB = (47_104, 19_456, 12_288, 9_216, 7_168)


def argon2_memory_floor_kib(time_cost: int) -> int:
    return _OWASP_ARGON2_MEMORY_KIB[min(time_cost, 5) - 1]


RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(second|minute|hour|day)s?\s*$")
UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


@functools.lru_cache(maxsize=256)  # read on every request by the limiter
def parse_rate(text: str) -> tuple[int, float]:
    """`"5/minute"`, `"3/5minutes"`, `"10/hour"` -> (requests, period in seconds)."""
    match = RATE.match(text)
    if match is None or int(match.group(1)) < 1:
        raise ValueError(f"{text!r} is not a rate like '5/minute' or '3/5minutes'")
    count, multiple, unit = match.groups()
    return int(count), float(int(multiple or 1) * UNIT_SECONDS[unit])


class RateLimitSettings(BaseModel):
    """Limits as "N/period" (second, minute, hour, day; "3/5minutes"), counted with GCRA."""

    enabled: bool = Field(True, description="Count and enforce the limits below.")
    anonymous: str = Field("20/minute", description="Requests without a token, per IP and app.")
    authenticated: str = Field("100/minute", description="Requests with a token, per user and app.")
    per_app: str | None = Field(None, description="All requests to one app (unset: no cap).")
    login: str = Field("5/minute", description="Sign-ins, per IP and per email.")
    signup: str = Field("3/minute", description="Sign-ups (register, guest accounts), per IP.")
    forgot: str = Field("3/5minutes", description="Password-reset requests, per IP and email.")
    ai: str = Field("10/hour", description="AI generations, per user.")
    chat: str = Field(
        "100/hour", description="Messages an AI bot answers and insight runs, per user (seed 003)."
    )
    uploads: str = Field("20/hour", description="Uploads, per user.")
    push_test: str = Field("5/minute", description="Test pushes, per user.")
    billing: str = Field("20/hour", description="Checkouts, portal links, plan changes, per user.")
    routes: dict[str, str] = Field(
        default_factory=dict, description="Further named limits apps use, e.g. chat = 30/minute."
    )

    @field_validator(
        "anonymous",
        "authenticated",
        "per_app",
        "login",
        "signup",
        "forgot",
        "ai",
        "chat",
        "uploads",
        "push_test",
        "billing",
    )
    @classmethod
    def _valid_rate(cls, value: str | None) -> str | None:
        if value is not None:
            parse_rate(value)
        return value

    @field_validator("routes")
    @classmethod
    def _valid_routes(cls, value: dict[str, str]) -> dict[str, str]:
        for rate in value.values():
            parse_rate(rate)
        return value

    def rate(self, name: str) -> tuple[int, float]:
        """The (requests, period) of a named limit."""
        text = self.routes.get(name) or getattr(self, name, None)
        if not isinstance(text, str):
            raise KeyError(f"no rate limit named {name!r}")
        return parse_rate(text)


class EmailSettings(BaseModel):
    provider: Literal["outbox", "smtp", "sendgrid", "postmark"] = Field(
        "outbox", description="Who delivers email (outbox: kept in the outbox table only)."
    )
    default_sender: str = Field(
        "no-reply@appfleet.localhost", description="From address when an app sets none."
    )
    smtp_host: str = Field("localhost", description="SMTP server.")
    smtp_port: int = Field(587, ge=1, le=65535, description="SMTP port (587 STARTTLS, 465 TLS).")
    smtp_security: Literal["starttls", "tls", "none"] = Field(
        "starttls", description="SMTP transport security."
    )
    smtp_username: str | None = Field(None, description="SMTP user, if the server wants one.")
    smtp_password: SecretStr | None = Field(None, description="SMTP password.")
    sendgrid_api_key: SecretStr | None = Field(None, description="SendGrid API key.")
    sendgrid_url: str = Field("https://api.sendgrid.com", description="SendGrid API base URL.")
    postmark_server_token: SecretStr | None = Field(None, description="Postmark server token.")
    postmark_url: str = Field("https://api.postmarkapp.com", description="Postmark API base URL.")
    postmark_stream: str = Field("outbound", description="Postmark message stream.")
    timeout_s: float = Field(10.0, gt=0, description="Seconds one delivery attempt may take.")
    sendgrid_webhook_key: str | None = Field(
        None, description="SendGrid's Event Webhook verification key (base64, public)."
    )
    postmark_webhook_username: str | None = Field(None, description="Postmark webhook user.")
    postmark_webhook_password: SecretStr | None = Field(
        None, description="Postmark webhook password (Basic credentials in the webhook URL)."
    )


class PushSettings(BaseModel):
    """Push delivery; each app's own FCM and APNs credentials are in its `[app.<name>]` section."""

    fcm_url: str = Field("https://fcm.googleapis.com", description="FCM HTTP v1 API base URL.")
    apns_production_url: str = Field(
        "https://api.push.apple.com", description="APNs production host."
    )
    apns_sandbox_url: str = Field(
        "https://api.sandbox.push.apple.com", description="APNs development (sandbox) host."
    )
    apns_ca_file: str | None = Field(
        None, description="Extra CA certificates to trust for APNs (a proxy; tests)."
    )
    timeout_s: float = Field(10.0, gt=0, description="Seconds one push attempt may take.")
    daily_limit: int = Field(
        10, ge=0, description="Pushes per user and app per local day, unless the user sets theirs."
    )
    keep_days: int = Field(90, ge=1, description="Notifications are kept this long.")


MEDIA_TYPES = {
    "image": ["image/jpeg", "image/png", "image/webp", "image/heic", "image/gif"],
    "audio": [
        "audio/mpeg",
        "audio/mp4",
        "audio/aac",
        "audio/wav",
        "audio/webm",
        "audio/ogg",
    ],
}


def _default_purposes() -> dict[str, list[str]]:
    images, audio = MEDIA_TYPES["image"], MEDIA_TYPES["audio"]
    return {
        "avatar": images,
        "post_image": images,
        "product_image": images,
        "voice": audio,
        "attachment": [*images, "application/pdf"],
    }


class StorageSettings(BaseModel):
    provider: Literal["local", "s3"] = Field(
        "local",
        description="Where uploads live: local disk (served by appfleet through signed URLs) "
        "or any S3-compatible store (R2, MinIO, AWS).",
    )
    local_dir: Path | None = Field(None, description="Local files (unset: <data dir>/media).")
    s3_endpoint_url: str | None = Field(
        None, description="S3 API endpoint, e.g. https://<account>.r2.cloudflarestorage.com."
    )
    s3_region: str = Field("auto", description="S3 region (R2: auto).")
    s3_bucket: str | None = Field(None, description="Bucket holding every app's media.")
    s3_access_key_id: str | None = Field(None, description="S3 access key id.")
    s3_secret_access_key: SecretStr | None = Field(None, description="S3 secret access key.")
    s3_addressing_style: Literal["path", "virtual"] = Field(
        "path", description="Bucket in the path (MinIO, R2) or in the host name (AWS)."
    )
    upload_url_ttl_s: int = Field(900, ge=60, description="A presigned upload works this long.")
    download_url_ttl_s: int = Field(3600, ge=60, description="A download link works this long.")
    max_file_bytes: int = Field(10 * 1024 * 1024, ge=1, description="Largest upload (10 MB).")
    quota_free_bytes: int = Field(100 * 1024 * 1024, ge=0, description="Storage per free user.")
    quota_paid_bytes: int = Field(1024 * 1024 * 1024, ge=0, description="Storage per paid user.")
    purposes: dict[str, list[str]] = Field(
        default_factory=_default_purposes,
        description="What uploads are for, each with the content types it accepts.",
    )
    variant_max_px: int = Field(
        1024, ge=64, description="Images get a WebP variant at most this many pixels across."
    )


class AiSettings(BaseModel):
    provider: Literal["local", "openai"] = Field(
        "local",
        description="Who writes AI text: the local generator, or any OpenAI-compatible "
        "chat-completions endpoint (the local generator stays the fallback).",
    )
    base_url: str = Field("https://api.openai.com/v1", description="OpenAI-compatible API base.")
    api_key: SecretStr | None = Field(None, description="API key of that endpoint.")
    model: str = Field("gpt-4o-mini", description="Model name sent with each request.")
    timeout_s: float = Field(15.0, gt=0, description="Seconds a generation may take.")
    max_tokens: int = Field(500, ge=16, le=8192, description="Most tokens one answer may use.")
    daily_token_budget: int = Field(
        500_000, ge=0, description="Tokens per UTC day for the whole deployment (0: no cap)."
    )
    monthly_token_budget: int = Field(
        10_000_000, ge=0, description="Tokens per calendar month for the deployment (0: no cap)."
    )
    cache_ttl_s: int = Field(86_400, ge=0, description="Identical prompts are answered from cache.")
    breaker_failures: int = Field(
        5, ge=1, description="Consecutive failures that open the circuit to the model."
    )
    breaker_reset_s: float = Field(60.0, gt=0, description="How long the circuit stays open.")
    voice: Literal["auto", "elevenlabs", "espeak", "none"] = Field(
        "auto",
        description="Speech: auto picks ElevenLabs with a key, else espeak-ng if installed, else "
        "none (text only).",
    )
    elevenlabs_url: str = Field("https://api.elevenlabs.io", description="ElevenLabs API base.")
    elevenlabs_api_key: SecretStr | None = Field(None, description="ElevenLabs API key.")
    elevenlabs_voice_id: str = Field("21m00Tcm4TlvDq8ikWAM", description="ElevenLabs voice.")
    elevenlabs_model: str = Field("eleven_multilingual_v2", description="ElevenLabs model.")
    espeak_path: str = Field("espeak-ng", description="The espeak-ng executable.")


class JobsSettings(BaseModel):
    embedded_worker: bool | None = Field(
        None,
        description="Run a worker and the scheduler inside `appfleet serve` "
        "(unset: when the database is SQLite; scaled deployments run `appfleet worker`).",
    )
    concurrency: int = Field(4, ge=1, le=256, description="Jobs one worker runs at a time.")
    queues: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["notifications", "default", "analytics", "cleanup"],
        description="Queues a worker takes jobs from.",
    )
    poll_interval_s: float = Field(
        2.0, gt=0, description="Idle workers look for jobs this often when no wake-up comes."
    )
    lease_s: float = Field(
        60.0, ge=1, description="A running job is reclaimed if its worker is silent this long."
    )
    shutdown_grace_s: float = Field(
        25.0, ge=0, description="On shutdown, running jobs get this long before they are requeued."
    )
    scheduler: bool = Field(True, description="Take part in electing the one scheduler.")
    cron_secret: SecretStr | None = Field(
        None, description="Bearer secret of POST /internal/cron/tick (serverless hosts)."
    )

    _split_queues = field_validator("queues", mode="before")(_split_csv)


class PlanSettings(BaseModel):
    display_name: str | None = Field(None, description="Name shown to users.")
    stripe_price_id: str | None = Field(None, description="Stripe price for this plan.")
    amount_cents: int = Field(0, ge=0, description="Price per interval, in cents.")
    currency: str = Field("usd", min_length=3, max_length=3, description="ISO 4217 code.")
    interval: Literal["month", "year"] = Field("month", description="Billing interval.")
    level: int = Field(
        0, ge=0, description="Rank among the app's plans: require_plan(p) admits p and higher."
    )
    trial_days: int = Field(0, ge=0, le=90, description="Free days before the first charge.")
    limits: dict[str, int] = Field(
        default_factory=dict, description="Feature limits, e.g. active_goals = 1 (-1: none)."
    )


class BillingSettings(BaseModel):
    provider: Literal["sandbox", "stripe", "disabled"] = Field(
        "sandbox",
        description="Payments: the local sandbox checkout (development), Stripe, or none.",
    )
    stripe_secret_key: SecretStr | None = Field(None, description="Stripe secret API key.")
    stripe_webhook_secret: SecretStr | None = Field(
        None, description="Signing secret of the Stripe webhook endpoint (whsec_...)."
    )
    stripe_api_url: str = Field("https://api.stripe.com", description="Stripe API base URL.")
    timeout_s: float = Field(15.0, gt=0, description="Seconds one Stripe call may take.")


class AppSettings(BaseModel):
    """One `[app.<name>]` section of appfleet.toml."""

    display_name: str | None = Field(None, description="Name shown to users and in the console.")
    bundle_ids: list[str] = Field(
        default_factory=list, description="iOS/Android bundle ids (Apple sign-in audiences)."
    )
    google_client_ids: list[str] = Field(
        default_factory=list,
        description="OAuth client ids per platform (Google sign-in audiences).",
    )
    email_sender: str | None = Field(None, description="From address of this app's email.")
    brand_color: str = Field(
        "#2563eb", pattern=r"^#[0-9a-fA-F]{6}$", description="Accent colour of this app's email."
    )
    logo_url: str | None = Field(None, description="Logo shown at the top of this app's email.")
    track_opens: list[str] = Field(
        default_factory=list,
        description="Email templates whose opens are counted (a pixel). Sensitive ones never.",
    )
    track_clicks: list[str] = Field(
        default_factory=list,
        description="Email templates whose links are counted (signed redirects).",
    )
    password_reset_url: str | None = Field(
        None,
        description="Link in reset emails, with {token} in it (e.g. a deep link). Unset: the "
        "email carries the token to paste.",
    )
    apple_team_id: str | None = Field(None, description="Apple developer team id.")
    apple_key_id: str | None = Field(None, description="Id of the Sign in with Apple key.")
    apple_private_key: SecretStr | None = Field(
        None,
        description="That key (.p8 PEM): signs the client secret for Apple's token and "
        "revocation endpoints. Unset: Apple grants are not revoked on deletion.",
    )
    identity_group: str | None = Field(
        None, description="Apps in one group share accounts (default from the app's manifest)."
    )
    disabled_features: list[str] = Field(default_factory=list, description="Features turned off.")
    access_token_ttl_s: int | None = Field(None, ge=60, description="Overrides auth's, per app.")
    refresh_token_ttl_s: int | None = Field(None, ge=3600, description="Overrides auth's, per app.")
    plans: dict[str, PlanSettings] = Field(default_factory=dict, description="Plans by key.")
    settings: dict[str, Any] = Field(
        default_factory=dict, description="The app's own settings (see its manifest)."
    )
    checkout_return_url: str | None = Field(
        None,
        description="Where checkout sends the user back, with {result} (success or cancel) in "
        "it, e.g. a deep link. Unset: a page of this server.",
    )
    fcm_credentials: SecretStr | None = Field(
        None,
        description="Firebase service-account key (its JSON, or the path of the file). Unset: "
        "FCM pushes of this app go to the local outbox.",
    )
    apns_team_id: str | None = Field(None, description="Apple team id of the APNs key.")
    apns_key_id: str | None = Field(None, description="Id of the APNs auth key (.p8).")
    apns_private_key: SecretStr | None = Field(
        None, description="The APNs auth key (.p8 PEM). Unset: APNs pushes go to the local outbox."
    )
    apns_topic: str | None = Field(None, description="APNs topic (default: the first bundle id).")
    apns_environment: Literal["production", "sandbox"] = Field(
        "production", description="APNs host: production, or sandbox for development builds."
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
        frozen=True,
    )

    env: Literal["development", "test", "production"] = Field(
        "development", description="production refuses generated secrets and missing settings."
    )
    data_dir: Path = Field(
        Path(".appfleet"), description="Holds the SQLite database, generated secrets and media."
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Signs tokens and sessions. Unset outside production: generated once into "
        "the data directory (mode 0600).",
    )
    apps: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Apps to mount, comma-separated. Empty: all apps."
    )
    app: dict[str, AppSettings] = Field(
        default_factory=dict, description="Per-app sections ([app.<name>] in appfleet.toml)."
    )
    server: ServerSettings = Field(default_factory=ServerSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    log: LogSettings = Field(default_factory=LogSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    jobs: JobsSettings = Field(default_factory=JobsSettings)
    email: EmailSettings = Field(default_factory=EmailSettings)
    push: PushSettings = Field(default_factory=PushSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    ai: AiSettings = Field(default_factory=AiSettings)
    billing: BillingSettings = Field(default_factory=BillingSettings)
    ratelimit: RateLimitSettings = Field(default_factory=RateLimitSettings)

    _split = field_validator("apps", mode="before")(_split_csv)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = Path(os.environ.get(CONFIG_FILE_VARIABLE, "appfleet.toml"))
        return (
            init_settings,
            env_settings,
            _PlainUrlSource(settings_cls),
            dotenv_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=toml_path),
        )

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def public_url(self) -> str:
        """The base URL clients reach this server at."""
        if self.server.public_url:
            return self.server.public_url.rstrip("/")
        return f"http://{self.server.host}:{self.server.port}"

    @property
    def media_dir(self) -> Path:
        return self.storage.local_dir or self.data_dir / "media"

    @property
    def database_url(self) -> str:
        """The configured URL, or the embedded SQLite file inside the data directory."""
        if self.database.url:
            return self.database.url
        return f"sqlite:///{(self.data_dir / 'appfleet.db').resolve()}"

    def production_problems(self) -> list[str]:
        """What stops this configuration from running in production, each naming its setting."""
        problems: list[str] = []
        if self.secret_key is None:
            problems.append(
                "APPFLEET_SECRET_KEY is required in production (it would otherwise be generated)"
            )
        elif len(self.secret_key.get_secret_value()) < 32:
            problems.append("APPFLEET_SECRET_KEY must be at least 32 characters")
        if not self.database.url:
            problems.append(
                "DATABASE_URL is required in production (set sqlite:///path to keep SQLite "
                "deliberately)"
            )
        if "*" in self.http.cors_origins:
            problems.append("APPFLEET_HTTP__CORS_ORIGINS must list origins, not '*', in production")
        email = self.email
        if email.provider == "sendgrid" and email.sendgrid_api_key is None:
            problems.append("APPFLEET_EMAIL__SENDGRID_API_KEY is required with provider sendgrid")
        if email.provider == "postmark" and email.postmark_server_token is None:
            problems.append(
                "APPFLEET_EMAIL__POSTMARK_SERVER_TOKEN is required with provider postmark"
            )
        storage = self.storage
        if storage.provider == "s3":
            for name in (
                "s3_endpoint_url",
                "s3_bucket",
                "s3_access_key_id",
                "s3_secret_access_key",
            ):
                if getattr(storage, name) is None:
                    problems.append(
                        f"APPFLEET_STORAGE__{name.upper()} is required with provider s3"
                    )
        if not self.server.public_url:
            problems.append(
                "APPFLEET_SERVER__PUBLIC_URL is required in production (links in email and "
                "signed media URLs are built on it)"
            )
        billing = self.billing
        if billing.provider == "sandbox":
            problems.append(
                "APPFLEET_BILLING__PROVIDER=sandbox accepts fake payments; set stripe (with "
                "its keys) or disabled in production"
            )
        if billing.provider == "stripe":
            for name in ("stripe_secret_key", "stripe_webhook_secret"):
                if getattr(billing, name) is None:
                    variable = f"APPFLEET_BILLING__{name.upper()}"
                    problems.append(f"{variable} is required with provider stripe")
        if self.ai.provider == "openai" and self.ai.api_key is None:
            problems.append("APPFLEET_AI__API_KEY is required with provider openai")
        if self.ai.voice == "elevenlabs" and self.ai.elevenlabs_api_key is None:
            problems.append("APPFLEET_AI__ELEVENLABS_API_KEY is required with voice elevenlabs")
        cron = self.jobs.cron_secret
        if cron is not None and len(cron.get_secret_value()) < 32:
            problems.append("APPFLEET_JOBS__CRON_SECRET must be at least 32 characters")
        return problems


class _PlainUrlSource(PydanticBaseSettingsSource):
    """Reads DATABASE_URL / REDIS_URL from the environment or `.env` into their sections."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ does the work

    def __call__(self) -> dict[str, Any]:
        env_file = self.settings_cls.model_config.get("env_file")
        from_file = dotenv_values(env_file) if isinstance(env_file, str) else {}
        found: dict[str, Any] = {}
        for variable, section in PLAIN_URL_VARIABLES.items():
            value = os.environ.get(variable) or from_file.get(variable)
            if value:
                found[section] = {"url": value}
        return found


def setting_rows(
    model: type[BaseModel] = Settings, prefix: str = ENV_PREFIX
) -> list[tuple[str, str, str]]:
    """(variable, default, description) for every setting, for `appfleet config --table`."""
    rows: list[tuple[str, str, str]] = []
    for name, field in model.model_fields.items():
        variable = f"{prefix}{name.upper()}"
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            rows.extend(setting_rows(annotation, f"{variable}__"))
            continue
        if name == "app":
            rows.extend(
                (f"[app.<name>].{key}", _default_text(sub), sub.description or "")
                for key, sub in AppSettings.model_fields.items()
            )
            continue
        rows.append((variable, _default_text(field), field.description or ""))
    return rows


def _default_text(field: FieldInfo) -> str:
    if field.default_factory is not None:
        value = field.default_factory()  # type: ignore[call-arg]
    else:
        value = field.default
    if value is None:
        return "(unset)"
    if isinstance(value, list | dict) and not value:
        return "(empty)"
    return str(value)
