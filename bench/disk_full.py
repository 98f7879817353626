"""What the participation writer does when the disk fills up: events kept, nothing dropped, time to catch up.

Why: a full disk used to kill the writer for good (and every reaction after it was lost until a restart). Now it
keeps what it cannot write (bounded), says so on /healthz, retries with backoff and catches up by itself.

The disk is a real tiny filesystem when this runs as root and may mount one (a tmpfs sized to the database, its
free space eaten by a filler file, freed by deleting the filler); otherwise SQLite's own page cap gives the
same "database or disk is full" from the driver (tests/fakes/full_disk.py). Events keep arriving while the disk
is full; then space comes back and the writer is timed until everything is stored. Printed, never asserted.

    python bench/disk_full.py [--events 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from storage.db import Database, open_database
from storage.ingest import RETRY_MAX_SECONDS, ParticipationWriter
from storage.models import ParticipationEvent
from tests.fakes.full_disk import FullDisk

T0 = datetime(2027, 1, 4, 9, tzinfo=UTC)


def event(i: int) -> dict[str, Any]:
    return {"community": "cop", "platform": "slack", "event_id": f"Ev{i}", "member": f"U{i % 500}",
            "kind": "reaction", "ritual": "prompts", "subject": f"prompt:{i % 40}", "at": T0 + timedelta(seconds=i)}


@contextlib.contextmanager
def tiny_disk(base: Path) -> Iterator[tuple[Path, str] | None]:
    """A 32 MB tmpfs at ``base`` (root only); None when it cannot be mounted here."""
    base.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(base)], capture_output=True)
    if done.returncode != 0:
        yield None
        return
    try:
        yield base, "a 32 MB tmpfs filled up by a filler file"
    finally:
        subprocess.run(["umount", "-l", str(base)], capture_output=True)


def fill(path: Path) -> Callable[[], None]:
    """Eat every free byte of ``path``'s filesystem; returns what frees it again."""
    filler = path / "filler"
    with open(filler, "wb") as out, contextlib.suppress(OSError):
        while True:
            out.write(b"\0" * 65536)
            out.flush()
            os.fsync(out.fileno())
    return lambda: filler.unlink()


def stored(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(ParticipationEvent)).scalar_one())


async def run(events: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, tiny_disk(Path(tmp) / "disk") as mounted:
        where = mounted[0] if mounted else Path(tmp)
        db = open_database(f"sqlite:///{where / 'copbot.db'}")
        writer = ParticipationWriter(db, max_delay=0.01)
        writer.start()
        for i in range(200):  # a little history, written normally
            writer.submit_nowait(event(i))
        await writer.flush()
        if mounted:
            how = mounted[1]
            free = fill(where)
        else:
            how = "SQLite's page cap (not root, or no tmpfs here): the driver's own SQLITE_FULL"
            disk = FullDisk(db)
            disk.fill()
            free = disk.free
        started = time.perf_counter()
        for i in range(200, 200 + events):  # a busy community: events keep coming while the disk is full
            writer.submit_nowait(event(i))
            if i % 500 == 0:
                await asyncio.sleep(0.01)
        while writer.problem is None and time.perf_counter() - started < 60:  # noqa: ASYNC110 (a poll, bounded)
            await asyncio.sleep(0.05)
        await asyncio.sleep(2.0)  # a few retries while full
        problem, kept, alive, failed = writer.problem, writer.pending, writer.alive, writer.failed
        on_disk = stored(db)
        free()
        freed = time.perf_counter()
        await writer.flush()
        caught_up = time.perf_counter() - freed
        total = stored(db)
        await writer.stop()
        db.dispose()
    print(f"participation writer on a full disk ({how}), {events:,} events arriving while full")
    print(f"  while full: writer alive {alive}, /healthz says: {(problem or 'nothing')[:110]}")
    print(f"  events kept in memory: {kept:,}; stored before the disk filled: {on_disk:,}; dropped: {failed}")
    print(f"  space back -> everything stored in {caught_up:.2f} s (retries are at most {RETRY_MAX_SECONDS:g} s apart)")
    print(f"  stored in all: {total:,} of {200 + events:,} (goal: all, none twice)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    args = parser.parse_args()
    asyncio.run(run(args.events))


if __name__ == "__main__":
    main()
