"""Backups and restores of a database the API has written to: what comes back is what was
backed up, row for row, and a restore that is not complete says which table differs."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from appfleet.apps import MANIFESTS
from appfleet.cli import cli
from appfleet.core import backup
from appfleet.core.clock import FixedClock
from appfleet.core.database import Database
from appfleet.core.settings import DatabaseSettings, RateLimitSettings, Settings
from appfleet.main import create_app
from tests.apps.pennywise.ledger import record
from tests.fixtures.accounts import bearer, log_in, register
from tests.fixtures.app import serve
from tests.fixtures.services import scratch_database

pytestmark = pytest.mark.anyio


async def _fill(settings: Settings, clock: FixedClock) -> None:
    """Accounts, sessions, audit rows, queued emails and a transaction, through the API."""
    async with serve(create_app(settings, clock=clock, manifests=MANIFESTS)) as client:
        ann = await register(client, "pennywise", "ann@example.com")
        await register(client, "corpfinity", "bob@example.com", name="Bob")
        await record(client, bearer(ann["access_token"]), "12.50", description="Lunch")


async def _digest(url: str) -> backup.Manifest:
    db = Database(url, DatabaseSettings())
    try:
        return await backup.digest(db)
    finally:
        await db.dispose()


async def _run(url: str, action: str, path: Path) -> list[str]:
    db = Database(url, DatabaseSettings())
    try:
        if action == "back_up":
            await backup.back_up(db, path)
            return []
        return await backup.restore(db, path)
    finally:
        await db.dispose()


async def test_a_restore_brings_back_exactly_the_backed_up_rows(
    settings: Settings, clock: FixedClock, database_url: str, tmp_path: Path
) -> None:
    await _fill(settings, clock)
    target = tmp_path / "backups" / "appfleet.dump"
    await _run(database_url, "back_up", target)
    written = backup.Manifest.read(backup.manifest_path(target))
    assert written.tables["user_account"].rows == 2
    assert written.tables["pennywise_transaction"].rows == 1

    # After the backup Carol signs up: the restore forgets her.
    async with serve(create_app(settings, clock=clock, manifests=MANIFESTS)) as client:
        await register(client, "corpfinity", "carol@example.com", name="Carol")
    assert (await _digest(database_url)).tables["user_account"].rows == 3

    assert await _run(database_url, "restore", target) == []
    assert (await _digest(database_url)).tables == written.tables
    async with serve(create_app(settings, clock=clock, manifests=MANIFESTS)) as client:
        assert (await log_in(client, "pennywise", "ann@example.com")).status_code == 200
        assert (await log_in(client, "corpfinity", "carol@example.com")).status_code == 401


async def test_a_backup_restores_into_an_empty_database(
    settings: Settings, clock: FixedClock, database_url: str, tmp_path: Path
) -> None:
    # The disaster case: a new server with an empty database and yesterday's backup.
    await _fill(settings, clock)
    target = tmp_path / "appfleet.dump"
    await _run(database_url, "back_up", target)
    async with scratch_database(database_url, tmp_path) as empty:
        assert await _run(empty, "restore", target) == []
        restored = await _digest(empty)
    assert restored.tables == (await _digest(database_url)).tables
    assert restored.tables["alembic_version"].rows == 1  # the schema's revision came along


async def test_a_backup_taken_while_the_api_writes_matches_its_manifest(
    settings: Settings, clock: FixedClock, database_url: str, tmp_path: Path
) -> None:
    # Backups run on a live server: the copy and the manifest must describe the same moment.
    target = tmp_path / "appfleet.dump"
    # One user writes as fast as the server answers; the per-user write limit would stop it.
    unlimited = settings.model_copy(update={"ratelimit": RateLimitSettings(enabled=False)})
    async with serve(create_app(unlimited, clock=clock, manifests=MANIFESTS)) as client:
        ann = bearer((await register(client, "pennywise", "ann@example.com"))["access_token"])
        writing, first_written = True, asyncio.Event()

        async def keep_writing() -> int:
            written = 0
            while writing:
                await record(client, ann, "1.00", description=f"coffee {written}")
                written += 1
                first_written.set()
            return written

        writer = asyncio.create_task(keep_writing())
        # The backup starts once rows are being written (a fixed pause was too short on a
        # slow host, and the copy then held no transaction at all).
        await asyncio.wait_for(first_written.wait(), timeout=30)
        await _run(database_url, "back_up", target)
        writing = False
        written = await writer
    backed_up = backup.Manifest.read(backup.manifest_path(target))
    assert 0 < backed_up.tables["pennywise_transaction"].rows <= written
    async with scratch_database(database_url, tmp_path) as empty:
        assert await _run(empty, "restore", target) == []


async def test_a_restore_names_the_tables_that_differ_from_the_manifest(
    settings: Settings, clock: FixedClock, database_url: str, tmp_path: Path
) -> None:
    await _fill(settings, clock)
    target = tmp_path / "appfleet.dump"
    await _run(database_url, "back_up", target)
    manifest_file = backup.manifest_path(target)
    raw = json.loads(manifest_file.read_text())
    raw["tables"]["user_account"]["rows"] = 5
    raw["tables"]["pennywise_transaction"]["sha256"] = "0" * 64
    manifest_file.write_text(json.dumps(raw))
    differences = await _run(database_url, "restore", target)
    assert differences == [
        "pennywise_transaction: 1 rows, but their contents differ",
        "user_account: 5 rows expected, 2 restored",
    ]


async def test_a_backup_of_the_other_kind_of_database_is_refused(
    settings: Settings, clock: FixedClock, tmp_path: Path
) -> None:
    target = tmp_path / "appfleet.dump"
    target.write_bytes(b"not a database")
    backup.Manifest(dialect="mysql", created_at="2026-03-08T12:00:00+00:00", tables={}).write(
        backup.manifest_path(target)
    )
    with pytest.raises(backup.BackupError, match="the backup is of mysql"):
        await _run(settings.database_url, "restore", target)
    with pytest.raises(backup.BackupError, match="no backup at"):
        await _run(settings.database_url, "restore", tmp_path / "missing.dump")


def test_the_commands_back_up_refuse_without_yes_and_restore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    target = tmp_path / "nightly" / "appfleet.db"
    made = runner.invoke(cli, ["backup", str(target)])
    assert made.exit_code == 0, made.output
    assert f"to {target}:" in made.output
    assert backup.manifest_path(target).is_file()

    refused = runner.invoke(cli, ["restore", str(target)])
    assert refused.exit_code == 2
    assert "--yes" in refused.output
    done = runner.invoke(cli, ["restore", str(target), "--yes"])
    assert done.exit_code == 0, done.output
    assert "every table matches" in done.output
    missing = runner.invoke(cli, ["restore", str(tmp_path / "nope.db"), "--yes"])
    assert missing.exit_code == 1
    assert "no backup at" in missing.output
