"""An index on observation (priority_rank, created_at): the queue's due-date sort reads each
priority's oldest open rows along it and stops after a page, and the map view reads its most
urgent points the same way (ix_observation_rank starts with the status, which the queue asks
for as a list of five).

Revision ID: 6a1f3c8e9b42
Revises: 84209ca24588
Create Date: 2026-12-02 06:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "6a1f3c8e9b42"
down_revision: str | None = "84209ca24588"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_observation_rank_age", ["priority_rank", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.drop_index("ix_observation_rank_age")
