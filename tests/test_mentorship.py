"""Mentorships that last: a term with check-ins, a mid-term and an end-of-term question, a new match only when a
mentorship ends or was not a fit; requests, offers and capacity in chat; never-pair wishes and teams respected."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.console.adapter import ConsoleAdapter
from bot.clock import ManualClock
from bot.events import ButtonClicked, CommandInvoked, MemberJoined
from bot.runtime import Runtime
from config.loader import parse_config
from copbot.registry import RITUALS
from copbot.rhythm_report import rhythm_figures
from rituals.mentorship.decisions import (
    COMPLETED,
    NOT_A_FIT,
    RENEW,
    Term,
    close_unanswered,
    completion,
    decide,
    next_step,
)
from storage import mentorship as store
from storage import queries
from tests.conftest import COMMUNITY_YAML

D = timedelta(days=1)
T0 = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def test_a_term_brings_check_ins_a_mid_question_an_end_question_then_a_close() -> None:
    term = Term(T0, T0, T0 + 28 * D)
    every, within = 7 * D, 14 * D
    assert next_step(term, T0 + 6 * D, every, within) is None
    assert next_step(term, T0 + 7 * D, every, within) == "checkin"
    term = Term(T0, T0, T0 + 28 * D, last_checkin_at=T0 + 7 * D)
    assert next_step(term, T0 + 13 * D, every, within) is None
    assert next_step(term, T0 + 14 * D, every, within) == "mid"  # halfway: the question, not a check-in
    term = Term(T0, T0, T0 + 28 * D, last_checkin_at=T0 + 7 * D, mid_asked_at=T0 + 14 * D)
    assert next_step(term, T0 + 20 * D, every, within) is None  # a week after the question, not before
    assert next_step(term, T0 + 21 * D, every, within) == "checkin"
    assert next_step(term, T0 + 28 * D, every, within) == "end"
    term = Term(T0, T0, T0 + 28 * D, T0 + 21 * D, T0 + 14 * D, end_asked_at=T0 + 28 * D)
    assert next_step(term, T0 + 41 * D, every, within) is None  # waiting for answers
    assert next_step(term, T0 + 42 * D, every, within) == "close"


def test_a_renewed_term_asks_its_own_questions_again() -> None:
    renewed = Term(T0, T0 + 28 * D, T0 + 56 * D, last_checkin_at=T0 + 35 * D)  # the old questions were cleared
    assert next_step(renewed, T0 + 42 * D, 7 * D, 14 * D) == "mid"


def test_what_the_answers_decide() -> None:
    pair = ("ana", "ben")
    assert decide("mid", {"ana": "keep"}, pair) is None
    assert decide("mid", {"ana": "keep", "ben": "misfit"}, pair) == NOT_A_FIT
    assert decide("mid", {"ben": "done"}, pair) == COMPLETED
    assert decide("end", {"ana": "keep"}, pair) is None  # waiting for ben
    assert decide("end", {"ana": "keep", "ben": "keep"}, pair) == RENEW
    assert close_unanswered({}) == COMPLETED
    assert close_unanswered({"ana": "keep"}) == RENEW
    assert completion(["completed", "not_a_fit", "active", "completed"]) == (2, 3)


MENTORSHIP_YAML = COMMUNITY_YAML + """\
  mentorship:
    term: 4w
    checkin_every: 7d
    answer_within: 7d
    mentors:
      - {member: "console:ana", capacity: 1, skills: [kubernetes]}
teams:
  members:
    sre: [console:ana, console:eve]
"""


class Community:
    """A console community on a manual clock, driven the way members would."""

    def __init__(self, runtime: Runtime, adapter: ConsoleAdapter, clock: ManualClock) -> None:
        self.runtime, self.adapter, self.clock = runtime, adapter, clock
        self._ids = 0

    def _id(self) -> str:
        self._ids += 1
        return f"e{self._ids}"

    async def say(self, member: str, text: str) -> str:
        event = CommandInvoked(platform="console", event_id=self._id(), member=f"console:{member}",
                               at=self.clock.now(), text=text)  # fmt: skip
        answer = await self.runtime.handle_event(event)
        await self.runtime.settle()
        return str(answer)

    async def click(self, member: str, action_id: str, value: str) -> None:
        await self.runtime.handle_event(ButtonClicked(platform="console", event_id=self._id(),
                                        member=f"console:{member}", at=self.clock.now(), action_id=action_id,
                                        value=value))  # fmt: skip
        await self.runtime.settle()

    async def days(self, n: int) -> None:
        for _ in range(n * 24):
            self.clock.advance(timedelta(hours=1))
            self.runtime.tick()
            await self.runtime.settle()

    def dms_to(self, *members: str, since: int = 0) -> list[tuple[str, list[str], str | None]]:
        """(text, buttons, delivery id) of the bot's DMs and group DMs reaching exactly these members."""
        want = {f"@{m}" for m in members}
        out = []
        for m in self.adapter.transcript[since:]:
            if m.author == "copbot" and (m.where.startswith("DM ") or m.where.startswith("group DM")):
                who = {w.strip() for w in m.where.removeprefix("group DM").removeprefix("DM").split(",")}
                if who == want:
                    out.append((m.text, m.buttons, m.delivery_id))
        return out

    def button_value(self, delivery_id: str | None, answer: str) -> str:
        with self.runtime.db.session() as tx:
            row = queries.delivery(tx, delivery_id or "")
        assert row is not None
        values = [b["value"] for b in json.loads(row.action)["buttons"]]
        return next(v for v in values if v.endswith(f":{answer}")) if answer else values[0]


@pytest.fixture
async def guild(tmp_path: Path) -> AsyncIterator[Community]:
    from storage.db import open_database

    db = open_database(f"sqlite:///{tmp_path / 'mentorship.db'}")
    clock = ManualClock(datetime(2027, 1, 3, 12, 0, tzinfo=UTC))  # a Sunday
    adapter = ConsoleAdapter()
    runtime = Runtime(parse_config(MENTORSHIP_YAML, "community.yaml"), db, adapter, clock, RITUALS)
    await runtime.start(background=False)
    for name in ("ana", "ben", "cai", "dev", "eve", "fay"):
        await runtime.handle_event(MemberJoined(platform="console", event_id=f"j-{name}", member=f"console:{name}",
                                                at=clock.now(), name=name))  # fmt: skip
    yield Community(runtime, adapter, clock)
    await runtime.stop()
    db.dispose()


async def test_a_mentorship_runs_its_term_and_completes_without_a_rematch(guild: Community) -> None:
    assert "mentor for kubernetes" in await guild.say("ben", "mentor request kubernetes")
    await guild.days(2)  # Monday 09:30 Berlin: matching
    [(intro, _, _)] = guild.dms_to("ana", "ben")
    assert "@ana is mentoring @ben" in intro and "4 weeks" in intro
    await guild.days(7)
    checkins = [d for d in guild.dms_to("ana", "ben") if d[0].startswith("A quick check-in")]
    assert len(checkins) == 1 and "We met [mentorship.met]" in checkins[0][1]
    await guild.click("ben", "mentorship.met", guild.button_value(checkins[0][2], ""))
    await guild.days(7)
    [(_, buttons, mid_id)] = [d for d in guild.dms_to("ana", "ben") if d[0].startswith("Halfway")]
    assert [b.split(" [")[0] for b in buttons] == ["Keep going", "Done", "Not a fit"]
    await guild.click("ana", "mentorship.answer", guild.button_value(mid_id, "keep"))
    await guild.click("ben", "mentorship.answer", guild.button_value(mid_id, "keep"))
    await guild.days(14)
    [(_, _, end_id)] = [d for d in guild.dms_to("ana", "ben") if d[0].startswith("Your mentorship's term ends")]
    assert "mentoring" in await guild.say("ana", "mentor status")
    await guild.click("ben", "mentorship.answer", guild.button_value(end_id, "done"))
    assert [d for d in guild.dms_to("ana", "ben") if "complete" in d[0]]
    await guild.days(14)
    assert len([d for d in guild.dms_to("ana", "ben") if "is mentoring" in d[0]]) == 1  # never matched anew
    status = await guild.say("fay", "mentor list")
    assert "0 active, 1/1 completed (100%)" in status
    with guild.runtime.db.session() as tx:
        [row] = store.mentorships(tx, guild.runtime.community)
        met = [e for e in queries.participation(tx, guild.runtime.community) if e.kind == "met"]
    assert (row.status, row.end_reason) == ("completed", "done (end-term)")
    assert {e.member for e in met} == {"console:ana", "console:ben"}
    figures = rhythm_figures(guild.runtime.db, guild.runtime.config, guild.clock.now())
    assert figures["mentorships"] == {"active": 0, "ended": 1, "completed": 1, "completion_rate": 1.0}


async def test_not_a_fit_ends_it_and_the_mentee_gets_another_mentor_never_the_same(guild: Community) -> None:
    await guild.say("ben", "mentor request kubernetes")
    assert "Nobody else is told" in await guild.say("ben", "pairing never @dev")
    assert "mentor on kubernetes, up to 1 mentee" in await guild.say("dev", "mentor offer kubernetes")
    assert "on go, kubernetes, up to 1 mentee" in await guild.say("cai", "mentor offer kubernetes, go")
    assert "up to 2 mentees at once" in await guild.say("cai", "mentor capacity 2")
    await guild.say("eve", "mentor request kubernetes")  # eve is in ana's team: never ana's mentee
    await guild.days(2)
    assert guild.dms_to("ana", "ben") and guild.dms_to("cai", "eve")
    await guild.days(14)
    [(_, _, mid_id)] = [d for d in guild.dms_to("ana", "ben") if d[0].startswith("Halfway")]
    await guild.click("ben", "mentorship.answer", guild.button_value(mid_id, "misfit"))
    await guild.click("ben", "mentorship.answer", guild.button_value(mid_id, "keep"))  # settled already
    assert [d for d in guild.dms_to("ana", "ben") if "ends here" in d[0]]
    await guild.days(7)  # the next Monday: ben waits for a new mentor; not ana (not a fit), not dev (never)
    assert [d for d in guild.dms_to("ben", "cai") if "is mentoring" in d[0]]
    assert not guild.dms_to("ben", "dev") and not guild.dms_to("ana", "eve")
    status = await guild.say("fay", "mentor list")
    assert "2 active, 0/1 completed (0%)" in status


async def test_requests_and_offers_are_checked_and_answered_helpfully(guild: Community) -> None:
    assert "Give a number from 0 to 20" in await guild.say("cai", "mentor capacity lots")
    assert "short topics" in await guild.say("cai", "mentor request ,,,")
    assert "not waiting" in await guild.say("cai", "mentor request none")
    assert "No mentorship yet" in await guild.say("cai", "mentor status")
    assert "Only facilitators" in await guild.say("cai", "mentor list")
    assert "That is you" in await guild.say("cai", "pairing never @cai")
