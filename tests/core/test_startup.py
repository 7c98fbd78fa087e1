"""Garbage collection is paused while a process starts and resumes once it is ready."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

from appfleet.core.startup import resume_collection

_SERVER = """
import asyncio, gc
from appfleet.core.startup import pause_collection
pause_collection()
from asgi_lifespan import LifespanManager
from appfleet.main import app_from_environment

async def start():
    app = app_from_environment()
    print("building", gc.isenabled())
    async with LifespanManager(app):
        print("serving", gc.isenabled(), gc.get_freeze_count() > 0)

asyncio.run(start())
"""

_COMMAND = """
import gc, sys
from appfleet.core.startup import pause_collection
pause_collection()
from appfleet.cli import main
sys.argv = ["appfleet", "version"]
try:
    main()
finally:
    print("command", gc.isenabled())
"""


def _run(tmp_path: Path, source: str) -> list[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("APPFLEET_")},
        "APPFLEET_SECRET_KEY": "startup-test-" + "k" * 32,
    }
    result = subprocess.run(
        [sys.executable, "-c", source],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    marks = ("building", "serving", "command")
    return [line for line in result.stdout.splitlines() if line.startswith(marks)]


def test_a_server_collects_again_once_started_with_start_up_frozen(tmp_path: Path) -> None:
    assert _run(tmp_path, _SERVER) == ["building False", "serving True True"]


def test_other_commands_collect_from_their_start(tmp_path: Path) -> None:
    assert _run(tmp_path, _COMMAND) == ["command True"]


def test_without_a_pause_the_collector_is_left_as_it_is() -> None:
    frozen = gc.get_freeze_count()
    resume_collection()
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen
