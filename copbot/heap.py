"""Freezes the start-up heap once ``copbot run`` has started, so full garbage collections skip it.

Why: a full collection walks every container object, on whichever thread allocates (mostly the event loop).
After start-up the bot holds about 160,000 objects that live as long as the process, and one pass over them
stalled the loop for about 0.1 s (``python bench/memory.py``). ``gc.freeze()`` sets them aside; objects made
later are collected as before. Only the bot process freezes: test processes start hundreds of runtimes.
"""

from __future__ import annotations

import gc
import time

_requested = False


def freeze_after_start() -> None:
    """Called by ``copbot run`` before it starts the bot: this process is the bot, so freeze once started."""
    global _requested
    _requested = True


def settle() -> None:
    """Right after the runtime has started: freeze the start-up heap if ``copbot run`` asked; once only."""
    global _requested
    if _requested:
        _requested = False
        freeze_now()


def freeze_now() -> float:
    """Collect what start-up left behind, then freeze the rest; returns that collection's seconds.

    Collecting first matters: garbage frozen would never be freed. The returned time is what one full
    collection cost before the freeze (the pause every later one would have cost without it).
    """
    started = time.perf_counter()
    gc.collect()
    seconds = time.perf_counter() - started
    gc.freeze()
    return seconds
