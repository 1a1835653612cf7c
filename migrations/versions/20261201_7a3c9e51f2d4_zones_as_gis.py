"""Zones as GIS data: a kind, a parent (nested zones) and an area in m² (SWEREF 99 TM) on each
zone; `observation_zone`, one row for each zone that contains an observation; and
`zone_placement`, a resumable run that places the existing observations again.

Existing zones become districts, their area is computed here, and each observation already
placed in a zone gets its `observation_zone` row, so nothing needs re-placing after the upgrade.

Revision ID: 7a3c9e51f2d4
Revises: 9c41e2b7d05a
Create Date: 2026-12-01 22:50:00.000000
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '7a3c9e51f2d4'
down_revision: str | None = '9c41e2b7d05a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('zone_placement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'running', 'done', 'superseded', name='placementstate', native_enum=False, length=16), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('placed', sa.Integer(), nullable=False),
    sa.Column('last_observation_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_zone_placement'))
    )
    op.create_table('observation_zone',
    sa.Column('zone_id', sa.Integer(), nullable=False),
    sa.Column('observation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['observation_id'], ['observation.id'], name=op.f('fk_observation_zone_observation_id_observation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['zone_id'], ['zone.id'], name=op.f('fk_observation_zone_zone_id_zone'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('zone_id', 'observation_id', name=op.f('pk_observation_zone'))
    )
    with op.batch_alter_table('observation_zone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_observation_zone_observation_id'), ['observation_id'], unique=False)

    with op.batch_alter_table('zone', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('district', 'part_of_town', 'plan_area', name='zonekind', native_enum=False, length=16), nullable=False, server_default='district'))
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('area_m2', sa.Float(), nullable=False, server_default='0'))
        batch_op.create_index(batch_op.f('ix_zone_parent_id'), ['parent_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_zone_parent_id_zone'), 'zone', ['parent_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('zone', schema=None) as batch_op:
        batch_op.alter_column('kind', server_default=None)
        batch_op.alter_column('area_m2', server_default=None)

    _areas()
    op.execute(
        "INSERT INTO observation_zone (zone_id, observation_id) "
        "SELECT zone_id, id FROM observation WHERE zone_id IS NOT NULL"
    )


def _areas() -> None:
    """Each existing zone's area in m², measured in SWEREF 99 TM (written out here, not
    imported from the app, so that this step stays what it was)."""
    import numpy as np
    import shapely
    from pyproj import Transformer
    from shapely.geometry import shape

    to_sweref = Transformer.from_crs(4326, 3006, always_xy=True)

    def move(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(to_sweref.transform(xy[:, 0], xy[:, 1]))

    conn = op.get_bind()
    for zone_id, text in conn.execute(sa.text("SELECT id, geometry FROM zone")).all():
        area = shapely.transform(shape(json.loads(text)), move).area
        conn.execute(
            sa.text("UPDATE zone SET area_m2 = :area WHERE id = :id"), {"area": area, "id": zone_id}
        )


def downgrade() -> None:
    with op.batch_alter_table('zone', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_zone_parent_id_zone'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_zone_parent_id'))
        batch_op.drop_column('area_m2')
        batch_op.drop_column('parent_id')
        batch_op.drop_column('kind')

    with op.batch_alter_table('observation_zone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_observation_zone_observation_id'))

    op.drop_table('observation_zone')
    op.drop_table('zone_placement')
