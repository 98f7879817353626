"""The floor plan holds: imports point down only, each ritual and each platform stands in its own room.

The contracts live in pyproject.toml ([tool.importlinter]); import-linter checks them against the code. This
test runs it as CI does, and also makes sure the contracts are still the ones the design names, so that
loosening the plan is a visible change to this file, not a quiet edit of the configuration.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RITUALS = ["onboarding", "prompts", "pairing", "facilitator", "polls", "health", "kudos", "ladder", "resources",
           "anniversaries", "groups", "challenges", "sessions", "nudges", "mentorship", "expertise", "digest"]


def _contracts() -> dict[str, dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return {contract["id"]: contract for contract in config["contracts"]}


def test_the_contracts_are_the_design_s_floors_and_rooms() -> None:
    contracts = _contracts()
    assert contracts["floors"]["type"] == "layers"
    assert contracts["floors"]["layers"] == ["copbot", "adapters | rituals", "bot", "storage | config"]
    rooms = contracts["rituals-apart"]
    assert rooms["type"] == "independence"
    assert sorted(rooms["modules"]) == sorted(f"rituals.{name}" for name in RITUALS)  # type: ignore[arg-type]
    every_ritual_folder = sorted(p.name for p in (ROOT / "rituals").iterdir() if (p / "ritual.py").exists())
    assert every_ritual_folder == sorted(RITUALS), "a new ritual folder joins the independence contract"
    assert all(" -> rituals.polls." in rule for rule in rooms["ignore_imports"])  # type: ignore[union-attr]
    assert contracts["platforms-apart"]["modules"] == ["adapters.console", "adapters.slack", "adapters.discord"]


def test_the_code_keeps_every_contract() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert f"Contracts: {len(_contracts())} kept, 0 broken." in result.stdout
