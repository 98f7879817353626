"""A member's daytime window across time zones and daylight-saving changes: pure functions, plain values."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.local_time import common_open, in_window, next_open, zone_of
from config.local_window import LocalWindow, parse_hours

WEEKDAYS_9_TO_6 = LocalWindow()
BERLIN, LISBON, TOKYO = ZoneInfo("Europe/Berlin"), ZoneInfo("Europe/Lisbon"), ZoneInfo("Asia/Tokyo")
NEW_YORK, LOS_ANGELES, KOLKATA = ZoneInfo("America/New_York"), ZoneInfo("America/Los_Angeles"), ZoneInfo(
    "Asia/Kolkata")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_the_window_is_read_in_each_members_own_zone() -> None:
    monday_noon_utc = at("2027-01-04T12:00")
    assert in_window(WEEKDAYS_9_TO_6, BERLIN, monday_noon_utc)  # 13:00 in Berlin
    assert not in_window(WEEKDAYS_9_TO_6, TOKYO, monday_noon_utc)  # 21:00 in Tokyo
    assert not in_window(WEEKDAYS_9_TO_6, LOS_ANGELES, monday_noon_utc)  # 04:00 in Los Angeles
    assert next_open(WEEKDAYS_9_TO_6, TOKYO, monday_noon_utc) == at("2027-01-05T00:00")  # Tuesday 09:00 JST
    assert next_open(WEEKDAYS_9_TO_6, LOS_ANGELES, monday_noon_utc) == at("2027-01-04T17:00")  # Monday 09:00 PST
    assert next_open(WEEKDAYS_9_TO_6, BERLIN, monday_noon_utc) == monday_noon_utc  # open: at once


def test_a_weekend_waits_for_monday_morning_local_time() -> None:
    friday_evening_in_lisbon = at("2027-01-08T18:30")
    assert next_open(WEEKDAYS_9_TO_6, LISBON, friday_evening_in_lisbon) == at("2027-01-11T09:00")
    # Friday 18:30 UTC is already Saturday 03:30 in Tokyo: its Monday comes first.
    assert next_open(WEEKDAYS_9_TO_6, TOKYO, friday_evening_in_lisbon) == at("2027-01-11T00:00")


def test_the_window_opens_at_nine_local_on_the_days_the_clocks_change() -> None:
    # Europe/Berlin springs forward on Sunday 2027-03-28; New York already did on 2027-03-14.
    sunday = at("2027-03-28T12:00")
    assert next_open(WEEKDAYS_9_TO_6, BERLIN, sunday) == at("2027-03-29T07:00")  # 09:00 CEST, not 08:00 UTC
    before = at("2027-03-26T06:00")  # Friday, still CET
    assert next_open(WEEKDAYS_9_TO_6, BERLIN, before) == at("2027-03-26T08:00")
    # Between the two changes Berlin and New York are 5 hours apart, not 6.
    assert next_open(WEEKDAYS_9_TO_6, NEW_YORK, at("2027-03-15T10:00")) == at("2027-03-15T13:00")  # 09:00 EDT
    assert next_open(WEEKDAYS_9_TO_6, NEW_YORK, at("2027-03-12T10:00")) == at("2027-03-12T14:00")  # 09:00 EST
    # Autumn: Berlin falls back on 2027-10-31, the window ends at 18:00 CET = 17:00 UTC on Monday.
    assert in_window(WEEKDAYS_9_TO_6, BERLIN, at("2027-11-01T16:59"))
    assert not in_window(WEEKDAYS_9_TO_6, BERLIN, at("2027-11-01T17:00"))


def test_a_window_starting_inside_the_skipped_hour_still_opens_once() -> None:
    night = LocalWindow(hours="02:30-05:00", days=["sun"])
    opened = next_open(night, BERLIN, at("2027-03-27T12:00"))  # 02:30 does not exist on 2027-03-28 in Berlin
    assert opened.astimezone(BERLIN).date().isoformat() == "2027-03-28"
    assert in_window(night, BERLIN, opened)


def test_a_group_gets_the_first_hour_of_daytime_everyone_shares() -> None:
    sunday_night_utc = at("2027-01-10T20:00")
    # Berlin opens Monday 08:00 UTC, New York 14:00 UTC: together from 14:00 UTC (15:00 Berlin, 09:00 NY).
    assert common_open(WEEKDAYS_9_TO_6, [BERLIN, NEW_YORK], sunday_night_utc) == at("2027-01-11T14:00")
    # Tokyo (00:00-09:00 UTC) and Los Angeles (17:00-02:00 UTC) share 00:00-02:00 UTC; on Monday that is still
    # Sunday in LA, so the first shared hour is Tuesday 00:00 UTC (09:00 in Tokyo, Monday 16:00 in LA).
    assert common_open(WEEKDAYS_9_TO_6, [TOKYO, LOS_ANGELES], sunday_night_utc) == at("2027-01-12T00:00")


def test_kolkata_and_los_angeles_share_no_weekday_hour() -> None:
    assert common_open(WEEKDAYS_9_TO_6, [KOLKATA, LOS_ANGELES], at("2027-01-04T12:00")) is None


def test_unknown_zones_fall_back_to_the_default() -> None:
    assert zone_of(None, "Europe/Lisbon") == LISBON
    assert zone_of("Mars/Olympus", "Europe/Lisbon") == LISBON
    assert zone_of("Asia/Tokyo", "Europe/Lisbon") == TOKYO


@pytest.mark.parametrize("text", ["9-18", "18:00-09:00", "25:00-26:00", "09:00-09:00"])
def test_a_malformed_window_is_refused_with_what_to_write(text: str) -> None:
    with pytest.raises(ValueError, match=r"09:00-18:00|hours go|end after"):
        parse_hours(text)
