"""Is this process fit to take requests? /readyz asks, and a load balancer sends traffic only
while the answer is yes. Three things must hold: the database answers, the media store can be
read and written, and the database's schema is the one this code was written for (a process
started before `safetywalk migrate` ran would fail on every new column).

Each check is cheap (one small query, one probe file or object) because load balancers ask
every few seconds."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.services.media_store import MediaStore, MediaStoreError

OK = "ok"


def check(*, engine: Engine, store: MediaStore, heads: frozenset[str]) -> dict[str, str]:
    """Each check's name with "ok" or what is wrong (for the operator: no secrets, no data)."""
    results: dict[str, str] = {}
    try:
        with engine.connect() as connection:
            current = frozenset(MigrationContext.configure(connection).get_current_heads())
        results["database"] = OK
        results["migrations"] = OK if current == heads else _behind(current, heads)
    except SQLAlchemyError as exc:
        # The exception's text may carry the URL or a statement: its class says enough.
        results["database"] = f"unavailable ({type(exc).__name__})"
        results["migrations"] = "unknown: the database is unavailable"
    try:
        store.check()
        results["media"] = OK
    except MediaStoreError as exc:
        results["media"] = f"unavailable ({exc})"
    return results


def ready(results: dict[str, str]) -> bool:
    return all(value == OK for value in results.values())


def without_details(results: dict[str, str]) -> dict[str, str]:
    """Which checks failed, not why: the reasons name paths and revisions, for the operator."""
    return {name: OK if value == OK else "failed" for name, value in results.items()}


def _behind(current: frozenset[str], heads: frozenset[str]) -> str:
    found = ", ".join(sorted(current)) or "no revision"
    needed = ", ".join(sorted(heads))
    return f"the database is at {found}, the code needs {needed}: run safetywalk migrate"
