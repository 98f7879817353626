"""`copbot check` shows an admin what each ritual does next: sessions and cycle starts, not internal checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from bot.ritual import RitualContext, Upcoming
from config.models import CommunityConfig
from copbot.upcoming import upcoming_line
from rituals.facilitator.ritual import FacilitatorRitual
from rituals.onboarding.ritual import OnboardingRitual
from rituals.pairing.ritual import PairingRitual
from rituals.prompts.ritual import PromptsRitual
from tests.conftest import COMMUNITY_YAML, START, make_config

BERLIN = ZoneInfo("Europe/Berlin")

EXTRA = """\
  pairing:
    schedule:
      cron: "0 9 * * mon"
    every_weeks: 2
    anchor: 2027-01-11
    followup_after: 4d
  facilitator:
    sessions:
      cron: "0 16 * * thu"
    announce_before: 2d
    remind_before: 36h
  onboarding:
    enabled: true
"""


def context(config: CommunityConfig) -> RitualContext:
    return RitualContext(SimpleNamespace(config=config))  # type: ignore[arg-type]


def local(item: Upcoming) -> list[str]:
    return [t.astimezone(BERLIN).strftime("%a %Y-%m-%d %H:%M") for t in item.times]


def test_the_rota_shows_its_sessions_not_its_fifteen_minute_check() -> None:
    ritual = FacilitatorRitual(context(make_config(COMMUNITY_YAML + EXTRA)))
    (item,) = ritual.upcoming(START, 3)  # Monday 2027-01-04 08:00 Berlin
    assert item.what == "facilitator sessions"
    assert local(item) == ["Thu 2027-01-07 16:00", "Thu 2027-01-14 16:00", "Thu 2027-01-21 16:00"]
    assert item.note == "host announced 2d before, reminded by DM 36h before"


def test_pairing_shows_cycle_starts_on_its_every_other_week_stride() -> None:
    ritual = PairingRitual(context(make_config(COMMUNITY_YAML + EXTRA)))
    (item,) = ritual.upcoming(START, 3)
    # the anchor week (11 Jan) has a cycle; 4 Jan and 18 Jan do not
    assert local(item) == ["Mon 2027-01-11 09:00", "Mon 2027-01-25 09:00", "Mon 2027-02-08 09:00"]
    assert "every 2 weeks" in item.note and '"did you meet?" 4d after each start' in item.note


def test_a_ritual_without_an_override_lists_its_schedule() -> None:
    ritual = PromptsRitual(context(make_config(COMMUNITY_YAML)))
    (item,) = ritual.upcoming(START, 3)
    assert item.what == "prompts"
    assert local(item) == ["Mon 2027-01-04 10:00", "Mon 2027-01-11 10:00", "Mon 2027-01-18 10:00"]


def test_a_frequent_check_reads_as_a_rhythm() -> None:
    ritual = OnboardingRitual(context(make_config(COMMUNITY_YAML + EXTRA)))
    (item,) = ritual.upcoming(START, 3)
    assert upcoming_line(item, BERLIN) == "onboarding: checks every 15 minutes, next Mon 04 Jan 2027 08:15"


def test_line_wording() -> None:
    monday = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    weekly = Upcoming("prompts", (monday, monday + timedelta(weeks=1)), note="queued")
    assert upcoming_line(weekly, BERLIN) == "prompts: next Mon 04 Jan 2027 10:00, Mon 11 Jan 2027 10:00 (queued)"
    hourly = Upcoming("followups", tuple(monday + timedelta(hours=h) for h in range(3)))
    assert upcoming_line(hourly, BERLIN) == "followups: checks every hour, next Mon 04 Jan 2027 10:00"
    uneven = Upcoming("x", (monday, monday + timedelta(minutes=15), monday + timedelta(minutes=45)))
    assert upcoming_line(uneven, BERLIN).startswith("x: next Mon 04 Jan 2027 10:00, Mon 04 Jan 2027 10:15, ")
    assert upcoming_line(Upcoming("x"), BERLIN) == "x: nothing scheduled"
