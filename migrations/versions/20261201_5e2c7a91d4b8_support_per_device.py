"""Support: one per device and observation (no longer one per form), with a keyed hash of the
client's address and an index on the time, so the service can limit backing per device and per
address.

Revision ID: 5e2c7a91d4b8
Revises: c4d1f0a7e93b
Create Date: 2026-12-01 20:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '5e2c7a91d4b8'
down_revision: str | None = 'c4d1f0a7e93b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The id stored so far was the form's; it stays as the device's (one per observation).
    with op.batch_alter_table('support', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_support_client_id'), type_='unique')
        batch_op.alter_column('client_id', new_column_name='device_id')
    with op.batch_alter_table('support', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default=''))
        batch_op.create_unique_constraint(batch_op.f('uq_support_observation_id'), ['observation_id', 'device_id'])
        batch_op.create_index(batch_op.f('ix_support_device_id'), ['device_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_address_key'), ['address_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('support', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_created_at'))
        batch_op.drop_index(batch_op.f('ix_support_address_key'))
        batch_op.drop_index(batch_op.f('ix_support_device_id'))
        batch_op.drop_constraint(batch_op.f('uq_support_observation_id'), type_='unique')
        batch_op.drop_column('address_key')
    with op.batch_alter_table('support', schema=None) as batch_op:
        batch_op.alter_column('device_id', new_column_name='client_id')
    # One device may now back several observations; the old rule allowed one row per id.
    op.execute(
        "DELETE FROM support WHERE id NOT IN (SELECT MIN(id) FROM support GROUP BY client_id)"
    )
    with op.batch_alter_table('support', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_support_client_id'), ['client_id'])
