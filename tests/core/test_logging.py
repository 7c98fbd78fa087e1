"""Log lines: batched in a server, whole and in order, never lost."""

from __future__ import annotations

import io
import json
import logging
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

from appfleet.core import logging as applog
from appfleet.core.settings import LogSettings


class Recording(io.StringIO):
    """stderr that remembers each write() separately."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return super().write(text)

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.getvalue().splitlines()]


class Stderr:
    """Swaps a Recording in for sys.stderr inside the test body (pytest's own capture puts its
    stream back after fixtures are set up)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._monkeypatch = monkeypatch

    def __call__(self) -> Recording:
        stream = Recording()
        self._monkeypatch.setattr(sys, "stderr", stream)
        return stream


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stderr]:
    yield Stderr(monkeypatch)
    applog.stop_batching()
    applog.configure_logging(LogSettings(), cache=False)


def serving(batch_ms: int = 30) -> structlog.stdlib.BoundLogger:
    applog.configure_logging(LogSettings(batch_ms=batch_ms), cache=False, batch=True)
    return applog.get_logger("test")


def wait_for(stream: Recording, count: int) -> None:
    deadline = time.monotonic() + 5
    while len(stream.getvalue().splitlines()) < count and time.monotonic() < deadline:
        time.sleep(0.01)


def test_a_servers_info_lines_arrive_later_together_in_order(recorded: Stderr) -> None:
    stderr = recorded()
    log = serving()
    for n in range(50):
        log.info("tick", n=n)
    assert stderr.getvalue() == ""  # queued, not written by the caller
    wait_for(stderr, 50)
    assert [line["n"] for line in stderr.lines()] == list(range(50))
    assert len(stderr.writes) < 10  # a few writes, not fifty


def test_a_warning_is_written_at_once_after_what_came_before(recorded: Stderr) -> None:
    stderr = recorded()
    log = serving(batch_ms=1000)
    log.info("first")
    logging.getLogger("library").info("second")
    log.warning("third")
    assert [line["event"] for line in stderr.lines()] == ["first", "second", "third"]


def test_chunks_are_whole_lines_within_a_pipes_atomic_size(recorded: Stderr) -> None:
    stderr = recorded()
    log = serving()
    for n in range(400):
        log.info("padding", n=n, text="x" * 100)
    log.info("long", text="y" * 6000)
    wait_for(stderr, 401)
    assert len(stderr.lines()) == 401
    for write in stderr.writes:
        if not write:
            continue
        assert write.endswith("\n")
        assert len(write) <= 4096 or write.count("\n") == 1  # only a single long line is larger


def test_a_full_queue_makes_the_caller_write_nothing_is_lost(
    recorded: Stderr, monkeypatch: pytest.MonkeyPatch
) -> None:
    stderr = recorded()
    monkeypatch.setattr(applog._Batch, "MAX_PENDING", 5)
    log = serving(batch_ms=1000)
    for n in range(12):
        log.info("tick", n=n)
    assert [line["n"] for line in stderr.lines()] == list(range(12))


def test_stopping_writes_the_queue_and_everything_after_it(recorded: Stderr) -> None:
    stderr = recorded()
    log = serving(batch_ms=1000)
    log.info("queued")
    applog.stop_batching()
    assert [line["event"] for line in stderr.lines()] == ["queued"]
    log.info("after")
    assert [line["event"] for line in stderr.lines()] == ["queued", "after"]


def test_the_direct_access_line_is_the_line_structlog_renders(recorded: Stderr) -> None:
    stderr = recorded()
    fields: dict[str, Any] = {"method": "GET", "route": "/x", "status": 200, "user_id": None}
    applog.configure_logging(LogSettings(), cache=False)  # not a server: through structlog
    applog.bind_request_context(request_id="req_1")
    applog.access_line(**fields)
    serving()
    applog.access_line(**fields)
    applog.stop_batching()
    rendered, direct = stderr.lines()
    assert rendered.pop("timestamp") and direct.pop("timestamp")
    assert (
        direct == rendered == {"event": "request", **fields, "request_id": "req_1", "level": "info"}
    )
