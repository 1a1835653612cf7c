"""Open311 GeoReport v2: client systems with their API keys (only a hash kept), a log of
every POST they make (the rate limit counts it), and on observations the client that posted it.

Revision ID: 93063d222bfe
Revises: 368938ef6916
Create Date: 2026-12-02 12:33:35.634189
"""

import importlib.util
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op


@contextmanager
def _observation_rebuilt() -> Iterator[Any]:
    """SQLite's batch rebuild of observation, with the full-text triggers of migration
    368938ef6916 dropped first (they would stop the rebuild, which drops them anyway) and made
    again after it."""
    path = Path(__file__).with_name("20261202_368938ef6916_observation_search.py")
    spec = importlib.util.spec_from_file_location("observation_search_migration", path)
    search = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(search)  # type: ignore[union-attr]
    for name in search._SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table('observation', schema=None) as batch_op:
        yield batch_op
    for name, body in search._SQLITE_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


revision: str = '93063d222bfe'
down_revision: str | None = '368938ef6916'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('api_client',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('contact', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('key_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('key_hint', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('posts_per_hour', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff_user.id'], name=op.f('fk_api_client_created_by_id_staff_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_client')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_client_key_hash')),
    sa.UniqueConstraint('name', name=op.f('uq_api_client_name'))
    )
    op.create_table('api_post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('service_code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('observation_id', sa.Integer(), nullable=True),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['api_client.id'], name=op.f('fk_api_post_client_id_api_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['observation_id'], ['observation.id'], name=op.f('fk_api_post_observation_id_observation'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_post'))
    )
    with op.batch_alter_table('api_post', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_post_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_post_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_post_observation_id'), ['observation_id'], unique=False)

    if op.get_bind().dialect.name == "sqlite":
        with _observation_rebuilt() as batch_op:
            batch_op.add_column(sa.Column('api_client_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                batch_op.f('fk_observation_api_client_id_api_client'), 'api_client',
                ['api_client_id'], ['id'], ondelete='SET NULL',
            )
    else:
        op.add_column('observation', sa.Column('api_client_id', sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f('fk_observation_api_client_id_api_client'), 'observation', 'api_client',
            ['api_client_id'], ['id'], ondelete='SET NULL',
        )
    op.create_index(op.f('ix_observation_api_client_id'), 'observation', ['api_client_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_observation_api_client_id'), table_name='observation')
    if op.get_bind().dialect.name == "sqlite":
        with _observation_rebuilt() as batch_op:
            batch_op.drop_constraint('fk_observation_api_client_id_api_client', type_='foreignkey')
            batch_op.drop_column('api_client_id')
    else:
        op.drop_constraint(
            op.f('fk_observation_api_client_id_api_client'), 'observation', type_='foreignkey'
        )
        op.drop_column('observation', 'api_client_id')

    with op.batch_alter_table('api_post', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_post_observation_id'))
        batch_op.drop_index(batch_op.f('ix_api_post_client_id'))
        batch_op.drop_index(batch_op.f('ix_api_post_at'))

    op.drop_table('api_post')
    op.drop_table('api_client')
