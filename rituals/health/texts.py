"""The health report in words: one text for the facilitators' channel, one addition for admins only.

Pure: a :class:`HealthSnapshot` in, plain text out. The channel text never names a quiet member; names
go only into :func:`quiet_members_text`, which the ritual sends to admins alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.text import strip_markers
from rituals.health.decisions import ActiveCounts, HealthSnapshot, Retention
from rituals.polls.decisions import PollResult
from storage.groups import GroupFigures

MAX_POLLS = 3
KIND_WORDS = {"posted": "posted", "replied": "replied", "reacted": "reacted", "met": "met a pair",
              "facilitated": "facilitated"}


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{round(value * 100)}%"


def _delta(now: int, before: int) -> str:
    if now == before:
        return "same as"
    return f"{'+' if now > before else '−'}{abs(now - before)} vs"


def _active_line(this: ActiveCounts, last: ActiveCounts) -> str:
    kinds = " · ".join(
        f"{KIND_WORDS[k]} {n} ({_delta(n, last.by_kind()[k])} {last.by_kind()[k]})" for k, n in this.by_kind().items()
    )
    return f"*Active members:* {this.total} ({_delta(this.total, last.total)} {last.total} last period)\n    {kinds}"


def _retention_part(r: Retention) -> str:
    if r.rate is None:
        return f"{r.days} days: no newcomer old enough yet"
    return f"{r.days} days {_pct(r.rate)} ({r.retained} of {r.cohort})"


def _poll_lines(poll: PollResult) -> list[str]:
    question = strip_markers(poll.question)
    lines = [f"• “{question}”: {poll.responses} response{'s' if poll.responses != 1 else ''}"
             + (f", average {poll.average:.1f}" if poll.average is not None else "")]
    total = sum(o.votes for o in poll.options) or 1
    lines.append("    " + " · ".join(f"{strip_markers(o.label)}: {o.votes} ({round(100 * o.votes / total)}%)"
                                   for o in poll.options))
    if poll.open_answers:
        written = _n(len(poll.open_answers), "written answer", "written answers")
        lines.append(f"    “{strip_markers(poll.open_question)}”: {written}, e.g. "
                     + "; ".join(f"“{strip_markers(a)[:120]}”" for a in poll.open_answers[:3]))
    return lines


def _period(snapshot: HealthSnapshot) -> str:
    last_day = snapshot.period_end - timedelta(seconds=1)
    return f"{snapshot.period_start:%d %b} – {last_day:%d %b %Y}"


def report_text(snapshot: HealthSnapshot, community: str) -> str:
    """The report as posted in the facilitators' channel: figures, stage, next steps; quiet members as a count."""
    s = snapshot.public()
    stage = s.stage
    lines = [
        f"*{strip_markers(community)}: community health, {_period(s)}*",
        f"*Stage:* {stage.stage.value}: {stage.reason} ("
        + ", ".join(f"{name} {value}" for name, value in stage.figures) + ")",
        f"*Members:* {s.members_now} ({s.joined} joined, {s.left} left this period)",
        _active_line(s.active_this, s.active_last),
        "*Newcomer retention:* " + " · ".join(_retention_part(r) for r in s.retention),
    ]
    if s.reply_rates:
        trend = "" if s.reply_rate_trend is None else f", trend {s.reply_rate_trend * 100:+.1f} points a week"
        lines.append(f"*Prompt replies:* {_pct(s.reply_rate)} of members replied to the weekly prompt"
                     f" over {_n(len(s.reply_rates), 'week', 'weeks')}{trend}")
    else:
        lines.append("*Prompt replies:* no prompt was asked this period")
    if s.pairing.groups:
        lines.append(f"*Pairing:* {s.pairing.met} of {s.pairing.groups} groups met ({_pct(s.pairing.rate)}); "
                     f"{s.pairing.groups - s.pairing.answered} did not answer")
    else:
        lines.append("*Pairing:* no pairing groups this period")
    if s.kudos_this or s.kudos_last:
        lines.append(f"*Kudos:* {_n(s.kudos_this, 'thank-you', 'thank-yous')} between members this period "
                     f"({s.kudos_last} the period before)")
    f = s.facilitation
    if f.sessions:
        note = " (concentrated on a few: share the load)" if f.concentrated else ""
        lines.append(f"*Facilitation:* {_n(f.distinct, 'person', 'different people')} led "
                     f"{_n(f.sessions, 'session', 'sessions')} in the last three periods; "
                     f"the busiest two led {_pct(f.top_share)}{note}")
    else:
        lines.append("*Facilitation:* no session was recorded in the last three periods")
    lines.append(f"*Went quiet:* {_n(s.quiet_count, 'member who was', 'members who were')} active before "
                 "took no part this period" + (" (the admins have the names)" if s.quiet_count else ""))
    if s.next_steps:
        lines.append("*Next steps:*")
        lines.extend(f"{i}. {step.action} _Because {step.why}: {step.value}._"
                     for i, step in enumerate(s.next_steps, start=1))
    if s.polls:  # last: the part whose length varies (Discord cuts a message at 2,000 characters)
        lines.append("*Polls closed this period:*")
        for poll in s.polls[-MAX_POLLS:]:
            lines.extend(_poll_lines(poll))
        if len(s.polls) > MAX_POLLS:
            lines.append(f"…and {len(s.polls) - MAX_POLLS} earlier poll(s); `copbot report --health` lists them all.")
    return "\n".join(lines)


def quiet_members_text(snapshot: HealthSnapshot) -> str:
    """For admins only: who went quiet, with when they last took part. Empty when nobody did."""
    if not snapshot.quiet_members:
        return ""
    lines = [f"*Went quiet ({_period(snapshot)}), for admins only:* a personal note often helps."]
    lines.extend(
        f"• {strip_markers(q.name)}: {q.contributions_before} contributions before, last on {q.last_active:%d %b}"
        for q in snapshot.quiet_members
    )
    return "\n".join(lines)


def groups_text(figures: Sequence[GroupFigures]) -> str:
    """The interest groups' part of the report: members, active members and the trend of each (empty: none)."""
    if not figures:
        return ""
    arrows = {"up": "↑", "down": "↓", "steady": "→"}
    lines = ["", "*Interest groups* (last 4 weeks)"]
    for f in sorted(figures, key=lambda f: (-f.recent, f.name)):
        lines.append(f"• {f.name}: {_n(f.members, 'member', 'members')}, {f.active_members} active, "
                     f"{_n(f.recent, 'contribution', 'contributions')} {arrows[f.trend]} (4 weeks before: {f.before})")
    return "\n".join(lines)
