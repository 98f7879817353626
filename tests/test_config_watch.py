"""Hot reload: Dana edits community.yaml while the bot runs; good edits apply, a broken one is refused."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from config.loader import ConfigError, load_config
from config.models import CommunityConfig
from config.watch import ConfigWatcher

GOOD = """\
community:
  id: platform-guild
  name: Platform Engineering Guild
  timezone: Europe/Berlin
  channels:
    general: guild
rituals:
  prompts:
    schedule:
      cron: "0 10 * * mon"
      grace: 2d
    questions:
      - What did you automate this week?
"""


class Recorder:
    """Collects what the watcher hands the runtime."""

    def __init__(self) -> None:
        self.applied: list[CommunityConfig] = []
        self.refused: list[ConfigError] = []

    def on_change(self, config: CommunityConfig) -> None:
        self.applied.append(config)

    def on_error(self, error: ConfigError) -> None:
        self.refused.append(error)


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    target = tmp_path / "community.yaml"
    target.write_text(GOOD, encoding="utf-8")
    return target


def watcher_for(path: Path, recorder: Recorder) -> ConfigWatcher:
    return ConfigWatcher(path, recorder.on_change, recorder.on_error, initial=load_config(path))


def test_the_file_as_loaded_at_start_is_not_reapplied(config_file: Path) -> None:
    recorder = Recorder()
    watcher = watcher_for(config_file, recorder)
    assert watcher.check_now() is False
    assert recorder.applied == [] and recorder.refused == []


def test_good_change_then_broken_change_then_fix(config_file: Path) -> None:
    recorder = Recorder()
    watcher = watcher_for(config_file, recorder)
    first = watcher.current

    # Dana moves the prompt to Tuesdays: applied.
    config_file.write_text(GOOD.replace("mon", "tue"), encoding="utf-8")
    assert watcher.check_now() is True
    assert [c.rituals.prompts.schedule.cron for c in recorder.applied if c.rituals.prompts] == ["0 10 * * tue"]
    tuesday = watcher.current
    assert tuesday is not first and tuesday is recorder.applied[-1]

    # She then mistypes a key: refused, with the line and column; the Tuesday config stays in force.
    config_file.write_text(GOOD.replace("mon", "tue").replace("grace:", "grase:"), encoding="utf-8")
    assert watcher.check_now() is True
    assert len(recorder.applied) == 1
    [error] = recorder.refused
    [problem] = error.problems
    assert (problem.line, problem.col) == (11, 7)
    assert "did you mean 'grace'?" in problem.message
    assert watcher.current is tuesday

    # Polling again does not repeat the same complaint.
    assert watcher.check_now() is False
    assert len(recorder.refused) == 1

    # She fixes it (and changes the grace): applied.
    config_file.write_text(GOOD.replace("mon", "tue").replace("2d", "3d"), encoding="utf-8")
    assert watcher.check_now() is True
    assert len(recorder.applied) == 2
    assert watcher.current is recorder.applied[-1]
    prompts = watcher.current.rituals.prompts
    assert prompts is not None and prompts.schedule.cron == "0 10 * * tue"


def test_rewriting_identical_content_does_nothing(config_file: Path) -> None:
    recorder = Recorder()
    watcher = watcher_for(config_file, recorder)
    config_file.write_text(GOOD, encoding="utf-8")
    os.utime(config_file, ns=(config_file.stat().st_atime_ns, config_file.stat().st_mtime_ns + 5_000_000_000))
    assert watcher.check_now() is False
    assert recorder.applied == [] and recorder.refused == []


def test_a_same_size_edit_with_the_same_mtime_is_still_seen(config_file: Path) -> None:
    recorder = Recorder()
    watcher = watcher_for(config_file, recorder)
    before = config_file.stat()
    config_file.write_text(GOOD.replace("2d", "3d"), encoding="utf-8")
    os.utime(config_file, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert config_file.stat().st_size == before.st_size
    assert watcher.check_now() is True
    assert len(recorder.applied) == 1


def test_a_deleted_file_is_reported_once_and_a_restored_one_applies(config_file: Path) -> None:
    recorder = Recorder()
    watcher = watcher_for(config_file, recorder)
    config_file.unlink()
    assert watcher.check_now() is True
    assert watcher.check_now() is False
    [error] = recorder.refused
    assert "cannot read the file" in error.problems[0].message
    assert watcher.current is not None

    config_file.write_text(GOOD.replace("mon", "wed"), encoding="utf-8")
    assert watcher.check_now() is True
    assert len(recorder.applied) == 1


def edit(path: Path, text: str) -> None:
    """Dana saves the file (a plain function: the watcher, not the test, is what runs in the loop)."""
    path.write_text(text, encoding="utf-8")


async def test_run_keeps_polling_after_a_failing_callback(config_file: Path) -> None:
    seen: list[CommunityConfig] = []
    refused: list[ConfigError] = []
    first, second = asyncio.Event(), asyncio.Event()

    def on_change(config: CommunityConfig) -> None:
        seen.append(config)
        if len(seen) == 1:
            first.set()
            raise RuntimeError("the runtime choked on the first reload")
        second.set()

    watcher = ConfigWatcher(config_file, on_change, refused.append, poll_seconds=0)
    task = asyncio.create_task(watcher.run())
    try:
        edit(config_file, GOOD.replace("mon", "tue"))
        await first.wait()
        edit(config_file, GOOD.replace("mon", "fri"))
        await second.wait()
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert [c.rituals.prompts.schedule.cron for c in seen if c.rituals.prompts] == ["0 10 * * tue", "0 10 * * fri"]
    assert refused == []
