"""Imports every table module so SQLModel.metadata (and Alembic) sees the whole schema.

One line per area: the core (models), each ritual's own tables, recognition (kudos, ladder, the
resource library) and scale-out (replicas: live senders and their heartbeats).
"""

from storage import (  # noqa: F401
    digest,
    expertise,
    facilitator,
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
)
