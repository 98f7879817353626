"""Community sessions end to end on the console adapter: a facilitator adds a guest talk, members answer and see
who is going, those going are reminded, the invite follows a move and a cancellation, "I was there" counts once,
the host is thanked and credited; the rota's sessions become community sessions with the host the rota pinned."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from adapters.console.adapter import ConsoleAdapter
from bot.clock import ManualClock
from bot.runtime import Runtime
from copbot.report import build_report
from rituals.sessions.decisions import Refused, Timeline, due_steps, parse_request
from storage import queries
from storage import sessions as store
from storage.db import Database
from tests.conftest import COMMUNITY_YAML, START, make_config
from tests.practice_helpers import advance as advance_by
from tests.practice_helpers import ask, click, said_to, start

SESSIONS_YAML = """\
  sessions:
    link: https://meet.test/cop
    remind_before: 30m
    from_rota: false
"""
ROTA_YAML = """\
  facilitator:
    sessions:
      cron: "0 16 * * thu"
    announce_before: 2d
    remind_before: 1d
    pool: [console:ana, console:ben]
  sessions:
    link: https://meet.test/cop
"""


def test_parse_request_reads_times_in_the_community_zone_and_explains_mistakes() -> None:
    request = parse_request(["Terraform", "tips", "--at", "2027-01-14T16:00", "--guest", "Kelsey", "--duration",
                             "90m"], "Europe/Berlin")
    assert request.title == "Terraform tips" and request.guest == "Kelsey"
    assert request.at == datetime(2027, 1, 14, 15, 0, tzinfo=UTC) and request.duration == timedelta(minutes=90)
    for words, problem in ((["x"], "--at"), (["x", "--at", "soon"], "as a time"), (["--at", "2027-01-14T16:00"],
                           "title"), (["x", "--at", "2027-01-14T16:00", "--host", "a", "--guest", "b"], "not both"),
                           (["x", "--at", "2027-01-14T16:00", "--link", "meet"], "https://")):
        with pytest.raises(Refused, match=problem):
            parse_request(words, "Europe/Berlin")


def test_due_steps_remind_before_and_thank_after() -> None:
    t = datetime(2027, 1, 14, 15, tzinfo=UTC)
    line = Timeline(t, t - timedelta(minutes=30), t, t + timedelta(hours=1))
    assert due_steps(line, t - timedelta(hours=1), announced=True, reminded=False, thanked=False) == []
    assert due_steps(line, t - timedelta(minutes=10), announced=True, reminded=False, thanked=False) == ["remind"]
    assert due_steps(line, t + timedelta(hours=2), announced=True, reminded=True, thanked=False) == ["thank"]


async def _guild(yaml: str, db: Database, adapter: ConsoleAdapter, clock: ManualClock) -> Runtime:
    return await start(make_config(COMMUNITY_YAML + yaml), db, adapter, clock)


@pytest.fixture
async def guild(db: Database, adapter: ConsoleAdapter, clock: ManualClock,
                tmp_path: Path) -> AsyncIterator[Runtime]:
    adapter.files = tmp_path / "invites"
    bot = await _guild(SESSIONS_YAML, db, adapter, clock)
    yield bot
    await bot.stop()


async def advance(bot: Runtime, clock: ManualClock, until: datetime) -> None:
    await advance_by(bot, clock, until, timedelta(minutes=15))


def invite(adapter: ConsoleAdapter, n: int = -1) -> Calendar:
    files = [m.attachments[0].split(": ", 1)[1] for m in adapter.transcript if m.where.startswith("invite #")]
    return Calendar.from_ical(Path(files[n]).read_bytes())


async def test_a_guest_talk_from_announcement_to_attendance(
        guild: Runtime, adapter: ConsoleAdapter, clock: ManualClock) -> None:
    assert (await ask(guild, "ben", 'session add "x" --at 2027-01-07T16:00')).startswith("Only facilitators")
    answer = await ask(guild, "fay", 'session add "Terraform at scale" --at 2027-01-07T16:00 --guest "Kelsey" '
                                     "--duration 90m")
    assert "Session #1 *Terraform at scale* is on for Thursday 7 January, 16:00" in answer
    [post] = [m for m in adapter.transcript if m.where == "#guild" and "Terraform at scale" in m.text]
    assert "hosted by Kelsey" in post.text and "https://meet.test/cop" in post.text and "1 hour 30 minutes" in post.text
    assert post.buttons == ["Going [sessions.rsvp]", "Maybe [sessions.rsvp]", "Can't make it [sessions.rsvp]"]
    event = invite(adapter).walk("VEVENT")[0]
    assert str(event["summary"]) == "Terraform at scale" and event["dtstart"].dt == datetime(2027, 1, 7, 15, tzinfo=UTC)
    assert event["sequence"] == 0 and str(event["location"]) == "https://meet.test/cop"

    await click(guild, "ana", "sessions.rsvp", "1:going")
    await click(guild, "ben", "sessions.rsvp", "1:maybe")
    await click(guild, "chen", "sessions.rsvp", "1:going")
    await click(guild, "chen", "sessions.rsvp", "1:cant")  # changed her mind: one answer each
    assert said_to(adapter, "ben")[-1].endswith("Going (1): ana · maybe: ben")
    assert "#1 *Terraform at scale*, Thursday 7 January, 16:00 with Kelsey. Going (1): ana" in await ask(
        guild, "dana", "sessions")

    assert "Moved session #1" in await ask(guild, "fay", "session move 1 --at 2027-01-07T17:00")
    assert invite(adapter)["method"] == "PUBLISH" and invite(adapter).walk("VEVENT")[0]["sequence"] == 1
    assert any("moved: now Thursday 7 January, 17:00" in t for t in said_to(adapter, "ana"))

    await advance(guild, clock, datetime(2027, 1, 7, 15, 45, tzinfo=UTC))  # 16:45 Berlin: 15 minutes before
    reminders = [m.where for m in adapter.transcript if "Starting soon: *Terraform at scale*" in m.text]
    assert reminders == ["DM @ana"]
    await click(guild, "ben", "sessions.attended", "1")  # too early: the session has not started
    assert "can't be noted" in said_to(adapter, "ben")[-1]

    await advance(guild, clock, datetime(2027, 1, 7, 18, 5, tzinfo=UTC))  # it ended at 18:30 Berlin; hourly check
    [thanks] = [m for m in adapter.transcript if "Thank you Kelsey for *Terraform at scale*" in m.text]
    assert thanks.buttons == ["I was there [sessions.attended]"]
    for who in ("ana", "ana", "ben"):
        await click(guild, who, "sessions.attended", "1")
    await guild.writer.flush()
    with guild.db.session() as tx:
        assert store.attended(tx, guild.community, 1) == ["console:ana", "console:ben"]
    [exported] = build_report(guild.db, guild.community, "Europe/Berlin", clock.now()).extras["sessions"]
    assert (exported["going"], exported["maybe"], exported["cant"], exported["attended"]) == (1, 1, 1, 2)
    from copbot.dashboard.data import gather
    from copbot.dashboard.routes import templates

    html = templates().get_template("dashboard.html").render(d=gather(guild, clock.now()))
    assert '<section id="sessions">' in html and "<td>1</td><td>1</td><td>1</td><td>2</td>" in html


async def test_a_member_host_is_credited_and_can_hand_the_session_over(
        guild: Runtime, adapter: ConsoleAdapter, clock: ManualClock) -> None:
    await ask(guild, "fay", 'session add "Lightning talks" --at 2027-01-06T12:00 --host @chen')
    assert "put you down to host *Lightning talks*" in said_to(adapter, "chen")[-1]
    assert "not hosting" in await ask(guild, "ben", "session skip 1")
    assert (await ask(guild, "chen", "session swap @fay 1")).startswith("I've asked fay")  # the member first
    assert (await ask(guild, "chen", "session swap 1 @ben")).startswith("I've asked ben")  # or the number first
    await click(guild, "ben", "sessions.take", "1:console:chen")
    assert "You're hosting *Lightning talks*" in said_to(adapter, "ben")[-1]
    await advance(guild, clock, datetime(2027, 1, 6, 13, 15, tzinfo=UTC))
    assert any("Thank you @ben for *Lightning talks*" in m.text for m in adapter.transcript)
    await guild.writer.flush()
    with guild.db.session() as tx:
        facts = [(e.member, e.kind) for e in queries.participation(tx, guild.community) if e.ritual == "sessions"]
    assert facts == [("console:ben", "facilitated")]  # the ladder's "sessions hosted"


async def test_a_cancelled_session_withdraws_the_invite_and_tells_those_coming(
        guild: Runtime, adapter: ConsoleAdapter, clock: ManualClock) -> None:
    await ask(guild, "fay", 'session add "Chaos day" --at 2027-01-08T10:00')
    await click(guild, "ana", "sessions.rsvp", "1:maybe")
    assert "Cancelled session #1" in await ask(guild, "fay", "session cancel 1")
    cancelled = invite(adapter)
    assert cancelled["method"] == "CANCEL" and cancelled.walk("VEVENT")[0]["status"] == "CANCELLED"
    assert "*Chaos day* on Friday 8 January, 10:00 is cancelled. Sorry!" in said_to(adapter, "ana")
    assert "No sessions coming up" in await ask(guild, "ana", "sessions")
    assert "has started, passed or was cancelled" in await ask(guild, "fay", "session cancel 1")


async def test_the_rota_s_session_is_announced_here_with_the_pinned_host(
        db: Database, adapter: ConsoleAdapter, clock: ManualClock, tmp_path: Path) -> None:
    adapter.files = tmp_path / "invites"
    bot = await _guild(ROTA_YAML, db, adapter, clock)
    try:
        await advance(bot, clock, START + timedelta(days=1, hours=9))  # Tuesday: two days before Thursday 16:00
        posts = [m.text for m in adapter.transcript if m.where == "#guild"]
        assert len([p for p in posts if "*Community session*" in p and "hosted by @ana" in p]) == 1
        assert not [p for p in posts if p.startswith("*Community session, ")]  # the rota's own post: not twice
        assert (await ask(bot, "ana", "facilitator skip")).startswith("Done: ben hosts Thursday 7 January instead")
        await advance(bot, clock, clock.now() + timedelta(hours=1))
        with bot.db.session() as tx:
            [row] = store.sessions(tx, bot.community)
        assert row.host == "console:ben" and row.source == "rota"
    finally:
        await bot.stop()


async def test_the_announcement_speaks_in_the_admins_own_words_after_a_reload(
        guild: Runtime, adapter: ConsoleAdapter) -> None:
    own = SESSIONS_YAML + '    texts:\n      announce: "Come along: {title}, {when}, with {host} ({link})"\n'
    guild.apply_config(make_config(COMMUNITY_YAML + own))  # hot reload
    await ask(guild, "fay", 'session add "Terraform at scale" --at 2027-01-07T16:00 --guest "Kelsey"')
    [post] = [m for m in adapter.transcript if m.where == "#guild" and "Terraform at scale" in m.text]
    assert post.text.startswith("Come along: Terraform at scale, Thursday 7 January, 16:00, with Kelsey "
                                "(https://meet.test/cop)"), post.text
