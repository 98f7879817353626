"""A throwaway PostgreSQL server for tests and benchmarks: initdb + pg_ctl on a free port in a temporary directory.

Why a real server: the things PostgreSQL changes (row locks, unique-violation waits between concurrent
transactions, timezone-aware timestamps, reconnecting after a restart) cannot be faked. Debian's
``postgresql`` package provides the binaries (``.ci/setup.d/postgresql.sh`` installs it when missing);
nothing else is needed: no running cluster, no password (``trust`` on 127.0.0.1 only).

As root, initdb and postgres refuse to run, so they run as the ``postgres`` system user (``runuser``),
in a data directory under /tmp that this process hands over to that user. If the server cannot start,
the fixture FAILS with the server's own log: these tests are never skipped.

Use in tests through the session fixture ``postgres_server`` (registered in tests/conftest.py) and the
per-test ``pg_url`` fixture, which creates a fresh, empty database on it.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

SUPERUSER = "copbot"
_STARTUP_SECONDS = 60


class PostgresUnavailable(RuntimeError):
    """The server binaries are missing or the server would not start; the message says why and what to do."""


def find_bindir() -> Path:
    """The newest ``/usr/lib/postgresql/N/bin`` with pg_ctl, or the directory of ``pg_ctl`` on PATH."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return candidates[-1].parent
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    raise PostgresUnavailable(
        "PostgreSQL server binaries not found (no /usr/lib/postgresql/*/bin/pg_ctl, no pg_ctl on PATH): "
        "run `bash .ci/setup.d/postgresql.sh` (or `apt-get install postgresql`)"
    )


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """One server process; ``start`` / ``stop`` / ``restart`` / ``kill``, and ``create_database`` for each test."""

    def __init__(self, base: Path | None = None) -> None:
        self.bindir = find_bindir()
        self.base = Path(base) if base else Path(tempfile.mkdtemp(prefix="copbot-pg-"))
        self.datadir = self.base / "data"
        self.logfile = self.base / "server.log"
        self.port = free_port()
        self._as_root = os.geteuid() == 0
        self._databases = itertools.count(1)

    # --- running the binaries ------------------------------------------------------------------------

    def _cmd(self, tool: str, *args: str) -> list[str]:
        command = [str(self.bindir / tool), *args]
        if self._as_root:
            return ["runuser", "-u", "postgres", "--", *command]
        return command

    def _run(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self._cmd(tool, *args), capture_output=True, text=True, timeout=120, check=False)

    def _log_tail(self) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-30:])
        except OSError:
            return "(no server log)"

    # --- lifecycle -----------------------------------------------------------------------------------

    def init(self) -> None:
        """initdb into a fresh directory owned by the user the server runs as."""
        self.base.mkdir(parents=True, exist_ok=True)
        if self._as_root:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresUnavailable(
                    "running as root, and there is no 'postgres' system user to run the server as (PostgreSQL "
                    "refuses root): install Debian's postgresql package, or run the tests as a normal user"
                ) from None
            os.chown(self.base, pw.pw_uid, pw.pw_gid)
        self.base.chmod(0o700)
        done = self._run(
            "initdb", "-D", str(self.datadir), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8",
            "--no-sync",
        )  # fmt: skip
        if done.returncode != 0:
            raise PostgresUnavailable(f"initdb failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")

    def start(self) -> None:
        """Start on ``self.port``, listening on 127.0.0.1 only; waits until it accepts connections."""
        options = " ".join(
            [
                f"-p {self.port}",
                "-c listen_addresses=127.0.0.1",
                f"-c unix_socket_directories={self.base}",
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",  # throwaway data: speed
                "-c max_connections=200",
                "-c timezone=UTC",
            ]
        )
        done = self._run("pg_ctl", "start", "-D", str(self.datadir), "-l", str(self.logfile), "-w",
                         "-t", str(_STARTUP_SECONDS), "-o", options)  # fmt: skip
        if done.returncode != 0:
            raise PostgresUnavailable(
                f"PostgreSQL did not start on 127.0.0.1:{self.port} (pg_ctl exit {done.returncode}):\n"
                f"{done.stdout}{done.stderr}\n--- server log ---\n{self._log_tail()}"
            )

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``fast``: disconnect clients, clean shutdown; ``immediate``: like a crash)."""
        self._run("pg_ctl", "stop", "-D", str(self.datadir), "-m", mode, "-w")

    def restart(self) -> None:
        """Stop (dropping every client connection) and start again on the same port and data."""
        self.stop("fast")
        self.start()

    def cleanup(self) -> None:
        """Stop and delete the data directory."""
        with contextlib.suppress(Exception):
            self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)

    # --- databases -----------------------------------------------------------------------------------

    def url(self, database: str = "postgres", driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, prefix: str = "copbot_test") -> str:
        """A new empty database; returns its SQLAlchemy URL (psycopg 3 driver)."""
        import psycopg

        name = f"{prefix}_{os.getpid()}_{next(self._databases)}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname=postgres",
                             autocommit=True) as conn:  # fmt: skip
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def start_server(base: Path | None = None) -> PostgresServer:
    """Init and start a new server; cleans up after itself if the start fails."""
    server = PostgresServer(base)
    try:
        server.init()
        server.start()
    except BaseException:
        server.cleanup()
        raise
    atexit.register(server.cleanup)  # an interrupted run (Ctrl-C, a crash) leaves no server behind
    return server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL for the whole session; a start failure fails the tests that need it, with the reason."""
    try:
        server = start_server()
    except PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def pg_url(postgres_server: PostgresServer) -> str:
    """A fresh empty database on the session's server, as a ``postgresql+psycopg://`` URL."""
    return postgres_server.create_database()
