"""Garbage collection paused while a process starts.

Start-up builds a few hundred thousand objects that live as long as the process (modules,
routes, models, schemas). The collector runs every few hundred allocations and finds nothing
to free among them, which made up a large share of a cold start. The command line pauses it
before importing anything; it resumes once the process is ready, with what start-up built
frozen out of later collections, so full collections under load stay short.
"""

from __future__ import annotations

import gc

_paused = False


def pause_collection() -> None:
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_collection() -> None:
    """Collection on again after a pause (nothing happens when there was none: a test process
    or an embedding server keeps its own collector as it is)."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
