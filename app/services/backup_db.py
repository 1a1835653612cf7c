"""The database half of a backup: a consistent snapshot into one file, and loading it into an
empty database.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies every page under one read
transaction, so the copy is consistent while the app goes on writing (WAL: readers do not block
the writer). PostgreSQL: `pg_dump -Fc` (one snapshot transaction) and `pg_restore`, found where
Debian puts them (the newest /usr/lib/postgresql/*/bin, as scripts/with-postgres looks), else on
PATH. The URL's user and password reach them in the environment (PGUSER, PGPASSWORD ...), never
on the command line, where `ps` would show them to every user of the machine.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, make_url
from sqlmodel import SQLModel

from app.db import make_engine

TIMEOUT_SECONDS = 6 * 3600  # a dump or restore that takes longer has hung
ALEMBIC_TABLE = "alembic_version"


class DatabaseError(Exception):
    """The snapshot or the restore failed; the message says why, without credentials."""


def engine_name(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise DatabaseError("an in-memory SQLite database cannot be backed up or restored")
    return Path(database)


def pg_tool(name: str) -> str:
    """The path of pg_dump or pg_restore: the newest Debian install, else PATH."""
    found = [
        path for path in glob.glob(f"/usr/lib/postgresql/*/bin/{name}") if os.access(path, os.X_OK)
    ]
    found.sort(key=lambda p: [int(n) for n in re.findall(r"\d+", p.split("/")[4])])
    if found:
        return found[-1]
    on_path = shutil.which(name)
    if on_path is None:
        raise DatabaseError(f"{name} not found (install postgresql-client)")
    return on_path


def _pg_env(url: URL) -> dict[str, str]:
    """libpq's environment for the URL: where, who and the password, out of sight of `ps`."""
    env = dict(os.environ)
    for variable, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
        ("PGSSLMODE", url.query.get("sslmode")),
    ):
        if value:
            env[variable] = str(value)
    return env


def _run(args: list[str], url: URL) -> str:
    try:
        done = subprocess.run(
            args,
            env=_pg_env(url),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DatabaseError(f"{Path(args[0]).name} failed: {exc}") from exc
    if done.returncode != 0:
        raise DatabaseError(f"{Path(args[0]).name} failed: {done.stderr.strip()[-2000:]}")
    return done.stdout


def snapshot(url: str, target: Path) -> None:
    """Write a consistent copy of the database to `target`."""
    if engine_name(url) == "sqlite":
        source = sqlite3.connect(_sqlite_path(url), timeout=30)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            # One self-contained file: the copy need not keep the WAL mode of the original.
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
            source.close()
        return
    parsed = make_url(url)
    _run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target)], parsed)


def revision(url: str) -> str | None:
    """The migration the database is at (None: not migrated)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table(ALEMBIC_TABLE):
                return None
            return connection.execute(text(f"SELECT version_num FROM {ALEMBIC_TABLE}")).scalar()
    finally:
        engine.dispose()


def file_revision(path: Path, engine: str) -> str | None:
    """The migration a snapshot file is at (SQLite only: a dump is read after its restore)."""
    if engine != "sqlite":
        return None
    return revision(f"sqlite:///{path}")


def rows_in(url: str) -> dict[str, int]:
    """The app's tables that hold rows, with their counts (empty: the database may be
    restored into)."""
    if engine_name(url) == "sqlite" and not _sqlite_path(url).exists():
        return {}  # not made yet: the restore makes it
    engine = make_engine(url)
    found: dict[str, int] = {}
    try:
        with engine.connect() as connection:
            existing = set(inspect(connection).get_table_names())
            for table in SQLModel.metadata.sorted_tables:
                if table.name in existing:
                    count = connection.execute(text(f'SELECT count(*) FROM "{table.name}"'))
                    n = int(count.scalar() or 0)
                    if n:
                        found[table.name] = n
    finally:
        engine.dispose()
    return found


def load(url: str, source: Path) -> None:
    """Load a snapshot into the database at `url`, which holds no rows (tables made by an
    earlier `migrate` are replaced)."""
    if engine_name(url) == "sqlite":
        path = _sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        snapshot_db = sqlite3.connect(source)
        target = sqlite3.connect(path, timeout=30)
        try:
            snapshot_db.backup(target)  # replaces every page of the (empty) target
        finally:
            target.close()
            snapshot_db.close()
        return
    parsed = make_url(url)
    _empty_public_schema(url)
    restore = pg_tool("pg_restore")
    toc = _run([restore, "--list", str(source)], parsed)
    # The target keeps its own public schema: a dump made after the schema was re-created
    # holds a CREATE SCHEMA public that would fail against it.
    kept = [
        line
        for line in toc.splitlines()
        if not re.search(r"\b(SCHEMA|COMMENT) - (SCHEMA )?public\b", line)
    ]
    # The backup folder may be read-only (a mounted archive): the list goes to a temp file.
    with tempfile.NamedTemporaryFile("w", suffix=".list", delete=False) as handle:
        handle.write("\n".join(kept) + "\n")
    listing = Path(handle.name)
    try:
        _run(
            [
                restore,
                "--no-owner",
                "--no-acl",
                "--exit-on-error",
                "--single-transaction",
                "--use-list",
                str(listing),
                "--dbname",
                str(parsed.database),
                str(source),
            ],
            parsed,
        )
    finally:
        listing.unlink(missing_ok=True)


def _empty_public_schema(url: str) -> None:
    """Drop the tables an earlier `migrate` made in an empty PostgreSQL database."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            if inspect(connection).get_table_names():
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
