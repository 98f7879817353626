"""The ``copbot`` commands with ``COPBOT_DATABASE_URL=postgresql+psycopg://...``, as a user runs them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from storage.db import head_revision
from tests.test_console_session import SCRIPT

ROOT = Path(__file__).resolve().parents[1]
COPBOT = [sys.executable, "-m", "copbot.cli"]


def _copbot(*args: str, url: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env["COPBOT_DATABASE_URL"] = url
    env["COLUMNS"] = "120"
    return subprocess.run([*COPBOT, *args], input=stdin, capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=180)  # fmt: skip


def test_upgrade_run_and_report_on_postgres(tmp_path: Path, pg_url: str) -> None:
    config = tmp_path / "community.yaml"
    shutil.copy(ROOT / "community.yaml", config)

    upgrade = _copbot("db", "upgrade", "--config", str(config), url=pg_url, cwd=tmp_path)
    assert upgrade.returncode == 0, upgrade.stderr
    assert f"to {head_revision()}" in upgrade.stdout and "***" not in pg_url

    run = _copbot("run", "--config", str(config), url=pg_url, cwd=tmp_path, stdin=SCRIPT)
    assert run.returncode == 0, run.stderr
    assert "postgresql+psycopg://" in run.stdout  # the banner names the database it uses
    assert run.stdout.count("copbot in #") == 1
    assert not list(tmp_path.glob("*.db")), "nothing was written to a SQLite file"

    report = _copbot("report", "--json", "--config", str(config), url=pg_url, cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    by_member = {row["member"]: row for row in json.loads(report.stdout)["members"]}
    assert (by_member["console:zoe"]["reactions"], by_member["console:zoe"]["replies"]) == (1, 1)

    health = _copbot("report", "--health", "--json", "--config", str(config), url=pg_url, cwd=tmp_path)
    assert health.returncode == 0, health.stderr
    json.loads(health.stdout)

    current = _copbot("db", "current", "--config", str(config), url=pg_url, cwd=tmp_path)
    assert current.returncode == 0 and "(up to date)" in current.stdout


def test_an_unreachable_postgres_is_one_clear_line(tmp_path: Path) -> None:
    from tests.postgres_server import free_port

    url = f"postgresql+psycopg://copbot:hunter2@127.0.0.1:{free_port()}/cop"
    shutil.copy(ROOT / "community.yaml", tmp_path / "community.yaml")
    for command in (["db", "upgrade"], ["run", "--config", str(tmp_path / "community.yaml")]):
        result = _copbot(*command, url=url, cwd=tmp_path, stdin="/quit\n")
        assert result.returncode == 2, command
        assert "cannot reach the database postgresql+psycopg://copbot:***@127.0.0.1" in result.stderr
        assert "hunter2" not in result.stderr and "Traceback" not in result.stderr
