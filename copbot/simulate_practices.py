"""What simulated members do with interest groups, challenges and community sessions in ``copbot simulate``.

Why apart from copbot/simulate.py: each practice's members act on what the bot said, on their own random stream
(seeded from the run's seed), so adding them never shifts what the other rituals' members do, and a run without
these sections in community.yaml behaves exactly as before.
"""

from __future__ import annotations

import json
import random
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from adapters.console.adapter import ConsoleAdapter, Message, member_key
from bot.clock import ManualClock
from bot.events import ButtonClicked, CommandInvoked, Event, ReactionAdded, ReplyPosted
from bot.runtime import Runtime
from storage import challenges as challenges_store
from storage import groups as groups_store
from storage import queries
from storage import sessions as sessions_store

Send = Callable[[Event], Awaitable[None]]
NextId = Callable[[], str]


class GroupsSimulation:
    """Newcomers join one or two interest groups now and then; a group's question draws its own members."""

    JOIN_CHANCE = 0.3
    SECOND_CHANCE = 0.25

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"groups:{seed}")
        self.seen: set[str] = set()

    async def act(self, runtime: Runtime, joined: set[str], clock: ManualClock, send: Send, next_id: NextId) -> None:
        settings = runtime.config.rituals.groups
        if settings is None or not settings.enabled or not settings.groups:
            return
        names = [g.name for g in settings.groups]
        for member in sorted(joined - self.seen):
            self.seen.add(member)
            if self.rng.random() >= self.JOIN_CHANCE:
                continue
            picks = self.rng.sample(names, min(len(names), 2 if self.rng.random() < self.SECOND_CHANCE else 1))
            for name in picks:
                await send(CommandInvoked(platform="console", event_id=next_id(), member=member, at=clock.now(),
                                          text=f"group join {name}"))

    async def answer(self, runtime: Runtime, adapter: ConsoleAdapter, posts: Sequence[Message], clock: ManualClock,
                     send: Send, next_id: NextId, engagement: dict[str, float]) -> None:
        """Members of the group react to (and some reply in) its weekly question."""
        for post in posts:
            if not post.delivery_id or not post.delivery_id.startswith("groups:") or post.thread_of is not None:
                continue
            with runtime.db.session() as tx:
                name = groups_store.group_of_thread(tx, runtime.community, post.ref)
                members = groups_store.members_of(tx, runtime.community, name) if name else []
            for member in members:
                chance = engagement.get(member, 0.3)
                if self.rng.random() < chance:
                    await send(ReactionAdded(platform="console", event_id=next_id(), member=member, at=clock.now(),
                                             message_ref=post.ref, emoji="+1"))
                if self.rng.random() < chance / 2:
                    ref = adapter.add(Message(adapter.next_ref(), f"thread {post.ref}", member, "in our team we...",
                                              thread_of=post.ref)).ref
                    await send(ReplyPosted(platform="console", event_id=next_id(), member=member, at=clock.now(),
                                           channel=post.where.lstrip("#"), thread_ref=post.ref, message_ref=ref,
                                           text="in our team we..."))


class ChallengeSimulation:
    """Some members take part in an announced challenge and most of those submit within days; at the vote,
    many members vote for an entry (a few try their own and are refused)."""

    TAKE_PART = 0.15
    SUBMIT = 0.75
    VOTE = 0.3

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"challenges:{seed}")
        self.to_submit: list[tuple[str, int]] = []  # (member, days from now)

    async def answer(self, runtime: Runtime, posts: Sequence[Message], joined: set[str], clock: ManualClock,
                     send: Send, next_id: NextId, engagement: dict[str, float]) -> None:
        for post in posts:
            if not any("[challenges." in b for b in post.buttons):
                continue
            buttons = [b for b in buttons_of(runtime, post) if b["action_id"] in ("challenges.join", "challenges.vote")]
            if not buttons:
                continue
            for member in sorted(joined):
                chance = engagement.get(member, 0.3)
                if buttons[0]["action_id"] == "challenges.join" and self.rng.random() < self.TAKE_PART * 2 * chance:
                    await send(ButtonClicked(platform="console", event_id=next_id(), member=member, at=clock.now(),
                                             action_id="challenges.join", value=buttons[0]["value"]))
                    if self.rng.random() < self.SUBMIT:
                        self.to_submit.append((member, self.rng.randint(1, 10)))
                elif buttons[0]["action_id"] == "challenges.vote" and self.rng.random() < self.VOTE * 2 * chance:
                    choice = self.rng.choice(buttons)
                    await send(ButtonClicked(platform="console", event_id=next_id(), member=member, at=clock.now(),
                                             action_id="challenges.vote", value=choice["value"]))

    async def act(self, clock: ManualClock, send: Send, next_id: NextId) -> None:
        """Once a day: those whose entry is ready send it."""
        waiting = []
        for member, days in self.to_submit:
            if days > 0:
                waiting.append((member, days - 1))
                continue
            await send(CommandInvoked(platform="console", event_id=next_id(), member=member, at=clock.now(),
                                      text=f"challenge submit https://git.example/{member.split(':')[-1]}/toil"))
        self.to_submit = waiting


class SessionsSimulation:
    """Members answer a session's announcement (going, maybe, can't); most of those going, and a few others,
    press "I was there" after it."""

    ANSWER = 0.25  # of the members around, weighted by how engaged each is: a fifth of a guild answers or so
    THERE_IF_GOING = 0.75
    THERE_OTHERWISE = 0.02

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"sessions:{seed}")
        self.going: dict[str, set[str]] = {}  # session number -> members who said going

    async def answer(self, runtime: Runtime, posts: Sequence[Message], joined: set[str], clock: ManualClock,
                     send: Send, next_id: NextId, engagement: dict[str, float]) -> None:
        for post in posts:
            if not any("[sessions." in b for b in post.buttons):
                continue
            buttons = buttons_of(runtime, post)
            rsvp = [b for b in buttons if b["action_id"] == "sessions.rsvp"]
            there = [b for b in buttons if b["action_id"] == "sessions.attended"]
            for member in sorted(joined):
                chance = engagement.get(member, 0.3)
                if rsvp and self.rng.random() < self.ANSWER * chance:
                    choice = self.rng.choices(rsvp, weights=(5, 3, 2))[0]
                    number = choice["value"].split(":")[0]
                    if choice["value"].endswith(":going"):
                        self.going.setdefault(number, set()).add(member)
                    await send(ButtonClicked(platform="console", event_id=next_id(), member=member, at=clock.now(),
                                             action_id="sessions.rsvp", value=choice["value"]))
                elif there:
                    was_going = member in self.going.get(there[0]["value"], set())
                    if self.rng.random() < (self.THERE_IF_GOING if was_going else self.THERE_OTHERWISE):
                        await send(ButtonClicked(platform="console", event_id=next_id(), member=member,
                                                 at=clock.now(), action_id="sessions.attended",
                                                 value=there[0]["value"]))


def buttons_of(runtime: Runtime, post: Message) -> list[dict[str, Any]]:
    """The neutral buttons of a delivered message (action id and value), read back from its outbox row."""
    if not post.delivery_id:
        return []
    with runtime.db.session() as tx:
        row = queries.delivery(tx, post.delivery_id)
    return list(json.loads(row.action).get("buttons", [])) if row else []


def recipient(post: Message) -> str | None:
    return member_key(post.where.removeprefix("DM @")) if post.where.startswith("DM @") else None


def practices_summary(runtime: Runtime, now: datetime) -> dict[str, Any]:
    """What the run's groups (and, when on, challenges and sessions) came to, for the summary and ``--json``."""
    with runtime.db.session() as tx:
        groups = [
            {"group": g.name, "members": g.members, "active_members": g.active_members, "contributions_4w": g.recent,
             "trend": g.trend}
            for g in groups_store.figures(tx, runtime.community, now)
        ]
        challenges = [
            {"title": c["title"], "status": c["status"], "taking_part": c["taking_part"], "entries": len(c["entries"]),
             "votes": sum(e["votes"] for e in c["entries"])}
            for c in challenges_store.export(tx, runtime.community)
        ]
        sessions = [
            {"title": x["title"], "starts_at": x["starts_at"], "going": x["going"], "maybe": x["maybe"],
             "cant": x["cant"], "attended": x["attended"]}
            for x in sessions_store.export(tx, runtime.community)
        ]
    out: dict[str, Any] = {}
    if sessions:
        out["sessions"] = sessions
    if groups:
        out["groups"] = groups
    if challenges:
        out["challenges"] = challenges
    return out


def practices_lines(summary: dict[str, Any]) -> list[str]:
    """The printed summary's lines for groups, challenges and sessions."""
    lines = []
    for g in summary.get("groups", []):
        lines.append(f"group {g['group']}: {g['members']} members, {g['active_members']} active in the last 4 weeks, "
                     f"{g['contributions_4w']} contributions ({g['trend']})")
    sessions = summary.get("sessions", [])
    if sessions:
        lines.append(f"sessions: {len(sessions)}, going {sum(x['going'] for x in sessions)}, maybe "
                     f"{sum(x['maybe'] for x in sessions)}, attended {sum(x['attended'] for x in sessions)}")
    for c in summary.get("challenges", []):
        lines.append(f"challenge {c['title']!r} ({c['status']}): {c['taking_part']} taking part, {c['entries']} "
                     f"entries, {c['votes']} votes")
    return lines
