"""Settings community.yaml no longer accepts, each with what to write instead.

Why a table of its own: a setting that did nothing must not stay in the schema (an admin would trust it), yet a
file that still has it deserves better than "unknown key": ``copbot check`` says what the setting became. The
loader looks an unknown key up here by its path (list positions left out) before guessing at typos.
"""

from __future__ import annotations

RETIRED: dict[tuple[str, ...], str] = {
    ("rituals", "onboarding", "require_ground_rules_ack_for_pairing"): (
        "rituals.onboarding.require_ground_rules_ack_for_pairing is not a setting any more (it never did "
        "anything): pairing decides who must agree to the ground rules first. Delete this line and write "
        "'require_ground_rules_ack: true' under rituals.pairing instead (leave it out there for false)"
    ),
}


def retired_advice(path: tuple[str | int, ...]) -> str | None:
    """What to write instead of the retired setting at ``path``, or None if it never existed."""
    return RETIRED.get(tuple(part for part in path if isinstance(part, str)))
