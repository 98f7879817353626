"""What the bot has done since it started, counted for ``/metrics`` (Prometheus text format).

Why one neutral module: the runtime, the outbox, the participation writer and the adapters' rate-limit
handling each count with a one-line call here, without knowing who reads the numbers; ``/metrics``
(:mod:`copbot.ops_http`) renders them. A platform appears only as a label value an adapter hands in, so the
core never names one.

The counters are process-wide, as Prometheus expects of a process (one bot = one process in production).
Tests that run several bots in one process compare before and after, never absolute values.
Names and labels are a contract: docs/deploy.md lists them with example alerts.
"""

from __future__ import annotations

import gc
from typing import Final, Literal

from prometheus_client import CollectorRegistry, Counter, Gauge, Info, disable_created_metrics
from prometheus_client.process_collector import ProcessCollector

disable_created_metrics()  # no ``*_created`` series: they double the page and no alert uses them

REGISTRY: Final = CollectorRegistry()
"""copbot's own registry (not prometheus_client's global one), so importing a library never adds metrics."""

ProcessCollector(registry=REGISTRY)  # process_resident_memory_bytes, open fds, CPU seconds: for memory alerts

EVENTS_RECEIVED: Final = Counter(
    "copbot_events_received",
    "Neutral events the adapters handed to the core, by event type (MemberJoined, ReactionAdded, ...).",
    ["type"],
    registry=REGISTRY,
)
PARTICIPATION_STORED: Final = Counter(
    "copbot_participation_events_stored",
    "Participation events written to the database (each (platform, event id) once).",
    registry=REGISTRY,
)
PARTICIPATION_FAILED: Final = Counter(
    "copbot_participation_events_failed",
    "Participation events the database refused even alone (logged with their event id, then dropped).",
    registry=REGISTRY,
)
PARTICIPATION_OVERFLOWED: Final = Counter(
    "copbot_participation_events_overflowed",
    "Participation events dropped because the database could not be written for so long that the writer's "
    "in-memory backlog (storage/ingest.py MAX_BACKLOG) was full.",
    registry=REGISTRY,
)
DUPLICATES_DROPPED: Final = Counter(
    "copbot_duplicates_dropped",
    "Platform retries and replays recognised and dropped: at ingest (participation already stored) or at "
    "dispatch (a join, leave, click or command already acted on).",
    ["stage"],
    registry=REGISTRY,
)
DELIVERIES: Final = Counter(
    "copbot_deliveries",
    "Outbox deliveries by outcome: sent, retried (a failed attempt that will be tried again), failed (gave up).",
    ["outcome"],
    registry=REGISTRY,
)
RATE_LIMITED: Final = Counter(
    "copbot_rate_limited",
    "HTTP 429 answers from the platform's API (each one costs a Retry-After pause).",
    ["platform"],
    registry=REGISTRY,
)
SLOTS: Final = Counter(
    "copbot_slots",
    "Ritual slots by outcome: claimed (this process claimed the slot and ran it), skipped (missed beyond the "
    "grace window, recorded, not run), coalesced (missed within it, folded into the one run that followed).",
    ["outcome"],
    registry=REGISTRY,
)
CONFIG_RELOADS: Final = Counter(
    "copbot_config_reloads",
    "community.yaml reloads: applied, or refused (the bot kept the last good version).",
    ["result"],
    registry=REGISTRY,
)

BUILD: Final = Info(
    "copbot_build",
    "Which copbot serves this scrape: value 1, the version as a label (the convention of Prometheus exporters).",
    registry=REGISTRY,
)

GC_FROZEN: Final = Gauge(
    "copbot_gc_frozen_objects",
    "Objects frozen out of Python's garbage collection once the bot had started (copbot/heap.py): 0 means "
    "every full collection still walks the whole start-up heap and stalls the event loop for it.",
    registry=REGISTRY,
)
GC_FROZEN.set_function(gc.get_freeze_count)

DuplicateStage = Literal["ingest", "dispatch"]
DeliveryOutcome = Literal["sent", "retried", "failed"]
ReloadResult = Literal["applied", "refused"]

# Every known label value starts at 0, so a dashboard shows "0 failed" rather than "no data".
for _stage in ("ingest", "dispatch"):
    DUPLICATES_DROPPED.labels(stage=_stage)
for _outcome in ("sent", "retried", "failed"):
    DELIVERIES.labels(outcome=_outcome)
for _slot in ("claimed", "skipped", "coalesced"):
    SLOTS.labels(outcome=_slot)
for _result in ("applied", "refused"):
    CONFIG_RELOADS.labels(result=_result)


def build_info(version: str) -> None:
    """Set ``copbot_build_info{version=...}`` (the application knows its version; the core only shows it)."""
    BUILD.info({"version": version})


def event_received(event_type: str) -> None:
    """The core was handed one neutral event of this type."""
    EVENTS_RECEIVED.labels(type=event_type).inc()


def participation_written(stored: int, duplicates: int, failed: int) -> None:
    """One batch of the participation writer is done."""
    PARTICIPATION_STORED.inc(stored)
    DUPLICATES_DROPPED.labels(stage="ingest").inc(duplicates)
    PARTICIPATION_FAILED.inc(failed)


def participation_overflowed(count: int) -> None:
    """``count`` participation events found the writer's backlog full and were dropped."""
    PARTICIPATION_OVERFLOWED.inc(count)


def duplicate_dropped(stage: DuplicateStage) -> None:
    """A retried or replayed event was recognised and not acted on again."""
    DUPLICATES_DROPPED.labels(stage=stage).inc()


def delivery(outcome: DeliveryOutcome, count: int = 1) -> None:
    """``count`` outbox delivery attempts ended this way (a batch marked sent together counts each row)."""
    if count:
        DELIVERIES.labels(outcome=outcome).inc(count)


def rate_limited(platform: str) -> None:
    """The platform's API answered 429 (the adapter waits Retry-After and tries again)."""
    RATE_LIMITED.labels(platform=platform).inc()


def slots(*, claimed: bool, skipped: int, coalesced: int) -> None:
    """One schedule's tick: whether it claimed (and ran) a slot, and how many missed slots it recorded."""
    if claimed:
        SLOTS.labels(outcome="claimed").inc()
    if skipped:
        SLOTS.labels(outcome="skipped").inc(skipped)
    if coalesced:
        SLOTS.labels(outcome="coalesced").inc(coalesced)


def config_reload(result: ReloadResult) -> None:
    """A new community.yaml was applied, or refused."""
    CONFIG_RELOADS.labels(result=result).inc()


def value(name: str, **labels: str) -> float:
    """The current value of one sample (``copbot_deliveries_total``, outcome="sent"), 0 if never counted.

    For ``copbot simulate``, benchmarks and tests that want a figure without scraping.
    """
    found = REGISTRY.get_sample_value(name, labels)
    return found if found is not None else 0.0
