"""The start-up heap is frozen out of garbage collection in ``copbot run``, and only there (copbot/heap.py)."""

from __future__ import annotations

import gc
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import metrics
from copbot import heap

ROOT = Path(__file__).resolve().parents[1]
COPBOT = [sys.executable, "-m", "copbot.cli"]


@pytest.fixture
def unfrozen() -> Iterator[None]:
    """Each test starts and ends with nothing frozen and no freeze requested (the test process is not the bot)."""
    gc.unfreeze()
    heap._requested = False
    yield
    gc.unfreeze()
    heap._requested = False


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def _cycle() -> weakref.ref[_Node]:
    """Garbage only a collection can free (two objects pointing at each other), watched by a weak reference."""
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    return weakref.ref(a)


def test_settle_freezes_nothing_unless_copbot_run_asked(unfrozen: None) -> None:
    heap.settle()
    assert gc.get_freeze_count() == 0
    assert metrics.value("copbot_gc_frozen_objects") == 0


def test_settle_freezes_once_after_it_was_asked(unfrozen: None) -> None:
    heap.freeze_after_start()
    heap.settle()
    frozen = gc.get_freeze_count()
    assert frozen > 1000  # at least the imported modules' objects
    assert metrics.value("copbot_gc_frozen_objects") == frozen
    heap.settle()  # a second start (a restarted runtime in the same process) does not freeze again
    assert gc.get_freeze_count() == frozen


def test_garbage_is_collected_before_the_freeze_not_frozen_with_it(unfrozen: None) -> None:
    gc.disable()  # so only freeze_now's own collection can free the cycle
    try:
        watched = _cycle()
        assert watched() is not None
        heap.freeze_now()
        assert watched() is None
    finally:
        gc.enable()


def test_garbage_made_after_the_freeze_is_still_collected(unfrozen: None) -> None:
    heap.freeze_now()
    watched = _cycle()
    gc.collect()
    assert watched() is None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _scrape(port: int, deadline: float) -> str:
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
                return str(answer.read().decode())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _frozen(page: str) -> float:
    for line in page.splitlines():
        if line.startswith("copbot_gc_frozen_objects "):
            return float(line.split()[1])
    raise AssertionError("copbot_gc_frozen_objects is not on /metrics")


def test_copbot_run_freezes_its_start_up_heap(tmp_path: Path) -> None:
    config = tmp_path / "community.yaml"
    shutil.copy(ROOT / "community.yaml", config)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env.update(COPBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'copbot.db'}", PORT=str(port))
    bot = subprocess.Popen([*COPBOT, "run", "--config", str(config)], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    try:
        assert bot.stdout is not None
        for line in bot.stdout:  # the banner is printed once the runtime has started (and settled)
            if "on the console for" in line:
                break
        else:
            raise AssertionError(f"the bot never started: {bot.stderr.read() if bot.stderr else ''}")
        frozen = _frozen(_scrape(port, time.monotonic() + 60))
        assert frozen > 10_000, frozen  # the libraries, the config, the runtime: tens of thousands of objects
    finally:
        assert bot.stdin is not None
        bot.stdin.close()
        bot.wait(timeout=60)
    assert bot.returncode == 0
