"""The TypeScript SDK for real: `appfleet sdk typescript` writes PennyWise's package, npm
installs its pinned tools, openapi-typescript generates its types, `tsc --strict` compiles it
with its Node test suite (tests/sdk/pennywise.test.ts), and the suite runs against a live
appfleet started here with a five-second access token."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.servers import start_server
from tests.fixtures.services import REQUIRE_VARIABLE, services_required

SUITE = Path(__file__).with_name("pennywise.test.ts")
TTL_S = 5


def need_node() -> str:
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        if services_required():
            pytest.fail(f"Node.js and npm are required ({REQUIRE_VARIABLE}=1)", pytrace=False)
        pytest.skip("the SDK tests need Node.js 20+ and npm")
    return npm


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(  # noqa: S603 - fixed commands
        command,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **(env or {})},
        check=False,
    )
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}\n{done.stderr}"[-6000:]
    return done.stdout


@pytest.mark.timeout(900)
def test_the_generated_package_compiles_strictly_and_works_against_a_live_server(
    tmp_path: Path,
) -> None:
    npm = need_node()
    package = tmp_path / "pennywise-sdk"
    env = {"APPFLEET_DATA_DIR": str(tmp_path / "data")}
    made = run(
        [
            sys.executable,
            "-m",
            "appfleet",
            "sdk",
            "typescript",
            "--app",
            "pennywise",
            "--out",
            str(package),
        ],
        tmp_path,
        env,
    )
    assert "built @appfleet/pennywise" in made
    schema = (package / "src" / "schema.d.ts").read_text()
    assert '"transactions.list": {' in schema and '"chat.sendMessage": {' in schema
    (package / "test").mkdir()
    shutil.copy(SUITE, package / "test" / SUITE.name)
    run([npm, "run", "--silent", "build"], package)  # tsc --strict, the suite included

    server, base = start_server(
        tmp_path,
        env={
            **env,
            "APPFLEET_LOG__ACCESS": "false",
            "APPFLEET_AUTH__ACCESS_TOKEN_TTL_S": str(TTL_S),
            "APPFLEET_RATELIMIT__SIGNUP": "100/minute",
        },
    )
    try:
        output = run(
            [npm, "test"],
            package,
            {"APPFLEET_BASE_URL": base, "APPFLEET_ACCESS_TTL_S": str(TTL_S)},
        )
    finally:
        server.terminate()
        server.communicate(timeout=30)
    assert "# fail 0" in output and "# pass 6" in output, output
