"""The /healthz verdict as a pure function: which observations make the bot unhealthy, and the words for each."""

from __future__ import annotations

from datetime import timedelta

from copbot.healthz import MAX_TICK_AGE, Probes, assess
from copbot.version import copbot_version

FINE = Probes(
    database_error=None,
    scheduler_running=True,
    adapter_connected=True,
    writer_alive=True,
    last_tick_age=timedelta(seconds=20),
)


def probes(**changes: object) -> Probes:
    values = {**FINE.__dict__, **changes}
    return Probes(**values)  # type: ignore[arg-type]


def test_everything_answering_is_healthy_and_200() -> None:
    health = assess(FINE)
    assert (health.healthy, health.http_status, health.problems) == (True, 200, ())
    assert health.as_json() == {
        "status": "ok",
        "version": copbot_version(),
        "database": True,
        "scheduler": True,
        "adapter": True,
        "writer": True,
        "last_tick_age_seconds": 20.0,
        "problems": [],
    }


def test_each_failing_part_is_named_and_all_are_listed() -> None:
    health = assess(
        probes(
            database_error="OperationalError: database is locked",
            adapter_connected=False,
            writer_alive=False,
            scheduler_running=False,
        )
    )
    assert health.http_status == 503
    assert health.problems == (
        "database unreachable: OperationalError: database is locked",
        "not connected to the chat platform",
        "the participation writer has stopped: reactions and replies are not being stored",
        "the ritual scheduler is not running",
    )
    assert health.as_json()["status"] == "unhealthy"


def test_a_stale_tick_is_unhealthy_only_past_the_limit() -> None:
    assert assess(probes(last_tick_age=MAX_TICK_AGE)).healthy
    late = assess(probes(last_tick_age=MAX_TICK_AGE + timedelta(seconds=1)))
    assert late.problems == ("no scheduler tick for 181 s (expected at least every 180 s)",)
    assert assess(probes(last_tick_age=None)).problems == ("the scheduler has not ticked yet",)


def test_without_a_scheduler_the_tick_age_is_not_judged() -> None:
    """The console moves time by hand: an old tick there means nobody typed /time, not a stuck bot."""
    health = assess(probes(scheduler_running=None, last_tick_age=timedelta(days=3)))
    assert health.healthy
    assert health.as_json()["scheduler"] is None


def test_a_start_waiting_for_an_unreachable_platform_names_it_first() -> None:
    probes = Probes(database_error=None, scheduler_running=False, adapter_connected=False, writer_alive=True,
                    last_tick_age=None, waiting_for="Slack (https://slack.com/api/) is unreachable: timeout")
    health = assess(probes)
    assert health.http_status == 503
    assert health.problems[0] == "starting: Slack (https://slack.com/api/) is unreachable: timeout (retrying)"
    assert health.as_json()["waiting_for"] == probes.waiting_for
