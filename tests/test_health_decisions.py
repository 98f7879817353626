"""Health figures on hand-built histories: every expected number below was counted by hand from the story.

The community: Ana, Ben, Cy and Dee were there before the bot (not newcomers). Eve joins on 1 Sep,
Fay on 15 Sep, Gus on 1 Oct, Hal on 20 Nov. The report is read on 1 Dec for the 30 days before.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from rituals.health.decisions import (
    ActiveCounts,
    ActivityFact,
    HealthHistory,
    MemberFact,
    PairingFact,
    PromptFact,
    Stage,
    StageRule,
    active_counts,
    build_snapshot,
    facilitation_spread,
    lifecycle_stage,
    newcomer_retention,
    quiet_members,
    suggest_next_steps,
    trend,
    weekly_active,
    weekly_reply_rates,
)
from rituals.polls.decisions import OptionCount, PollResult

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PERIOD = timedelta(days=30)
START = NOW - PERIOD  # 1 Nov 09:00
RULE = StageRule()


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def old(key: str) -> MemberFact:
    return MemberFact(key, key.title(), at(1, 1), newcomer=False)


MEMBERS = (
    old("ana"),
    old("ben"),
    old("cy"),
    old("dee"),
    MemberFact("eve", "Eve", at(9, 1)),
    MemberFact("fay", "Fay", at(9, 15)),
    MemberFact("gus", "Gus", at(10, 1), left_at=at(11, 20)),
    MemberFact("hal", "Hal", at(11, 20)),
)

ACTIVITY = (
    # this period (1 Nov – 1 Dec)
    ActivityFact("ana", "reply", at(11, 3), "prompt:1"),
    ActivityFact("ana", "reaction", at(11, 4)),
    ActivityFact("ben", "reaction", at(11, 5)),
    ActivityFact("eve", "met", at(11, 10)),
    ActivityFact("hal", "post", at(11, 21)),
    ActivityFact("cy", "facilitated", at(11, 12)),
    ActivityFact("cy", "onboarding_step", at(11, 12)),  # not a way of being active
    # last period (2 Oct – 1 Nov)
    ActivityFact("ana", "reply", at(10, 6)),
    ActivityFact("dee", "reply", at(10, 7)),
    ActivityFact("dee", "reaction", at(10, 8)),
    ActivityFact("dee", "reply", at(10, 20)),
    ActivityFact("gus", "reaction", at(10, 2)),
    ActivityFact("fay", "reply", at(10, 10)),  # Fay's day 25: inside her first 30 days
    # before that
    ActivityFact("eve", "reply", at(9, 10)),  # Eve's day 9
)


def test_active_members_this_period_and_last_by_kind() -> None:
    this = active_counts(ACTIVITY, START, NOW)
    last = active_counts(ACTIVITY, START - PERIOD, START)
    assert this == ActiveCounts(total=5, posted=1, replied=1, reacted=2, met=1, facilitated=1)
    assert last == ActiveCounts(total=4, posted=0, replied=3, reacted=2, met=0, facilitated=0)


def test_retention_at_30_60_90_days_counts_only_newcomers_old_enough() -> None:
    retention = {r.days: r for r in newcomer_retention(MEMBERS, ACTIVITY, NOW)}
    # day 30: Eve (day 9 reply), Fay (day 25 reply), Gus (day 1 reaction) of Eve, Fay, Gus, Hal-no (11 days old)
    assert (retention[30].cohort, retention[30].retained) == (3, 3)
    # day 60 window is days 30–60: Eve (1 Oct–31 Oct: nothing), Fay (15 Oct–14 Nov: nothing),
    # Gus (31 Oct–30 Nov: nothing, he left on 20 Nov)
    assert (retention[60].cohort, retention[60].retained) == (3, 0)
    # day 90: only Eve joined 90+ days ago (30 Nov); her days 60–90 (31 Oct–30 Nov) hold "met" on 10 Nov
    assert (retention[90].cohort, retention[90].retained) == (1, 1)
    assert retention[90].rate == 1.0 and retention[60].rate == 0.0


def test_reply_rate_per_week_is_repliers_over_members_present_when_asked() -> None:
    prompts = (PromptFact(1, at(11, 2, 10)), PromptFact(2, at(11, 9, 10)), PromptFact(3, at(10, 5)))
    activity = (
        *ACTIVITY,
        ActivityFact("ben", "reply", at(11, 9, 11), "prompt:2"),
        ActivityFact("cy", "reply", at(11, 9, 12), "prompt:2"),
        ActivityFact("cy", "reply", at(11, 9, 13), "prompt:2"),  # a second reply by Cy counts once
    )
    rates = weekly_reply_rates(prompts, activity, MEMBERS, START, NOW)
    # 2 Nov: 7 members present (Hal not yet), Ana replied; 9 Nov: same 7, Ben and Cy replied
    assert [(r.week.isoformat(), r.asked, r.replied) for r in rates] == [("2026-11-02", 7, 1), ("2026-11-09", 7, 2)]
    assert trend([r.rate or 0 for r in rates]) == 1 / 7


def test_weeks_are_the_communitys_own_not_utcs() -> None:
    """Monday 00:30 in Berlin is still Sunday in UTC: the health report's weeks must match `copbot report`'s."""
    berlin = ZoneInfo("Europe/Berlin")
    late = datetime(2026, 11, 8, 23, 30, tzinfo=UTC)  # Mon 9 Nov 00:30 in Berlin, Sun 8 Nov in UTC
    activity = (ActivityFact("ana", "reply", late, "prompt:1"), ActivityFact("ben", "reaction", at(11, 3)))
    prompts = (PromptFact(1, late),)
    utc_weeks = weekly_active(activity, START, NOW)
    berlin_weeks = weekly_active(activity, START, NOW, berlin)
    assert {w.week.isoformat(): w.active for w in utc_weeks if w.active} == {"2026-11-02": 2}
    assert {w.week.isoformat(): w.active for w in berlin_weeks if w.active} == {"2026-11-02": 1, "2026-11-09": 1}
    [rate] = weekly_reply_rates(prompts, activity, MEMBERS, START, NOW, berlin)
    assert (rate.week.isoformat(), rate.replied) == ("2026-11-09", 1)
    snapshot = build_snapshot(HealthHistory(members=MEMBERS, activity=activity, prompts=prompts), NOW, PERIOD,
                              RULE, berlin)
    assert snapshot.weekly_active == berlin_weeks and snapshot.reply_rates[0].week.isoformat() == "2026-11-09"


def test_quiet_members_are_the_regulars_who_stopped() -> None:
    quiet = quiet_members(MEMBERS, ACTIVITY, START - PERIOD, START, NOW, RULE)
    # Dee had 3 contributions last period and none now; Gus left; Ana is still active; Fay had only 1
    assert [(q.key, q.contributions_before) for q in quiet] == [("dee", 3)]


def test_facilitation_is_concentrated_when_two_people_lead_most_sessions() -> None:
    def led(*hosts: str) -> list[ActivityFact]:
        return [ActivityFact(h, "facilitated", START + timedelta(days=i)) for i, h in enumerate(hosts)]

    spread = facilitation_spread(led("ana", "ana", "ana", "ben", "cy"), START, NOW, RULE)
    assert (spread.sessions, spread.distinct, spread.top_share, spread.concentrated) == (5, 3, 0.8, True)
    spread = facilitation_spread(led("ana", "ben", "cy", "dee", "eve"), START, NOW, RULE)
    assert (spread.distinct, spread.top_share, spread.concentrated) == (5, 0.4, False)


# --- the stage rule on four crafted histories ----------------------------------------------------------------


def community(n_before: int, n_joined: int, active_last: int, active_now: int) -> HealthHistory:
    """``n_before`` members from the start, ``n_joined`` joining mid-period; the first members are the active ones."""
    members = [MemberFact(f"m{i}", f"M{i}", at(1, 1), newcomer=False) for i in range(n_before)]
    members += [MemberFact(f"n{i}", f"N{i}", at(11, 15)) for i in range(n_joined)]
    activity = [ActivityFact(f"m{i}", "reaction", at(10, 15)) for i in range(active_last)]
    activity += [ActivityFact(f"m{i}", "reaction", at(11, 20)) for i in range(active_now)]
    return HealthHistory(members=tuple(members), activity=tuple(activity))


def stage_of(history: HealthHistory) -> Stage:
    return build_snapshot(history, NOW, PERIOD, RULE).stage.stage


def test_a_small_new_community_is_at_its_beginning() -> None:
    assert stage_of(community(6, 4, 3, 5)) == Stage.BEGINNING


def test_fast_growth_with_a_steady_active_share_is_expansion() -> None:
    # 40 -> 50 members (+25%); active share 16/40 = 40% -> 20/50 = 40%
    assert stage_of(community(40, 10, 16, 20)) == Stage.EXPANSION


def test_stable_membership_and_steady_participation_is_maturation() -> None:
    # 40 -> 41 members (+2.5%); active share 16/40 = 40% -> 17/41 = 41%
    assert stage_of(community(40, 1, 16, 17)) == Stage.MATURATION


def test_a_falling_active_share_is_change_even_while_growing() -> None:
    # 40 -> 50 members (+25%) but active share 20/40 = 50% -> 12/50 = 24%
    assert stage_of(community(40, 10, 20, 12)) == Stage.CHANGE


def test_stage_thresholds_come_from_the_rule() -> None:
    reading = lifecycle_stage(20, 19, 0.4, 0.4, StageRule(beginning_members=25))
    assert reading.stage == Stage.BEGINNING
    assert dict(reading.figures)["member growth"] == "+5%"
    assert lifecycle_stage(20, 19, 0.4, 0.4, RULE).stage == Stage.MATURATION


# --- next steps --------------------------------------------------------------------------------------------------


def test_next_steps_fit_the_stage_and_name_their_figure() -> None:
    history = community(40, 10, 20, 12)
    history = HealthHistory(
        members=history.members,
        activity=history.activity,
        prompts=(PromptFact(1, at(11, 2)), PromptFact(2, at(11, 9)), PromptFact(3, at(11, 16))),
        pairings=(PairingFact(at(11, 3), "met"), PairingFact(at(11, 3), None)),
    )
    snapshot = build_snapshot(history, NOW, PERIOD, RULE)
    assert snapshot.stage.stage == Stage.CHANGE
    steps = snapshot.next_steps
    assert 2 <= len(steps) <= 3
    figures = [s.figure for s in steps]
    # m12..m19 stopped, but one contribution each is below the quiet threshold (3): nobody "went quiet" ...
    assert "quiet_members" not in figures
    # ... so in a change stage the low active share (12/50 = 24%) comes first
    assert figures[0] == "active_share" and steps[0].value == "24% active"


def test_quiet_regulars_come_first_in_a_change_stage() -> None:
    snapshot = build_snapshot(community(40, 10, 20, 12), NOW, PERIOD, StageRule(quiet_min_contributions=1))
    assert snapshot.quiet_count == 8  # m12..m19 were active last period and not now
    assert suggest_next_steps(snapshot)[0].figure == "quiet_members"
    assert suggest_next_steps(snapshot)[0].value == "8 went quiet"


def test_the_public_view_keeps_the_count_and_drops_the_names() -> None:
    snapshot = build_snapshot(community(40, 10, 20, 12), NOW, PERIOD, StageRule(quiet_min_contributions=1))
    public = snapshot.public()
    assert public.quiet_count == 8 and public.quiet_members == ()
    assert "M12" not in str(public.as_json())
    assert "M12" in str(snapshot.as_json())


def test_a_low_pulse_score_asks_the_facilitators_to_listen() -> None:
    def pulse(votes: tuple[int, ...]) -> PollResult:
        options = tuple(OptionCount(str(i + 1), n) for i, n in enumerate(votes))
        total = sum(votes)
        average = sum((i + 1) * n for i, n in enumerate(votes)) / total
        return PollResult(1, "How valuable?", options, total, at(11, 20), average=average)

    base = community(40, 1, 16, 17)  # maturation
    low = build_snapshot(HealthHistory(base.members, base.activity, polls=(pulse((2, 3, 1, 0, 0)),)), NOW, PERIOD,
                         RULE)
    assert low.stage.stage == Stage.MATURATION
    listen = [s for s in low.next_steps if s.figure == "pulse_average"]
    assert listen and listen[0].value == "average 1.8 of 5 from 6 responses"
    high = build_snapshot(HealthHistory(base.members, base.activity, polls=(pulse((0, 0, 1, 3, 2)),)), NOW, PERIOD,
                          RULE)
    assert "pulse_average" not in [s.figure for s in high.next_steps]


def test_retention_looks_at_the_newcomers_of_the_past_year_only() -> None:
    long_ago = MemberFact("old", "Old", NOW - timedelta(days=500))
    retention = newcomer_retention((*MEMBERS, long_ago), ACTIVITY, NOW)
    assert [r.cohort for r in retention] == [3, 3, 1]  # as without the member who joined 500 days ago


def test_the_report_puts_next_steps_before_the_polls_whose_length_varies() -> None:
    from rituals.health.texts import report_text

    polls = tuple(PollResult(i, f"Poll {i}?", (OptionCount("yes", 1), OptionCount("no", 0)), 1, at(11, 10 + i))
                  for i in range(5))
    history = community(40, 1, 16, 17)
    text = report_text(build_snapshot(HealthHistory(history.members, history.activity, polls=polls), NOW, PERIOD,
                                      RULE), "Guild")
    assert text.index("*Next steps:*") < text.index("*Polls closed this period:*")
    assert "Poll 0?" not in text and "Poll 4?" in text and "…and 2 earlier poll(s)" in text


def test_a_healthy_community_still_gets_two_next_steps_that_fit_its_stage() -> None:
    members = tuple(MemberFact(f"m{i}", f"M{i}", at(1, 1), newcomer=False) for i in range(20))
    activity = tuple(ActivityFact(f"m{i}", "reaction", day) for i in range(12) for day in (at(10, 15), at(11, 15)))
    snapshot = build_snapshot(HealthHistory(members, activity), NOW, PERIOD, RULE)
    assert snapshot.stage.stage == Stage.MATURATION  # 20 members, 60% active in both periods
    assert [s.figure for s in snapshot.next_steps] == ["active_members", "active_members"]
    assert snapshot.next_steps[0].action.startswith("Invite a guest")
    assert snapshot.next_steps[1].action.startswith("Harvest the best threads")
