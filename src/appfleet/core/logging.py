"""Structured logging: one JSON object per line, request context bound through contextvars."""

from __future__ import annotations

import atexit
import logging
import os
import sys
import threading
import time
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import orjson
import structlog

from appfleet.core.settings import LogSettings


def configure_logging(settings: LogSettings, *, cache: bool = True, batch: bool = False) -> None:
    """`cache=False` keeps loggers re-readable, for tests that swap in a capturing config.
    `batch`: a server's lines below WARNING are written in batches (`settings.batch_ms`)."""
    level = logging.getLevelNamesMapping()[settings.level]
    _BATCH.interval_s = settings.batch_ms / 1000 if batch else 0.0
    # A server's JSON access lines skip structlog's pipeline (see access_line).
    _ACCESS["direct"] = batch and settings.json_output and level <= logging.INFO
    # Every request writes an access line, so these are the cheap equivalents of structlog's
    # merge_contextvars (which walks every context variable of every library) and TimeStamper,
    # and orjson instead of json: together a line costs about a third of what it did.
    shared: list[structlog.typing.Processor] = [
        _merge_request_context,
        structlog.processors.add_log_level,
        _timestamp,
    ]
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer(serializer=_dumps)
        if settings.json_output
        else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info if settings.json_output else _keep,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=_StderrLogger,
        cache_logger_on_first_use=cache,
    )
    # Library loggers (uvicorn, sqlalchemy, alembic) go through the same renderer.
    handler = _StderrHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Chatty at INFO: alembic narrates its context, httpx2 logs every request it sends.
    for name in ("alembic", "httpx2", "httpcore2"):
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    # uvicorn's own access log would duplicate ours.
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


# Whole lines up to this size reach a pipe in one piece even when several processes share it.
_PIPE_BUF = 4096


def _write_lines(lines: list[str]) -> None:
    """To whatever `sys.stderr` is now, in chunks of whole lines of at most _PIPE_BUF bytes
    (a longer line alone), so the lines of several worker processes never interleave."""
    stream = sys.stderr
    chunk: list[str] = []
    size = 0
    for line in lines:
        length = len(line) + 1  # close enough for the bound: most lines are ASCII
        if chunk and size + length > _PIPE_BUF:
            stream.write("".join(chunk))
            chunk, size = [], 0
        chunk.append(line + "\n")
        size += length
    if chunk:
        stream.write("".join(chunk))
    stream.flush()


class _Batch:
    """Lines a server writes below WARNING, written by a background thread every `interval_s`.

    A write to stderr per access line was a tenth of a small request's cost, and a stalled log
    reader blocked the event loop with it. Here the loop only appends to a list. When the list
    is full (the reader is stalled), the caller writes its line itself: slower, never lost.
    Warnings and errors flush what is queued and are written at once, so they are never
    delayed or reordered; the queue is flushed at exit, and a forked child starts empty."""

    MAX_PENDING = 10_000

    def __init__(self) -> None:
        self.interval_s = 0.0  # 0: every line is written at once
        self._pending: list[str] = []
        self._lock = threading.Lock()  # guards _pending
        self._writing = threading.Lock()  # keeps lines in order across the two writers
        self._thread: threading.Thread | None = None

    def add(self, line: str) -> bool:
        """Queue `line`; False when batching is off or the queue is full."""
        if self.interval_s <= 0:
            return False
        with self._lock:
            if len(self._pending) >= self.MAX_PENDING:
                return False
            self._pending.append(line)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="appfleet-log", daemon=True)
                self._thread.start()
        return True

    def write_now(self, line: str) -> None:
        """`line` at once, after everything queued before it."""
        with self._writing:
            _write_lines([*self._take(), line])

    def flush(self) -> None:
        with self._writing:
            if lines := self._take():
                _write_lines(lines)

    def _take(self) -> list[str]:
        with self._lock:
            lines, self._pending = self._pending, []
        return lines

    def _run(self) -> None:
        while True:
            time.sleep(self.interval_s or 0.05)
            try:
                self.flush()
            except Exception:  # noqa: S110 - a closed stderr at exit; nothing to report to
                pass

    def forget(self) -> None:
        """In a forked child: the parent writes its own queue; the child starts its thread."""
        self._pending, self._thread = [], None
        self._lock, self._writing = threading.Lock(), threading.Lock()


_BATCH = _Batch()
atexit.register(_BATCH.flush)
os.register_at_fork(after_in_child=_BATCH.forget)


def stop_batching() -> None:
    """Write what is queued and every later line at once: called when a server starts to shut
    down, since uvicorn ends by re-raising the signal it caught, and a process killed by its
    signal runs no exit handlers."""
    _BATCH.interval_s = 0.0
    _BATCH.flush()


def _emit(line: str) -> None:
    """A line below WARNING: queued when batching, else written at once."""
    if not _BATCH.add(line):
        _BATCH.write_now(line)


class _StderrLogger:
    """Writes to whatever `sys.stderr` is at the time of the write, not at configuration: a CLI
    command run under a test runner configures logging while stderr is a capture stream that is
    closed afterwards. Below WARNING, a server's lines are batched (`_Batch`)."""

    def __init__(self, *args: Any) -> None:
        pass

    def msg(self, message: str) -> None:
        _emit(message)

    def urgent(self, message: str) -> None:
        _BATCH.write_now(message)

    log = debug = info = msg
    warn = warning = error = critical = exception = fatal = failure = urgent


class _StderrHandler(logging.Handler):
    """The stdlib side of the same rules: stderr as it is at each record, lines below WARNING
    batched in a server, in one order with structlog's lines."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
            if record.levelno < logging.WARNING:
                _emit(line)
            else:
                _BATCH.write_now(line)
        except Exception:
            self.handleError(record)


_REQUEST_CONTEXT: ContextVar[dict[str, Any] | None] = ContextVar(
    "appfleet_log_context", default=None
)


_ACCESS: dict[str, bool] = {"direct": False}
_access_log = structlog.get_logger("appfleet.http")


def access_line(**fields: Any) -> None:
    """The access log's line for one request. In a server writing JSON it is the object
    structlog would render (the same keys, the bound request context included), dumped and
    queued directly: the processor chain cost a tenth of a small request. Elsewhere (console
    output, tests capturing events) it goes through structlog like any line."""
    if not _ACCESS["direct"]:
        _access_log.info("request", **fields)
        return
    event: dict[str, Any] = {"event": "request", **fields}
    if bound := _REQUEST_CONTEXT.get():
        for key, value in bound.items():
            event.setdefault(key, value)
    event["level"] = "info"
    _emit(orjson.dumps(_timestamp(None, "info", event)).decode())


def bind_request_context(**values: Any) -> None:
    """Fields every log line of the current request carries (a new request starts afresh)."""
    _REQUEST_CONTEXT.set(values)


def _merge_request_context(
    logger: structlog.typing.WrappedLogger, name: str, event: structlog.typing.EventDict
) -> structlog.typing.EventDict:
    bound = _REQUEST_CONTEXT.get()
    if bound:
        for key, value in bound.items():
            event.setdefault(key, value)
    return event


def _timestamp(
    logger: structlog.typing.WrappedLogger, name: str, event: structlog.typing.EventDict
) -> structlog.typing.EventDict:
    event["timestamp"] = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    return event


def _dumps(value: Any, **kwargs: Any) -> str:
    return orjson.dumps(value, default=kwargs.get("default")).decode()


def _keep(
    logger: structlog.typing.WrappedLogger, name: str, event: structlog.typing.EventDict
) -> structlog.typing.EventDict:
    return event


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)  # type: ignore[no-any-return]
