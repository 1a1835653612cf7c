"""Mail: staff accounts get a language for their e-mails; each outbox mail keeps one Message-ID.

Revision ID: 6d1e3f0a9b2c
Revises: 245aab15032b
Create Date: 2026-12-01 20:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '6d1e3f0a9b2c'
down_revision: str | None = '245aab15032b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False, server_default='sv'))
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.drop_column('message_id')
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_column('language')
