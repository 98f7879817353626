"""Challenges end to end on the console adapter: a facilitator starts one, members take part and submit (by
command and by a marked reply in its thread), the late ones are reminded, everyone votes once (never for
themselves), and the results recognise submitters and winners through kudos."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest

from adapters.console.adapter import ConsoleAdapter
from bot.clock import ManualClock
from bot.events import ReplyPosted
from bot.runtime import Runtime
from copbot.registry import RITUALS
from copbot.report import build_report
from rituals.challenges.decisions import (
    Moments,
    Refused,
    due_steps,
    is_marked_submission,
    leaderboard,
    may_vote,
    parse_start,
    winners,
)
from storage import challenges as store
from storage import kudos as kudos_store
from storage import queries
from storage.db import Database
from tests.conftest import COMMUNITY_YAML, START, make_config
from tests.practice_helpers import advance, ask, click, said_to, start

CHALLENGES_YAML = """\
  challenges:
    remind_before: 2d
    voting_for: 2d
    winners: 2
"""


def test_parse_start_reads_the_title_and_options_and_explains_mistakes() -> None:
    request = parse_start(["Automate", "one", "toil", "--until", "2027-02-01", "--teams", "--voting", "36h"],
                          date(2027, 1, 4))
    assert (request.title, request.until, request.teams, request.voting) == (
        "Automate one toil", date(2027, 2, 1), True, timedelta(hours=36))
    for words, problem in ((["x"], "--until"), (["--until", "2027-02-01"], "title"), (["x", "--until", "soon"],
                           "as a day"), (["x", "--until", "2026-01-01"], "has passed"), (["x", "--colour"], "option")):
        with pytest.raises(Refused, match=problem):
            parse_start(words, date(2027, 1, 4))


def test_the_leaderboard_ranks_by_votes_shares_ties_and_keeps_submission_order() -> None:
    board = leaderboard([(1, "a"), (2, "b"), (3, "c"), (4, "d")], [2, 3, 2, 3, 1])
    assert [(s.place, s.entry, s.votes) for s in board] == [(1, "b", 2), (1, "c", 2), (3, "a", 1), (4, "d", 0)]
    assert [s.entry for s in winners(board, 2)] == ["b", "c"]  # places 1 and 1; a is 3rd
    assert not may_vote("console:ana", "", "console:ana") and not may_vote("console:ana", "crabs", "crabs")
    assert may_vote("console:ana", "crabs", "console:ben")
    assert is_marked_submission("Submit: https://x.test/repo") == "https://x.test/repo"
    assert is_marked_submission("nice one!") is None


def test_due_steps_follow_the_timeline() -> None:
    t0 = datetime(2027, 1, 4, tzinfo=UTC)
    moments = Moments(t0, t0 + timedelta(days=5), t0 + timedelta(days=7), t0 + timedelta(days=9))
    assert due_steps("open", False, moments, t0 + timedelta(days=1)) == []
    assert due_steps("open", False, moments, t0 + timedelta(days=6)) == ["remind"]
    assert due_steps("open", True, moments, t0 + timedelta(days=10)) == ["vote", "close"]
    assert due_steps("voting", True, moments, t0 + timedelta(days=8)) == []


@pytest.fixture
async def guild(db: Database, adapter: ConsoleAdapter, clock: ManualClock) -> AsyncIterator[Runtime]:
    bot = await start(make_config(COMMUNITY_YAML + CHALLENGES_YAML), db, adapter, clock)
    yield bot
    await bot.stop()


async def test_a_challenge_from_start_to_results(guild: Runtime, adapter: ConsoleAdapter, clock: ManualClock) -> None:
    assert (await ask(guild, "ben", 'challenge start "x" --until 2027-01-11')).startswith("Only facilitators")
    answer = await ask(guild, "fay", 'challenge start "Automate one toil" --until 2027-01-11 --rules "One script."')
    assert "submissions close Tuesday 12 January at 00:00" in answer
    [announcement] = [m for m in adapter.transcript if m.where == "#guild" and "New challenge" in m.text]
    assert "One script." in announcement.text and announcement.buttons == ["Take part [challenges.join]"]
    with guild.db.session() as tx:
        [row] = store.challenges(tx, guild.community)
    value = str(row.id)
    for who in ("ana", "ben", "chen"):
        await click(guild, who, "challenges.join", value)
    assert "You're in!" in said_to(adapter, "ana")[-1]
    assert (await ask(guild, "ana", "challenge submit https://git.test/ana/toil")).startswith("Your entry")
    assert (await ask(guild, "ana", "challenge submit https://git.test/ana/toil-v2")).startswith("Updated")
    await guild.handle_event(ReplyPosted(platform="console", event_id="r1", member="console:ben", at=clock.now(),
                                         channel="guild", thread_ref=announcement.ref, message_ref="x9",
                                         text="submit: a cron job that files our tickets"))
    await guild.settle()
    assert adapter.transcript[-1].text == ":white_check_mark:"  # the bot marks the reply it took as an entry

    await advance(guild, clock, datetime(2027, 1, 10, 1, tzinfo=UTC))  # two days before the deadline
    reminded = [m.where for m in adapter.transcript if "not in yet" in m.text]
    assert reminded == ["DM @chen"]  # ana and ben have entries; dana and fay never took part

    await advance(guild, clock, datetime(2027, 1, 12, 1, tzinfo=UTC))  # the deadline passed: voting
    assert "no challenge open" in await ask(guild, "chen", "challenge submit too late")
    [voting] = [m for m in adapter.transcript if "Vote for your favourite" in m.text]
    assert "git.test/ana/toil-v2" in voting.text and len(voting.buttons) == 2
    with guild.db.session() as tx:
        entries = {s.entry: s.id for s in store.submissions(tx, row.id or 0)}
    ana_entry, ben_entry = f"{row.id}:{entries['console:ana']}", f"{row.id}:{entries['console:ben']}"
    await click(guild, "ana", "challenges.vote", ana_entry)
    assert "your own entry" in said_to(adapter, "ana")[-1]
    await click(guild, "ana", "challenges.vote", ben_entry)
    await click(guild, "chen", "challenges.vote", ana_entry)
    await click(guild, "chen", "challenges.vote", ben_entry)  # changes chen's one vote
    await click(guild, "dana", "challenges.vote", ben_entry)
    assert "Changed your vote" in said_to(adapter, "chen")[-1]
    status = await ask(guild, "fay", "challenge status")
    assert "3 taking part, 2 entries, 3 votes" in status

    await advance(guild, clock, datetime(2027, 1, 14, 1, tzinfo=UTC))  # voting over: results
    [results] = [m.text for m in adapter.transcript if "Results of Automate one toil" in m.text]
    assert "🥇 1st @ben: 3 votes" in results and "🥈 2nd @ana: 0 votes" not in results
    assert "• 2nd @ana: 0 votes" in results  # no vote, no medal
    with guild.db.session() as tx:
        kudos = sorted((k.receiver, k.reason) for k in kudos_store.between(tx, guild.community, None, clock.now()))
        facts = sorted((e.member, e.kind) for e in queries.participation(tx, guild.community)
                       if e.ritual == "challenges")
    assert kudos == [("console:ana", "an entry to the Automate one toil challenge"),
                     ("console:ben", "1st place in the Automate one toil challenge"),
                     ("console:ben", "an entry to the Automate one toil challenge")]
    assert ("console:ben", "won") in facts and ("console:ana", "submission") in facts
    assert facts.count(("console:chen", "button")) == 1  # one vote each, however often changed
    report = build_report(guild.db, guild.community, "Europe/Berlin", clock.now())
    [exported] = report.extras["challenges"]
    assert exported["title"] == "Automate one toil" and exported["status"] == "closed"
    assert [(e["place"], e["votes"]) for e in exported["entries"]] == [(1, 3), (2, 0)]
    from copbot.dashboard.data import gather
    from copbot.dashboard.routes import templates

    html = templates().get_template("dashboard.html").render(d=gather(guild, clock.now()))
    assert '<section id="challenges">' in html and '<tr data-entry="console:ben"><td>1</td>' in html


async def test_a_planned_challenge_is_announced_at_its_start_and_teams_enter_together(
        db: Database, adapter: ConsoleAdapter, clock: ManualClock) -> None:
    planned = CHALLENGES_YAML + """    scheduled:
      - title: Winter hack
        starts: 2027-01-05T10:00
        until: 2027-01-08
        teams: true
"""
    bot = Runtime(make_config(COMMUNITY_YAML + planned), db, adapter, clock, RITUALS)
    await bot.start(background=False)
    try:
        await advance(bot, clock, START + timedelta(hours=20))
        assert not [m for m in adapter.transcript if "Winter hack" in m.text]
        await advance(bot, clock, START + timedelta(days=1, hours=4))
        assert len([m for m in adapter.transcript if "New challenge: Winter hack" in m.text]) == 1
        assert "team *crabs*" in await ask(bot, "ana", "challenge join crabs")
        await ask(bot, "ben", "challenge join crabs")
        assert "is in" in await ask(bot, "ben", "challenge submit https://crabs.test")
        await advance(bot, clock, datetime(2027, 1, 9, 1, tzinfo=UTC))
        [voting] = [m for m in adapter.transcript if "Vote for your favourite" in m.text]
        assert "team crabs" in voting.text
        with bot.db.session() as tx:
            [row] = store.challenges(tx, bot.community)
            [entry] = store.submissions(tx, row.id or 0)
        await click(bot, "ana", "challenges.vote", f"{row.id}:{entry.id}")
        assert "your own entry" in said_to(adapter, "ana")[-1]  # her team's entry is her own
    finally:
        await bot.stop()


async def test_a_challenge_planned_by_a_reload_is_announced_in_the_admins_own_words(
        guild: Runtime, adapter: ConsoleAdapter, clock: ManualClock) -> None:
    """community.yaml edited while the bot runs: the planned challenge and the changed text take effect without
    a restart, and the announcement is made once even though every hourly check sees it due."""
    planned = CHALLENGES_YAML + """    scheduled:
      - title: Docs sprint
        rules: one page each
        starts: 2027-01-05T10:00
        until: 2027-01-08
    texts:
      announce: "Sprint time! {title}: {rules}. Until {deadline}. {how}"
"""
    guild.apply_config(make_config(COMMUNITY_YAML + planned))  # hot reload
    await advance(guild, clock, START + timedelta(days=1, hours=4))
    [announced] = [m for m in adapter.transcript if "Docs sprint" in m.text]
    assert announced.text.startswith("Sprint time! Docs sprint: one page each. Until ")
    assert "New challenge" not in announced.text
