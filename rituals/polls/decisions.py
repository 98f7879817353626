"""Pulse polls, decided: reading ``/cop poll`` arguments, and counting answers into results.

Pure functions: words in, a :class:`PollRequest` or a :class:`PollSyntaxError` with an example out;
responses in, a :class:`PollResult` out (which the health report reads too).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.text import strip_markers
from config.durations import parse_duration
from config.polls import MAX_OPTIONS

USAGE = '/cop poll "question" option1 option2 ... [--for 3d] [--ask "open question"] [--named | --anonymous]'
EXAMPLE = '/cop poll "Which day suits the next meetup?" Tuesday Wednesday Thursday --for 2d'
MAX_QUESTION = 300
MAX_OPTION = 75  # Slack cuts button labels at 75 characters
MAX_ANSWER = 1000
MAX_SHOWN_ANSWERS = 12  # a results message stays readable (and under Discord's 2,000 characters)


@dataclass(frozen=True)
class OptionCount:
    """One option of a poll and how many members chose it."""

    label: str
    votes: int


@dataclass(frozen=True)
class PollResult:
    """A closed poll's results, already anonymised unless the poll was configured otherwise."""

    poll_id: int
    question: str
    options: tuple[OptionCount, ...]
    responses: int
    closed_at: datetime
    average: float | None = None
    open_question: str = ""
    open_answers: tuple[str, ...] = ()
    voters: tuple[str, ...] = ()  # only filled when the poll is not anonymous



class PollSyntaxError(ValueError):
    """The words could not make a poll; the message says what to change, with an example."""


@dataclass(frozen=True)
class PollRequest:
    """A poll as a facilitator asked for it; ``anonymous`` None means "as community.yaml says"."""

    question: str
    options: tuple[str, ...]
    open_for: timedelta | None = None
    open_question: str = ""
    anonymous: bool | None = None


@dataclass(frozen=True)
class Vote:
    """One member's stored response: the option index (or None) and the open answer (or None)."""

    member: str
    choice: int | None
    answer: str | None
    name: str = ""


def _fail(problem: str) -> PollSyntaxError:
    return PollSyntaxError(f"{problem} Usage: `{USAGE}`, e.g. `{EXAMPLE}`")


def parse_poll(args: Sequence[str]) -> PollRequest:
    """Read ``"question" option ... [--for D] [--ask "Q"] [--named|--anonymous]`` (already split by quotes)."""
    words: list[str] = []
    open_for: timedelta | None = None
    ask = ""
    anonymous: bool | None = None
    i = 0
    while i < len(args):
        word = args[i]
        flag = word.lower()
        if flag in ("--for", "--ask"):
            if i + 1 >= len(args):
                raise _fail(f"`{word}` needs a value after it.")
            value = args[i + 1]
            if flag == "--for":
                try:
                    open_for = parse_duration(value)
                except ValueError:
                    raise _fail(f"I could not read {value!r} as a duration; write it like 2d or 36h.") from None
                if not timedelta(minutes=15) <= open_for <= timedelta(days=60):
                    raise _fail("A poll stays open between 15 minutes and 60 days.")
            else:
                ask = value.strip()
            i += 2
            continue
        if flag in ("--named", "--anonymous"):
            anonymous = flag == "--anonymous"
            i += 1
            continue
        if flag.startswith("--"):
            raise _fail(f"`{word}` is not an option I know (--for, --ask, --named, --anonymous).")
        words.append(word.strip())
        i += 1
    if not words or not words[0]:
        raise _fail("The poll needs a question.")
    question, options = words[0], tuple(w for w in words[1:] if w)
    if len(question) > MAX_QUESTION:
        raise _fail(f"The question is {len(question)} characters; keep it under {MAX_QUESTION}.")
    if len(options) < 2:
        unquoted = " " not in question and len(words) > 1
        hint = " Put the question in quotes so its words are not read as options." if unquoted else ""
        raise _fail(f"A poll needs at least two options.{hint}")
    if len(options) > MAX_OPTIONS:
        raise _fail(f"A poll takes at most {MAX_OPTIONS} options; you gave {len(options)}.")
    if len({o.lower() for o in options}) != len(options):
        raise _fail("Two options are the same; each option needs to be different.")
    long = next((o for o in options if len(o) > MAX_OPTION), None)
    if long is not None:
        raise _fail(f"The option {long[:30]!r}... is too long for a button; keep options under {MAX_OPTION} chars.")
    return PollRequest(question, options, open_for, ask, anonymous)


def numeric_average(labels: Sequence[str], counts: Sequence[int]) -> float | None:
    """The mean answer when every option is a number (a 1–5 scale); None otherwise or with no votes."""
    try:
        values = [float(label) for label in labels]
    except ValueError:
        return None
    total = sum(counts)
    return sum(v * n for v, n in zip(values, counts, strict=True)) / total if total else None


def tally(
    poll_id: int,
    question: str,
    labels: Sequence[str],
    votes: Sequence[Vote],
    closed_at: datetime,
    *,
    open_question: str = "",
    anonymous: bool = True,
) -> PollResult:
    """Count the latest vote of each member (storage keeps one per member); open answers in arrival order."""
    counts = [0] * len(labels)
    for vote in votes:
        if vote.choice is not None and 0 <= vote.choice < len(labels):
            counts[vote.choice] += 1
    answers = tuple(v.answer for v in votes if v.answer)
    voters: tuple[str, ...] = ()
    if not anonymous:
        voters = tuple(
            f"{v.name or v.member}: {labels[v.choice]}"
            for v in votes
            if v.choice is not None and v.choice < len(labels)
        )
    return PollResult(
        poll_id=poll_id,
        question=question,
        options=tuple(OptionCount(label, n) for label, n in zip(labels, counts, strict=True)),
        responses=sum(1 for v in votes if v.choice is not None or v.answer),
        closed_at=closed_at,
        average=numeric_average(labels, counts),
        open_question=open_question,
        open_answers=answers,
        voters=voters,
    )


def results_text(result: PollResult) -> str:
    """The results message: a bar per option, the average on a numeric scale, then the written answers."""
    total = sum(o.votes for o in result.options)
    lines = [f"*Poll closed: {strip_markers(result.question)}*"]
    if not result.responses:
        lines.append("Nobody answered this one.")
        return "\n".join(lines)
    for option in result.options:
        share = option.votes / total if total else 0.0
        bar = "█" * round(share * 10) + "░" * (10 - round(share * 10))
        lines.append(f"{bar} {strip_markers(option.label)}: {option.votes} ({round(share * 100)}%)")
    summary = f"{total} vote{'s' if total != 1 else ''}"
    if result.average is not None:
        summary += f", average {result.average:.1f}"
    lines.append(summary)
    if result.voters:
        lines.append("Who chose what: " + "; ".join(strip_markers(v) for v in result.voters))
    if result.open_answers:
        lines.append(f"*{strip_markers(result.open_question) or 'Written answers'}*")
        shown = result.open_answers[:MAX_SHOWN_ANSWERS]
        lines.extend(f"• {_shorten(strip_markers(a), 280)}" for a in shown)
        if len(result.open_answers) > len(shown):
            lines.append(f"…and {len(result.open_answers) - len(shown)} more; facilitators can read them all with "
                         "`copbot report --health --json`.")
    return "\n".join(lines)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
