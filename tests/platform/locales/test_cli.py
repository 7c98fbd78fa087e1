"""`appfleet locales import|export|translate` as an operator runs them."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from appfleet.cli import cli
from appfleet.core.database import Database, unit_of_work
from appfleet.core.settings import Settings
from appfleet.runtime.jobs.models import Job

runner = CliRunner()


def _jobs() -> list[Job]:
    async def run() -> list[Job]:
        db = Database(Settings().database_url, Settings().database)
        try:
            async with unit_of_work(db, write=False) as session:
                return list(await session.scalars(select(Job)))
        finally:
            await db.dispose()

    return asyncio.run(run())


def test_export_edit_import_and_queue_a_translation(tmp_path: Path) -> None:
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    out = tmp_path / "locales"
    exported = runner.invoke(cli, ["locales", "export", str(out), "--app", "fitnudge"])
    assert exported.exit_code == 0, exported.output
    assert sorted(p.name for p in out.iterdir()) == [
        "common.json",
        "de.json",
        "en.json",
        "es.json",
        "fr.json",
    ]
    assert json.loads((out / "es.json").read_text())["checkin.prompt"] == "¿Fuiste hoy?"

    unchanged = runner.invoke(cli, ["locales", "import", str(out), "--app", "fitnudge"])
    assert "0 bundle(s) changed, 8 unchanged" in unchanged.output

    english = json.loads((out / "en.json").read_text())
    (out / "en.json").write_text(json.dumps({**english, "wall.empty": "No posts yet"}))
    imported = runner.invoke(cli, ["locales", "import", str(out), "--app", "fitnudge"])
    assert imported.exit_code == 0, imported.output
    assert "en/ui: version 2, 38 keys" in imported.output
    assert "1 bundle(s) changed" in imported.output

    queued = runner.invoke(cli, ["locales", "translate", "--app", "fitnudge", "--to", "es"])
    assert queued.exit_code == 0, queued.output
    assert "queued locales.translate: 1 key(s) missing in es" in queued.output
    [job] = [j for j in _jobs() if j.task == "locales.translate"]
    assert job.args == {"app": "fitnudge", "lang": "es", "limit": 500}
    regional = runner.invoke(cli, ["locales", "translate", "--app", "fitnudge", "--to", "de-AT"])
    assert "queued" in regional.output  # a new language: everything is missing


def test_bad_input_is_refused_before_touching_the_database(tmp_path: Path) -> None:
    (tmp_path / "en.json").write_text("{broken")
    broken = runner.invoke(cli, ["locales", "import", str(tmp_path), "--app", "fitnudge"])
    assert broken.exit_code == 1 and "en.json: not valid JSON" in broken.output
    unknown = runner.invoke(cli, ["locales", "import", str(tmp_path), "--app", "nosuch"])
    assert unknown.exit_code == 2 and "--app must be one of" in unknown.output
    english = runner.invoke(cli, ["locales", "translate", "--app", "fitnudge", "--to", "en"])
    assert english.exit_code == 2
    assert not (tmp_path / "data").exists()  # no database was made
