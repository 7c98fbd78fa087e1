from __future__ import annotations

import stat
from pathlib import Path

import pytest

from appfleet.core.secrets import ConfigurationError, with_secret_key
from appfleet.core.settings import Settings, setting_rows


def test_embedded_defaults_need_no_configuration() -> None:
    settings = Settings()
    assert settings.env == "development"
    assert settings.database.url is None
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith(".appfleet/appfleet.db")
    assert settings.redis.url is None
    assert settings.apps == []
    assert settings.http.max_body_bytes == 1_048_576
    # Seed 001: at most 20 connections per process, kept once opened.
    assert (settings.database.pool_size, settings.database.max_overflow) == (20, 0)


def test_environment_overrides_and_plain_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPFLEET_APPS", "corpfinity, pennywise")
    monkeypatch.setenv("APPFLEET_DATABASE__POOL_SIZE", "9")
    monkeypatch.setenv("APPFLEET_HTTP__CORS_ORIGINS", "https://a.example,https://b.example")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:pw@db/app")
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/0")
    settings = Settings()
    assert settings.apps == ["corpfinity", "pennywise"]
    assert settings.database.pool_size == 9
    assert settings.http.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.database_url == "postgresql://u:pw@db/app"
    assert settings.redis.url == "redis://cache:6379/0"


def test_prefixed_variable_wins_over_plain_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://plain/db")
    monkeypatch.setenv("APPFLEET_DATABASE__URL", "postgresql://prefixed/db")
    assert Settings().database.url == "postgresql://prefixed/db"


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("APPFLEET_LOG__LEVEL=DEBUG\nREDIS_URL=redis://from-dotenv\n")
    settings = Settings()
    assert settings.log.level == "DEBUG"
    assert settings.redis.url == "redis://from-dotenv"


def test_toml_file_has_a_section_per_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "appfleet.toml").write_text(
        """
apps = ["corpfinity", "fitnudge"]

[app.fitnudge]
display_name = "FitNudge Pro"
bundle_ids = ["com.fitnudge.ios", "com.fitnudge.android"]
email_sender = "coach@fitnudge.app"

[app.fitnudge.plans.pro]
display_name = "Pro"
amount_cents = 999
stripe_price_id = "price_123"
"""
    )
    monkeypatch.setenv("APPFLEET_DATABASE__ECHO", "true")
    settings = Settings()
    fitnudge = settings.app["fitnudge"]
    assert settings.apps == ["corpfinity", "fitnudge"]
    assert fitnudge.display_name == "FitNudge Pro"
    assert fitnudge.bundle_ids == ["com.fitnudge.ios", "com.fitnudge.android"]
    assert fitnudge.email_sender == "coach@fitnudge.app"
    assert fitnudge.plans["pro"].amount_cents == 999
    assert settings.database.echo is True  # the environment still applies beside the file


def test_config_file_location_is_configurable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "elsewhere.toml").write_text('env = "test"\n')
    monkeypatch.setenv("APPFLEET_CONFIG", str(tmp_path / "elsewhere.toml"))
    assert Settings().env == "test"


def test_invalid_setting_names_the_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPFLEET_SERVER__PORT", "99999")
    with pytest.raises(ValueError, match="server.port"):
        Settings()


def test_secret_is_generated_once_with_private_permissions(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    first = with_secret_key(settings)
    path = tmp_path / "data" / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first.secret_key is not None
    assert len(first.secret_key.get_secret_value()) >= 32
    second = with_secret_key(settings)
    assert second.secret_key is not None
    assert second.secret_key.get_secret_value() == first.secret_key.get_secret_value()


def test_production_refuses_to_generate_secrets(tmp_path: Path) -> None:
    settings = Settings(env="production", data_dir=tmp_path, database={"url": "postgresql://x/y"})
    with pytest.raises(ConfigurationError, match="APPFLEET_SECRET_KEY is required"):
        with_secret_key(settings)
    assert not (tmp_path / "secret_key").exists()


def test_production_names_every_missing_setting() -> None:
    settings = Settings(
        env="production",
        secret_key="short",
        http={"cors_origins": ["*"]},
        jobs={"cron_secret": "guessable"},
    )
    with pytest.raises(ConfigurationError) as failure:
        with_secret_key(settings)
    message = str(failure.value)
    assert "APPFLEET_SECRET_KEY must be at least 32 characters" in message
    assert "APPFLEET_JOBS__CRON_SECRET must be at least 32 characters" in message
    assert "DATABASE_URL is required" in message
    assert "APPFLEET_HTTP__CORS_ORIGINS" in message
    assert "APPFLEET_SERVER__PUBLIC_URL is required" in message


def test_production_s3_storage_needs_its_bucket_and_keys() -> None:
    settings = Settings(
        env="production",
        secret_key="s" * 40,
        database={"url": "postgresql://db/app"},
        server={"public_url": "https://api.example.com"},
        storage={"provider": "s3", "s3_endpoint_url": "https://r2.example.com"},
        billing={"provider": "disabled"},
    )
    with pytest.raises(ConfigurationError) as failure:
        with_secret_key(settings)
    message = str(failure.value)
    assert "APPFLEET_STORAGE__S3_BUCKET is required" in message
    assert "APPFLEET_STORAGE__S3_SECRET_ACCESS_KEY is required" in message
    assert "S3_ENDPOINT_URL" not in message


def test_production_starts_with_complete_settings() -> None:
    settings = Settings(
        env="production",
        secret_key="s" * 40,
        database={"url": "postgresql://db/app"},
        server={"public_url": "https://api.example.com"},
        billing={"provider": "disabled"},
    )
    assert with_secret_key(settings) is settings


def test_production_refuses_sandbox_payments_and_stripe_without_keys() -> None:
    base = {
        "env": "production",
        "secret_key": "s" * 40,
        "database": {"url": "postgresql://db/app"},
        "server": {"public_url": "https://api.example.com"},
    }
    with pytest.raises(ConfigurationError, match="sandbox accepts fake payments"):
        with_secret_key(Settings(**base))
    with pytest.raises(ConfigurationError, match="STRIPE_WEBHOOK_SECRET is required"):
        with_secret_key(Settings(**base, billing={"provider": "stripe", "stripe_secret_key": "sk"}))


def test_setting_rows_cover_every_field() -> None:
    variables = {row[0] for row in setting_rows()}
    assert "APPFLEET_DATABASE__POOL_SIZE" in variables
    assert "APPFLEET_HTTP__MAX_BODY_BYTES" in variables
    assert "[app.<name>].bundle_ids" in variables
    assert all(description for _, _, description in setting_rows())
