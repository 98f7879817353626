#!/usr/bin/env bash
# PostgreSQL server binaries for the PostgreSQL suites (tests/test_postgres_*.py) and bench/ingest.py.
#
# Why Debian's package: the tests start their own throwaway server (initdb + pg_ctl on a free port in a
# temporary directory, see tests/postgres_server.py), so only the binaries are needed, never a running
# cluster or a password. Installed only when missing, so a second run costs nothing and prints nothing.
# Run by `python3 dev.py test` before pytest.
set -euo pipefail

# Any installed major version will do: tests/postgres_server.py takes the newest under /usr/lib/postgresql.
if compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null || command -v pg_ctl >/dev/null 2>&1; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
# Another hook (Chromium) may be installing at the same moment: wait for dpkg's lock instead of failing.
APT=(apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)
echo "installing postgresql for the PostgreSQL tests ..."
$SUDO "${APT[@]}" update -qq
# The package's own cluster is not used (the tests run their own); don't leave it running in a container.
$SUDO "${APT[@]}" install -y -qq --no-install-recommends postgresql >/dev/null
compgen -G "/usr/lib/postgresql/*/bin/pg_ctl"
