"""Welcome onboarding, driven through the real runtime: Ana joins from Tokyo and is welcomed in her own time.

The steps go out on the right local day and time, once each, never after she leaves; members who were here
before the bot get nothing unless an admin asks; the ground rules button is stored; buddies are least loaded
first and both sides are told; a template typo is refused when community.yaml is loaded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from adapters.console.adapter import ConsoleAdapter, Message
from bot.clock import ManualClock
from bot.events import ButtonClicked, CommandInvoked, MemberJoined, MemberLeft
from bot.runtime import Runtime
from config.loader import ConfigError
from config.models import CommunityConfig
from copbot.registry import RITUALS
from storage import onboarding as store
from storage import queries
from storage.db import Database, open_database
from tests.conftest import COMMUNITY_YAML, START, make_config

ONBOARDING_YAML = """\
  onboarding:
    ground_rules: "Be kind. Ask early. What is said here stays here."
    steps:
      - key: welcome
        day: 0
        time: "00:00"
        text: "Welcome to {community}, {name}! Our ground rules: {ground_rules}"
      - key: introduce
        day: 2
        time: "10:00"
        text: "Hi {name}, say hello in {intros_channel}?"
      - key: checkin
        day: 7
        time: "09:30"
        text: "A week in, {name}! {facilitator} is around if you need anything."
    buddies:
      volunteers: [console:ben, console:chen]
      max_load: 2
"""

CONFIG_YAML = COMMUNITY_YAML.replace(
    "    prompts: guild-weekly\n", "    prompts: guild-weekly\n    intros: guild-intros\n"
)
CONFIG_YAML += ONBOARDING_YAML
COMMUNITY = "test-guild"


@pytest.fixture
def config() -> CommunityConfig:
    return make_config(CONFIG_YAML)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = open_database(db_url)
    yield database
    database.dispose()


@pytest.fixture
async def runtime(config: CommunityConfig, db: Database, adapter: ConsoleAdapter, clock: ManualClock
                  ) -> AsyncIterator[Runtime]:
    bot = Runtime(config, db, adapter, clock, RITUALS)
    await bot.start(background=False)
    yield bot
    await bot.stop()


def seed_existing(db: Database, key: str, name: str, tz: str, interests: str = "") -> None:
    """A member who was here before the bot was installed (e.g. imported from the platform's roster)."""
    with db.session() as tx:
        queries.upsert_member(tx, community=COMMUNITY, key=key, platform="console", name=name, tz=tz,
                              joined_at=START - timedelta(days=300), interests=interests.split(",") if interests
                              else (), welcomed=False)
        tx.commit()


_ids = iter(range(10_000))


def join(clock: ManualClock, handle: str, tz: str, interests: tuple[str, ...] = (), event_id: str | None = None
         ) -> MemberJoined:
    return MemberJoined(platform="console", event_id=event_id or f"join-{handle}-{next(_ids)}",
                        member=f"console:{handle}", at=clock.now(), name=handle.capitalize(), tz=tz,
                        interests=interests)


def command(clock: ManualClock, member: str, text: str) -> CommandInvoked:
    return CommandInvoked(platform="console", event_id=f"cmd-{next(_ids)}", member=member, at=clock.now(), text=text)


def dms(adapter: ConsoleAdapter, handle: str) -> list[Message]:
    return [m for m in adapter.transcript if m.author == "copbot" and m.where == f"DM @{handle}"]


def step_dms(adapter: ConsoleAdapter, handle: str) -> list[Message]:
    """The sequence's messages only (not the buddy introduction)."""
    return [m for m in dms(adapter, handle) if not m.text.startswith("Meet your buddy")]


async def run_until(runtime: Runtime, clock: ManualClock, until: datetime, adapter: ConsoleAdapter,
                    handle: str) -> list[tuple[datetime, str]]:
    """Move the clock 15 minutes at a time as the live scheduler would; note when each DM to ``handle`` arrived."""
    arrived: list[tuple[datetime, str]] = []
    seen = len(step_dms(adapter, handle))
    while clock.now() < until:
        clock.advance(timedelta(minutes=15))
        runtime.tick()
        await runtime.settle()
        for message in step_dms(adapter, handle)[seen:]:
            arrived.append((clock.now(), message.text))
        seen = len(step_dms(adapter, handle))
    return arrived


async def test_ana_in_tokyo_is_welcomed_at_once_and_gets_day_two_at_ten_her_time(
    runtime: Runtime, clock: ManualClock, adapter: ConsoleAdapter, db: Database
) -> None:
    # Monday 2027-01-04 07:00 UTC is already 16:00 in Tokyo.
    await runtime.handle_event(join(clock, "ana", "Asia/Tokyo"))
    await runtime.settle()
    welcome = step_dms(adapter, "ana")
    assert len(welcome) == 1
    assert welcome[0].text == ("Welcome to Test Guild, Ana! Our ground rules: Be kind. Ask early. "
                               "What is said here stays here.")
    assert welcome[0].buttons == ["I agree to the ground rules [onboarding.ack]"]

    # Day 2 at 10:00 in Tokyo is Wednesday 01:00 UTC (02:00 in Berlin, where the community's clock runs).
    arrived = await run_until(runtime, clock, datetime(2027, 1, 6, 12, 0, tzinfo=UTC), adapter, "ana")
    assert arrived == [(datetime(2027, 1, 6, 1, 0, tzinfo=UTC), "Hi Ana, say hello in #guild-intros?")]

    # Day 7 at 09:30 Tokyo: Monday 2027-01-11 00:30 UTC; the facilitator is mentioned.
    arrived = await run_until(runtime, clock, datetime(2027, 1, 12, 0, 0, tzinfo=UTC), adapter, "ana")
    assert arrived == [(datetime(2027, 1, 11, 0, 30, tzinfo=UTC),
                        "A week in, Ana! @fay is around if you need anything.")]
    with db.session() as tx:
        assert store.sequences(tx, COMMUNITY, ongoing_only=True) == []  # finished
        kinds = [(e.member, e.kind, e.subject) for e in queries.participation(tx, COMMUNITY)]
        sent = store.done_steps(tx, COMMUNITY, "console:ana")
    assert sorted(sent) == ["checkin", "introduce", "welcome"]  # each step sent once, and recorded as sent ...
    assert [k for k in kinds if k[0] == "console:ana"] == []  # ... never as something Ana did


async def test_the_steps_stop_when_ana_leaves(runtime: Runtime, clock: ManualClock, adapter: ConsoleAdapter) -> None:
    await runtime.handle_event(join(clock, "ana", "Asia/Tokyo"))
    await runtime.settle()
    await run_until(runtime, clock, datetime(2027, 1, 7, 0, 0, tzinfo=UTC), adapter, "ana")
    assert len(step_dms(adapter, "ana")) == 2  # welcome, introduce
    await runtime.handle_event(MemberLeft(platform="console", event_id="bye-ana", member="console:ana",
                                          at=clock.now()))
    arrived = await run_until(runtime, clock, datetime(2027, 1, 20, 0, 0, tzinfo=UTC), adapter, "ana")
    assert arrived == []


async def test_the_welcome_is_sent_once_when_the_join_is_replayed(
    runtime: Runtime, clock: ManualClock, adapter: ConsoleAdapter
) -> None:
    event = join(clock, "ana", "Asia/Tokyo", event_id="join-ana")
    await runtime.handle_event(event)
    await runtime.handle_event(event)  # a platform retry
    clock.advance(timedelta(minutes=5))
    await runtime.handle_event(join(clock, "ana", "Asia/Tokyo"))  # a second report of the same join, new id
    runtime.tick()
    await runtime.settle()
    assert [m.text.split(",")[0] for m in step_dms(adapter, "ana")] == ["Welcome to Test Guild"]


async def test_existing_members_get_nothing_unless_the_admin_asks(
    runtime: Runtime, clock: ManualClock, adapter: ConsoleAdapter, db: Database
) -> None:
    seed_existing(db, "console:olga", "Olga", "Europe/Berlin")
    # Joined before the bot was installed, reported only now (e.g. a roster sync).
    old = MemberJoined(platform="console", event_id="join-pat", member="console:pat", at=START - timedelta(days=90),
                       name="Pat", tz="Europe/Berlin")
    await runtime.handle_event(old)
    await run_until(runtime, clock, START + timedelta(days=10), adapter, "olga")
    assert dms(adapter, "olga") == [] and dms(adapter, "pat") == []

    refused = await runtime.handle_event(command(clock, "console:fay", "welcome @olga"))
    assert refused is not None and refused.startswith("Only admins can run `/cop welcome`")
    unknown = await runtime.handle_event(command(clock, "console:dana", "welcome @nobody"))
    assert unknown is not None and "I do not know '@nobody'" in unknown
    answer = await runtime.handle_event(command(clock, "console:dana", "welcome @olga"))
    await runtime.settle()
    assert answer == "Starting the welcome sequence for Olga (3 step(s))."
    assert [m.text.split("!")[0] for m in step_dms(adapter, "olga")] == ["Welcome to Test Guild, Olga"]
    assert dms(adapter, "pat") == []
    again = await runtime.handle_event(command(clock, "console:dana", "welcome olga"))
    assert again is not None and again.startswith("Olga already had the welcome sequence")


async def test_the_ground_rules_button_is_stored_and_thanked(
    runtime: Runtime, clock: ManualClock, adapter: ConsoleAdapter, db: Database
) -> None:
    await runtime.handle_event(join(clock, "ana", "Asia/Tokyo"))
    await runtime.settle()
    with db.session() as tx:
        assert store.has_acknowledged(tx, COMMUNITY, "console:ana") is False
    click = ButtonClicked(platform="console", event_id="click-1", member="console:ana", at=clock.now(),
                          action_id="onboarding.ack", value="", message_ref=step_dms(adapter, "ana")[0].ref)
    await runtime.handle_event(click)
    await runtime.handle_event(click)  # replayed: acted on once
    await runtime.settle()
    with db.session() as tx:
        assert store.has_acknowledged(tx, COMMUNITY, "console:ana") is True
        assert store.has_acknowledged(tx, COMMUNITY, "console:ben") is False
        acks = [e for e in queries.participation(tx, COMMUNITY) if e.subject == "ground_rules_ack"]
    assert [(e.member, e.kind) for e in acks] == [("console:ana", "acknowledgement")]
    thanks = "Thank you for agreeing to our ground rules. Glad to have you!"
    assert [m.text for m in step_dms(adapter, "ana")[1:]] == [thanks]

    # The text fallback and the rules again: Ben agrees by command; the rules come back without a button for Ana.
    assert await runtime.handle_event(command(clock, "console:ben", "agree")) == (
        "Thank you for agreeing to our ground rules. Glad to have you!")
    assert await runtime.handle_event(command(clock, "console:ben", "agree")) == (
        "You have already agreed to the ground rules. Thank you!")
    assert await runtime.handle_event(command(clock, "console:ana", "rules")) == (
        "I sent you the ground rules in a direct message.")
    await runtime.settle()
    rules = dms(adapter, "ana")[-1]
    assert "Be kind. Ask early." in rules.text and rules.buttons == []
    with db.session() as tx:
        assert store.has_acknowledged(tx, COMMUNITY, "console:ben") is True


async def test_buddies_are_least_loaded_first_and_both_are_told(
    runtime: Runtime, clock: ManualClock, adapter: ConsoleAdapter, db: Database
) -> None:
    seed_existing(db, "console:ben", "Ben", "Europe/Berlin", "kubernetes")
    seed_existing(db, "console:chen", "Chen", "Asia/Tokyo", "terraform")
    # Eva (Berlin, kubernetes) gets Ben: both free, Ben shares her interest and time zone.
    await runtime.handle_event(join(clock, "eva", "Europe/Berlin", ("kubernetes",)))
    # Finn is also in Berlin and into kubernetes, but Ben already looks after Eva: Chen is less loaded.
    await runtime.handle_event(join(clock, "finn", "Europe/Berlin", ("kubernetes",)))
    await runtime.settle()
    with db.session() as tx:
        buddies = {r.member: r.buddy for r in store.sequences(tx, COMMUNITY)}
    assert buddies == {"console:eva": "console:ben", "console:finn": "console:chen"}
    assert dms(adapter, "finn")[-1].text.startswith("Meet your buddy, @chen")
    assert [m.text for m in dms(adapter, "chen")] == [
        "Thank you for being a buddy! @finn has just joined Test Guild. A short hello in the next day or two "
        "goes a long way."
    ]
    assert "You both care about kubernetes." in dms(adapter, "ben")[0].text

    # Ben retires; Dave (Berlin) goes to Chen even though Ben would fit better and is not full.
    await runtime.handle_event(command(clock, "console:ben", "buddy retire"))
    await runtime.handle_event(join(clock, "dave", "Europe/Berlin", ("kubernetes",)))
    # Both remaining volunteers are now full (max_load 2): Gus waits, then gets Ben once he volunteers again.
    await runtime.handle_event(join(clock, "gus", "Europe/Berlin"))
    await runtime.handle_event(command(clock, "console:ben", "buddy volunteer"))
    clock.advance(timedelta(minutes=15))
    runtime.tick()
    await runtime.settle()
    with db.session() as tx:
        buddies = {r.member: r.buddy for r in store.sequences(tx, COMMUNITY)}
    assert buddies["console:dave"] == "console:chen"
    assert buddies["console:gus"] == "console:ben"
    status = await runtime.handle_event(command(clock, "console:fay", "onboarding status"))
    assert status is not None and "Ben 2/2" in status and "Chen 2/2" in status and "Gus: 1/3 steps" in status


def test_a_template_with_an_unknown_placeholder_is_refused_with_its_location() -> None:
    broken = CONFIG_YAML.replace("say hello in {intros_channel}?", "say hello, {nmae}?")
    with pytest.raises(ConfigError) as refused:
        make_config(broken)
    (problem,) = refused.value.problems
    line = broken.splitlines().index('        text: "Hi {name}, say hello, {nmae}?"') + 1
    assert (problem.line, problem.col) == (line, 15)
    assert problem.message.startswith("rituals.onboarding.steps[1].text: unknown placeholder {nmae}; known: ")
    assert "{intros_channel}" in problem.message


async def test_the_facilitator_s_own_check_in_names_her_buddy_not_herself(
    runtime: Runtime, clock: ManualClock, adapter: ConsoleAdapter
) -> None:
    await runtime.handle_event(join(clock, "fay", "Europe/Berlin"))  # fay is the community's facilitator
    await runtime.settle()
    await run_until(runtime, clock, datetime(2027, 1, 12, 0, 0, tzinfo=UTC), adapter, "fay")
    checkin = step_dms(adapter, "fay")[-1].text
    assert checkin.startswith("A week in, Fay!")
    assert "@fay" not in checkin and checkin == "A week in, Fay! @ben is around if you need anything."
