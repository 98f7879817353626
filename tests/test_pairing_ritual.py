"""The pairing ritual end to end: a guild's members are paired each cycle through the real runtime.

Cycles are driven by the ManualClock and ``runtime.tick``; commands and button clicks are neutral events.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.console.adapter import ConsoleAdapter, Message
from bot.clock import ManualClock
from bot.events import ButtonClicked, CommandInvoked, MemberJoined, MemberLeft
from bot.runtime import Runtime
from bot.text import mention
from config.models import CommunityConfig
from copbot.registry import RITUALS
from storage import onboarding as onboarding_store
from storage import pairing as store
from storage import queries
from storage.db import Database, open_database
from tests.conftest import COMMUNITY_YAML, START, make_config

PAIRING_YAML = """\
  pairing:
    schedule:
      cron: "0 9 * * mon"
      grace: 2d
    every_weeks: {every_weeks}
    anchor: 2027-01-04
    avoid_repeat_cycles: {k}
    followup_after: 5d
    topics:
      - Topic one?
      - Topic two?
    mode: {mode}
{extra}"""

_ids = itertools.count()


def pairing_config(*, k: int = 3, every_weeks: int = 1, mode: str = "peer", extra: str = "") -> CommunityConfig:
    return make_config(COMMUNITY_YAML + PAIRING_YAML.format(k=k, every_weeks=every_weeks, mode=mode, extra=extra))


@pytest.fixture
def pairing_db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(f"sqlite:///{tmp_path / 'pairing.db'}")
    yield database
    database.dispose()


async def make_runtime(config: CommunityConfig, db: Database, adapter: ConsoleAdapter, clock: ManualClock) -> Runtime:
    bot = Runtime(config, db, adapter, clock, RITUALS)
    await bot.start(background=False)
    return bot


@pytest.fixture
async def guild(pairing_db: Database, adapter: ConsoleAdapter, clock: ManualClock) -> AsyncIterator[Runtime]:
    bot = await make_runtime(pairing_config(), pairing_db, adapter, clock)
    yield bot
    await bot.stop()


async def join(runtime: Runtime, clock: ManualClock, *handles: str, tz: str = "Europe/Berlin") -> None:
    for handle in handles:
        await runtime.handle_event(
            MemberJoined(platform="console", event_id=f"join-{next(_ids)}", member=f"console:{handle}",
                         at=clock.now(), name=handle.capitalize(), tz=tz, interests=("kubernetes",))
        )


async def command(runtime: Runtime, clock: ManualClock, handle: str, text: str) -> str:
    answer = await runtime.handle_event(
        CommandInvoked(platform="console", event_id=f"cmd-{next(_ids)}", member=f"console:{handle}",
                       at=clock.now(), text=text)
    )
    await runtime.settle()
    assert answer is not None
    return answer


async def next_cycle(runtime: Runtime, clock: ManualClock, days: int = 7) -> None:
    """Move to the next Monday 09:00 Berlin (the first call: from Monday 08:00 to 09:30) and tick."""
    clock.advance(timedelta(hours=2, minutes=30) if clock.now() == START else timedelta(days=days))
    runtime.tick()
    await runtime.settle()


def intros(adapter: ConsoleAdapter, start: int = 0) -> list[Message]:
    return [m for m in adapter.transcript[start:] if m.where.startswith("group DM") and "You are paired" in m.text]


def latest_groups(db: Database) -> list[tuple[str, ...]]:
    with db.session() as tx:
        cycle = store.latest_cycle(tx, "test-guild")
        assert cycle is not None and cycle.id is not None
        return sorted(g.member_keys() for g in store.groups(tx, "test-guild", [cycle.id]))


def left_out(db: Database) -> dict[str, str]:
    with db.session() as tx:
        cycle = store.latest_cycle(tx, "test-guild")
        assert cycle is not None and cycle.id is not None
        return {row.member: row.reason for row in store.left_out(tx, "test-guild", cycle.id)}


async def test_an_odd_count_gives_one_trio_and_one_intro_per_group_with_mentions(
    guild: Runtime, clock: ManualClock, adapter: ConsoleAdapter, pairing_db: Database
) -> None:
    await join(guild, clock, "ana", "ben", "chen", "dana", "emeka")
    await next_cycle(guild, clock)
    groups = latest_groups(pairing_db)
    assert sorted(len(g) for g in groups) == [2, 3]
    assert sorted(k for g in groups for k in g) == [f"console:{h}" for h in ("ana", "ben", "chen", "dana", "emeka")]
    messages = intros(adapter)
    assert len(messages) == len(groups) == 2
    for message, group in zip(sorted(messages, key=lambda m: m.where), sorted(groups), strict=True):
        handles = [key.split(":")[1] for key in group]
        assert message.where == "group DM " + ", ".join(f"@{h}" for h in handles)
        assert all(f"@{h}" in message.text for h in handles)  # each member mentioned in the text
        assert "A first topic, if you want one: Topic" in message.text
    with pairing_db.session() as tx:
        planned = [d for d in queries.deliveries(tx, "test-guild") if d.subject.startswith("pairing.group:")]
    assert len(planned) == 2
    assert all(mention(key) in json.loads(d.action)["text"] for d in planned for key in key_list(d.subject, pairing_db))


def key_list(subject: str, db: Database) -> tuple[str, ...]:
    with db.session() as tx:
        group = store.group(tx, "test-guild", int(subject.split(":")[1]))
        assert group is not None
        return group.member_keys()


async def test_no_pair_repeats_within_k_cycles_over_eight_cycles(
    guild: Runtime, clock: ManualClock, pairing_db: Database
) -> None:
    await join(guild, clock, *[f"m{i}" for i in range(8)])
    history: list[set[frozenset[str]]] = []
    for _ in range(8):
        await next_cycle(guild, clock)
        pairs = {frozenset(p) for g in latest_groups(pairing_db) for p in itertools.combinations(g, 2)}
        for earlier in history[-3:]:  # avoid_repeat_cycles: 3
            assert not pairs & earlier
        history.append(pairs)
    with pairing_db.session() as tx:
        assert len(store.cycles(tx, "test-guild")) == 8
    assert all(len(pairs) == 4 for pairs in history)  # 8 members, 4 pairs every time


async def test_paused_members_sit_out_until_their_date_then_come_back(
    guild: Runtime, clock: ManualClock, pairing_db: Database
) -> None:
    await join(guild, clock, "ana", "ben", "chen", "dana", "emeka")
    answer = await command(guild, clock, "ana", "pairing pause 2027-01-20")
    assert "2027-01-20" in answer
    await next_cycle(guild, clock)  # 2027-01-04
    assert "console:ana" not in {k for g in latest_groups(pairing_db) for k in g}
    assert left_out(pairing_db)["console:ana"] == "paused until 2027-01-20"
    await next_cycle(guild, clock)  # 2027-01-11
    assert "console:ana" in left_out(pairing_db)
    await next_cycle(guild, clock)  # 2027-01-18, still paused
    assert "console:ana" in left_out(pairing_db)
    await next_cycle(guild, clock)  # 2027-01-25: back by herself
    assert "console:ana" in {k for g in latest_groups(pairing_db) for k in g}
    assert "console:ana" not in left_out(pairing_db)


async def test_a_bad_pause_date_gets_a_helpful_answer(guild: Runtime, clock: ManualClock) -> None:
    assert "YYYY-MM-DD" in await command(guild, clock, "ana", "pairing pause 31/12/2027")
    assert "not in the future" in await command(guild, clock, "ana", "pairing pause 2020-01-01")


async def test_opted_out_members_are_never_paired(guild: Runtime, clock: ManualClock, pairing_db: Database) -> None:
    await join(guild, clock, "ana", "ben", "chen", "dana", "emeka", "fay", "gus", "hal")
    await command(guild, clock, "ben", "optout pairing")
    await command(guild, clock, "chen", "pairing leave")
    for _ in range(4):
        await next_cycle(guild, clock)
        paired = {k for g in latest_groups(pairing_db) for k in g}
        assert paired and not paired & {"console:ben", "console:chen"}
        assert left_out(pairing_db)["console:ben"] == "opted out of pairing"
        assert left_out(pairing_db)["console:chen"] == "opted out of pairing"
    await command(guild, clock, "ben", "pairing join")
    await next_cycle(guild, clock)
    assert "console:ben" in {k for g in latest_groups(pairing_db) for k in g}


async def test_members_who_left_are_not_paired(guild: Runtime, clock: ManualClock, pairing_db: Database) -> None:
    await join(guild, clock, "ana", "ben", "chen")
    await guild.handle_event(MemberLeft(platform="console", event_id="left-1", member="console:chen", at=clock.now()))
    await next_cycle(guild, clock)
    assert latest_groups(pairing_db) == [("console:ana", "console:ben")]


async def test_we_met_is_stored_once_even_if_clicked_twice(
    guild: Runtime, clock: ManualClock, adapter: ConsoleAdapter, pairing_db: Database
) -> None:
    await join(guild, clock, "ana", "ben")
    await next_cycle(guild, clock)
    clock.advance(timedelta(days=5, hours=1))
    guild.tick()
    await guild.settle()
    asked = ["We met [pairing.met]", "Not this time [pairing.skipped]"]
    followups = [m for m in adapter.transcript if m.buttons == asked]
    assert len(followups) == 1 and followups[0].where == "group DM @ana, @ben"
    with pairing_db.session() as tx:
        (group,) = store.groups(tx, "test-guild")
    for n in range(2):
        await guild.handle_event(ButtonClicked(platform="console", event_id=f"click-{n}", member="console:ben",
                                               at=clock.now(), action_id="pairing.met", value=str(group.id)))
    await guild.settle()
    with pairing_db.session() as tx:
        met = [(e.member, e.kind) for e in queries.participation(tx, "test-guild")]
        stored = store.group(tx, "test-guild", group.id or 0)
    assert sorted(m for m in met if m[1] == "met") == [("console:ana", "met"), ("console:ben", "met")]
    assert sorted(met) == [("console:ana", "met"), ("console:ben", "button"), ("console:ben", "met")]  # 2nd press
    assert stored is not None and stored.answer == "met" and stored.answered_by == "console:ben"
    thanks = [m for m in adapter.transcript if m.where == "only @ben"]
    assert len(thanks) == 1
    # the text fallback after the click changes nothing either
    assert "Already noted" in await command(guild, clock, "ana", "pairing met")
    # a later tick does not ask again
    clock.advance(timedelta(days=1))
    guild.tick()
    await guild.settle()
    assert len([m for m in adapter.transcript if m.buttons]) == 1


async def test_a_click_from_outside_the_group_is_ignored(
    guild: Runtime, clock: ManualClock, pairing_db: Database
) -> None:
    await join(guild, clock, "ana", "ben", "chen", "dana")
    await next_cycle(guild, clock)
    with pairing_db.session() as tx:
        group = store.groups(tx, "test-guild")[0]
    outsider = next(f"console:{h}" for h in ("ana", "ben", "chen", "dana") if f"console:{h}" not in group.member_keys())
    await guild.handle_event(ButtonClicked(platform="console", event_id="click-x", member=outsider,
                                           at=clock.now(), action_id="pairing.met", value=str(group.id)))
    await guild.settle()
    with pairing_db.session() as tx:
        stored = [(e.member, e.kind) for e in queries.participation(tx, "test-guild")]
        answered = store.group(tx, "test-guild", group.id or 0)
    assert stored == [(outsider, "button")]  # the press is the outsider's activity; nobody met
    assert answered is not None and answered.answer is None


async def test_pairing_met_text_fallback_records_the_whole_group(
    guild: Runtime, clock: ManualClock, pairing_db: Database
) -> None:
    assert "not been in a pairing group" in await command(guild, clock, "ana", "pairing met")
    await join(guild, clock, "ana", "ben")
    await next_cycle(guild, clock)
    assert "noted that you met" in await command(guild, clock, "ana", "pairing met")
    with pairing_db.session() as tx:
        assert sorted(e.member for e in queries.participation(tx, "test-guild")) == ["console:ana", "console:ben"]


async def test_pair_now_is_refused_for_a_member_and_runs_for_a_facilitator(
    guild: Runtime, clock: ManualClock, adapter: ConsoleAdapter, pairing_db: Database
) -> None:
    await join(guild, clock, "ana", "ben")
    refused = await command(guild, clock, "ana", "pair now")
    assert refused.startswith("Only facilitators can run `/cop pair now`")
    with pairing_db.session() as tx:
        assert store.cycles(tx, "test-guild") == []
    assert intros(adapter) == []
    started = await command(guild, clock, "fay", "pair now")
    assert started == "On it: `/cop pair now` is running now. I will tell you here when it is done."
    answers = [m.text for m in adapter.transcript if m.where == "only @fay"]
    assert answers == ["Started a pairing cycle: 1 group introduced."]  # the answer follows, to fay alone
    assert len(intros(adapter)) == 1


async def test_pairing_status_lists_matches_left_out_reasons_and_who_met(
    guild: Runtime, clock: ManualClock, pairing_db: Database
) -> None:
    assert "No pairing cycle yet" in await command(guild, clock, "dana", "pairing status")
    await join(guild, clock, "ana", "ben", "chen")
    await command(guild, clock, "chen", "pairing pause 2027-03-01")
    await next_cycle(guild, clock)
    await command(guild, clock, "ana", "pairing met")
    status = await command(guild, clock, "dana", "pairing status")
    assert "1 group, 1 met" in status
    assert "• Ana + Ben: met" in status
    assert "• Chen (peer): paused until 2027-03-01" in status
    assert (await command(guild, clock, "ben", "pairing status")).startswith("Only facilitators")


async def test_every_two_weeks_skips_the_weeks_in_between_and_stores_nothing(
    pairing_db: Database, adapter: ConsoleAdapter, clock: ManualClock
) -> None:
    bot = await make_runtime(pairing_config(every_weeks=2), pairing_db, adapter, clock)
    try:
        await join(bot, clock, "ana", "ben", "chen", "dana")
        for _ in range(5):
            await next_cycle(bot, clock)
        with pairing_db.session() as tx:
            slots = [c.slot.date().isoformat() for c in store.cycles(tx, "test-guild")]
        assert slots == ["2027-01-04", "2027-01-18", "2027-02-01"]
        assert len(intros(adapter)) == 6
    finally:
        await bot.stop()


MENTORS = """\
    mentors:
      - member: console:mia
        capacity: 2
        skills: [kubernetes, terraform]
    mentees:
      - member: console:ana
        goals: [kubernetes]
"""


async def test_mentor_capacity_is_never_exceeded(pairing_db: Database, adapter: ConsoleAdapter,
                                                 clock: ManualClock) -> None:
    bot = await make_runtime(pairing_config(mode="mentorship", k=0, extra=MENTORS), pairing_db, adapter, clock)
    try:
        await join(bot, clock, "mia", "ana", "ben", "chen", "dana")
        for handle in ("ben", "chen", "dana"):
            answer = await command(bot, clock, handle, "mentee goals Terraform, k8s")
            assert "k8s, terraform" in answer
        for _ in range(3):
            await next_cycle(bot, clock)
            groups = latest_groups(pairing_db)
            assert len(groups) == 2 and all("console:mia" in g for g in groups)
            unmatched = left_out(pairing_db)
            assert len(unmatched) == 2
            assert set(unmatched.values()) == {"all mentor places are taken this cycle"}
        messages = [m for m in adapter.transcript if "is mentoring" in m.text]
        assert len(messages) == 6
    finally:
        await bot.stop()


async def test_pairing_status_shows_any_cycle_and_the_meet_rate_of_recent_ones(
    guild: Runtime, clock: ManualClock, pairing_db: Database
) -> None:
    await join(guild, clock, "ana", "ben", "chen", "dana", "emeka")
    await command(guild, clock, "ana", "pairing pause 2027-01-10")
    await next_cycle(guild, clock)  # #1, 2027-01-04: Ana sits out
    await next_cycle(guild, clock)  # #2, 2027-01-11
    assert "noted that you met" in await command(guild, clock, "ana", "pairing met")
    await next_cycle(guild, clock)  # #3, 2027-01-18: nobody answers
    with pairing_db.session() as tx:
        sizes = [len(store.groups(tx, "test-guild", [c.id or 0])) for c in store.cycles(tx, "test-guild")]

    latest = await command(guild, clock, "dana", "pairing status")
    assert latest.startswith("*Pairing cycle #3 of 3, 2027-01-18* (peer, scheduled)")
    assert f"{sizes[2]} groups, 0 met, {sizes[2]} no answer yet" in latest
    rates = next(line for line in latest.splitlines() if line.startswith("Met, latest first: "))
    assert rates.removeprefix("Met, latest first: ").split(" · ") == [
        f"#3 18 Jan 0/{sizes[2]} met (0%)",
        f"#2 11 Jan 1/{sizes[1]} met ({round(100 / sizes[1])}%)",
        f"#1 04 Jan 0/{sizes[0]} met (0%)",
    ]

    first = await command(guild, clock, "dana", "pairing status 1")
    assert first.startswith("*Pairing cycle #1 of 3, 2027-01-04*")
    assert "• Ana (peer): paused until 2027-01-10" in first
    assert "Ana +" not in first and "+ Ana" not in first
    second = await command(guild, clock, "dana", "pairing status 2027-01-11")
    assert second.startswith("*Pairing cycle #2 of 3, 2027-01-11*")
    assert f"{sizes[1]} group{'s' if sizes[1] != 1 else ''}, 1 met" in second

    assert "There is no cycle #7: cycles are numbered 1 to 3" in await command(guild, clock, "dana", "pairing status 7")
    assert "I could not read 'last'" in await command(guild, clock, "dana", "pairing status last")
    missing = await command(guild, clock, "dana", "pairing status 2027-01-12")
    assert "No pairing cycle started on 2027-01-12" in missing and "#3 2027-01-18" in missing


async def test_pairing_status_names_who_started_a_cycle_by_hand(guild: Runtime, clock: ManualClock) -> None:
    await join(guild, clock, "ana", "ben")
    await command(guild, clock, "fay", "pair now")
    status = await command(guild, clock, "dana", "pairing status")
    assert "(peer, started by" in status and "with `/cop pair now`)" in status
    assert "Met, latest first" not in status  # one cycle: no history to compare


async def test_with_ground_rules_required_only_members_who_acknowledged_are_paired(
    pairing_db: Database, adapter: ConsoleAdapter, clock: ManualClock
) -> None:
    bot = await make_runtime(pairing_config(extra="    require_ground_rules_ack: true\n"), pairing_db, adapter, clock)
    try:
        await join(bot, clock, "ana", "ben", "chen")
        with pairing_db.session() as tx:
            for handle in ("ana", "chen"):
                onboarding_store.acknowledge(tx, "test-guild", f"console:{handle}", clock.now(), "button")
            tx.commit()
        await next_cycle(bot, clock)
        assert latest_groups(pairing_db) == [("console:ana", "console:chen")]
        assert left_out(pairing_db) == {"console:ben": "has not yet acknowledged the ground rules"}
    finally:
        await bot.stop()
