"""One bot per SQLite file: a second ``copbot run`` is refused with a clear message; reports still work."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from storage.bot_lock import AnotherBotIsRunning, BotLock, sqlite_file

ROOT = Path(__file__).resolve().parents[1]
COPBOT = [sys.executable, "-m", "copbot.cli"]


def _env(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env["COPBOT_DATABASE_URL"] = f"sqlite:///{db}"
    env["COLUMNS"] = "120"
    return env


def _start_bot(config: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """A console bot that stays up until its stdin closes; returns once it says it is serving."""
    bot = subprocess.Popen([*COPBOT, "run", "--config", str(config)], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=config.parent)
    assert bot.stdout is not None
    for line in bot.stdout:  # blocks until the banner: the lock is taken before the banner is printed
        if "on the console for" in line:
            return bot
    bot.kill()
    raise AssertionError(f"the first bot never started: {bot.stderr.read() if bot.stderr else ''}")


def test_a_second_bot_is_refused_reports_still_work_and_a_killed_bot_leaves_no_stale_lock(tmp_path: Path) -> None:
    config = tmp_path / "community.yaml"
    shutil.copy(ROOT / "community.yaml", config)
    db = tmp_path / "copbot.db"
    env = _env(db)
    first = _start_bot(config, env)
    try:
        second = subprocess.run([*COPBOT, "run", "--config", str(config)], input="/quit\n", capture_output=True,
                                text=True, env=env, cwd=tmp_path, timeout=120)
        assert second.returncode == 2
        assert "another copbot is already running on" in second.stderr
        assert f"pid {first.pid}" in second.stderr
        assert "PostgreSQL" in second.stderr  # says what to do to run several
        report = subprocess.run([*COPBOT, "report", "--json", "--config", str(config)], capture_output=True,
                                text=True, env=env, cwd=tmp_path, timeout=120)
        assert report.returncode == 0, report.stderr
        json.loads(report.stdout)
    finally:
        # SIGKILL gives no chance to clean up: the kernel drops the lock with the process.
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    assert (tmp_path / "copbot.db.lock").exists()  # the file stays, the lock does not
    again = subprocess.run([*COPBOT, "run", "--config", str(config)], input="/quit\n", capture_output=True,
                           text=True, env=env, cwd=tmp_path, timeout=120)
    assert again.returncode == 0, again.stderr


def test_the_lock_in_process(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'copbot.db'}"
    with BotLock(url) as held:
        assert held.held
        with pytest.raises(AnotherBotIsRunning, match=r"another copbot is already running on .*copbot\.db"):
            BotLock(url).acquire()
    with BotLock(url) as again:  # released on exit
        assert again.held


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "postgresql+psycopg://u@127.0.0.1:5432/cop"])
def test_no_lock_where_there_is_no_file(url: str) -> None:
    assert sqlite_file(url) is None
    with BotLock(url) as first, BotLock(url) as second:  # nothing to hold: both "succeed"
        assert not first.held and not second.held


def _names_for_one_file(tmp_path: Path) -> tuple[str, list[str]]:
    """A database file and other URLs that reach the same file: a hard link, a symlink, a file: URI, a relative
    path and a path through '..' (SQLite would give each name its own -wal file: two writers, one corrupt file)."""
    from storage.db import open_database

    home = tmp_path / "data"
    home.mkdir()
    db = home / "copbot.db"
    open_database(f"sqlite:///{db}").dispose()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.link(db, elsewhere / "hard.db")
    (elsewhere / "soft.db").symlink_to(db)
    relative = os.path.relpath(db, Path.cwd())
    return f"sqlite:///{db}", [
        f"sqlite:///{elsewhere / 'hard.db'}",
        f"sqlite:///{elsewhere / 'soft.db'}",
        f"sqlite:///file:{db}?mode=rwc&uri=true",
        f"sqlite:///file://{db}?uri=true",
        f"sqlite:///{relative}",
        f"sqlite:///{elsewhere / '..' / 'data' / 'copbot.db'}",
    ]


def test_the_lock_is_on_the_file_whatever_name_reaches_it(tmp_path: Path) -> None:
    url, others = _names_for_one_file(tmp_path)
    with BotLock(url):
        for other in others:
            with pytest.raises(AnotherBotIsRunning, match="whatever name or link"):
                BotLock(other).acquire()
    for other in others:  # and the other way round: any name first keeps the plain path out
        with BotLock(other), pytest.raises(AnotherBotIsRunning):
            BotLock(url).acquire()


@pytest.mark.parametrize("url", ["sqlite:///file::memory:?uri=true",
                                 "sqlite:///file:shared?mode=memory&cache=shared&uri=true"])
def test_in_memory_uri_databases_have_no_file_to_lock(url: str) -> None:
    assert sqlite_file(url) is None


def test_a_second_bot_through_a_hard_link_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "community.yaml"
    shutil.copy(ROOT / "community.yaml", config)
    url, others = _names_for_one_file(tmp_path)
    env = {**_env(tmp_path), "COPBOT_DATABASE_URL": url}
    first = _start_bot(config, env)
    try:
        second = subprocess.run([*COPBOT, "run", "--config", str(config)], input="/quit\n", capture_output=True,
                                text=True, env={**env, "COPBOT_DATABASE_URL": others[0]}, cwd=tmp_path, timeout=120)
        assert second.returncode == 2, second.stderr
        assert "another copbot is already running on" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        assert first.stdin is not None
        first.stdin.close()
        first.wait(timeout=60)
