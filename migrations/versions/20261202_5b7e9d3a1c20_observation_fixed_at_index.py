"""An index on observation.fixed_at: the follow-up's days to fix count the problems fixed in a
period, whenever they were reported (a scan of every observation without it; half the time
with it at 200,000 observations, see bench/README.md).

Revision ID: 5b7e9d3a1c20
Revises: 2d8f4a6c1e37
Create Date: 2026-12-02 02:35:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5b7e9d3a1c20"
down_revision: str | None = "2d8f4a6c1e37"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.create_index("ix_observation_fixed_at", ["fixed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.drop_index("ix_observation_fixed_at")
