"""The facilitator rota, run by the real runtime: a month of Thursday sessions, announced, reminded, skipped, swapped.

Ana, Ben and Cy are the founding pool (and facilitators); Dee is a plain member. Sessions are Thursdays 16:00
Berlin (15:00 UTC in January): announced on Tuesday, reminded by DM on Wednesday, recorded when they start.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from adapters.console.adapter import ConsoleAdapter
from bot.clock import ManualClock
from bot.events import ButtonClicked, CommandInvoked, MemberJoined
from bot.runtime import Runtime
from config.models import CommunityConfig
from rituals.facilitator.ritual import FacilitatorRitual
from storage import facilitator as store
from storage import queries
from storage.db import Database, open_database
from tests.conftest import make_config, posts

YAML = """\
community:
  id: test-guild
  name: Test Guild
  timezone: Europe/Berlin
  channels:
    general: guild
roles:
  admins: [console:dana]
  facilitators: [console:ana, console:ben, console:cy]
rituals:
  facilitator:
    sessions:
      cron: "0 16 * * thu"
    announce_before: 2d
    remind_before: 1d
    pool: [console:ana, console:ben, console:cy]
    swap_timeout: 2d
"""

THU1 = datetime(2027, 1, 7, 15, 0, tzinfo=UTC)  # Thursday 16:00 Berlin
WEEK = timedelta(weeks=1)
SESSIONS = [(THU1 + i * WEEK).date() for i in range(8)]


@pytest.fixture
def config() -> CommunityConfig:
    return make_config(YAML)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = open_database(db_url)
    yield database
    database.dispose()


@pytest.fixture
async def rota(runtime: Runtime, clock: ManualClock) -> Runtime:
    for name in ("ana", "ben", "cy", "dee"):
        await runtime.handle_event(MemberJoined(platform="console", event_id=f"join-{name}",
                                                member=f"console:{name}", at=clock.now(), name=name))
    await runtime.settle()
    return runtime


class Community:
    """Small verbs for the tests: say a command, click a button, let time pass."""

    def __init__(self, runtime: Runtime, clock: ManualClock) -> None:
        self.runtime, self.clock, self.n = runtime, clock, 0
        adapter = runtime.adapter
        assert isinstance(adapter, ConsoleAdapter)
        self.adapter = adapter
        self.seen_at: dict[str, datetime] = {}  # message ref -> when it was first seen

    def _id(self) -> str:
        self.n += 1
        return f"e{self.n}"

    async def say(self, who: str, text: str) -> str:
        answer = await self.runtime.handle_event(CommandInvoked(platform="console", event_id=self._id(),
                                                                member=f"console:{who}", at=self.clock.now(),
                                                                text=text))
        await self.runtime.settle()
        self._note()
        assert answer is not None
        return answer

    async def click(self, who: str, action_id: str, value: str) -> None:
        await self.runtime.handle_event(ButtonClicked(platform="console", event_id=self._id(),
                                                      member=f"console:{who}", at=self.clock.now(),
                                                      action_id=action_id, value=value))
        await self.runtime.settle()
        self._note()

    async def until(self, when: datetime, step: timedelta = timedelta(minutes=15)) -> None:
        while self.clock.now() < when:
            self.clock.set(min(when, self.clock.now() + step))
            self.runtime.tick()
            await self.runtime.settle()
            self._note()

    def _note(self) -> None:
        for m in self.adapter.transcript:
            self.seen_at.setdefault(m.ref, self.clock.now())

    def dms(self, who: str) -> list[str]:
        return [m.text for m in self.adapter.transcript if m.author == "copbot" and m.where == f"DM @{who}"]

    def hosted(self) -> list[tuple[date, str]]:
        """Sessions held so far and their hosts, as the ledger records them."""
        with self.runtime.db.session() as tx:
            held = {n.session_at.date() for n in store.notices(tx, "test-guild", "held")}
            return [(e.session_date, e.member.split(":")[1]) for e in store.ledger(tx, "test-guild")
                    if e.kind == "hosted" and e.session_date in held]

    def swap_id(self) -> str:
        with self.runtime.db.session() as tx:
            return str(store.swaps(tx, "test-guild")[-1].id)


@pytest.fixture
def guild(rota: Runtime, clock: ManualClock) -> Community:
    return Community(rota, clock)


async def test_everyone_hosts_once_before_anyone_hosts_twice(guild: Community) -> None:
    assert "Welcome to the facilitator pool" in await guild.say("dee", "facilitator volunteer")
    await guild.until(THU1 + 7 * WEEK + timedelta(hours=1), step=timedelta(hours=6))
    hosts = [h for _, h in guild.hosted()]
    assert [d for d, _ in guild.hosted()] == SESSIONS
    assert sorted(hosts[:4]) == ["ana", "ben", "cy", "dee"]
    assert sorted(hosts[4:]) == ["ana", "ben", "cy", "dee"]
    with guild.runtime.db.session() as tx:
        facts = [(e.member, e.kind) for e in queries.participation(tx, "test-guild") if e.ritual == "facilitator"]
    assert sorted(facts) == sorted((f"console:{h}", "facilitated") for h in hosts)


async def test_announcement_and_reminder_arrive_once_each_at_the_right_time(guild: Community) -> None:
    await guild.until(THU1 + timedelta(days=1))
    announcements = [m for m in guild.adapter.transcript if m.where == "#guild"]
    assert len(announcements) == 1
    assert "@ana is hosting" in announcements[0].text and "Thursday 7 January, 16:00" in announcements[0].text
    assert guild.seen_at[announcements[0].ref] == THU1 - timedelta(days=2)
    reminders = [m for m in guild.adapter.transcript if m.where == "DM @ana"]
    assert len(reminders) == 1 and "you're hosting the community session" in reminders[0].text
    assert guild.seen_at[reminders[0].ref] == THU1 - timedelta(days=1)
    assert guild.dms("ben") == [] and guild.dms("cy") == []
    assert guild.hosted() == [(SESSIONS[0], "ana")]
    # the next week's announcement goes to Ben, once, even with the clock jumping a whole day at a time
    await guild.until(THU1 + WEEK, step=timedelta(days=1))
    assert [p for p in posts(guild.adapter, "guild") if "@ben is hosting" in p] != []
    assert len(posts(guild.adapter, "guild")) == 2


async def test_skip_passes_the_turn_on_and_the_skipper_hosts_next(guild: Community) -> None:
    answer = await guild.say("ana", "facilitator skip")
    assert answer.startswith("Done: ben hosts Thursday 7 January instead")
    await guild.until(THU1 + 2 * WEEK + timedelta(hours=1), step=timedelta(hours=6))
    assert [h for _, h in guild.hosted()] == ["ben", "ana", "cy"]


async def test_skip_after_the_announcement_tells_the_channel_and_reminds_the_new_host(guild: Community) -> None:
    await guild.until(THU1 - timedelta(hours=12))
    assert len(guild.dms("ana")) == 1
    await guild.say("ana", "facilitator skip")
    assert posts(guild.adapter, "guild")[-1].startswith("Change of plan for the session on Thursday 7 January")
    assert "@ben is hosting now" in posts(guild.adapter, "guild")[-1]
    assert len(guild.dms("ben")) == 1
    await guild.until(THU1 + timedelta(hours=1))
    assert guild.hosted() == [(SESSIONS[0], "ben")]


async def test_an_accepted_swap_exchanges_turns_and_both_are_told(guild: Community) -> None:
    assert (await guild.say("ana", "facilitator swap @cy")).startswith("I've asked cy")
    ask = guild.dms("cy")[-1]
    assert "@ana asks whether you'd swap" in ask and "Thursday 21 January" in ask
    asked = [m for m in guild.adapter.transcript if m.where == "DM @cy"][-1]
    assert asked.buttons == ["Accept [facilitator.swap.accept]", "Decline [facilitator.swap.decline]"]
    await guild.click("ben", "facilitator.swap.accept", guild.swap_id())  # not Ben's to answer
    assert guild.dms("ben")[-1].startswith("Only the member who was asked")
    await guild.click("cy", "facilitator.swap.accept", guild.swap_id())
    assert guild.dms("ana")[-1].startswith("Swap agreed") and guild.dms("cy")[-1] == guild.dms("ana")[-1]
    await guild.until(THU1 + 2 * WEEK + timedelta(hours=1), step=timedelta(hours=6))
    assert [h for _, h in guild.hosted()] == ["cy", "ben", "ana"]
    assert "@cy is hosting" in posts(guild.adapter, "guild")[0]


@pytest.mark.parametrize("answer", ["decline", "no answer"])
async def test_a_swap_nobody_accepts_changes_nothing(guild: Community, answer: str) -> None:
    await guild.say("ana", "facilitator swap @cy")
    if answer == "decline":
        await guild.click("cy", "facilitator.swap.decline", guild.swap_id())
        told = "can't swap this time"
    else:
        await guild.until(guild.clock.now() + timedelta(days=2, minutes=15))
        told = "got no answer in time"
        await guild.click("cy", "facilitator.swap.accept", guild.swap_id())  # too late: settled already
        assert guild.dms("cy")[-1] == "That swap was already settled (expired)."
    assert any(told in t for t in guild.dms("ana")) and any(told in t for t in guild.dms("cy"))
    await guild.until(THU1 + 2 * WEEK + timedelta(hours=1), step=timedelta(hours=6))
    assert [h for _, h in guild.hosted()] == ["ana", "ben", "cy"]


async def test_an_away_member_is_skipped_until_their_date(guild: Community) -> None:
    bad = await guild.say("ana", "facilitator away next-tuesday")
    assert "write it like 2027-01-15" in bad
    past = await guild.say("ana", "facilitator away 2027-01-01")
    assert "not in the future" in past
    ok = await guild.say("ana", "facilitator away 2027-01-21")
    assert ok.startswith("Got it: no turns for you before Thursday 21 January")
    await guild.until(THU1 + 3 * WEEK + timedelta(hours=1), step=timedelta(hours=6))
    hosts = [h for _, h in guild.hosted()]
    assert hosts[:2] == ["ben", "cy"] and hosts[2] == "ana"


async def test_a_plain_member_cannot_skip_or_swap(guild: Community) -> None:
    assert (await guild.say("dee", "facilitator skip")).startswith("Only facilitators can run `/cop facilitator skip`")
    assert (await guild.say("dee", "facilitator swap @ana")).startswith("Only facilitators can run")
    with guild.runtime.db.session() as tx:
        assert store.ledger(tx, "test-guild") == [] and store.swaps(tx, "test-guild") == []


async def test_next_shows_the_next_four_sessions_with_their_hosts(guild: Community) -> None:
    answer = await guild.say("dee", "facilitator next")
    lines = answer.splitlines()
    assert lines[1:] == [
        "• Thursday 7 January, 16:00: ana",
        "• Thursday 14 January, 16:00: ben",
        "• Thursday 21 January, 16:00: cy",
        "• Thursday 28 January, 16:00: ana",
    ]
    await guild.say("ben", "facilitator retire")
    assert "ben" not in await guild.say("dee", "facilitator next")


async def test_a_facilitator_assigns_a_host_and_bad_input_gets_help(guild: Community) -> None:
    assert "no session on 2027-01-13" in await guild.say("dana", "facilitator assign @dee 2027-01-13")
    assert "I don't know a member called '@zed'" in await guild.say("ana", "facilitator assign @zed")
    done = await guild.say("ana", "facilitator assign @dee 2027-01-14")
    assert done.startswith("Done: dee hosts Thursday 14 January, 16:00.")
    assert "put you down to host" in guild.dms("dee")[-1]
    assert "Thursday 14 January, 16:00: dee" in await guild.say("dee", "facilitator next")


TURN_CLAIM = re.compile(r"(?:@)?(\w+) (?:hosts|still hosts on) (\w+day \d{1,2} \w+)")


def rota_days(guild: Community) -> dict[str, list[str]]:
    """Who hosts which upcoming session, as the rota will use it (the same derivation as /cop facilitator next)."""
    ritual = next(r for r in guild.runtime.rituals if r.name == "facilitator")
    assert isinstance(ritual, FacilitatorRitual)
    with guild.runtime.db.session() as tx:
        turns = ritual.upcoming_turns(tx, guild.clock.now(), 12)
    out: dict[str, list[str]] = {}
    for _, turn in turns:
        if turn.host is not None:
            day = turn.session_date
            out.setdefault(turn.host.split(":")[1], []).append(f"{day:%A} {day.day} {day:%B}")
    return out


def assert_claims_match_the_rota(guild: Community, text: str) -> None:
    claims = TURN_CLAIM.findall(text)
    assert claims, f"no turn named in {text!r}"
    rota = rota_days(guild)
    for who, day in claims:
        assert day in rota.get(who, []), f"{text!r} says {who} hosts {day}; the rota says {rota.get(who)}"


@pytest.mark.parametrize("other", ["ben", "cy"])
async def test_a_swap_confirmation_names_the_dates_the_rota_then_uses(guild: Community, other: str) -> None:
    """Ana's next turn is 7 January; Ben's 14 and Cy's 21. Each has later turns too, which the message must not
    name: both DMs say the two swapped dates, and /cop facilitator next shows exactly those."""
    await guild.say("ana", f"facilitator swap @{other}")
    ask = guild.dms(other)[-1]
    await guild.click(other, "facilitator.swap.accept", guild.swap_id())
    told = guild.dms("ana")[-1]
    assert told.startswith("Swap agreed") and guild.dms(other)[-1] == told
    assert_claims_match_the_rota(guild, told)
    theirs = "14" if other == "ben" else "21"
    assert sorted(TURN_CLAIM.findall(told)) == [("ana", f"Thursday {theirs} January"), (other, "Thursday 7 January")]
    shown = (await guild.say("dee", "facilitator next")).splitlines()[1:]
    assert shown[0] == f"• Thursday 7 January, 16:00: {other}"
    assert f"• Thursday {theirs} January, 16:00: ana" in shown
    assert f"they'd take your turn on Thursday {theirs} January" in ask


async def test_skip_decline_and_assign_name_the_dates_the_rota_uses(guild: Community) -> None:
    assert_claims_match_the_rota(guild, await guild.say("ana", "facilitator skip"))
    await guild.say("ben", "facilitator swap @cy")
    await guild.click("cy", "facilitator.swap.decline", guild.swap_id())
    assert_claims_match_the_rota(guild, guild.dms("ben")[-1])
    assert_claims_match_the_rota(guild, await guild.say("dana", "facilitator assign @cy 2027-01-28"))
