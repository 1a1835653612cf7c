"""One covering index for the triage queue (replaces the index on status alone).

Revision ID: 7c3e5a9d2f10
Revises: 05711d95c211
Create Date: 2026-11-28 19:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7c3e5a9d2f10"
down_revision: str | None = "05711d95c211"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUEUE_COLUMNS = ["status", "priority", "created_at", "category_id", "zone_id", "unit_id"]
# PostgreSQL's autovacuum analyzes a table after 50 changed rows: never, for these lookup tables
# of a dozen rows. Without statistics the planner took "one problem category" and planned the
# queue around it (3-4x slower at 100,000 observations, see bench/README.md).
LOOKUP_TABLES = ["category", "zone", "unit", "routing_rule"]


def upgrade() -> None:
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.create_index("ix_observation_queue", QUEUE_COLUMNS, unique=False)
        batch_op.drop_index("ix_observation_status")
    if op.get_context().dialect.name == "postgresql":
        for table in LOOKUP_TABLES:
            op.execute(f"ALTER TABLE {table} SET (autovacuum_analyze_threshold = 1)")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for table in LOOKUP_TABLES:
            op.execute(f"ALTER TABLE {table} RESET (autovacuum_analyze_threshold)")
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.create_index("ix_observation_status", ["status"], unique=False)
        batch_op.drop_index("ix_observation_queue")
