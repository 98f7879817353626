"""A database that cannot be used (read-only, missing, not a database, a server that is down): one line, no traceback.

``copbot report``, ``copbot resources export`` and ``copbot run`` each say what failed, on which database (with
no password), and what to do, on one line of stderr, and exit 2. The databases are broken for real: a
read-only SQLite URI, a directory that does not exist, a file of garbage, a port nobody listens on.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from copbot.cli import main
from storage.db import open_database
from tests.postgres_server import free_port

ROOT = Path(__file__).resolve().parents[1]


def _read_only_fresh(tmp: Path) -> tuple[str, str]:
    (tmp / "empty.db").write_bytes(b"")
    return f"sqlite:///file:{tmp / 'empty.db'}?mode=ro&uri=true", "give the bot write access"


def _read_only_migrated(tmp: Path) -> tuple[str, str]:
    open_database(f"sqlite:///{tmp / 'ready.db'}").dispose()  # at head: reads work, the first write fails
    return f"sqlite:///file:{tmp / 'ready.db'}?mode=ro&uri=true", "give the bot write access"


def _missing_directory(tmp: Path) -> tuple[str, str]:
    return f"sqlite:///{tmp / 'no' / 'such' / 'dir' / 'copbot.db'}", "must exist and be writable"


def _not_a_database(tmp: Path) -> tuple[str, str]:
    (tmp / "notes.db").write_bytes(b"these are my notes, not a database\n" * 200)
    return f"sqlite:///{tmp / 'notes.db'}", "not a SQLite database"


def _postgres_down(tmp: Path) -> tuple[str, str]:
    return f"postgresql+psycopg://copbot:hunter2@127.0.0.1:{free_port()}/cop", "check that the server runs"


BROKEN: dict[str, Callable[[Path], tuple[str, str]]] = {
    "read-only, never migrated": _read_only_fresh,
    "read-only, migrated": _read_only_migrated,
    "missing directory": _missing_directory,
    "not a database": _not_a_database,
    "postgresql down": _postgres_down,
}

COMMANDS = {
    "report": ["report"],
    "report --health": ["report", "--health"],
    "export": ["resources", "export", "OUT"],
    "run": ["run", "--platform", "console"],
}


WORKS_ANYWAY = {
    ("missing directory", "run"),  # run creates the database's directory: nothing is broken for it
    ("read-only, migrated", "report"),  # reading needs no write: see the test below
    ("read-only, migrated", "report --health"),
    ("read-only, migrated", "export"),
}
CASES = [(broken, command) for broken in BROKEN for command in COMMANDS if (broken, command) not in WORKS_ANYWAY]


def _copbot(command: str, url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    config = tmp_path / "community.yaml"
    shutil.copy(ROOT / "community.yaml", config)
    monkeypatch.setenv("COPBOT_DATABASE_URL", url)
    for name in ("SLACK_BOT_TOKEN", "DISCORD_TOKEN", "PORT"):
        monkeypatch.delenv(name, raising=False)
    argv = [str(tmp_path / "out") if word == "OUT" else word for word in COMMANDS[command]]
    return main([*argv, "--config", str(config)])


@pytest.mark.parametrize(("broken", "command"), CASES)
def test_an_unusable_database_is_one_line_with_what_to_do(
    broken: str, command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url, advice = BROKEN[broken](tmp_path)
    code = _copbot(command, url, tmp_path, monkeypatch)
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err and "hunter2" not in err
    assert lines[0].startswith("copbot: cannot ") and " the database " in lines[0]
    assert url.split("@")[-1].split("?")[0].split(":")[-1] in lines[0]  # which database (a path, or a port)
    assert advice in lines[0]


@pytest.mark.parametrize("command", ["report", "report --health", "export"])
def test_a_read_only_database_still_gives_reports_and_exports(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """What needs no write keeps working on a read-only database (a backup, a read-only mount)."""
    url, _ = _read_only_migrated(tmp_path)
    assert _copbot(command, url, tmp_path, monkeypatch) == 0
    assert capsys.readouterr().err == ""
