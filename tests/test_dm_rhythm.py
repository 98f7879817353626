"""Every DM in its member's own daytime, and "not now" for optional DMs: the core's DM policy, through the real
runtime and the console adapter, with a ritual that knows nothing about either."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.console.adapter import ConsoleAdapter
from bot.actions import DirectMessage
from bot.clock import ManualClock
from bot.dm_policy import member_zone
from bot.events import CommandInvoked, MemberJoined
from bot.local_time import in_window
from bot.outbox import write_plan
from bot.ritual import Planned
from bot.runtime import Runtime
from config.loader import parse_config
from copbot.registry import RITUALS
from storage import member_prefs, queries
from storage.db import Database, open_database
from tests.rhythm_helpers import WINDOW_YAML, FrequentNotices, Notices

MONDAY_0700_UTC = datetime(2027, 1, 4, 7, 0, tzinfo=UTC)
ZONES = {"ana": "Asia/Tokyo", "ben": "America/Los_Angeles", "cai": None, "dev": "Asia/Kolkata"}


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Runtime, ConsoleAdapter, ManualClock]]:
    db = open_database(f"sqlite:///{tmp_path / 'rhythm.db'}")
    clock = ManualClock(MONDAY_0700_UTC)
    adapter = ConsoleAdapter()
    runtime = Runtime(parse_config(WINDOW_YAML, "community.yaml"), db, adapter, clock, [Notices])
    await runtime.start(background=False)
    for name, tz in ZONES.items():
        await runtime.handle_event(MemberJoined(platform="console", event_id=f"join-{name}", member=f"console:{name}",
                                                at=clock.now(), name=name, tz=tz))  # fmt: skip
    yield runtime, adapter, clock
    await runtime.stop()
    db.dispose()


def sent_dms(db: Database, community: str) -> list[tuple[datetime, tuple[str, ...], str]]:
    """(sent at, recipients, text) of every DM and group DM sent, in order."""
    out = []
    with db.session() as tx:
        for row in queries.deliveries(tx, community, "sent"):
            action = json.loads(row.action)
            to = (action["member"],) if action["kind"] == "DirectMessage" else tuple(action.get("members") or ())
            if to and row.sent_at is not None:
                out.append((row.sent_at.replace(tzinfo=UTC), to, action["text"]))
    return sorted(out)


async def move_to(runtime: Runtime, clock: ManualClock, when: datetime) -> None:
    """Tick on every full hour up to ``when``, sending whatever falls due, as a live bot would."""
    while clock.now() < when:
        clock.set(min(when, (clock.now() + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)))
        runtime.tick()
        await runtime.settle()


async def command(runtime: Runtime, clock: ManualClock, member: str, text: str) -> str:
    event = CommandInvoked(platform="console", event_id=f"cmd-{member}-{text}-{clock.now().isoformat()}",
                           member=f"console:{member}", at=clock.now(), text=text)  # fmt: skip
    answer = await runtime.handle_event(event)
    await runtime.settle()
    return str(answer)


async def test_channel_posts_go_at_the_communitys_time_and_dms_wait_for_each_members_morning(world) -> None:  # type: ignore[no-untyped-def]
    runtime, adapter, clock = world
    await move_to(runtime, clock, datetime(2027, 1, 4, 11, 30, tzinfo=UTC))  # the slot: Monday 12:00 Berlin
    assert [m.text for m in adapter.transcript if m.where == "#guild"] == ["news 2027-01-04T11:00:00+00:00"]
    now = sent_dms(runtime.db, runtime.community)
    # In daytime now: cai (no zone: the window's default, Lisbon, 11:00) and dev (Kolkata, 16:30); not ana (Tokyo,
    # 20:00) nor ben (Los Angeles, 03:00).
    assert {to for _, to, _ in now} == {("console:cai",), ("console:dev",), ("console:cai", "console:dev")}
    assert {at for at, _, _ in now} == {datetime(2027, 1, 4, 11, tzinfo=UTC)}
    await move_to(runtime, clock, datetime(2027, 1, 5, 12, 0, tzinfo=UTC))
    by_text = {(to, text.split(":")[0]): at for at, to, text in sent_dms(runtime.db, runtime.community)}
    stamp = "2027-01-04T11"
    assert by_text[(("console:ben",), f"essential {stamp}")] == datetime(2027, 1, 4, 17, tzinfo=UTC)  # 09:00 in LA
    assert by_text[(("console:ana",), f"essential {stamp}")] == datetime(2027, 1, 5, 0, tzinfo=UTC)  # 09:00 Tokyo
    assert by_text[(("console:ana",), f"tip {stamp}")] == datetime(2027, 1, 5, 0, tzinfo=UTC)
    # ana (Tokyo) and ben (LA) share Tuesday 00:00-02:00 UTC: one group DM to both, then.
    assert by_text[(("console:ana", "console:ben"), f"group {stamp}")] == datetime(2027, 1, 5, 0, tzinfo=UTC)


async def test_a_group_with_no_shared_daytime_gets_one_copy_each_in_their_own_window(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'split.db'}")
    clock = ManualClock(MONDAY_0700_UTC)
    runtime = Runtime(parse_config(WINDOW_YAML, "community.yaml"), db, ConsoleAdapter(), clock, [Notices])
    await runtime.start(background=False)
    for name, tz in (("ben", "America/Los_Angeles"), ("dev", "Asia/Kolkata")):  # no common weekday hour
        await runtime.handle_event(MemberJoined(platform="console", event_id=f"join-{name}", member=f"console:{name}",
                                                at=clock.now(), name=name, tz=tz))  # fmt: skip
    await move_to(runtime, clock, datetime(2027, 1, 6, 0, 0, tzinfo=UTC))
    groups = [(at, to) for at, to, text in sent_dms(db, runtime.community) if text.startswith("group")]
    assert groups == [
        (datetime(2027, 1, 4, 11, tzinfo=UTC), ("console:dev",)),  # 16:30 in Kolkata: at once
        (datetime(2027, 1, 4, 17, tzinfo=UTC), ("console:ben",)),  # 09:00 in Los Angeles
    ]
    await runtime.stop()
    db.dispose()


async def test_optional_dms_respect_dm_off_and_a_pause_essential_ones_still_come(world) -> None:  # type: ignore[no-untyped-def]
    runtime, _, clock = world
    assert "no more optional DMs" in await command(runtime, clock, "cai", "dm off")
    assert "Paused until 2027-01-12" in await command(runtime, clock, "dev", "pause until 2027-01-12")
    await move_to(runtime, clock, datetime(2027, 1, 9, 0, 0, tzinfo=UTC))
    texts = [(to, text.split()[0]) for _, to, text in sent_dms(runtime.db, runtime.community)]
    assert (("console:cai",), "essential") in texts and (("console:cai",), "tip") not in texts
    assert (("console:dev",), "essential") in texts and (("console:dev",), "tip") not in texts
    assert (("console:ana",), "tip") in texts
    # the optional group DM of cai and dev reaches neither; the essential one reaches both
    assert not [t for t in texts if t[1] == "optional" and set(t[0]) & {"console:cai", "console:dev"}]
    assert (("console:cai", "console:dev"), "group") in texts
    with runtime.db.session() as tx:
        withheld = queries.deliveries(tx, runtime.community, "withheld")
    assert len(withheld) == 3 and all("dm off" in (row.error or "") for row in withheld)
    # The pause ends by itself; `/cop dm on` brings cai back.
    assert "on again" in await command(runtime, clock, "cai", "dm on")
    await move_to(runtime, clock, datetime(2027, 1, 13, 0, 0, tzinfo=UTC))
    second = [(to, text) for _, to, text in sent_dms(runtime.db, runtime.community) if "2027-01-11" in text]
    assert (("console:cai",), "tip 2027-01-11T11:00:00+00:00") in second
    assert (("console:dev",), "tip 2027-01-11T11:00:00+00:00") not in second  # still paused on Monday 11th
    await move_to(runtime, clock, datetime(2027, 1, 20, 0, 0, tzinfo=UTC))
    third = [(to, text) for _, to, text in sent_dms(runtime.db, runtime.community) if "2027-01-18" in text]
    assert (("console:dev",), "tip 2027-01-18T11:00:00+00:00") in third  # the pause is over


async def test_a_member_sets_their_own_time_zone_and_dms_follow_it(world) -> None:  # type: ignore[no-untyped-def]
    runtime, _, clock = world
    answer = await command(runtime, clock, "cai", "timezone Asia/Tokio")
    assert "did you mean 'Asia/Tokyo'" in answer
    assert "Europe/Lisbon" in await command(runtime, clock, "cai", "timezone")  # the default until then
    assert "Asia/Tokyo" in await command(runtime, clock, "cai", "timezone Asia/Tokyo")
    await move_to(runtime, clock, datetime(2027, 1, 5, 1, 0, tzinfo=UTC))
    [(at, _, _)] = [d for d in sent_dms(runtime.db, runtime.community) if d[1] == ("console:cai",)
                    and d[2].startswith("essential")]  # fmt: skip
    assert at == datetime(2027, 1, 5, 0, tzinfo=UTC)  # 09:00 in Tokyo, not 11:30 in Lisbon


async def test_an_answer_to_a_members_own_command_goes_at_once_even_at_night(world) -> None:  # type: ignore[no-untyped-def]
    runtime, _, clock = world
    clock.set(datetime(2027, 1, 4, 21, 0, tzinfo=UTC))  # 06:00 in Tokyo
    await command(runtime, clock, "ana", "notice me")
    [(at, to, _)] = [d for d in sent_dms(runtime.db, runtime.community) if d[2] == "here is what you asked for"]
    assert (at, to) == (clock.now(), ("console:ana",))
    with runtime.db.session() as tx:
        timings = {row.timing for row in queries.deliveries(tx, runtime.community) if row.id.startswith("notices:cmd")}
    assert timings == {"answer"}  # told apart from DMs the bot times, in the simulation's figures


async def test_every_dm_lands_in_its_members_daytime_from_any_start(scenario_start: datetime, tmp_path: Path
                                                                    ) -> None:
    """Eight days of DMs every five hours to members in six zones: none outside a window, none lost."""
    db = open_database(f"sqlite:///{tmp_path / 'week.db'}")
    clock = ManualClock(scenario_start)
    runtime = Runtime(parse_config(WINDOW_YAML, "community.yaml"), db, ConsoleAdapter(), clock, [FrequentNotices])
    await runtime.start(background=False)
    zones = ["Asia/Tokyo", "America/Los_Angeles", None, "Asia/Kolkata", "Europe/Berlin", "America/New_York"]
    for i, tz in enumerate(zones):
        await runtime.handle_event(MemberJoined(platform="console", event_id=f"j{i}", member=f"console:m{i}",
                                                at=clock.now(), name=f"m{i}", tz=tz))  # fmt: skip
    end = scenario_start + timedelta(days=8)
    await move_to(runtime, clock, end)
    config = runtime.config
    window = config.delivery.direct_messages.local_window
    assert window is not None
    sent = sent_dms(db, runtime.community)
    assert len(sent) > 100
    with db.session() as tx:
        people = queries.members_by_key(tx, runtime.community, [f"console:m{i}" for i in range(len(zones))])
        prefs = member_prefs.all_prefs(tx, runtime.community)
        unsent = [row for row in queries.deliveries(tx, runtime.community) if row.status != "sent"]
    outside = [(at, to) for at, to, _ in sent for key in to
               if not in_window(window, member_zone(prefs.get(key), people[key], config), at)]  # fmt: skip
    assert outside == []
    assert unsent and all(row.status == "pending" and row.not_before and row.not_before.replace(tzinfo=UTC) > end
                          for row in unsent)  # fmt: skip
    await runtime.stop()
    db.dispose()


async def test_a_dm_reached_after_its_window_closed_waits_for_the_next_morning(world) -> None:  # type: ignore[no-untyped-def]
    """A backlog (a restart, a long fan-out) or a zone learnt after the plan: the outbox looks again before sending."""
    runtime, _, clock = world
    clock.set(datetime(2027, 1, 4, 17, 59, tzinfo=UTC))  # 17:59 in Lisbon (cai's default zone): still daytime
    with runtime.db.session() as tx:
        write_plan(tx, runtime.community, "notices", "late", [
            Planned(DirectMessage(member="console:cai", text="late one")),
            Planned(DirectMessage(member="console:eve", text="for someone we don't know yet")),
        ], clock.now(), policy=runtime.dm_policy)
        tx.commit()
    clock.set(datetime(2027, 1, 4, 18, 30, tzinfo=UTC))  # the sender only gets to it after 18:00
    await runtime.handle_event(MemberJoined(platform="console", event_id="join-eve", member="console:eve",
                                            at=clock.now(), name="eve", tz="Asia/Tokyo"))  # fmt: skip
    await runtime.settle()
    late = ("late one", "for someone we don't know yet")
    assert not [d for d in sent_dms(runtime.db, runtime.community) if d[2] in late]
    await move_to(runtime, clock, datetime(2027, 1, 5, 10, 0, tzinfo=UTC))
    sent = {text: at for at, _, text in sent_dms(runtime.db, runtime.community)}
    assert sent["late one"] == datetime(2027, 1, 5, 9, tzinfo=UTC)  # 09:00 in Lisbon
    assert sent["for someone we don't know yet"] == datetime(2027, 1, 5, 0, tzinfo=UTC)  # 09:00 in Tokyo, her zone


ONBOARDING_YAML = WINDOW_YAML + """\
rituals:
  onboarding:
    steps:
      - {key: welcome, day: 0, time: "00:00", text: "Welcome, {name}!"}
      - {key: introduce, day: 2, time: "10:00", text: "Say hello in the channel, {name}?"}
"""


async def test_the_shipped_rituals_mark_their_tips_optional_the_welcome_still_comes(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'onboarding.db'}")
    clock = ManualClock(MONDAY_0700_UTC)
    runtime = Runtime(parse_config(ONBOARDING_YAML, "community.yaml"), db, ConsoleAdapter(), clock, RITUALS)
    await runtime.start(background=False)
    clock.advance(timedelta(hours=3))  # 10:00 in Lisbon
    for name in ("ana", "ben"):
        await runtime.handle_event(MemberJoined(platform="console", event_id=f"join-{name}", member=f"console:{name}",
                                                at=clock.now(), name=name, tz="Europe/Lisbon"))  # fmt: skip
    await command(runtime, clock, "ana", "dm off")
    await move_to(runtime, clock, datetime(2027, 1, 7, 12, 0, tzinfo=UTC))
    texts = sorted((to, text) for _, to, text in sent_dms(db, runtime.community))
    assert texts == [
        (("console:ana",), "Welcome, ana!"),
        (("console:ben",), "Say hello in the channel, ben?"),
        (("console:ben",), "Welcome, ben!"),
    ]
    await runtime.stop()
    db.dispose()
