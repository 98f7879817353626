"""The ladder's decision, with no clock, database or network: exactly the members past their next thresholds."""

from __future__ import annotations

from config.ladder import LadderRungs, Rung
from rituals.ladder.decisions import Candidate, Figures, explain, meets, next_rung, suggest

RUNGS = LadderRungs(
    regular=Rung(days_member=7, prompt_replies=2),
    buddy=Rung(days_member=14, prompt_replies=3, kudos_received=2),
    co_host=Rung(days_member=30, prompt_replies=5, newcomers_buddied=1),
    facilitator=Rung(days_member=60, sessions_co_hosted=2),
)


def test_next_rung_climbs_one_step_and_stops_at_the_top() -> None:
    assert [next_rung(r) for r in ("newcomer", "regular", "buddy", "co_host", "facilitator")] == [
        "regular", "buddy", "co_host", "facilitator", None]


def test_every_threshold_must_be_met_and_exactly_met_is_enough() -> None:
    need = RUNGS.buddy
    assert meets(Figures(days_member=14, prompt_replies=3, kudos_received=2), need)
    assert not meets(Figures(days_member=14, prompt_replies=3, kudos_received=1), need)
    assert not meets(Figures(days_member=13, prompt_replies=30, kudos_received=20), need)


def test_suggests_exactly_the_members_past_their_next_thresholds_on_a_crafted_history() -> None:
    candidates = [
        Candidate("ana", "newcomer", Figures(days_member=8, prompt_replies=2)),  # → regular
        Candidate("ben", "newcomer", Figures(days_member=6, prompt_replies=9)),  # too new
        Candidate("cy", "regular", Figures(days_member=20, prompt_replies=4, kudos_received=2)),  # → buddy
        Candidate("dee", "regular", Figures(days_member=20, prompt_replies=4, kudos_received=1)),  # one kudos short
        Candidate("eve", "buddy", Figures(days_member=40, prompt_replies=6, newcomers_buddied=1)),  # → co-host
        Candidate("fay", "facilitator", Figures(days_member=400, prompt_replies=99, sessions_hosted=9)),  # at the top
        Candidate("gus", "co_host", Figures(days_member=90, sessions_co_hosted=2)),  # → facilitator
        Candidate("hal", "newcomer", Figures(days_member=100, prompt_replies=50, kudos_received=9)),  # quiet
    ]
    found = suggest(candidates, RUNGS, quiet={"hal"})
    assert [(s.member, s.rung) for s in found] == [("ana", "regular"), ("cy", "buddy"), ("eve", "co_host"),
                                                   ("gus", "facilitator")]


def test_a_member_far_past_every_threshold_is_still_suggested_one_step_at_a_time() -> None:
    veteran = Candidate("vi", "newcomer", Figures(days_member=500, prompt_replies=80, kudos_received=30,
                                                   newcomers_buddied=5, sessions_co_hosted=6))
    assert [s.rung for s in suggest([veteran], RUNGS, set())] == ["regular"]


def test_explanation_shows_each_figure_beside_its_threshold() -> None:
    text = explain(Figures(days_member=20, prompt_replies=4, kudos_received=2, pairings_met=3).as_dict(), RUNGS.buddy)
    assert text == ("20 days in the community (needs 14), 4 prompt replies (needs 3), 2 kudos received (needs 2), "
                    "3 pairings met")
