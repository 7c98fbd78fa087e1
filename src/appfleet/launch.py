"""The `appfleet` command's entry point: garbage collection is paused before the command line
and everything it starts are imported (core/startup.py says why)."""

from __future__ import annotations

from appfleet.core.startup import pause_collection


def main() -> None:
    pause_collection()
    from appfleet.cli import main as run_cli

    run_cli()
