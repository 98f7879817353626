#!/usr/bin/env python3
"""Set up and run copbot with nothing but Python 3.11: ``python3 dev.py run`` and ``python3 dev.py test``.

Why a Python script and not make: a bare Python 3.11 machine (a slim container, a laptop) has no make,
but it always has Python. The script creates ``.venv`` beside it, installs copbot with its test extras
when pyproject.toml changed since the last install, then runs the bot or the test suite.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".copbot-installed"


def _fingerprint() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def setup() -> None:
    """Create the virtualenv and install copbot (editable) with its test tools, once per pyproject change."""
    if sys.version_info < (3, 11):  # noqa: UP036  (dev.py runs on whatever python3 the user has)
        sys.exit(f"copbot needs Python 3.11 or newer; this is {sys.version.split()[0]}. Run: python3.11 dev.py ...")
    if not (BIN / "python").exists():
        print("creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if STAMP.exists() and STAMP.read_text() == _fingerprint():
        return
    print("installing copbot and its dependencies into .venv (first run only) ...", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "-e", f"{ROOT}[test]"], check=True, cwd=ROOT)
    STAMP.write_text(_fingerprint())


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "setup"}:
        print(__doc__)
        print("usage: python3 dev.py run [copbot run options] | test [pytest options] | setup")
        return 2
    setup()
    command, rest = argv[0], argv[1:]
    if command == "setup":
        return 0
    if command == "run":
        return subprocess.call([str(BIN / "copbot"), "run", *rest], cwd=ROOT)
    system_packages()
    return subprocess.call([str(BIN / "python"), "-m", "pytest", *rest], cwd=ROOT)


def system_packages() -> None:
    """Run ``.ci/setup.d/*.sh``: each installs a Debian package a suite needs (PostgreSQL, Chromium) if missing.

    Why here and not only in CI: the README promises one test command on a fresh machine, and the
    PostgreSQL and dashboard suites run against real servers and a real browser, never skipped.
    """
    for hook in sorted((ROOT / ".ci" / "setup.d").glob("*.sh")):
        subprocess.run(["bash", str(hook)], check=True, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
