"""The deployment files (Dockerfile, docker-compose.yml, render.yaml, vercel.json) cannot be
built here; these checks hold them to what the code runs: commands that exist, probes and cron
paths the app serves, no secret given a default, a non-root image."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from pydantic import SecretStr

from appfleet.cli import cli
from appfleet.core.clock import FixedClock
from appfleet.core.settings import Settings
from appfleet.main import create_app
from tests.fixtures.app import serve
from tests.fixtures.processes import run_python

ROOT = Path(__file__).resolve().parents[1]
CRON_SECRET = "vercel-cron-secret-" + "c" * 32


def _commands() -> set[str]:
    group: Any = typer.main.get_command(cli)
    return set(group.commands)


def _assert_runs_appfleet(command: str | list[str]) -> None:
    words = shlex.split(command) if isinstance(command, str) else command
    assert words[0] == "appfleet", words
    assert words[1] in _commands(), f"appfleet has no command {words[1]!r}"


def test_compose_runs_api_worker_and_migrations_on_postgres_and_redis() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"migrate", "api", "worker", "postgres", "redis"}
    for name in ("migrate", "api", "worker"):
        _assert_runs_appfleet(services[name]["command"])
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgresql://")
        assert environment["REDIS_URL"].startswith("redis://redis:")
        # A secret without a value stops compose; it is never defaulted.
        assert re.fullmatch(r"\$\{APPFLEET_SECRET_KEY:\?.+\}", environment["APPFLEET_SECRET_KEY"])
    assert services["api"]["depends_on"]["migrate"] == {
        "condition": "service_completed_successfully"
    }
    # Longer than the 30 s in which in-flight requests and jobs finish after SIGTERM.
    assert int(services["api"]["stop_grace_period"].rstrip("s")) > 30


def test_render_blueprint_commands_probe_and_secrets() -> None:
    blueprint = yaml.safe_load((ROOT / "render.yaml").read_text())
    by_type = {service["type"]: service for service in blueprint["services"]}
    web, worker = by_type["web"], by_type["worker"]
    for service in (web, worker):
        _assert_runs_appfleet(service["startCommand"])
        variables = {v["key"]: v for v in service["envVars"]}
        assert variables["APPFLEET_SECRET_KEY"] == {
            "key": "APPFLEET_SECRET_KEY",
            "generateValue": True,
        }
        assert (
            variables["DATABASE_URL"]["fromDatabase"]["name"] == blueprint["databases"][0]["name"]
        )
        assert variables["REDIS_URL"]["fromService"]["name"] == by_type["keyvalue"]["name"]
    _assert_runs_appfleet(web["preDeployCommand"])
    assert "--port $PORT" in web["startCommand"]  # Render says which port to bind


def test_vercel_cron_targets_the_tick_every_minute() -> None:
    config = json.loads((ROOT / "vercel.json").read_text())
    assert config["crons"] == [{"path": "/internal/cron/tick", "schedule": "* * * * *"}]
    assert set(config["functions"]) == {"api/index.py"}


@pytest.mark.anyio
async def test_the_probe_and_cron_paths_answer_as_the_hosts_call_them(
    settings: Settings, clock: FixedClock
) -> None:
    probe = yaml.safe_load((ROOT / "render.yaml").read_text())["services"][0]["healthCheckPath"]
    (cron,) = json.loads((ROOT / "vercel.json").read_text())["crons"]
    jobs = settings.jobs.model_copy(update={"cron_secret": SecretStr(CRON_SECRET)})
    app = create_app(settings.model_copy(update={"jobs": jobs}), clock=clock)
    async with serve(app) as client:
        assert (await client.get(probe)).status_code == 200
        # Vercel calls the cron path with GET and its CRON_SECRET as a bearer token.
        tick = await client.get(cron["path"], headers={"Authorization": f"Bearer {CRON_SECRET}"})
        assert tick.status_code == 200, tick.text
        assert set(tick.json()) == {"enqueued", "ran"}


def test_the_vercel_entry_point_builds_the_asgi_app(tmp_path: Path) -> None:
    probe = "import runpy; print(type(runpy.run_path(%r)['app']).__name__)"
    output = run_python(probe % str(ROOT / "api" / "index.py"), tmp_path)
    assert output.strip() == "FleetAPI"


def _dockerfile() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def test_the_image_runs_appfleet_as_a_user_and_probes_health() -> None:
    instructions = _dockerfile()
    names = [name for name, _ in instructions]
    assert names[0] == "FROM" and ":" in instructions[0][1]  # a pinned base, not :latest
    assert "latest" not in instructions[0][1]
    user = [argument for name, argument in instructions if name == "USER"]
    assert user and user[-1] not in ("root", "0")
    command = json.loads(next(a for n, a in instructions if n == "CMD"))
    _assert_runs_appfleet(command)
    health = next(a for n, a in instructions if n == "HEALTHCHECK")
    assert "/health" in health
    # apt lists removed in the layer that made them (hadolint DL3009), pip without cache.
    for name, argument in instructions:
        if name == "RUN" and "apt-get install" in argument:
            assert "--no-install-recommends" in argument
            assert "rm -rf /var/lib/apt/lists/*" in argument
    assert "PIP_NO_CACHE_DIR=1" in dict(instructions)["ENV"]


@pytest.mark.parametrize("name", ["docker-compose.yml", "render.yaml", "vercel.json", "Dockerfile"])
def test_the_readme_explains_each_file(name: str) -> None:
    deploy = (ROOT / "README.md").read_text().split("## Deploy", 1)[1].split("\n## ", 1)[0]
    assert f"`{name}`" in deploy
