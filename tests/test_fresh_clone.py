"""The README's two commands, exactly as written, on a fresh clone with a bare Python (no venv active)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import PINNED_START

ROOT = Path(__file__).resolve().parents[1]
BARE_PYTHON = str(Path(sys.base_prefix) / "bin" / "python3")


def test_readme_commands_work_from_a_fresh_clone(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    assert "python3 dev.py run " in readme and "python3 dev.py test " in readme
    clone = tmp_path / "copbot"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=120)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "DISCORD_", "COPBOT_", "VIRTUAL_ENV", "PYTHON"))}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    env["COPBOT_START"] = PINNED_START  # the console's clock, pinned: no test depends on the day it runs

    run = subprocess.run([BARE_PYTHON, "dev.py", "run"], cwd=clone, env=env, text=True, capture_output=True,
                         input="/join dana\n/cop prompt now\n/cop stats\n/quit\n", timeout=900)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "copbot in #platform-guild-weekly" in run.stdout  # dana is an admin: the prompt went out
    assert (clone / "copbot.db").exists()  # SQLite beside community.yaml, no tokens needed

    tests = subprocess.run([BARE_PYTHON, "dev.py", "test", "tests/test_slots.py"], cwd=clone, env=env,
                           text=True, capture_output=True, timeout=900)
    assert tests.returncode == 0, tests.stdout[-2000:] + tests.stderr[-2000:]
    assert " passed" in tests.stdout
