"""Full-text search over observations for the triage desk (by number, words, address).

Foundation stub: a plain LIKE; the search work replaces it with SQLite FTS5 and PostgreSQL
tsvector (Swedish) behind the same `clause`.
"""

from __future__ import annotations

from sqlalchemy import or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from app.models import Observation


def clause(text: str) -> ColumnElement[bool]:
    """The observations whose text matches `text` (the caller adds who may see them)."""
    words = text.strip()
    pattern = f"%{words}%"
    return or_(
        col(Observation.description).ilike(pattern),
        col(Observation.address).ilike(pattern),
    )
