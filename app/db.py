"""The database engine and the per-request session."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def make_engine(url: str) -> Engine:
    """An engine for SQLite (WAL, foreign keys, waits on locks) or PostgreSQL."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            # WAL: readers never block the writer; a shared in-memory DB fell over under load.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    # psycopg prepares a statement from its fifth run on, and PostgreSQL may then plan it once
    # for any values: a drawn area's polygon test (dozens of bound numbers) then took 3x its
    # own SQL (bench/README.md, "Planners"). Plan each run for its values.
    return create_engine(
        url,
        pool_pre_ping=True,
        # An error's message then names the statement, never its values (tokens, descriptions):
        # such messages reach the logs.
        hide_parameters=True,
        pool_size=10,
        max_overflow=10,
        connect_args={"options": "-c plan_cache_mode=force_custom_plan"},
    )


def refresh_statistics(engine: Engine) -> None:
    """Give PostgreSQL's planner fresh row counts. Autovacuum never analyzes a small table such
    as category (its threshold is 50 changed rows), and without statistics the planner guessed
    one problem category and planned the whole queue around that (see bench/README.md)."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")


def session_scope(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@cache
def migration_heads() -> frozenset[str]:
    """The revisions the code's migrations end at (read once: the files do not change while
    the process runs). A database at these is "at head"."""
    return frozenset(ScriptDirectory(str(MIGRATIONS_DIR)).get_heads())
