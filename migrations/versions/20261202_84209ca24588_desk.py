"""The technical department's desk: outside owners and hand-offs to them, canned replies,
saved queue filters, the geocoder's cache; on observations the street address, the outside
owner, and a stored priority rank (indexed with status and created_at) for sorting by priority.

Revision ID: 84209ca24588
Revises: 5b7e9d3a1c20
Create Date: 2026-12-02 05:24:52.944053
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '84209ca24588'
down_revision: str | None = '5b7e9d3a1c20'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('geocode_cache',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_geocode_cache'))
    )
    op.create_table('outside_owner',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outside_owner')),
    sa.UniqueConstraint('name', name=op.f('uq_outside_owner_name'))
    )
    op.create_table('canned_reply',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('title_sv', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('title_en', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('body_sv', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('body_en', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_canned_reply_category_id_category'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_canned_reply'))
    )
    with op.batch_alter_table('canned_reply', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_canned_reply_category_id'), ['category_id'], unique=False)

    op.create_table('outside_owner_category',
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_outside_owner_category_category_id_category'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['outside_owner.id'], name=op.f('fk_outside_owner_category_owner_id_outside_owner'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('owner_id', 'category_id', name=op.f('pk_outside_owner_category'))
    )
    op.create_table('saved_filter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('query', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['staff_user.id'], name=op.f('fk_saved_filter_user_id_staff_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_filter')),
    sa.UniqueConstraint('user_id', 'name', name=op.f('uq_saved_filter_user_id'))
    )
    with op.batch_alter_table('saved_filter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_filter_user_id'), ['user_id'], unique=False)

    op.create_table('handoff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('observation_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('answer', sa.Enum('will_fix', 'fixed', 'not_ours', name='handoffanswer', native_enum=False, length=16), nullable=True),
    sa.Column('answer_note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['observation_id'], ['observation.id'], name=op.f('fk_handoff_observation_id_observation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['outside_owner.id'], name=op.f('fk_handoff_owner_id_outside_owner')),
    sa.ForeignKeyConstraint(['sent_by_id'], ['staff_user.id'], name=op.f('fk_handoff_sent_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handoff')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_handoff_token_hash'))
    )
    with op.batch_alter_table('handoff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handoff_observation_id'), ['observation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handoff_owner_id'), ['owner_id'], unique=False)

    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority_rank', sa.Integer(), nullable=False, server_default='2'))
        batch_op.add_column(sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True))
        batch_op.add_column(sa.Column('geocoded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('outside_owner_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_observation_outside_owner_id'), ['outside_owner_id'], unique=False)
        batch_op.create_index('ix_observation_rank', ['status', 'priority_rank', 'created_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_observation_outside_owner_id_outside_owner'), 'outside_owner', ['outside_owner_id'], ['id'], ondelete='SET NULL')

    op.execute(
        "UPDATE observation SET priority_rank = CASE priority"
        " WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END"
    )
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.alter_column('priority_rank', server_default=None)



def downgrade() -> None:
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_observation_outside_owner_id_outside_owner'), type_='foreignkey')
        batch_op.drop_index('ix_observation_rank')
        batch_op.drop_index(batch_op.f('ix_observation_outside_owner_id'))
        batch_op.drop_column('outside_owner_id')
        batch_op.drop_column('geocoded_at')
        batch_op.drop_column('address')
        batch_op.drop_column('priority_rank')

    with op.batch_alter_table('handoff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handoff_owner_id'))
        batch_op.drop_index(batch_op.f('ix_handoff_observation_id'))

    op.drop_table('handoff')
    with op.batch_alter_table('saved_filter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_filter_user_id'))

    op.drop_table('saved_filter')
    op.drop_table('outside_owner_category')
    with op.batch_alter_table('canned_reply', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_canned_reply_category_id'))

    op.drop_table('canned_reply')
    op.drop_table('outside_owner')
    op.drop_table('geocode_cache')
