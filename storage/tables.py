"""Imports every table module so SQLModel.metadata (and Alembic) sees the whole schema."""

from storage import models, onboarding, pairing, rota  # noqa: F401
from storage import polls  # noqa: F401  (pulse polls and their responses)
from storage import kudos, ladder, resources  # noqa: F401  (recognition: kudos, ladder, library)
from storage import replicas  # noqa: F401  (scale-out: live senders and their heartbeats)
