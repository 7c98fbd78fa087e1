"""The `appfleet` command as an operator uses it, including a real server process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest
from alembic.script import ScriptDirectory
from typer.testing import CliRunner

from appfleet import __version__
from appfleet.cli import cli
from appfleet.core.migrate import alembic_config
from tests.fixtures.servers import free_port, start_server

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(cli, ["version"])
    assert result.exit_code == 0
    assert result.output.strip() == __version__


def test_config_masks_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPFLEET_SECRET_KEY", "super-secret-value-" * 3)
    monkeypatch.setenv("DATABASE_URL", "postgresql://app:hunter2@db.internal/app")
    monkeypatch.setenv("REDIS_URL", "redis://:redispass@cache:6379/0")
    result = runner.invoke(cli, ["config"])
    assert result.exit_code == 0, result.output
    effective = json.loads(result.output)
    assert "super-secret-value" not in result.output
    assert "hunter2" not in result.output
    assert "redispass" not in result.output
    assert effective["database"]["url"] == "postgresql://app:***@db.internal/app"
    assert effective["database"]["pool_size"] == 20


def test_config_table_lists_settings() -> None:
    result = runner.invoke(cli, ["config", "--table"])
    assert result.exit_code == 0
    assert "| `APPFLEET_DATABASE__STATEMENT_TIMEOUT_MS` | `10000` |" in result.output


def test_migrate_builds_and_rolls_back_the_schema(tmp_path: Path) -> None:
    up = runner.invoke(cli, ["migrate"])
    assert up.exit_code == 0, up.output
    assert f"schema: empty -> {HEAD}" in up.output
    assert (tmp_path / ".appfleet" / "appfleet.db").exists()
    again = runner.invoke(cli, ["migrate"])
    assert f"schema: {HEAD} -> {HEAD}" in again.output
    down = runner.invoke(cli, ["migrate", "--revision", "base"])
    assert down.exit_code == 0, down.output
    assert f"schema: {HEAD} -> empty" in down.output


def test_production_refuses_to_start_and_names_the_setting(tmp_path: Path) -> None:
    env = {**os.environ, "APPFLEET_ENV": "production"}
    result = subprocess.run(
        [sys.executable, "-m", "appfleet", "serve", "--port", str(free_port())],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "APPFLEET_SECRET_KEY is required" in result.stderr
    assert "DATABASE_URL is required" in result.stderr
    assert not (tmp_path / ".appfleet" / "secret_key").exists()


def test_serve_on_a_fresh_directory_migrates_answers_and_runs_jobs(tmp_path: Path) -> None:
    process, base = start_server(tmp_path, env={"APPFLEET_JOBS__POLL_INTERVAL_S": "0.2"})
    try:
        info = httpx2.get(f"{base}/api/v1/corpfinity/", timeout=5)
        assert info.status_code == 200
        assert info.json()["display_name"] == "CorpFinity"
        ready = httpx2.get(f"{base}/health/ready", timeout=5)
        assert ready.json()["checks"]["database"]["status"] == "ok"
        # Embedded mode: the server's own worker delivers the email the request queued.
        body = {"email": "ann@example.com", "password": "correct horse battery", "name": "Ann"}
        assert httpx2.post(f"{base}/api/v1/corpfinity/auth/register", json=body).status_code == 201
        forgot = {"email": "ann@example.com"}
        assert httpx2.post(f"{base}/api/v1/corpfinity/auth/forgot", json=forgot).status_code == 202
        deadline = time.monotonic() + 15
        while " sent " not in (listed := runner.invoke(cli, ["outbox", "list"]).output):
            assert time.monotonic() < deadline, listed
            time.sleep(0.2)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    events = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    applied = [e for e in events if e["event"] == "migrations_applied"]
    assert applied and applied[0]["revision"] == HEAD
    assert any(e["event"] == "request" and e["status"] == 200 for e in events)
    assert (tmp_path / ".appfleet" / "secret_key").exists()


def test_several_workers_share_one_metrics_view(tmp_path: Path) -> None:
    # Each worker limits anonymous requests on its own (20 a minute per address by default);
    # the 30 below need not split evenly between the two.
    limits = {"APPFLEET_RATELIMIT__ANONYMOUS": "1000/minute"}
    process, base = start_server(tmp_path, "--workers", "2", env=limits)
    try:
        with httpx2.Client(base_url=base, timeout=5) as client:
            # New connections each time, so both workers take some of the requests.
            for _ in range(30):
                assert httpx2.get(f"{base}/api/v1/pennywise/", timeout=5).status_code == 200
            metrics = client.get("/metrics").text
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    pids = {json.loads(line).get("pid") for line in output.splitlines() if '"started"' in line}
    line = next(
        row
        for row in metrics.splitlines()
        if row.startswith("appfleet_http_requests_total{") and 'route="/api/v1/pennywise/"' in row
    )
    assert float(line.rsplit(" ", 1)[1]) == 30.0
    assert len(pids) == 2, output


def test_admin_create_user_prints_a_one_time_password_that_works(tmp_path: Path) -> None:
    import asyncio

    from sqlalchemy import select

    from appfleet.core.database import Database, unit_of_work
    from appfleet.core.settings import AuthSettings, Settings
    from appfleet.platform.admin.models import AdminGrant
    from appfleet.platform.audit.models import AuditEvent
    from appfleet.platform.auth.passwords import Passwords
    from appfleet.platform.users.models import User

    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    created = runner.invoke(
        cli, ["admin", "create-user", "--email", "Ops@Example.com", "--role", "super_admin"]
    )
    assert created.exit_code == 0, created.output
    password = created.output.rsplit(": ", 1)[1].strip()
    promoted = runner.invoke(
        cli, ["admin", "create-user", "--email", "ops@example.com", "--role", "support"]
    )
    assert "updated ops@example.com with role support (deployment-wide)" in promoted.output
    assert "one-time password" not in promoted.output
    scoped = runner.invoke(
        cli,
        ["admin", "create-user", "--email", "ops@example.com", "--only-app", "healthindex"],
    )
    assert "role admin (in healthindex only)" in scoped.output, scoped.output
    refused = runner.invoke(
        cli, ["admin", "create-user", "--email", "x@example.com", "--role", "owner"]
    )
    assert refused.exit_code == 2

    async def stored() -> tuple[User, list[AuditEvent], list[AdminGrant]]:
        db = Database(Settings().database_url, Settings().database)
        async with unit_of_work(db, write=False) as session:
            user = await session.scalar(select(User).where(User.email == "ops@example.com"))
            events = list(await session.scalars(select(AuditEvent)))
            grants = list(await session.scalars(select(AdminGrant)))
        await db.dispose()
        assert user is not None
        return user, events, grants

    user, events, grants = asyncio.run(stored())
    assert [(g.role, g.app) for g in grants] == [("support", None), ("admin", "healthindex")]
    assert [e.details["role"] for e in events if e.action == "role_change"] == [
        "super_admin",
        "support",
        "admin",
    ]
    matches, _ = asyncio.run(Passwords(AuthSettings()).verify(password, user.password_hash))
    assert matches


def test_privacy_purge_and_the_outbox_listing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    from appfleet.core.settings import Settings
    from appfleet.main import create_app
    from tests.fixtures.accounts import bearer, register
    from tests.fixtures.app import serve

    monkeypatch.setenv("APPFLEET_AUTH__DELETION_RETENTION_DAYS", "0")
    monkeypatch.setenv("APPFLEET_LOG__ACCESS", "false")
    # No in-process worker: the scheduler would purge (and deliver) before the commands below.
    monkeypatch.setenv("APPFLEET_JOBS__EMBEDDED_WORKER", "false")
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    assert "the outbox is empty" in runner.invoke(cli, ["outbox", "list"]).output

    async def sign_up_then_delete() -> None:
        async with serve(create_app(Settings())) as client:
            account = await register(client, email="gone@example.com")
            await register(client, email="stays@example.com")
            await client.post("/api/v1/corpfinity/auth/forgot", json={"email": "stays@example.com"})
            deleted = await client.delete(
                "/api/v1/corpfinity/auth/account", headers=bearer(account["access_token"])
            )
            assert deleted.status_code == 202

    asyncio.run(sign_up_then_delete())
    listed = runner.invoke(cli, ["outbox", "list", "--to", "stays@example.com", "--body"])
    assert listed.exit_code == 0, listed.output
    assert "Reset your CorpFinity password" in listed.output
    assert "pending" in listed.output and "gone@example.com" not in listed.output
    purged = runner.invoke(cli, ["privacy", "purge"])
    assert purged.exit_code == 0, purged.output
    assert "purged 1 account(s)" in purged.output
    assert "purged 0 account(s)" in runner.invoke(cli, ["privacy", "purge"]).output
    remaining = runner.invoke(cli, ["outbox", "list"]).output
    assert "gone@example.com" not in remaining and "stays@example.com" in remaining


def test_worker_delivers_lists_dead_jobs_retries_them_and_stops_on_sigterm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio
    import signal

    from appfleet.core.clock import Clock
    from appfleet.core.database import Database, unit_of_work
    from appfleet.core.settings import Settings
    from appfleet.core.tasks import Task
    from appfleet.main import create_app
    from appfleet.runtime.jobs import queue
    from tests.fixtures.accounts import register
    from tests.fixtures.app import serve

    monkeypatch.setenv("APPFLEET_LOG__ACCESS", "false")
    monkeypatch.setenv("APPFLEET_JOBS__EMBEDDED_WORKER", "false")
    assert runner.invoke(cli, ["migrate"]).exit_code == 0

    async def request_a_reset_and_queue_an_orphan() -> None:
        settings = Settings()
        async with serve(create_app(settings)) as client:
            await register(client, email="ann@example.com")
            await client.post("/api/v1/corpfinity/auth/forgot", json={"email": "ann@example.com"})
        db = Database(settings.database_url, settings.database)
        async with unit_of_work(db) as session:  # a job no deployed code knows how to run
            await queue.enqueue(session, Clock(), Task("retired.task", _never))
        await db.dispose()

    asyncio.run(request_a_reset_and_queue_an_orphan())
    assert " pending " in runner.invoke(cli, ["outbox", "list"]).output
    worker = subprocess.Popen(
        [sys.executable, "-m", "appfleet", "worker", "--concurrency", "2"],
        cwd=tmp_path,
        env={**os.environ, "APPFLEET_JOBS__POLL_INTERVAL_S": "0.2"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while " sent " not in runner.invoke(cli, ["outbox", "list"]).output:
            assert time.monotonic() < deadline, "the worker did not deliver the email"
            time.sleep(0.2)
        while "retired.task" not in (dead := runner.invoke(cli, ["jobs", "dead"]).output):
            assert time.monotonic() < deadline, "the orphan job did not reach the dead letters"
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    assert worker.returncode == 0, output
    assert "unknown task 'retired.task'" in dead
    job_id = dead.split()[0]
    retried = runner.invoke(cli, ["jobs", "retry", job_id])
    assert retried.exit_code == 0 and f"requeued {job_id}" in retried.output
    assert runner.invoke(cli, ["jobs", "dead"]).output.strip() == "no dead jobs"
    again = runner.invoke(cli, ["jobs", "retry", job_id])
    assert again.exit_code == 1 and "No dead job" in again.output


async def _never(*_args: object) -> None:
    raise AssertionError("never run")
