"""What a packager and a licence scanner read: every third-party import is declared, the licence is shipped."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions, version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
FIRST_PARTY = set(PYPROJECT["tool"]["importlinter"]["root_packages"])


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> dict[str, str]:
    """Declared runtime requirements: canonical distribution name -> the requirement as written."""
    found = {}
    for requirement in PYPROJECT["project"]["dependencies"]:
        name = re.match(r"[A-Za-z0-9._-]+", requirement)
        assert name is not None, requirement
        found[_canonical(name.group(0))] = requirement
    return found


def imported_top_levels(root: Path = ROOT) -> dict[str, list[str]]:
    """Every top-level module the shipped packages import (nested and lazy imports included), with where."""
    seen: dict[str, list[str]] = {}
    for package in sorted(FIRST_PARTY):
        for path in sorted((root / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                names: list[str] = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for name in names:
                    seen.setdefault(name.split(".")[0], []).append(str(path.relative_to(root)))
    return seen


def test_every_third_party_import_is_a_declared_dependency_with_a_range() -> None:
    """A module imported by the shipped code but installed only as someone else's dependency breaks the day
    that someone drops it (numpy came with scipy, yarl with aiohttp, pydantic_core with pydantic)."""
    to_distribution = packages_distributions()
    declared = _declared()
    undeclared = []
    for module, where in sorted(imported_top_levels().items()):
        if module in FIRST_PARTY or module in sys.stdlib_module_names or module == "__future__":
            continue
        distributions = {_canonical(d) for d in to_distribution.get(module, [])}
        assert distributions, f"{module} (imported in {where[0]}) is not installed at all"
        if not distributions & declared.keys():
            undeclared.append(f"{module} ({', '.join(sorted(distributions))}), imported in {where[0]}")
    assert not undeclared, "declare these in pyproject.toml [project] dependencies: " + "; ".join(undeclared)
    unpinned = [req for req in declared.values() if not re.search(r">=", req)]
    assert unpinned == [], f"give these a version range: {unpinned}"


def test_the_walk_finds_lazy_imports_inside_functions() -> None:
    """The check must see ``import numpy`` inside a function body, or it would pass on today's blind spot."""
    modules = imported_top_levels()
    assert "numpy" in modules and "yarl" in modules and "pydantic_core" in modules
    assert "matplotlib" in modules  # imported inside the chart functions only


def test_the_installed_dependencies_satisfy_the_declared_ranges() -> None:
    """The ranges are real: what the test environment runs is inside them (pip would have refused otherwise)."""
    for requirement in ("discord.py", "numpy", "yarl", "pydantic-core"):
        assert _canonical(requirement) in _declared()
        assert version(requirement)


def test_the_licence_file_and_the_pyproject_licence_agree() -> None:
    licence = (ROOT / "LICENSE").read_text()
    assert licence.startswith("MIT License")
    assert PYPROJECT["project"]["license"] == "MIT"
    assert "LICENSE" in PYPROJECT["project"]["license-files"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^COPY .*\bLICENSE\b", dockerfile, re.M), "the image builds the package, which needs LICENSE"


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_copbot_version_is_the_installed_package_version(flag: str) -> None:
    out = subprocess.run([sys.executable, "-m", "copbot.cli", flag], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"copbot {version('copbot')}"
