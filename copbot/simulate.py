"""``copbot simulate``: a community of simulated members on the console adapter, in simulated time.

Why: an admin should see what a config will do over a quarter before inviting anyone, and we need a
fast, deterministic end-to-end run of every ritual. Same seed, same output. Time jumps from one
interesting moment to the next (ritual slots, member activity) instead of ticking through idle hours.
"""

from __future__ import annotations

import asyncio
import json
import random
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress

from adapters.console.adapter import ConsoleAdapter, Message, member_key
from bot.actions import action_from_dict
from bot.clock import ManualClock
from bot.dm_policy import ANSWER, member_zone, recipients
from bot.events import ButtonClicked, CommandInvoked, Event, MemberJoined, ReactionAdded, ReplyPosted
from bot.local_time import in_window
from bot.runtime import Runtime
from config.local_window import LocalWindow
from config.models import CommunityConfig
from copbot.registry import RITUALS
from copbot.rhythm_report import rhythm_figures, rhythm_text
from copbot.simulate_practices import (
    ChallengeSimulation,
    GroupsSimulation,
    SessionsSimulation,
    practices_lines,
    practices_summary,
)
from storage import activity as activity_store
from storage import member_prefs, queries
from storage.db import open_database

START = datetime(2027, 1, 4, 0, 0, tzinfo=UTC)  # a Monday: weeks line up with ISO weeks
FIRST_NAMES = [
    "ana",
    "ben",
    "chen",
    "dana",
    "emeka",
    "fatima",
    "goran",
    "hana",
    "ines",
    "jonas",
    "kofi",
    "lea",
    "mateo",
    "nadia",
    "omar",
    "priya",
    "quinn",
    "rosa",
    "sven",
    "tariq",
    "uma",
    "vik",
    "wen",
    "yusuf",
    "zoe",
]
ZONES = ["Europe/Berlin", "Europe/London", "America/New_York", "America/Los_Angeles", "Asia/Kolkata", "Asia/Tokyo"]
INTERESTS = ["kubernetes", "terraform", "observability", "ci-cd", "security", "finops", "developer-experience"]


@dataclass
class SimMember:
    key: str
    name: str
    engagement: float  # chance of reacting to a prompt
    talkative: float  # chance of replying


def _members(count: int, rng: random.Random) -> list[SimMember]:
    out = []
    for i in range(count):
        name = f"{FIRST_NAMES[i % len(FIRST_NAMES)]}{i // len(FIRST_NAMES) or ''}"
        engagement = rng.betavariate(2, 3)
        out.append(SimMember(member_key(name), name, engagement, engagement * rng.uniform(0.2, 0.7)))
    return out


def run_simulation(
    config: CommunityConfig,
    *,
    weeks: int,
    members: int,
    seed: int,
    console: Console | None,
    progress: bool,
    start: datetime | None = None,
) -> dict[str, Any]:
    """Run ``weeks`` weeks from ``start`` (default :data:`START`) and return the summary (also printed to
    ``console`` when given)."""
    with tempfile.TemporaryDirectory(prefix="copbot-sim-") as tmp:
        return asyncio.run(
            _simulate(config, weeks, members, seed, console, progress, Path(tmp) / "sim.db", start or START)
        )


async def _simulate(
    config: CommunityConfig,
    weeks: int,
    count: int,
    seed: int,
    console: Console | None,
    progress: bool,
    path: Path,
    start: datetime = START,
) -> dict[str, Any]:
    rng = random.Random(seed)
    onboarding_rng = random.Random(f"onboarding:{seed}")  # its own stream: never shifts the others
    pairing_rng = random.Random(f"pairing:{seed}")  # its own stream: pairing never shifts the others
    db = open_database(f"sqlite:///{path}")
    clock = ManualClock(start)
    adapter = ConsoleAdapter()
    runtime = Runtime(config, db, adapter, clock, RITUALS)
    await runtime.start(background=False)
    people = _members(count, rng)
    engagement = {p.key: p.engagement for p in people}
    rota_sim = RotaSimulation(seed)  # facilitator rota: hosts skip and swap now and then
    groups_sim = GroupsSimulation(seed)  # interest groups: newcomers join some, members answer their questions
    challenge_sim = ChallengeSimulation(seed)  # challenges: some take part and submit, many vote
    sessions_sim = SessionsSimulation(seed)  # sessions: members RSVP, and those going mostly turn up
    counter = 0

    def next_id() -> str:
        nonlocal counter
        counter += 1
        return f"sim-{counter}"

    woken = True  # an event may bring work forward (a join wakes every check): tick at the next hour

    async def send(event: Event) -> None:
        nonlocal woken
        woken = True
        await runtime.handle_event(event)

    # Founding members are there from day one; the rest trickle in over the simulated weeks.
    founders = max(2, count // 3)
    joins = {
        p.key: start + (timedelta(0) if i < founders else timedelta(hours=rng.uniform(0, weeks * 7 * 24)))
        for i, p in enumerate(people)
    }
    joined: set[str] = set()
    end = start + timedelta(weeks=weeks)
    bar = Progress(console=console, transient=True, disable=not progress or console is None)
    seen_posts = 0
    prompts_seen: list[Message] = []
    nudge_rng = random.Random(f"nudges:{seed}")  # its own stream: nudges never shift the others
    mentorship_rng = random.Random(f"mentorship:{seed}")

    async def respond() -> None:
        """Members answer what the bot just sent, when it arrives: the prompt, a welcome, "did you meet?"."""
        nonlocal seen_posts
        new_posts = [m for m in adapter.transcript[seen_posts:] if m.author == "copbot"]
        seen_posts = len(adapter.transcript)
        for post in new_posts:
            if post.where.startswith("#") and "question" in post.text.lower():
                prompts_seen.append(post)
                await _react_to_prompt(post, people, joined, rng, clock, send, next_id, adapter)
        await _answer_nudges(new_posts, prompts_seen[-1] if prompts_seen else None, nudge_rng, clock, send, next_id,
                             adapter)  # fmt: skip
        await _agree_to_ground_rules(new_posts, onboarding_rng, clock, send, next_id)
        await _answer_pairing_followups(runtime, new_posts, pairing_rng, clock, send, next_id)
        await _answer_mentorships(runtime, new_posts, mentorship_rng, clock, send, next_id)
        await groups_sim.answer(runtime, adapter, new_posts, clock, send, next_id, engagement)
        await challenge_sim.answer(runtime, new_posts, joined, clock, send, next_id, engagement)
        await sessions_sim.answer(runtime, new_posts, joined, clock, send, next_id, engagement)
        await rota_sim.act(runtime, adapter, joined, clock, send, next_id)  # hosts answer when the DM arrives
        await runtime.outbox.drain()  # the bot answers a click at once, as a live one does

    with bar:
        task = bar.add_task("simulating", total=weeks * 7)
        day = start
        wake: datetime | None = None
        while day < end:
            day_end = day + timedelta(days=1)
            arriving = sorted((joins[p.key], i) for i, p in enumerate(people) if p.key not in joined
                              and joins[p.key] < day_end)  # fmt: skip
            # Groups and challenges act as the day starts, so what they ask for goes out within the day.
            await groups_sim.act(runtime, joined, clock, send, next_id)
            await challenge_sim.act(clock, send, next_id)
            # Let the scheduler fire every slot of the day at its own time; members join in between, when they do.
            for hour in range(1, 25):
                tick_at = day + timedelta(hours=hour)
                while arriving and arriving[0][0] < tick_at:
                    when, index = arriving.pop(0)
                    person = people[index]
                    joined.add(person.key)
                    clock.set(max(clock.now(), when))
                    await send(
                        MemberJoined(
                            platform="console",
                            event_id=next_id(),
                            member=person.key,
                            at=clock.now(),
                            name=person.name,
                            tz=rng.choice(ZONES),
                            interests=tuple(rng.sample(INTERESTS, 2)),
                        )
                    )
                    await _ask_for_mentoring(person, mentorship_rng, clock, send, next_id)
                    if not arriving or arriving[0][0] > when:  # founders arrive together: welcome them together
                        await runtime.outbox.drain()  # a live bot sends the welcome now
                        await respond()  # ... and the newcomer reads it now
                clock.set(max(clock.now(), tick_at))
                if not woken and wake is not None and clock.now() < wake:
                    continue  # every schedule is not due yet or asleep on its idle hint: this tick would do nothing
                woken = False
                runtime.tick()
                await runtime.outbox.drain()
                await respond()
                wake = runtime.next_wake()
            await runtime.writer.flush()
            day = day_end
            bar.advance(task)
    await runtime.settle()
    summary = _summary(runtime, adapter, weeks, count, seed, start)
    summary.update(practices_summary(runtime, clock.now()))
    await runtime.stop()
    db.dispose()
    if console is not None:
        _print(console, summary, adapter)
    return summary


async def _react_to_prompt(
    post: Message,
    people: list[SimMember],
    joined: set[str],
    rng: random.Random,
    clock: ManualClock,
    send: Any,
    next_id: Any,
    adapter: ConsoleAdapter,
) -> None:
    """Members who are around react to and reply in the prompt's thread over the following hours."""
    at = clock.now()
    for person in people:
        if person.key not in joined:
            continue
        when = at + timedelta(minutes=rng.randint(1, 59))
        if rng.random() < person.engagement:
            event_id = next_id()
            await send(
                ReactionAdded(
                    platform="console", event_id=event_id, member=person.key, at=when, message_ref=post.ref, emoji="+1"
                )
            )
            if rng.random() < 0.05:  # a platform retry: must be stored once
                await send(
                    ReactionAdded(
                        platform="console",
                        event_id=event_id,
                        member=person.key,
                        at=when,
                        message_ref=post.ref,
                        emoji="+1",
                    )
                )
        if rng.random() < person.talkative:
            ref = adapter.add(
                Message(adapter.next_ref(), f"thread {post.ref}", person.name, "my take", thread_of=post.ref)
            ).ref
            await send(
                ReplyPosted(
                    platform="console",
                    event_id=next_id(),
                    member=person.key,
                    at=when,
                    channel=post.where.lstrip("#"),
                    thread_ref=post.ref,
                    message_ref=ref,
                    text="my take",
                )
            )


NUDGE_ANSWER_CHANCE = 0.3
"""How often a simulated quiet member answers this week's question after a friendly nudge."""


async def _answer_nudges(
    new_posts: list[Message], prompt: Message | None, rng: random.Random, clock: ManualClock, send: Any,
    next_id: Any, adapter: ConsoleAdapter,
) -> None:
    """Nudges: some quiet members, nudged, come back and answer the week's question in its thread."""
    for post in new_posts:
        if prompt is None or not (post.delivery_id or "").startswith("nudges:") or not post.where.startswith("DM @"):
            continue
        if rng.random() >= NUDGE_ANSWER_CHANCE:
            continue
        handle = post.where.removeprefix("DM @")
        ref = adapter.add(Message(adapter.next_ref(), f"thread {prompt.ref}", handle, "back with a take",
                                  thread_of=prompt.ref)).ref  # fmt: skip
        await send(ReplyPosted(platform="console", event_id=next_id(), member=member_key(handle), at=clock.now(),
                               channel=prompt.where.lstrip("#"), thread_ref=prompt.ref, message_ref=ref,
                               text="back with a take"))  # fmt: skip


MENTEE_CHANCE = 0.08
"""How often a simulated newcomer asks for a mentor on two topics; MENTOR_CHANCE: offers to mentor on one."""
MENTOR_CHANCE = 0.03
MENTORSHIP_ANSWERS = {"mid": {"keep": 0.75, "done": 0.15, "misfit": 0.10},
                      "end": {"keep": 0.30, "done": 0.60, "misfit": 0.10}}  # fmt: skip
"""How simulated mentors and mentees answer the mid-term and end-of-term questions."""


async def _ask_for_mentoring(person: SimMember, rng: random.Random, clock: ManualClock, send: Any, next_id: Any
                             ) -> None:  # fmt: skip
    """Mentorship: a few newcomers ask for a mentor, fewer offer to mentor, in chat."""
    roll = rng.random()
    if roll < MENTEE_CHANCE:
        text = f"mentor request {','.join(rng.sample(INTERESTS, 2))}"
    elif roll < MENTEE_CHANCE + MENTOR_CHANCE:
        text = f"mentor offer {rng.choice(INTERESTS)}"
    else:
        return
    await send(CommandInvoked(platform="console", event_id=next_id(), member=person.key, at=clock.now(), text=text))


async def _answer_mentorships(
    runtime: Runtime, new_posts: list[Message], rng: random.Random, clock: ManualClock, send: Any, next_id: Any
) -> None:
    """Mentorship: each of the pair answers the term's question most of the time; check-ins get a "we met"."""
    for post in new_posts:
        asks = any("[mentorship.answer]" in b for b in post.buttons)
        if not (asks or any("[mentorship.met]" in b for b in post.buttons)):
            continue
        action = _delivered_action(runtime, post)
        if action is None:
            continue
        to = sorted(action.get("members") or [action.get("member")])
        for member in to:
            if rng.random() >= 0.7:
                continue
            if asks:
                values = [b["value"] for b in action["buttons"]]
                stage = values[0].split(":")[2]
                weights = MENTORSHIP_ANSWERS[stage]
                answer = rng.choices(list(weights), weights=list(weights.values()))[0]
                value = next(v for v in values if v.endswith(f":{answer}"))
                action_id = "mentorship.answer"
            else:
                value, action_id = action["buttons"][0]["value"], "mentorship.met"
            await send(ButtonClicked(platform="console", event_id=next_id(), member=member, at=clock.now(),
                                     action_id=action_id, value=value))  # fmt: skip


ONBOARDING_AGREE_CHANCE = 0.8
"""How often a simulated newcomer presses "I agree to the ground rules" under their welcome."""


async def _agree_to_ground_rules(
    new_posts: list[Message], rng: random.Random, clock: ManualClock, send: Any, next_id: Any
) -> None:
    """Onboarding: most newcomers press the ground-rules button in their welcome DM within the hour."""
    for post in new_posts:
        asks = post.where.startswith("DM @") and any("[onboarding.ack]" in b for b in post.buttons)
        if asks and rng.random() < ONBOARDING_AGREE_CHANCE:
            await send(
                ButtonClicked(
                    platform="console",
                    event_id=next_id(),
                    member=member_key(post.where.removeprefix("DM @")),
                    at=clock.now(),
                    action_id="onboarding.ack",
                    value="",
                    message_ref=post.ref,
                )
            )


def _delivered_action(runtime: Runtime, post: Message) -> dict[str, Any] | None:
    """The neutral action (members, buttons and their values) behind a message the console shows."""
    if not post.delivery_id:
        return None
    with runtime.db.session() as tx:
        row = queries.delivery(tx, post.delivery_id)
    return json.loads(row.action) if row is not None else None


PAIRING_MET_CHANCE = 0.7
"""How often a simulated pairing group says it met when asked."""


async def _answer_pairing_followups(
    runtime: Runtime,
    new_posts: list[Message],
    rng: random.Random,
    clock: ManualClock,
    send: Any,
    next_id: Any,
) -> None:
    """Pairing: one member of each group asked "did you meet?" clicks "We met" (or "Not this time")."""
    for post in new_posts:
        if not any("[pairing.met]" in b for b in post.buttons):
            continue
        action = _delivered_action(runtime, post)
        if action is None:
            continue
        members = sorted(action.get("members") or [])
        group = next((b["value"] for b in action.get("buttons", []) if b["action_id"] == "pairing.met"), None)
        if not members or group is None:
            continue
        who = rng.choice(members)
        met = rng.random() < PAIRING_MET_CHANCE
        await send(
            ButtonClicked(
                platform="console",
                event_id=next_id(),
                member=who,
                at=clock.now(),
                action_id="pairing.met" if met else "pairing.skipped",
                value=group,
            )
        )


class RotaSimulation:
    """Facilitator rota: simulated hosts now and then skip or swap their turn; those asked accept, decline or forget.

    Acts on what the bot said as it arrives (a host reads a DM in their daytime); its own random stream keeps the
    others unchanged.
    """

    SKIP_CHANCE = 0.15
    SWAP_CHANCE = 0.2
    ACCEPT_CHANCE = 0.6
    FORGET_CHANCE = 0.2  # the swap is never answered and lapses

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"facilitator:{seed}")
        self.seen = 0
        self.volunteered = False

    async def act(self, runtime: Runtime, adapter: ConsoleAdapter, joined: set[str], clock: ManualClock,
                  send: Any, next_id: Any) -> None:
        import json

        from bot.events import ButtonClicked, CommandInvoked
        from storage import facilitator as rota_store

        def command(member: str, text: str) -> CommandInvoked:
            return CommandInvoked(platform="console", event_id=next_id(), member=member, at=clock.now(), text=text)

        if not self.volunteered and joined:  # two founding members join the pool on the first day
            self.volunteered = True
            for member in self.rng.sample(sorted(joined), min(2, len(joined))):
                await send(command(member, "facilitator volunteer"))
        new = [m for m in adapter.transcript[self.seen:] if m.author == "copbot" and m.where.startswith("DM @")]
        self.seen = len(adapter.transcript)
        for message in new:
            member = member_key(message.where.removeprefix("DM @"))
            if "you're hosting the community session" in message.text and runtime.role_of(member) > 0:
                roll = self.rng.random()
                if roll < self.SKIP_CHANCE:
                    await send(command(member, "facilitator skip"))
                elif roll < self.SKIP_CHANCE + self.SWAP_CHANCE:
                    with runtime.db.session() as tx:
                        others = sorted(v.member for v in rota_store.volunteers(tx, runtime.community)
                                        if not v.retired and v.member != member and v.member in joined)
                    if others:
                        await send(command(member, f"facilitator swap {self.rng.choice(others)}"))
            elif any("[facilitator.swap.accept]" in b for b in message.buttons) and message.delivery_id:
                with runtime.db.session() as tx:
                    row = queries.delivery(tx, message.delivery_id)
                swap_id = next((b["value"] for b in json.loads(row.action)["buttons"]), "") if row else ""
                roll = self.rng.random()
                if roll < self.FORGET_CHANCE or not swap_id:
                    continue
                action = "facilitator.swap.accept" if roll < self.FORGET_CHANCE + self.ACCEPT_CHANCE else (
                    "facilitator.swap.decline")
                await send(ButtonClicked(platform="console", event_id=next_id(), member=member, at=clock.now(),
                                         action_id=action, value=swap_id))


def _column(kind: str) -> str:
    """The summary's column for an activity kind; a member's ``post`` is not one of the bot's ``posts``."""
    if kind == "post":
        return "member_posts"
    return kind if kind.endswith("s") else kind + "s"


def _summary(
    runtime: Runtime, adapter: ConsoleAdapter, weeks: int, count: int, seed: int, start: datetime = START
) -> dict[str, Any]:
    per_week: dict[int, Counter[str]] = {w: Counter() for w in range(weeks)}
    with runtime.db.session() as tx:
        for row in queries.deliveries(tx, runtime.community, "sent"):
            week = int((row.sent_at.replace(tzinfo=UTC) - start) / timedelta(weeks=1)) if row.sent_at else 0
            week = min(week, weeks - 1)  # the last tick stands exactly at the end: a DM held until then counts
            per_week.setdefault(week, Counter())[f"{row.ritual}_messages"] += 1
        active: dict[int, set[str]] = {}
        for event in activity_store.activity(tx, runtime.community):  # what members did, never what they were sent
            at = event.at if event.at.tzinfo else event.at.replace(tzinfo=UTC)
            week = int((at - start) / timedelta(weeks=1))
            per_week.setdefault(week, Counter())[_column(event.kind)] += 1
            active.setdefault(week, set()).add(event.member)
        for week, who in active.items():
            per_week[week]["active_members"] = len(who)
        member_count = len(queries.members(tx, runtime.community))
        waiting = len(activity_store.welcomed_not_active(tx, runtime.community))
        slots = Counter(run.status for run in queries.runs(tx, runtime.community))
    weeks_out: list[dict[str, Any]] = []
    for week in sorted(per_week):
        counts = per_week[week]
        weeks_out.append(
            {
                "week": week + 1,
                "start": (start + timedelta(weeks=week)).date().isoformat(),
                "posts": sum(v for k, v in counts.items() if k.endswith("_messages")),
                "reactions": counts["reactions"],
                "replies": counts["replys"] + counts["replies"],
                **{k: v for k, v in sorted(counts.items()) if k not in ("reactions", "replys", "replies")},
            }
        )
    totals: Counter[str] = Counter()
    for week_row in weeks_out:
        for key, value in week_row.items():
            if key not in ("week", "start", "active_members"):  # a sum of weekly distinct counts means nothing
                totals[key] += value
    return {
        "weeks_simulated": weeks,
        "start": start.isoformat(),
        "members": member_count,
        "seed": seed,
        "slots": dict(sorted(slots.items())),
        "totals": dict(sorted(totals.items())),
        "weeks": weeks_out,
        "welcomed_not_active": waiting,
        "duplicates_dropped": runtime.writer.duplicates,
        "direct_messages": dm_timing(runtime),
        **rhythm_figures(runtime.db, runtime.config, start + timedelta(weeks=weeks)),
    }


def dm_timing(runtime: Runtime) -> dict[str, Any]:
    """How many DMs reached a member outside their local window (the configured one, else 09:00-18:00 on
    weekdays, so a config without a window shows what it would change). A group DM counts once per member.

    Answers to a member's own click or command go at once by design (they are evidently there); with a window
    configured they are counted apart (``answers_at_once``, and how many of those fell outside the window).
    """
    config = runtime.config
    window = config.delivery.direct_messages.local_window or LocalWindow()
    sent = outside = held = withheld = answers = answers_outside = 0
    with runtime.db.session() as tx:
        people = {m.key: m for m in queries.members(tx, runtime.community, active_only=False)}
        prefs = member_prefs.all_prefs(tx, runtime.community)
        zones = {key: member_zone(prefs.get(key), people.get(key), config) for key in people}
        for row in queries.deliveries(tx, runtime.community):
            if '"DirectMessage"' not in row.action and '"GroupMessage"' not in row.action:
                continue
            held += row.status == "pending"
            withheld += row.status == "withheld"
            if row.status != "sent" or row.sent_at is None:
                continue
            to = recipients(action_from_dict(json.loads(row.action)))
            at = row.sent_at.replace(tzinfo=UTC)
            late = sum(1 for key in to if not in_window(window, zones.get(key) or member_zone(None, None, config), at))
            if row.timing == ANSWER:
                answers += len(to)
                answers_outside += late
            else:
                sent += len(to)
                outside += late
    return {
        "sent": sent,
        "outside_local_window": outside,
        "share_outside_local_window": round(outside / sent, 4) if sent else 0.0,
        "answers_at_once": answers,
        "answers_outside_local_window": answers_outside,
        "held_at_end": held,
        "withheld": withheld,
    }


def _table(title: str | None, columns: list[str], rows: list[dict[str, Any]], weeks: list[str]) -> Any:
    from rich import box
    from rich.table import Table

    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("week", no_wrap=True)
    for column in columns:
        widest = max(*(len(word) for word in column.split("_")), *(len(str(row.get(column, 0))) for row in rows))
        table.add_column(column.replace("_", " "), justify="right", min_width=widest)  # whole words, never "fa…"
    for label, row in zip(weeks, rows, strict=True):
        table.add_row(label, *[str(row.get(c, 0)) for c in columns])
    return table


def _fold(console: Console, columns: list[str], rows: list[dict[str, Any]], weeks: list[str]) -> list[list[str]]:
    """Split the figure columns into tables that each fit the console (every table repeats the week column).

    Why fold and not shrink: at 80 columns a dozen figures squeezed into one table were cut to "fa…" and "(2…",
    unreadable; whole words in two or three narrower tables read at any width. A column joins a table only if
    rich measures the table at its natural width no wider than the console (measured at its narrowest, a table of
    this issue's extra columns was then still cropped to "facilitato").
    """
    chunks: list[list[str]] = [[]]
    for column in columns:
        trial = [*chunks[-1], column]
        unbounded = console.options.update(max_width=10_000)  # measure what it needs, not what the console has
        if chunks[-1] and console.measure(_table(None, trial, rows, weeks), options=unbounded).maximum > console.width:
            chunks.append([column])
        else:
            chunks[-1] = trial
    return chunks


def _print(console: Console, summary: dict[str, Any], adapter: ConsoleAdapter) -> None:
    console.rule("Highlights")
    for message in [m for m in adapter.transcript if m.author == "copbot"][:6]:
        first = message.text.splitlines()[1] if "\n" in message.text else message.text
        console.print(f"[cyan]{message.ref}[/cyan] {message.where}: {first}")
    columns = sorted(
        {k for row in summary["weeks"] for k in row} - {"week", "start"},
        key=lambda k: (k not in ("posts", "reactions", "replies"), k),
    )
    weeks = [f"{row['week']} ({row['start']})" for row in summary["weeks"]]
    title = f"{summary['weeks_simulated']} weeks, {summary['members']} members, seed {summary['seed']}"
    for part, chunk in enumerate(_fold(console, columns, summary["weeks"], weeks)):
        console.print(_table(title if part == 0 else None, chunk, summary["weeks"], weeks))
    console.print(f"slots: {summary['slots']}; duplicate events dropped: {summary['duplicates_dropped']}")
    for line in practices_lines(summary):
        console.print(line)
    dms = summary["direct_messages"]
    console.print(
        f"DMs: {dms['sent']} sent, {dms['outside_local_window']} outside their member's local window "
        f"({dms['share_outside_local_window']:.1%}); {dms['held_at_end']} still held for a window; "
        f"{dms['withheld']} optional DMs withheld (dm off or paused); {dms['answers_at_once']} answers to members' "
        f"own clicks or commands sent at once ({dms['answers_outside_local_window']} of them in the evening or night)"
    )
    rhythm = rhythm_text(summary)
    if rhythm:
        console.print(rhythm)
