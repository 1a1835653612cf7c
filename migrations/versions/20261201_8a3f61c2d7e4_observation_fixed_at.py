"""Observation.fixed_at: when it was last marked fixed, so that a planner's "median days to fix"
is one aggregate over the observations; filled in from the history for what is fixed already.

Revision ID: 8a3f61c2d7e4
Revises: 5e2c7a91d4b8
Create Date: 2026-12-01 23:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op



revision: str = '8a3f61c2d7e4'
down_revision: str | None = '5e2c7a91d4b8'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fixed_at', sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE observation SET fixed_at = ("
        " SELECT max(e.at) FROM observation_event e"
        " WHERE e.observation_id = observation.id AND e.kind = 'status' AND e.to_status = 'fixed')"
        " WHERE status IN ('fixed', 'verified')"
    )


def downgrade() -> None:
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.drop_column('fixed_at')
