"""Imports every table module so SQLModel.metadata (and Alembic) sees the whole schema.

One line per area: the core (models), each ritual's own tables, recognition (kudos, ladder, the
resource library), scale-out (replicas: live senders and their heartbeats) and the console's transcript.
"""

from storage import (  # noqa: F401
    challenges,
    console,
    digest,
    expertise,
    facilitator,
    groups,
    kudos,
    ladder,
    member_prefs,
    mentorship,
    models,
    nudges,
    onboarding,
    pairing,
    polls,
    prompts,
    replicas,
    resources,
    sessions,
)
