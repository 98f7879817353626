"""Slot arithmetic and the catch-up rule, with no clock and no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.slots import _Calendar, next_slots, plan_catch_up, slots_between

BERLIN = ZoneInfo("Europe/Berlin")


def test_weekly_prompt_fires_at_ten_berlin_time_in_winter_and_summer() -> None:
    winter = next_slots("0 10 * * mon", "Europe/Berlin", datetime(2027, 1, 1, tzinfo=UTC), 1)[0]
    summer = next_slots("0 10 * * mon", "Europe/Berlin", datetime(2027, 7, 1, tzinfo=UTC), 1)[0]
    assert winter == datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # UTC+1
    assert summer == datetime(2027, 7, 5, 8, 0, tzinfo=UTC)  # UTC+2
    assert winter.astimezone(BERLIN).hour == summer.astimezone(BERLIN).hour == 10


def test_spring_forward_day_in_berlin_has_exactly_one_slot_for_a_time_that_does_not_exist() -> None:
    # 2027-03-28: clocks jump from 02:00 to 03:00; a 02:30 daily slot must still fire once that day.
    day_start = datetime(2027, 3, 27, 23, 0, tzinfo=UTC)  # 00:00 Berlin on the 28th
    slots = slots_between("30 2 * * *", "Europe/Berlin", day_start - timedelta(microseconds=1),
                          day_start + timedelta(hours=23))
    assert len(slots) == 1


def test_fall_back_day_in_berlin_has_exactly_one_slot_for_a_time_that_happens_twice() -> None:
    # 2027-10-31: 02:00-03:00 happens twice; a 02:30 daily slot fires once, not twice, and never loops.
    day_start = datetime(2027, 10, 30, 22, 0, tzinfo=UTC)  # 00:00 Berlin on the 31st (CEST)
    slots = slots_between("30 2 * * *", "Europe/Berlin", day_start - timedelta(microseconds=1),
                          day_start + timedelta(hours=25))
    assert slots == [datetime(2027, 10, 31, 0, 30, tzinfo=UTC)]


def test_a_week_across_the_fall_back_keeps_one_slot_per_day() -> None:
    slots = slots_between("30 2 * * *", "Europe/Berlin", datetime(2027, 10, 27, tzinfo=UTC),
                          datetime(2027, 11, 3, tzinfo=UTC))
    days = [s.astimezone(BERLIN).date() for s in slots]
    assert len(days) == len(set(days)) == 7


def test_three_missed_slots_within_grace_give_one_run_and_two_coalesced() -> None:
    now = datetime(2027, 1, 25, 12, tzinfo=UTC)
    due = [now - timedelta(weeks=w, hours=3) for w in (2, 1, 0)]
    plan = plan_catch_up(due, now, grace=timedelta(days=21))
    assert plan.run == due[-1]
    assert plan.coalesced == (due[0], due[1])
    assert plan.skipped == ()


def test_slots_past_grace_are_skipped_not_run() -> None:
    now = datetime(2027, 1, 25, 12, tzinfo=UTC)
    due = [now - timedelta(days=9), now - timedelta(days=2)]
    plan = plan_catch_up(due, now, grace=timedelta(hours=36))
    assert plan.run is None
    assert plan.skipped == tuple(due)


@given(
    offsets=st.lists(st.integers(min_value=0, max_value=60 * 24 * 60), min_size=0, max_size=30, unique=True),
    grace_hours=st.integers(min_value=1, max_value=24 * 30),
)
def test_catch_up_accounts_for_every_due_slot_exactly_once(offsets: list[int], grace_hours: int) -> None:
    now = datetime(2027, 6, 1, tzinfo=UTC)
    due = sorted(now - timedelta(minutes=m) for m in offsets)
    plan = plan_catch_up(due, now, timedelta(hours=grace_hours))
    accounted = [*([plan.run] if plan.run else []), *plan.coalesced, *plan.skipped]
    assert sorted(accounted) == due
    assert (plan.run is None) == all(now - s > timedelta(hours=grace_hours) for s in due)


def _walked(cron: str, tz: str, after: datetime, until: datetime) -> list[datetime]:
    """The calendar walked afresh, with no cache: what the cached answers must equal."""
    from bot.slots import _firings

    out = []
    for fire in _firings(cron, tz, after):
        if fire > until:
            break
        out.append(fire)
    return out


def test_cached_firings_over_half_a_year_of_15_minute_checks_equal_a_fresh_walk_across_both_dst_changes() -> None:
    cron, tz = "*/15 * * * *", "Europe/Berlin"
    start = datetime(2027, 1, 1, tzinfo=UTC)
    cursor = start
    seen: list[datetime] = []
    while cursor < datetime(2027, 11, 15, tzinfo=UTC):  # asked the way a ticking bot asks: hour by hour
        until = cursor + timedelta(hours=7)
        seen += slots_between(cron, tz, cursor, until)
        cursor = until
    # Past the walk's scan bound (2,000 slots), through spring forward and fall back, nothing lost or doubled.
    assert len(seen) > 20_000
    expected: list[datetime] = []
    chunk = start
    while chunk < cursor:  # fresh walks, each shorter than their scan bound
        end = min(chunk + timedelta(days=20), cursor)
        expected += _walked(cron, tz, chunk, end)
        chunk = end
    assert seen == expected
    assert len(set(seen)) == len(seen)


def test_asking_about_the_past_after_the_future_gives_the_same_answer() -> None:
    cron, tz = "0 16 * * thu", "America/New_York"
    later = slots_between(cron, tz, datetime(2027, 6, 1, tzinfo=UTC), datetime(2027, 7, 1, tzinfo=UTC))
    earlier = slots_between(cron, tz, datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 2, 1, tzinfo=UTC))
    assert earlier == _walked(cron, tz, datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 2, 1, tzinfo=UTC))
    assert later == _walked(cron, tz, datetime(2027, 6, 1, tzinfo=UTC), datetime(2027, 7, 1, tzinfo=UTC))
    assert next_slots(cron, tz, datetime(2027, 1, 1, tzinfo=UTC), 3) == earlier[:3]


@settings(deadline=None, max_examples=60)  # each example walks weeks of 15-minute firings, twice
@given(st.lists(st.tuples(st.sampled_from(["between", "following"]), st.integers(-3 * 24 * 60, 40 * 24 * 60),
                          st.integers(1, 3 * 24 * 60)), min_size=1, max_size=12))
def test_a_cached_calendar_answers_any_sequence_of_questions_as_a_fresh_one_would(
    questions: list[tuple[str, int, int]],
) -> None:
    """Each question moves ``after`` by minutes (forward past the cached firings, or back); the cache
    must never answer with a firing at or before ``after``, nor skip one. Found by the simulator: asked at
    01:59 after last being asked at 01:00, the cache answered 01:15."""
    cron, tz = "*/15 * * * *", "Europe/Berlin"
    cached = _Calendar(cron, tz)
    after = datetime(2027, 3, 20, tzinfo=UTC)  # a week before spring forward
    for kind, move, span in questions:
        after += timedelta(minutes=move, microseconds=-1)
        if kind == "between":
            until = after + timedelta(minutes=span)
            assert cached.between(after, until) == _Calendar(cron, tz).between(after, until)
        else:
            assert cached.following(after, 3) == _Calendar(cron, tz).following(after, 3)


def _local(slots: list[datetime]) -> list[str]:
    return [s.astimezone(BERLIN).strftime("%H:%M %Z") for s in slots]


def test_every_half_hour_of_the_repeated_hour_runs_once_on_the_autumn_night() -> None:
    """2027-10-31: 02:00-03:00 happens twice; `*/30 2 * * *` is two wall-clock slots, run at their first pass."""
    night = slots_between("*/30 2 * * *", "Europe/Berlin", datetime(2027, 10, 30, 20, tzinfo=UTC),
                          datetime(2027, 10, 31, 6, tzinfo=UTC))
    assert _local(night) == ["02:00 CEST", "02:30 CEST"]


def test_every_half_hour_of_the_skipped_hour_runs_once_on_the_spring_night() -> None:
    """2027-03-28: 02:00-03:00 does not exist; its two slots run as late as the clocks jumped, once each."""
    night = slots_between("*/30 2 * * *", "Europe/Berlin", datetime(2027, 3, 27, 20, tzinfo=UTC),
                          datetime(2027, 3, 28, 6, tzinfo=UTC))
    assert _local(night) == ["03:00 CEST", "03:30 CEST"]


def test_a_skipped_slot_moved_onto_an_existing_one_is_that_slot() -> None:
    night = slots_between("*/30 * * * *", "Europe/Berlin", datetime(2027, 3, 28, 0, 0, tzinfo=UTC),
                          datetime(2027, 3, 28, 2, 0, tzinfo=UTC))
    assert _local(night) == ["01:30 CET", "03:00 CEST", "03:30 CEST", "04:00 CEST"]


def _clock_changes(zone: str) -> list[datetime]:
    """The moments of 2027 at which ``zone``'s UTC offset changes (hour by hour is fine enough to find them)."""
    tz = ZoneInfo(zone)
    hours = [datetime(2027, 1, 1, tzinfo=UTC) + timedelta(hours=h) for h in range(365 * 24)]
    return [b for a, b in pairwise(hours) if a.astimezone(tz).utcoffset() != b.astimezone(tz).utcoffset()]


@settings(deadline=None, max_examples=80)
@given(cron=st.sampled_from(["*/30 2 * * *", "*/20 * * * *", "15 1-3 * * *", "0,30 2,3 * * *", "45 2 * * sun",
                             "*/30 0,1 * * *"]),
       zone=st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Santiago"]),
       change=st.integers(0, 1), before_hours=st.integers(0, 48), resume_minutes=st.integers(1, 48 * 60))
def test_no_wall_clock_slot_ever_fires_twice_whatever_the_zone_and_where_the_walk_resumes(
    cron: str, zone: str, change: int, before_hours: int, resume_minutes: int
) -> None:
    """Walked in two pieces (a bot that stopped and resumed at any minute), the firings around a clock change
    give each wall-clock time at most once, in increasing order, and the pieces join without a gap."""
    tz = ZoneInfo(zone)
    start = _clock_changes(zone)[change] - timedelta(hours=before_hours)
    cut = start + timedelta(minutes=resume_minutes)
    end = start + timedelta(days=4)
    whole = _walked(cron, zone, start, end)
    assert whole == _walked(cron, zone, start, cut) + _walked(cron, zone, cut, end)
    assert whole == sorted(set(whole))
    walls = [f.astimezone(tz).replace(tzinfo=None, fold=0) for f in whole]
    assert len(walls) == len(set(walls))
