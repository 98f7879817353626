"""Which copbot this is: the installed package's version, for ``--version``, /healthz, /metrics and the dashboard.

Why from the package metadata and not a constant: pyproject.toml is the one place a release bumps, and an
operator comparing a running bot with a changelog needs the number pip installed.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, version

UNKNOWN = "0+unknown"


@cache
def copbot_version() -> str:
    """The installed distribution's version; ``0+unknown`` when run from a tree that was never installed."""
    try:
        return version("copbot")
    except PackageNotFoundError:
        return UNKNOWN
