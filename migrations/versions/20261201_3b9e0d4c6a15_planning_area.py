"""planning_area: areas planners drew or uploaded, kept under a key made from the outline so
that a view of any area is a short link.

Revision ID: 3b9e0d4c6a15
Revises: 8a3f61c2d7e4
Create Date: 2026-12-01 23:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '3b9e0d4c6a15'
down_revision: str | None = '8a3f61c2d7e4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'planning_area',
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('geometry', sa.Text(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_planning_area')),
    )


def downgrade() -> None:
    op.drop_table('planning_area')
