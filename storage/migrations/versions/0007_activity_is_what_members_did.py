"""activity is what members did: the welcome steps the bot sent leave participation_events

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:00:00

Up to 0006 every onboarding step the bot sent was stored as the newcomer's participation (kind
``onboarding_step``, subject ``step:<key>``), and agreeing to the ground rules shared that kind (subject
``ground_rules_ack``). Now activity is only what a member did (storage/activity.py): the steps sent are
removed (they stay in ``onboarding_steps`` and ``deliveries``) and an agreement becomes an ``acknowledgement``.
Downgrade puts the step rows back from ``onboarding_steps``, with the ids 0006's bot gave them.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Data only: no table changes."""
    op.execute(
        "UPDATE participation_events SET kind = 'acknowledgement' "
        "WHERE kind = 'onboarding_step' AND subject = 'ground_rules_ack'"
    )
    op.execute("DELETE FROM participation_events WHERE kind = 'onboarding_step'")


def downgrade() -> None:
    op.execute(
        "UPDATE participation_events SET kind = 'onboarding_step' "
        "WHERE kind = 'acknowledgement' AND subject = 'ground_rules_ack'"
    )
    op.execute(
        "INSERT INTO participation_events (community, platform, event_id, member, kind, ritual, subject, at) "
        "SELECT community, 'copbot', 'onboarding:onboarding_step:' || member || ':' || step, member, "
        "'onboarding_step', 'onboarding', 'step:' || step, sent_at FROM onboarding_steps "
        "WHERE NOT EXISTS (SELECT 1 FROM participation_events p WHERE p.platform = 'copbot' "
        "AND p.event_id = 'onboarding:onboarding_step:' || onboarding_steps.member || ':' || onboarding_steps.step)"
    )
