"""Keeps Python's full garbage collections from stalling the bot's event loop for a tenth of a second.

Why: a full (generation 2) collection walks every container object the process holds, and it runs on
whichever thread happens to allocate, which in the bot is mostly the event loop. ``copbot run`` holds
about 160,000 such objects once slack-bolt, discord.py, SQLAlchemy, pydantic and the rituals are
imported and the runtime has started; one full pass over them took 94-130 ms on the 2-core bench
machine (bench/memory.py prints it), about 20 times the loop stall the participation writer is
allowed. Python runs such a pass whenever a quarter more objects have survived since the last one.
Nearly all of those objects live as long as the process, so walking them finds nothing.

``gc.freeze()`` moves every object alive at that moment into a permanent generation that collections
skip; objects made afterwards are collected as before. Frozen objects are still freed by reference
counting when dropped (a config replaced by a reload is); only a reference cycle among them is kept,
and start-up builds few of those. It is done once, right after start-up, and only when ``copbot run``
asked for it: that process is the bot and nothing else. Test processes start and stop hundreds of
runtimes, and freezing there would keep each one's cycles forever.
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
