"""Hot reload of community.yaml: notice an edit, apply it if valid, refuse it (and keep the old one) if not.

Polling (mtime, size, then a content hash) needs no extra dependency and works on every platform and on
mounted volumes where inotify events do not arrive. A broken edit never replaces the last good config:
the runtime only ever receives a config through ``on_change``, and problems go to ``on_error``.
The running bot's watcher reads and parses in a worker thread (:meth:`ConfigWatcher.run`): a file that takes
long to refuse must not stop the event loop, and with it every other member's commands. The callbacks still
run on the loop, where the runtime lives.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from config.loader import ConfigError, parse_config_bytes, read_config_bytes
from config.models import CommunityConfig

log = logging.getLogger(__name__)

# A file whose mtime is this close to the moment we last read it may be rewritten again within the same
# timestamp tick with the same size ("racily clean", as git calls it); such a file is hashed again.
_RACY_NS = 2_000_000_000


@dataclass(frozen=True)
class _Stamp:
    """What a cheap ``stat`` tells us about the file."""

    mtime_ns: int
    size: int


class ConfigWatcher:
    """Watches one config file; call :meth:`check_now` yourself or let :meth:`run` poll it.

    The file as it is when the watcher is created counts as already applied (the runtime has just
    loaded it), so only later edits reach the callbacks. ``current`` is the last config handed to
    ``on_change`` (or the ``initial`` one given), i.e. the config the bot should be running on.
    """

    def __init__(
        self,
        path: Path,
        on_change: Callable[[CommunityConfig], None],
        on_error: Callable[[ConfigError], None],
        poll_seconds: float = 2.0,
        *,
        initial: CommunityConfig | None = None,
    ) -> None:
        self.path = Path(path)
        self.on_change = on_change
        self.on_error = on_error
        self.poll_seconds = poll_seconds
        self.current: CommunityConfig | None = initial
        self._stamp: _Stamp | None = None
        self._read_at_ns = 0
        self._digest: bytes | None = None
        self._stat_and_hash()

    def check_now(self) -> bool:
        """Re-read the file if it changed; True when its content changed and a callback was called.

        A new valid config goes to ``on_change``; a broken one to ``on_error`` (once per broken content,
        not on every poll). A file touched or rewritten with identical bytes changes nothing.
        """
        return self._deliver(self._look())

    def _look(self) -> CommunityConfig | ConfigError | None:
        """Read and parse the file if its content changed (any thread): the new config, its refusal, or None."""
        content = self._stat_and_hash()
        if content is None:
            return None
        data, digest = content
        if digest == self._digest:
            return None
        self._digest = digest
        try:
            return self._parse(data)
        except ConfigError as error:
            return error

    def _deliver(self, outcome: CommunityConfig | ConfigError | None) -> bool:
        """Hand what :meth:`_look` found to the callbacks (on the caller's thread: the loop's, for the bot)."""
        if outcome is None:
            return False
        if isinstance(outcome, ConfigError):
            self.on_error(outcome)
            return True
        self.current = outcome
        self.on_change(outcome)
        return True

    async def run(self) -> None:
        """Poll until cancelled, reading and parsing in a worker thread. A failing callback is logged and
        polling goes on: the bot must keep running."""
        while True:
            try:
                self._deliver(await asyncio.to_thread(self._look))
            except Exception:
                log.exception("config reload of %s failed in a callback; still watching", self.path)
            await asyncio.sleep(self.poll_seconds)

    # -------------------------------------------------------------------------------------------- helpers

    def _stat_and_hash(self) -> tuple[bytes | None, bytes] | None:
        """The file's bytes and hash if it may have changed since the last look, else None.

        ``None`` bytes stand for "cannot read the file right now"; its digest is a marker so the error
        is reported once, and a file that comes back is read again.
        """
        try:
            stat = os.stat(self.path)
        except OSError:
            stamp = None
        else:
            stamp = _Stamp(stat.st_mtime_ns, stat.st_size)
        unchanged = stamp is not None and stamp == self._stamp
        racy = stamp is not None and stamp.mtime_ns + _RACY_NS >= self._read_at_ns
        if unchanged and not racy:
            return None
        self._read_at_ns = time.time_ns()
        self._stamp = stamp
        try:
            data: bytes | None = read_config_bytes(self.path)  # never blocks on a FIFO, never reads a device
        except ConfigError:
            data = None
        digest = b"<unreadable>" if data is None else hashlib.sha256(data).digest()
        if self._digest is None:
            # The first look is the baseline the runtime already loaded.
            self._digest = digest
            return None
        return data, digest

    def _parse(self, data: bytes | None) -> CommunityConfig:
        """Validate bytes already read (so the hash and the parse see the same content)."""
        if data is None:
            read_config_bytes(self.path)  # raises the ConfigError that says why the file cannot be read
        return parse_config_bytes(data or b"", str(self.path))
