"""Onboarding: steps on the right local day and time, stopping when a member leaves; buddies; safe templates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from config.onboarding import KNOWN_PLACEHOLDERS
from config.templates import TemplateError, render_template, template_placeholders
from rituals.onboarding.decisions import (
    BuddyVolunteer,
    Newcomer,
    Step,
    choose_buddy,
    due_steps,
    next_step_at,
    step_due_at,
)

STEPS = [
    Step("welcome", 0, "09:00", "Welcome {name}! Our ground rules: {ground_rules}"),
    Step("intro", 2, "10:00", "Say hello in {intros_channel}"),
    Step("checkin", 7, "09:00", "How is it going, {name}? {facilitator} is around."),
]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def keys(steps: list[Step]) -> list[str]:
    return [s.key for s in steps]


def test_a_member_in_tokyo_gets_each_step_at_tokyo_time() -> None:
    # Kenji joins Monday 2026-03-02 at 23:30 UTC, which is already Tuesday 08:30 in Tokyo
    joined = utc(2026, 3, 2, 23, 30)
    assert step_due_at(STEPS[0], joined, "Asia/Tokyo") == utc(2026, 3, 3, 0, 0)  # Tue 09:00 JST
    assert step_due_at(STEPS[1], joined, "Asia/Tokyo") == utc(2026, 3, 5, 1, 0)  # Thu 10:00 JST
    assert keys(due_steps(joined, "Asia/Tokyo", STEPS, [], None, utc(2026, 3, 3, 0, 0))) == ["welcome"]
    assert keys(due_steps(joined, "Asia/Tokyo", STEPS, ["welcome"], None, utc(2026, 3, 5, 0, 59))) == []
    assert keys(due_steps(joined, "Asia/Tokyo", STEPS, ["welcome"], None, utc(2026, 3, 5, 1, 0))) == ["intro"]


def test_a_member_in_los_angeles_keeps_local_time_across_the_dst_change() -> None:
    # Lupe joins Friday 2026-03-06 at noon PST; clocks go forward on Sunday 2026-03-08
    joined = utc(2026, 3, 6, 20, 0)
    assert step_due_at(STEPS[0], joined, "America/Los_Angeles") == utc(2026, 3, 6, 17, 0)  # 09:00 PST, already due
    assert step_due_at(STEPS[1], joined, "America/Los_Angeles") == utc(2026, 3, 8, 17, 0)  # Sun 10:00 PDT
    assert step_due_at(STEPS[2], joined, "America/Los_Angeles") == utc(2026, 3, 13, 16, 0)  # Fri 09:00 PDT
    assert keys(due_steps(joined, "America/Los_Angeles", STEPS, [], None, joined)) == ["welcome"]
    done = ["welcome", "intro"]
    assert due_steps(joined, "America/Los_Angeles", STEPS, done, None, utc(2026, 3, 13, 15, 59)) == []
    assert keys(due_steps(joined, "America/Los_Angeles", STEPS, done, None, utc(2026, 3, 13, 16, 0))) == ["checkin"]


def test_a_member_who_left_gets_no_more_steps() -> None:
    joined = utc(2026, 4, 1, 8, 0)
    left = utc(2026, 4, 2, 12, 0)
    assert due_steps(joined, "Europe/Berlin", STEPS, ["welcome"], left, utc(2026, 4, 10)) == []
    assert next_step_at(joined, "Europe/Berlin", STEPS, ["welcome"], left) is None


def test_each_step_once_and_in_order_after_downtime() -> None:
    joined = utc(2026, 4, 1, 8, 0)
    late = utc(2026, 4, 20)
    assert keys(due_steps(joined, None, STEPS, [], None, late)) == ["welcome", "intro", "checkin"]
    assert keys(due_steps(joined, None, STEPS, ["intro"], None, late)) == ["welcome", "checkin"]


@given(
    joined=st.datetimes(datetime(2025, 1, 1), datetime(2028, 1, 1), timezones=st.just(UTC)),
    zone=st.sampled_from(["Asia/Tokyo", "America/Los_Angeles", "Europe/London", "Australia/Sydney", "UTC"]),
)
def test_every_step_fires_on_its_local_day_at_its_local_time(joined: datetime, zone: str) -> None:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)
    for step in STEPS:
        local = step_due_at(step, joined, zone).astimezone(tz)
        assert local.date() == joined.astimezone(tz).date() + timedelta(days=step.day_offset)
        assert local.strftime("%H:%M") == step.local_time


# --- buddies -------------------------------------------------------------------------------------------------


def test_the_least_loaded_volunteer_is_the_buddy_even_over_a_better_match() -> None:
    newcomer = Newcomer("ana", 1.0, frozenset({"python"}))
    busy = BuddyVolunteer("ben", 2, 1.0, frozenset({"python"}))
    free = BuddyVolunteer("cy", 0, -8.0, frozenset({"design"}))
    assert choose_buddy(newcomer, [busy, free]) == "cy"


def test_among_equally_loaded_a_shared_interest_or_close_time_zone_wins_then_key() -> None:
    newcomer = Newcomer("ana", 1.0, frozenset({"python"}))
    far = BuddyVolunteer("aaron", 1, -8.0, frozenset())
    close = BuddyVolunteer("zed", 1, 2.0, frozenset({"python"}))
    assert choose_buddy(newcomer, [far, close]) == "zed"
    twin_a = BuddyVolunteer("bea", 1, 1.0, frozenset({"python"}))
    twin_b = BuddyVolunteer("bob", 1, 1.0, frozenset({"python"}))
    assert choose_buddy(newcomer, [twin_b, twin_a]) == "bea"


def test_no_buddy_when_nobody_has_room() -> None:
    newcomer = Newcomer("ana")
    assert choose_buddy(newcomer, []) is None
    assert choose_buddy(newcomer, [BuddyVolunteer("ben", 3)], max_load=3) is None
    assert choose_buddy(newcomer, [BuddyVolunteer("ana", 0)]) is None


@given(loads=st.lists(st.integers(0, 5), min_size=1, max_size=8))
def test_buddy_is_always_least_loaded(loads: list[int]) -> None:
    volunteers = [BuddyVolunteer(f"v{i}", load) for i, load in enumerate(loads)]
    chosen = choose_buddy(Newcomer("new"), volunteers)
    assert next(v.load for v in volunteers if v.key == chosen) == min(loads)


# --- templates -----------------------------------------------------------------------------------------------


def test_render_fills_known_placeholders_and_keeps_double_braces() -> None:
    text = render_template("Hi {name}, see {intros_channel} {{literally}}", name="Ana", intros_channel="#intros",
                           allowed=KNOWN_PLACEHOLDERS)
    assert text == "Hi Ana, see #intros {literally}"


def test_member_supplied_values_are_inserted_as_is() -> None:
    name = "{facilitator} {0.__class__} {{x}}"
    assert render_template("Hi {name}", name=name, facilitator="Dee", allowed=KNOWN_PLACEHOLDERS) == f"Hi {name}"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("Hi {nmae}", "unknown placeholder {nmae}"),
        ("Hi {name.__class__}", "not a placeholder"),
        ("Hi {0}", "not a placeholder"),
        ("Hi {name", "lone '{'"),
        ("Hi {name!r}", "not a placeholder"),
    ],
)
def test_bad_templates_are_clear_errors(template: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message.replace("{", r"\{").replace("}", r"\}").replace(".", r"\.")):
        render_template(template, name="Ana", allowed=KNOWN_PLACEHOLDERS)


def test_a_missing_value_is_an_error_and_config_validation_lists_placeholders() -> None:
    with pytest.raises(TemplateError, match="no value"):
        render_template("Hi {name}, ask {facilitator}", name="Ana", allowed=KNOWN_PLACEHOLDERS)
    assert template_placeholders(STEPS[2].template, KNOWN_PLACEHOLDERS) == {"name", "facilitator"}
def test_the_helper_named_in_a_check_in_is_never_the_member_themselves() -> None:
    """Fay hosts the community; in her own day-7 check-in "{facilitator} is happy to help" must name someone else."""
    from rituals.onboarding.decisions import helper_for

    assert helper_for("console:ana", ["console:fay", "console:gus"], buddy="console:ben") == "console:fay"
    assert helper_for("console:fay", ["console:fay", "console:gus"], buddy="console:ben") == "console:gus"
    assert helper_for("console:fay", ["console:fay"], buddy="console:ben") == "console:ben"
    assert helper_for("console:fay", ["console:fay"], buddy=None) is None
    assert helper_for("console:fay", [], buddy="console:fay") is None
