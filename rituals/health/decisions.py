"""Community health figures, the lifecycle stage and the next steps: pure functions of a plain history.

Nothing here reads a clock, a database or the network. :func:`build_snapshot` takes a
:class:`HealthHistory` (members, participation, prompts, pairing groups, poll results) collected by
``rituals.health`` and the moment ``now``; everything it returns is a frozen :class:`HealthSnapshot`
that the report post, ``copbot report`` and the web dashboard all render. The stage rule is written
out for community managers in docs/health.md; keep the two in step.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from rituals.polls.decisions import PollResult
from storage.activity import ACTIVITY_KINDS

WAYS: dict[str, str] = {
    "post": "posted",
    "reply": "replied",
    "reaction": "reacted",
    "met": "met",
    "facilitated": "facilitated",
    "co_hosted": "facilitated",
}
"""Activity kinds shown as one of the five ways of being active in the report's breakdown. Every kind in
:data:`storage.activity.ACTIVITY_KINDS` makes a member active (a button pressed, a kudos given, ...); only these
have a column of their own. What the bot sent a member is never activity."""

ACTIVE_KINDS = ("posted", "replied", "reacted", "met", "facilitated")
RETENTION_DAYS = (30, 60, 90)
RETENTION_WINDOW = timedelta(days=30)
"""A newcomer is retained at day N when they did something in the 30 days before day N after joining."""
RETENTION_COHORTS = timedelta(days=365)
"""Retention looks at newcomers of the past year: older cohorts describe a community that has since changed."""


class Stage(StrEnum):
    """Where a community is in its life (Wenger, McDermott & Snyder's stages, simplified to four)."""

    BEGINNING = "beginning"
    EXPANSION = "expansion"
    MATURATION = "maturation"
    CHANGE = "change"


# --- inputs ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberFact:
    """A member as the health report needs them; ``newcomer`` is False for those already there at install."""

    key: str
    name: str
    joined_at: datetime
    left_at: datetime | None = None
    newcomer: bool = True
    interests: tuple[str, ...] = ()

    def present_at(self, when: datetime) -> bool:
        return self.joined_at <= when and (self.left_at is None or self.left_at > when)


@dataclass(frozen=True)
class ActivityFact:
    """One stored participation event (``kind`` as stored: reply, reaction, met, facilitated, ...)."""

    member: str
    kind: str
    at: datetime
    subject: str = ""


@dataclass(frozen=True)
class PromptFact:
    """A weekly prompt as asked; replies are matched to it by the participation subject ``prompt:<id>``."""

    id: int
    asked_at: datetime


@dataclass(frozen=True)
class PairingFact:
    """One pairing group: when its cycle started and how its "did you meet?" was answered (None: no answer)."""

    started_at: datetime
    answer: str | None


@dataclass(frozen=True)
class StageRule:
    """The thresholds of the stage rule (docs/health.md); community.yaml may tune them."""

    beginning_members: int = 15
    expansion_growth: float = 0.10
    change_active_drop: float = 0.10
    quiet_min_contributions: int = 3
    concentration_share: float = 0.6


@dataclass(frozen=True)
class HealthHistory:
    """Everything the figures are computed from, as plain values."""

    members: tuple[MemberFact, ...]
    activity: tuple[ActivityFact, ...]
    prompts: tuple[PromptFact, ...] = ()
    pairings: tuple[PairingFact, ...] = ()
    polls: tuple[PollResult, ...] = ()
    kudos: tuple[datetime, ...] = ()  # when each kudos was given (rituals/kudos/ritual.py): recognition between members


# --- outputs -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActiveCounts:
    """Distinct members active in a period, overall and by way of taking part (one member may count in several)."""

    total: int = 0
    posted: int = 0
    replied: int = 0
    reacted: int = 0
    met: int = 0
    facilitated: int = 0

    def by_kind(self) -> dict[str, int]:
        return {kind: getattr(self, kind) for kind in ACTIVE_KINDS}


@dataclass(frozen=True)
class Retention:
    """Of ``cohort`` newcomers who joined at least ``days`` days ago, ``retained`` were still taking part."""

    days: int
    cohort: int
    retained: int

    @property
    def rate(self) -> float | None:
        return self.retained / self.cohort if self.cohort else None


@dataclass(frozen=True)
class WeeklyReplyRate:
    """One week's prompt: of the ``asked`` members present, ``replied`` answered in its thread."""

    week: date
    asked: int
    replied: int

    @property
    def rate(self) -> float | None:
        return self.replied / self.asked if self.asked else None


@dataclass(frozen=True)
class WeeklyActive:
    """Distinct active members in the week starting ``week`` (Monday)."""

    week: date
    active: int


@dataclass(frozen=True)
class PairingRate:
    """Pairing groups formed in the period, and how many said they met."""

    groups: int = 0
    met: int = 0
    answered: int = 0

    @property
    def rate(self) -> float | None:
        return self.met / self.groups if self.groups else None


@dataclass(frozen=True)
class FacilitationSpread:
    """Who led sessions in the look-back window, and whether a few carry the rota."""

    sessions: int = 0
    distinct: int = 0
    top_share: float | None = None  # share of sessions led by the two busiest people
    concentrated: bool = False


@dataclass(frozen=True)
class QuietMember:
    """Active in the previous two periods, silent in this one. Admin eyes only."""

    key: str
    name: str
    last_active: datetime
    contributions_before: int


@dataclass(frozen=True)
class StageReading:
    """The lifecycle stage, why, and the figures the rule looked at."""

    stage: Stage
    reason: str
    figures: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class NextStep:
    """A concrete suggestion, tied to the figure (``figure`` key and its shown ``value``) that prompted it."""

    action: str
    why: str
    figure: str
    value: str


@dataclass(frozen=True)
class HealthSnapshot:
    """The community's health for one period (``period_start`` inclusive to ``period_end`` exclusive).

    ``quiet_members`` names people; only admins may see it. Use :meth:`public` for anything posted in a
    channel or shown on a shared page: it keeps the count and drops the names.
    """

    period_start: datetime
    period_end: datetime
    previous_start: datetime
    members_now: int = 0
    members_at_start: int = 0
    joined: int = 0
    left: int = 0
    active_this: ActiveCounts = field(default_factory=ActiveCounts)
    active_last: ActiveCounts = field(default_factory=ActiveCounts)
    retention: tuple[Retention, ...] = ()
    reply_rates: tuple[WeeklyReplyRate, ...] = ()
    reply_rate: float | None = None
    reply_rate_trend: float | None = None  # change in reply rate per week (least squares), -1..1
    weekly_active: tuple[WeeklyActive, ...] = ()
    pairing: PairingRate = field(default_factory=PairingRate)
    facilitation: FacilitationSpread = field(default_factory=FacilitationSpread)
    quiet_count: int = 0
    quiet_members: tuple[QuietMember, ...] = ()
    stage: StageReading = field(default_factory=lambda: StageReading(Stage.BEGINNING, "no history yet"))
    next_steps: tuple[NextStep, ...] = ()
    polls: tuple[PollResult, ...] = ()
    frequent_topic: tuple[str, int] | None = None
    kudos_this: int = 0
    kudos_last: int = 0

    @property
    def active_share_this(self) -> float | None:
        return self.active_this.total / self.members_now if self.members_now else None

    @property
    def active_share_last(self) -> float | None:
        return self.active_last.total / self.members_at_start if self.members_at_start else None

    def public(self) -> HealthSnapshot:
        """The same figures without anyone's name: quiet members stay a count, poll voters are dropped."""
        return replace(
            self,
            quiet_members=(),
            polls=tuple(replace(p, voters=()) for p in self.polls),
        )

    def as_json(self) -> dict[str, Any]:
        """Plain JSON values (dates as ISO strings) for ``copbot report --json`` and the dashboard."""
        return _jsonable(self) | {
            "active_share_this": self.active_share_this,
            "active_share_last": self.active_share_last,
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        data = {name: _jsonable(getattr(value, name)) for name in value.__dataclass_fields__}
        for prop in ("rate",):
            if hasattr(type(value), prop):
                data[prop] = getattr(value, prop)
        return data
    return value


# --- the figures -------------------------------------------------------------------------------------------


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def active_counts(activity: Iterable[ActivityFact], start: datetime, end: datetime) -> ActiveCounts:
    """Distinct members active in [start, end), in all and per way; kinds outside ACTIVITY_KINDS do not count."""
    who: dict[str, set[str]] = defaultdict(set)
    everyone: set[str] = set()
    for fact in activity:
        if fact.kind in ACTIVITY_KINDS and start <= fact.at < end:
            everyone.add(fact.member)
            way = WAYS.get(fact.kind)
            if way:
                who[way].add(fact.member)
    return ActiveCounts(total=len(everyone), **{kind: len(who[kind]) for kind in ACTIVE_KINDS})


def newcomer_retention(
    members: Iterable[MemberFact],
    activity: Iterable[ActivityFact],
    now: datetime,
    days: Sequence[int] = RETENTION_DAYS,
    cohorts: timedelta = RETENTION_COHORTS,
) -> tuple[Retention, ...]:
    """Retention at each day mark: newcomers who joined at least N days ago, active in the 30 days before day N.

    Only newcomers count (members already there when the bot was installed did not "join" then), and only
    those old enough to have reached the mark, so a recent cohort does not pull the curve down; and only
    those who joined within ``cohorts`` (a year) of ``now``.
    """
    times: dict[str, list[datetime]] = defaultdict(list)
    for fact in activity:
        if fact.kind in ACTIVITY_KINDS:
            times[fact.member].append(fact.at)
    result = []
    for mark in days:
        cohort = [
            m for m in members if m.newcomer and now - cohorts <= m.joined_at <= now - timedelta(days=mark)
        ]
        retained = 0
        for m in cohort:
            end = m.joined_at + timedelta(days=mark)
            start = max(m.joined_at, end - RETENTION_WINDOW)
            if any(start <= at < end for at in times.get(m.key, ())):
                retained += 1
        result.append(Retention(days=mark, cohort=len(cohort), retained=retained))
    return tuple(result)


def weekly_reply_rates(
    prompts: Iterable[PromptFact],
    activity: Iterable[ActivityFact],
    members: Sequence[MemberFact],
    start: datetime,
    end: datetime,
    zone: tzinfo = UTC,
) -> tuple[WeeklyReplyRate, ...]:
    """For each prompt asked in [start, end): distinct repliers over members present when it was asked,
    summed per week (Monday to Sunday in ``zone``)."""
    repliers: dict[str, set[str]] = defaultdict(set)
    for fact in activity:
        if fact.kind == "reply" and fact.subject.startswith("prompt:"):
            repliers[fact.subject].add(fact.member)
    by_week: dict[date, tuple[int, int]] = {}
    for p in sorted(prompts, key=lambda p: p.asked_at):
        if not start <= p.asked_at < end:
            continue
        asked = sum(1 for m in members if m.present_at(p.asked_at))
        replied = len(repliers.get(f"prompt:{p.id}", set()))
        week = week_start(p.asked_at.astimezone(zone).date())
        before = by_week.get(week, (0, 0))
        by_week[week] = (before[0] + asked, before[1] + replied)
    return tuple(WeeklyReplyRate(week, asked, replied) for week, (asked, replied) in sorted(by_week.items()))


def trend(values: Sequence[float]) -> float | None:
    """Least-squares slope per step; None with fewer than two points (one week says nothing of a trend)."""
    n = len(values)
    if n < 2:
        return None
    mean_x = (n - 1) / 2
    mean_y = sum(values) / n
    num = sum((i - mean_x) * (v - mean_y) for i, v in enumerate(values))
    den = sum((i - mean_x) ** 2 for i in range(n))
    return num / den


def weekly_active(
    activity: Iterable[ActivityFact], start: datetime, end: datetime, zone: tzinfo = UTC
) -> tuple[WeeklyActive, ...]:
    """Distinct active members per week (weeks start on Monday in ``zone``) from ``start`` to ``end``."""
    who: dict[date, set[str]] = defaultdict(set)
    for fact in activity:
        if fact.kind in ACTIVITY_KINDS and start <= fact.at < end:
            who[week_start(fact.at.astimezone(zone).date())].add(fact.member)
    weeks = []
    week = week_start(start.astimezone(zone).date())
    while week < end.astimezone(zone).date():
        weeks.append(WeeklyActive(week, len(who.get(week, ()))))
        week += timedelta(days=7)
    return tuple(weeks)


def pairing_rate(pairings: Iterable[PairingFact], start: datetime, end: datetime) -> PairingRate:
    """Groups formed in [start, end): how many met, how many answered at all."""
    groups = [p for p in pairings if start <= p.started_at < end]
    return PairingRate(
        groups=len(groups),
        met=sum(1 for p in groups if p.answer == "met"),
        answered=sum(1 for p in groups if p.answer is not None),
    )


def facilitation_spread(
    activity: Iterable[ActivityFact], start: datetime, end: datetime, rule: StageRule
) -> FacilitationSpread:
    """Sessions led (``facilitated``) in [start, end); concentrated when two people lead most of them.

    With fewer than three sessions there is nothing to judge, so it is never called concentrated.
    """
    hosts = Counter(f.member for f in activity if f.kind == "facilitated" and start <= f.at < end)
    sessions = sum(hosts.values())
    if not sessions:
        return FacilitationSpread()
    top_two = sum(n for _, n in hosts.most_common(2))
    share = top_two / sessions
    concentrated = sessions >= 3 and (len(hosts) <= 2 or share >= rule.concentration_share)
    return FacilitationSpread(sessions=sessions, distinct=len(hosts), top_share=share, concentrated=concentrated)


def quiet_members(
    members: Iterable[MemberFact],
    activity: Iterable[ActivityFact],
    previous_start: datetime,
    period_start: datetime,
    period_end: datetime,
    rule: StageRule,
) -> tuple[QuietMember, ...]:
    """Members still here who took part at least ``quiet_min_contributions`` times in the two periods
    before this one and not at all in this one: the people a personal note might bring back."""
    lookback = previous_start - (period_start - previous_start)
    before: Counter[str] = Counter()
    last: dict[str, datetime] = {}
    now_active: set[str] = set()
    for fact in activity:
        if fact.kind not in ACTIVITY_KINDS:
            continue
        if period_start <= fact.at < period_end:
            now_active.add(fact.member)
        elif lookback <= fact.at < period_start:
            before[fact.member] += 1
            last[fact.member] = max(last.get(fact.member, fact.at), fact.at)
    quiet = [
        QuietMember(m.key, m.name, last[m.key], before[m.key])
        for m in members
        if m.present_at(period_end - timedelta(microseconds=1))
        and before[m.key] >= rule.quiet_min_contributions
        and m.key not in now_active
    ]
    return tuple(sorted(quiet, key=lambda q: (-q.contributions_before, q.name)))


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{round(value * 100)}%"


def _signed_pct(value: float) -> str:
    return f"{'+' if value >= 0 else '−'}{abs(round(value * 100))}%"


def lifecycle_stage(
    members_now: int,
    members_at_start: int,
    share_this: float | None,
    share_last: float | None,
    rule: StageRule,
) -> StageReading:
    """The stage rule (docs/health.md), checked in this order:

    1. beginning — fewer than ``beginning_members`` members: the community is still forming;
    2. change — the share of members who are active fell by ``change_active_drop`` (10 points) or more
       since the last period: something is shifting and needs attention;
    3. expansion — membership grew by ``expansion_growth`` (10%) or more in the period;
    4. maturation — otherwise: a stable membership with a steady active share.
    """
    growth = (members_now - members_at_start) / members_at_start if members_at_start else None
    drop = (share_last - share_this) if share_this is not None and share_last is not None else None
    figures = (
        ("members", str(members_now)),
        ("member growth", "n/a" if growth is None else _signed_pct(growth)),
        ("active share", f"{_pct(share_this)} (last period {_pct(share_last)})"),
    )
    if members_now < rule.beginning_members:
        reason = f"{members_now} members, fewer than {rule.beginning_members}: the community is still forming"
        return StageReading(Stage.BEGINNING, reason, figures)
    if drop is not None and drop >= rule.change_active_drop:
        reason = f"the active share fell from {_pct(share_last)} to {_pct(share_this)}"
        return StageReading(Stage.CHANGE, reason, figures)
    if growth is not None and growth >= rule.expansion_growth:
        reason = f"membership grew {_signed_pct(growth)} this period"
        return StageReading(Stage.EXPANSION, reason, figures)
    reason = "membership is steady and the active share holds"
    return StageReading(Stage.MATURATION, reason, figures)


def frequent_topic(members: Iterable[MemberFact]) -> tuple[str, int] | None:
    """The interest most members list (ties: alphabetical), if at least three share it."""
    counts = Counter(tag for m in members for tag in m.interests)
    if not counts:
        return None
    tag, n = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return (tag, n) if n >= 3 else None


def suggest_next_steps(snapshot: HealthSnapshot, limit: int = 3) -> tuple[NextStep, ...]:
    """Two or three concrete steps that fit the stage, each tied to the figure that prompted it.

    Each candidate has a condition on one figure; the stage decides the order in which they are
    considered. If fewer than two conditions hold, the stage's standing advice fills in.
    """
    s = snapshot
    candidates: dict[str, NextStep] = {}
    trend_value = s.reply_rate_trend
    if trend_value is not None and trend_value < -0.02:
        candidates["refresh"] = NextStep(
            "Refresh the question bank: retire the questions nobody answered and ask members for new ones.",
            "prompt replies are falling",
            "reply_rate_trend",
            f"{trend_value * 100:+.1f} points a week",
        )
    if s.facilitation.concentrated or (s.facilitation.sessions and s.facilitation.distinct < 3):
        candidates["recruit"] = NextStep(
            "Recruit facilitators: ask two regular contributors to co-host a session next month.",
            "the rota rests on a few people",
            "facilitation",
            f"hosts: {s.facilitation.distinct}, sessions: {s.facilitation.sessions} "
            f"(top two: {_pct(s.facilitation.top_share)})",
        )
    if s.frequent_topic is not None:
        tag, n = s.frequent_topic
        candidates["subgroup"] = NextStep(
            f"Start a sub-group around “{tag}”, with its own channel or a monthly call.",
            "many members share this interest",
            "frequent_topic",
            f"{n} members list {tag}",
        )
    if s.quiet_count:
        candidates["reach_out"] = NextStep(
            "Reach out personally to the members who went quiet (the admins have the list) and ask what would help.",
            "regulars have gone quiet",
            "quiet_members",
            f"{s.quiet_count} went quiet",
        )
    share = s.active_share_this
    if share is not None and share < 0.3:
        candidates["challenge"] = NextStep(
            "Run a two-week challenge with a small, visible goal (e.g. share one thing you learned).",
            "few members take part",
            "active_share",
            f"{_pct(share)} active",
        )
    retention = next((r for r in s.retention if r.days == 30 and r.rate is not None), None)
    if retention is not None and retention.rate is not None and retention.rate < 0.5:
        candidates["welcome"] = NextStep(
            "Give each newcomer a buddy and a first small task in their first two weeks.",
            "newcomers drift away in their first month",
            "retention_30",
            f"{_pct(retention.rate)} of newcomers still active at 30 days",
        )
    if s.pairing.rate is not None and s.pairing.groups >= 3 and s.pairing.rate < 0.5:
        candidates["pairing"] = NextStep(
            "Suggest a first time and place in the pairing message, and shorten the meeting to 20 minutes.",
            "fewer than half of the pairs meet",
            "pairing_meet_rate",
            f"{_pct(s.pairing.rate)} met",
        )
    pulse = next((p for p in reversed(s.polls) if p.average is not None and _scale_top(p) >= 5), None)
    if pulse is not None and pulse.average is not None and pulse.average < 0.6 * _scale_top(pulse):
        candidates["listen"] = NextStep(
            "Share the pulse results at the next session and pick one change from the written answers together.",
            "members rate the community's value low",
            "pulse_average",
            f"average {pulse.average:.1f} of {_scale_top(pulse):g} from {pulse.responses} responses",
        )
    candidates.setdefault(
        "guest",
        NextStep(
            "Invite a guest from a neighbouring community to a session to bring in fresh ideas.",
            "new voices bring new questions",
            "active_members",
            f"{s.active_this.total} active (last period {s.active_last.total})",
        ),
    )
    order = {
        Stage.BEGINNING: ("welcome", "challenge", "listen", "recruit", "pairing", "refresh", "reach_out", "subgroup",
                          "guest"),
        Stage.EXPANSION: ("recruit", "subgroup", "welcome", "listen", "pairing", "refresh", "challenge", "reach_out",
                          "guest"),
        Stage.MATURATION: ("refresh", "listen", "guest", "subgroup", "recruit", "challenge", "reach_out", "pairing",
                           "welcome"),
        Stage.CHANGE: ("reach_out", "listen", "refresh", "challenge", "recruit", "welcome", "pairing", "subgroup",
                       "guest"),
    }[s.stage.stage]
    chosen = [candidates[key] for key in order if key in candidates]
    if len(chosen) < 2:
        chosen.append(_standing_advice(s))
    return tuple(chosen[:limit])


def _standing_advice(s: HealthSnapshot) -> NextStep:
    """What fits the stage when no figure calls for anything in particular (so there are always two steps)."""
    active = f"{s.active_this.total} active (last period {s.active_last.total})"
    if s.stage.stage is Stage.BEGINNING:
        return NextStep("Ask three members to share, in five minutes each, a problem they solved recently.",
                        "early stories show newcomers what this community is for", "active_members", active)
    if s.stage.stage is Stage.EXPANSION:
        return NextStep("Write the community's purpose and ground rules into the welcome, so growth keeps its shape.",
                        "many people are arriving", "joined", f"{s.joined} joined this period")
    if s.stage.stage is Stage.CHANGE:
        return NextStep("Open a pulse poll asking what members need from the community now.",
                        "participation is shifting", "active_share", f"{_pct(s.active_share_this)} active")
    return NextStep("Harvest the best threads of the period into the resource library and share the list.",
                    "a steady community has knowledge worth keeping", "active_members", active)


def _scale_top(poll: PollResult) -> float:
    """The highest numeric option of a scale poll (5 on a 1–5 scale); 0 when options are not numbers."""
    try:
        return max(float(o.label) for o in poll.options)
    except ValueError:
        return 0.0


def build_snapshot(
    history: HealthHistory, now: datetime, period: timedelta, rule: StageRule, zone: tzinfo = UTC
) -> HealthSnapshot:
    """All the figures for the period ending ``now``, compared with the period before it; weeks are the
    community's own (Monday to Sunday in ``zone``), as in ``copbot report``.

    The report's own moment belongs to the period (a member who joined or posted "just now" counts), so
    the period's exclusive end is one microsecond after ``now``.
    """
    start = now - period
    moment, now = now, now + timedelta(microseconds=1)
    previous = start - period
    members = history.members
    present_now = [m for m in members if m.present_at(moment)]
    members_at_start = sum(1 for m in members if m.present_at(start))
    this = active_counts(history.activity, start, now)
    last = active_counts(history.activity, previous, start)
    rates = weekly_reply_rates(history.prompts, history.activity, members, start, now, zone)
    asked = sum(r.asked for r in rates)
    quiet = quiet_members(members, history.activity, previous, start, now, rule)
    share_this = this.total / len(present_now) if present_now else None
    share_last = last.total / members_at_start if members_at_start else None
    snapshot = HealthSnapshot(
        period_start=start,
        period_end=moment,
        previous_start=previous,
        members_now=len(present_now),
        members_at_start=members_at_start,
        joined=sum(1 for m in members if start <= m.joined_at < now),
        left=sum(1 for m in members if m.left_at is not None and start <= m.left_at < now),
        active_this=this,
        active_last=last,
        retention=newcomer_retention(members, history.activity, now),
        reply_rates=rates,
        reply_rate=sum(r.replied for r in rates) / asked if asked else None,
        reply_rate_trend=trend([r.rate for r in rates if r.rate is not None]),
        weekly_active=weekly_active(history.activity, start, now, zone),
        pairing=pairing_rate(history.pairings, start, now),
        facilitation=facilitation_spread(history.activity, start - period * 2, now, rule),
        quiet_count=len(quiet),
        quiet_members=quiet,
        stage=lifecycle_stage(len(present_now), members_at_start, share_this, share_last, rule),
        polls=tuple(p for p in history.polls if start <= p.closed_at < now),
        frequent_topic=frequent_topic(present_now),
        kudos_this=sum(1 for t in history.kudos if start <= t < now),
        kudos_last=sum(1 for t in history.kudos if previous <= t < start),
    )
    return replace(snapshot, next_steps=suggest_next_steps(snapshot))
