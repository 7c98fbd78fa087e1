"""Garbage collection is paused while a process starts and resumes once it is ready."""

from __future__ import annotations

import gc
from pathlib import Path

from appfleet.core.startup import resume_collection
from tests.fixtures.processes import run_python

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


def _marks(tmp_path: Path, source: str) -> list[str]:
    lines = run_python(source, tmp_path).splitlines()
    return [line for line in lines if line.startswith(("building", "serving", "command"))]


def test_a_server_collects_again_once_started_with_start_up_frozen(tmp_path: Path) -> None:
    assert _marks(tmp_path, _SERVER) == ["building False", "serving True True"]


def test_other_commands_collect_from_their_start(tmp_path: Path) -> None:
    assert _marks(tmp_path, _COMMAND) == ["command True"]


def test_without_a_pause_the_collector_is_left_as_it_is() -> None:
    frozen = gc.get_freeze_count()
    resume_collection()
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen
