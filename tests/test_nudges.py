"""Nudges: members who went quiet get one friendly DM pointing at this week's question, never while they said
"not now", at most once per ``every_weeks``; facilitators see who came back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.console.adapter import ConsoleAdapter
from bot.clock import ManualClock
from bot.events import CommandInvoked, MemberJoined, ReactionAdded, ReplyPosted
from bot.runtime import Runtime
from config.loader import parse_config
from copbot.registry import RITUALS
from copbot.rhythm_report import rhythm_figures
from rituals.nudges.decisions import Quiet, due_nudges, nudge_text, outcomes, quiet_members, return_rate, summary
from storage.db import open_database
from tests.conftest import COMMUNITY_YAML, START

W = timedelta(weeks=1)
NOW = datetime(2027, 3, 3, 9, 0, tzinfo=UTC)


def test_quiet_means_here_long_enough_and_nothing_for_n_weeks() -> None:
    joined = [("ana", NOW - 10 * W), ("ben", NOW - 10 * W), ("cai", NOW - 2 * W), ("dev", NOW - 10 * W)]
    last = {"ana": NOW - 1 * W, "ben": NOW - 5 * W}
    assert quiet_members(joined, last, NOW, 4 * W) == [Quiet("dev", None), Quiet("ben", NOW - 5 * W)]


def test_due_skips_resting_members_and_recent_nudges_and_keeps_the_limit() -> None:
    quiet = [Quiet("dev", None), Quiet("ben", NOW - 5 * W), Quiet("eve", NOW - 6 * W), Quiet("fay", None)]
    due = due_nudges(quiet, {"ben": NOW - 3 * W, "eve": NOW - 9 * W}, {"fay"}, NOW, 8 * W, limit=10)
    assert [q.member for q in due] == ["dev", "eve"]
    assert [q.member for q in due_nudges(quiet, {}, set(), NOW, 8 * W, limit=2)] == ["dev", "ben"]


def test_the_nudge_is_personal_and_points_at_this_weeks_question() -> None:
    text = nudge_text("Ben", "Platform Guild", "What did you automate?", None)
    assert text.startswith("Hi Ben!") and "What did you automate?" in text and "/cop pause until" in text


def test_who_came_back_within_the_window_and_the_rate_counts_only_settled_nudges() -> None:
    nudged = [("ben", NOW - 6 * W), ("dev", NOW - 6 * W), ("eve", NOW - 1 * W), ("fay", NOW - 1 * W)]
    activity = {"ben": [NOW - 7 * W, NOW - 5 * W], "dev": [NOW - 1 * W], "fay": [NOW - timedelta(days=2)]}
    found = outcomes(nudged, activity, NOW, 4 * W)
    assert [(o.member, o.came_back_at, o.settled) for o in found] == [
        ("ben", NOW - 5 * W, True),  # back a week after the nudge (the older activity does not count)
        ("dev", None, True),  # back only after the window
        ("eve", None, False),  # still within it
        ("fay", NOW - timedelta(days=2), True),
    ]
    assert return_rate(found) == (2, 3)
    text = summary(found, {"ben": "Ben"})
    assert "2/3 came back (67%)" in text and "Ben, nudged" in text and "waiting" in text


NUDGES_YAML = COMMUNITY_YAML + """\
  nudges:
    schedule:
      cron: "0 10 * * wed"
    quiet_weeks: 4
    every_weeks: 8
"""


async def test_a_quiet_member_is_nudged_once_comes_back_and_facilitators_see_it(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'nudges.db'}")
    clock = ManualClock(START)
    config = parse_config(NUDGES_YAML, "community.yaml")
    adapter = ConsoleAdapter()
    runtime = Runtime(config, db, adapter, clock, RITUALS)
    await runtime.start(background=False)
    ids = iter(range(1000))

    async def act(event_type: type, member: str, **fields: object) -> str | None:
        event = event_type(platform="console", event_id=f"e{next(ids)}", member=f"console:{member}", at=clock.now(),
                           **fields)  # fmt: skip
        answer = await runtime.handle_event(event)
        await runtime.settle()
        return answer

    for name in ("ana", "ben", "cai", "dev", "fay"):
        await act(MemberJoined, name, name=name.title())
    await act(CommandInvoked, "cai", text="pause until 2027-06-01")
    await act(CommandInvoked, "dev", text="dm off")

    weeks = iter(range(52))

    async def week(active: tuple[str, ...] = ("ana", "fay")) -> None:
        monday = datetime(2027, 1, 4, 9, 5, tzinfo=UTC) + timedelta(weeks=next(weeks))  # 10:05 in Berlin
        clock.set(monday)
        runtime.tick()  # Monday's question
        await runtime.settle()
        for name in active:
            await act(ReactionAdded, name, message_ref=adapter.transcript[-1].ref, emoji="+1")
        clock.set(monday + timedelta(days=2))
        runtime.tick()  # Wednesday's nudges
        await runtime.settle()

    def nudges_sent() -> list[str]:
        return [m.where for m in adapter.transcript if m.delivery_id and m.delivery_id.startswith("nudges:")]

    for _ in range(4):
        await week()
    assert nudges_sent() == []  # four weeks in: not quiet for four weeks yet (they only just joined)
    await week()
    assert nudges_sent() == ["DM @ben"]  # not cai (paused), not dev (DMs off), not the active ones
    [dm] = [m for m in adapter.transcript if m.where == "DM @ben"]
    prompt = next(m for m in reversed(adapter.transcript) if m.where.startswith("#"))
    question = "Which alert woke you up for nothing?"  # the fifth Monday's, in the rotation of three
    assert question in prompt.text
    assert dm.text.startswith("Hi Ben!") and f"\u201c{question}\u201d" in dm.text
    status = await act(CommandInvoked, "fay", text="nudge status")
    assert "1 sent" in str(status) and "Ben, nudged" in str(status) and "waiting" in str(status)
    assert "Only facilitators" in str(await act(CommandInvoked, "ben", text="nudge status"))

    await act(ReplyPosted, "ben", channel="guild-weekly", thread_ref=prompt.ref, message_ref="r1", text="Hi all!")
    for _ in range(3):
        await week()
    assert nudges_sent() == ["DM @ben"]  # at most one in eight weeks, and he took part
    status = await act(CommandInvoked, "fay", text="nudge status")
    assert "1/1 came back (100%)" in str(status)
    figures = rhythm_figures(db, config, clock.now())
    assert figures["nudges"] == {"sent": 1, "came_back": 1, "settled": 1, "return_rate": 1.0}
    await runtime.stop()
    db.dispose()
