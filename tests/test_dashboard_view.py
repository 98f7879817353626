"""The dashboard's rows, as pure functions of stored rows: no server, clock or database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.text import mention
from copbot.dashboard.routes import ChartCache
from copbot.dashboard.view import (
    cycle_rows,
    display_name,
    kind_label,
    pairing_view,
    percent,
    pool_view,
    questions_view,
    rota_rows,
)
from rituals.facilitator.decisions import Turn
from storage.facilitator import RotaVolunteer
from storage.models import ParticipationEvent
from storage.pairing import PairingCycle, PairingGroup, PairingLeftOut
from storage.prompts import Prompt, QueuedQuestion

BERLIN = ZoneInfo("Europe/Berlin")
MON = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
NAMES = {"console:ana": "Ana", "console:ben": "Ben", "console:cy": "Cy", "console:dee": "Dee"}
BANK = ["Q1?", "Q2?", "Q3?"]


def test_names_fall_back_to_the_key_and_lose_mention_markers() -> None:
    assert display_name("console:ana", NAMES) == "Ana"
    assert display_name("slack:T1:U42", NAMES) == "U42"
    assert display_name("console:x", {"console:x": f"Eve {mention('console:ana')}"}) == "Eve console:ana"


def test_rota_rows_use_the_community_day_and_names() -> None:
    late = datetime(2027, 1, 7, 23, 30, tzinfo=UTC)  # already Friday in Berlin
    rows = rota_rows([(late, Turn(date(2027, 1, 8), "console:ben", "console:dee")),
                      (late + timedelta(weeks=1), Turn(date(2027, 1, 15), None))], NAMES, BERLIN)
    assert [(r.date, r.when, r.host, r.co_host) for r in rows] == [
        ("2027-01-08", "Fri 8 Jan 2027, 00:30", "Ben", "Dee"),
        ("2027-01-15", "Fri 15 Jan 2027, 00:30", None, None),
    ]


def cycle(**changes: object) -> PairingCycle:
    values: dict[str, object] = {"id": 7, "community": "c", "slot": MON, "mode": "both", "source": "schedule",
                                 "followup_due_at": MON + timedelta(days=5)}
    values.update(changes)
    return PairingCycle(**values)


def group(members: str, answer: str | None, kind: str = "peer") -> PairingGroup:
    return PairingGroup(community="c", cycle_id=7, kind=kind, members=members, topic="t", answer=answer)


def test_pairing_counts_each_member_once_and_each_answer() -> None:
    groups = [
        group("console:ana,console:ben", "met"),
        group("console:cy,console:dee", None),
        group("console:ana,console:cy", "skipped", kind="mentorship"),  # ana mentors cy too
    ]
    left = [PairingLeftOut(community="c", cycle_id=7, kind="peer", member="console:eli", reason="opted out")]
    view = pairing_view(cycle(), groups, left, NAMES, BERLIN, MON + timedelta(days=1))
    assert view.matched_members == 4
    assert (view.groups_met, view.groups_skipped, view.groups_waiting) == (1, 1, 1)
    assert [g.members for g in view.groups] == [("Ana", "Ben"), ("Cy", "Dee"), ("Ana", "Cy")]
    assert [g.answer for g in view.groups] == ["met", "waiting", "skipped"]
    assert [(o.name, o.reason) for o in view.left_out] == [("eli", "opted out")]
    assert view.started == "Mon 4 Jan 2027, 10:00"
    assert view.followup == "due Sat 9 Jan 2027"


def test_pairing_followup_says_when_it_was_asked_or_that_it_is_due() -> None:
    sent = cycle(followup_sent_at=MON + timedelta(days=5, hours=1))
    assert pairing_view(sent, [], [], NAMES, BERLIN, MON + timedelta(days=6)).followup == "asked on Sat 9 Jan 2027"
    assert pairing_view(cycle(), [], [], NAMES, BERLIN, MON + timedelta(days=6)).followup == "due now"


def prompt(pid: int, question: str, days: int, source: str = "bank") -> Prompt:
    return Prompt(id=pid, community="c", question=question, source=source, asked_at=MON + timedelta(days=days),
                  delivery_id="")


def event(n: int, kind: str, subject: str) -> ParticipationEvent:
    return ParticipationEvent(community="c", platform="console", event_id=f"e{n}", member="console:ana", kind=kind,
                              ritual="prompts", subject=subject, at=MON)


def test_questions_mark_the_next_bank_question_and_count_what_each_prompt_drew() -> None:
    prompts = [prompt(1, "Q1?", 0), prompt(2, "Q2?", 7), prompt(3, "Extra?", 14, "queued")]
    events = [event(1, "reply", "prompt:1"), event(2, "reply", "prompt:1"), event(3, "reaction", "prompt:2"),
              event(4, "reply", "prompt:3"), event(5, "met", "pairing.group:1"), event(6, "reply", "prompt:99")]
    view = questions_view(BANK, prompts, [], events, NAMES, BERLIN)
    assert view.next_question == "Q3?"
    assert [(b.question, b.times_asked, b.is_next) for b in view.bank] == [
        ("Q1?", 1, False), ("Q2?", 1, False), ("Q3?", 0, True)]
    assert [(a.question, a.replies, a.reactions) for a in view.asked] == [
        ("Extra?", 1, 0), ("Q2?", 0, 1), ("Q1?", 2, 0)]  # newest first
    assert view.bank[0].last_asked == "Mon 4 Jan 2027" and view.bank[2].last_asked is None


def test_a_queued_question_goes_next_and_a_new_round_restarts_the_bank() -> None:
    prompts = [prompt(i + 1, q, 7 * i) for i, q in enumerate([*BANK, "Q1?"])]
    queued = [QueuedQuestion(id=5, community="c", question="Hot take?", added_by="console:ben", added_at=MON)]
    view = questions_view(BANK, prompts, queued, [], NAMES, BERLIN)
    assert view.next_question == "Hot take?"
    assert [(q.question, q.added_by, q.is_next) for q in view.queued] == [("Hot take?", "Ben", True)]
    assert not any(b.is_next for b in view.bank)
    assert [b.times_asked for b in view.bank] == [2, 1, 1]
    assert view.bank[0].last_asked == "Mon 25 Jan 2027"
    after_queue = questions_view(BANK, prompts, [], [], NAMES, BERLIN)
    assert after_queue.next_question == "Q2?"  # second round: Q1 was asked again already
    assert [b.is_next for b in after_queue.bank] == [False, True, False]


def test_history_keeps_the_newest_prompts_only() -> None:
    prompts = [prompt(i, f"Q{i}?", 7 * i) for i in range(1, 31)]
    view = questions_view([], prompts, [], [], NAMES, BERLIN, history_limit=5)
    assert [a.question for a in view.asked] == ["Q30?", "Q29?", "Q28?", "Q27?", "Q26?"]
    assert view.asked_total == 30 and view.next_question is None


def test_percent_and_kind_labels() -> None:
    assert percent(None) == "—"
    assert percent(0.0) == "0%"
    assert percent(0.426) == "43%"
    assert percent(1.0) == "100%"
    assert kind_label("mets") == "meetings"
    assert kind_label("facilitateds") == "sessions hosted"
    assert kind_label("acknowledgements") == "ground rules agreed"
    assert kind_label("resource_things") == "resource things"  # a kind with no label reads as its words
    assert kind_label("kudos_given") == "kudos given"


def test_a_chart_is_reused_for_its_time_to_live_only() -> None:
    cache = ChartCache(timedelta(minutes=5))
    assert cache.get("health.png", MON) is None
    cache.put("health.png", MON, b"png-1")
    assert cache.get("health.png", MON + timedelta(minutes=4, seconds=59)) == b"png-1"
    assert cache.get("participation.png", MON) is None  # each chart on its own
    assert cache.get("health.png", MON + timedelta(minutes=5)) is None  # stale: drawn again
    cache.put("health.png", MON + timedelta(minutes=5), b"png-2")
    assert cache.get("health.png", MON + timedelta(minutes=6)) == b"png-2"


def test_the_pool_splits_hosts_from_the_away_and_those_who_stepped_down() -> None:
    def volunteer(key: str, away: date | None = None, retired: bool = False) -> RotaVolunteer:
        return RotaVolunteer(community="c", member=key, volunteered_on=date(2027, 1, 1), away_until=away,
                             retired=retired, updated_at=MON)

    today = date(2027, 1, 20)
    pool = pool_view(
        [volunteer("console:cy"), volunteer("console:ana", away=date(2027, 2, 5)), volunteer("console:ben",
         away=today), volunteer("console:dee", retired=True), volunteer("console:eli")],
        gone=["console:eli"], names=NAMES, today=today,
    )
    assert pool.hosting == ("Ben", "Cy")  # back today: hosts again
    assert pool.away == (("Ana", "Fri 5 Feb"),)
    assert pool.stepped_down == ("Dee", "eli")  # eli left the community


def test_cycle_history_is_newest_first_with_its_answers() -> None:
    older = cycle(id=6, slot=MON - timedelta(weeks=1))
    groups = [group("console:ana,console:ben", "met"), group("console:cy,console:dee", None),
              PairingGroup(community="c", cycle_id=6, kind="peer", members="console:ana,console:cy", answer="skipped")]
    rows = cycle_rows([older, cycle()], groups, {7: 2}, BERLIN)
    assert [(r.started, r.groups, r.met, r.skipped, r.waiting, r.left_out) for r in rows] == [
        ("Mon 4 Jan 2027", 2, 1, 0, 1, 2),
        ("Mon 28 Dec 2026", 1, 0, 1, 0, 0),
    ]
