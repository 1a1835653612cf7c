"""Full-text search over observations (app/services/fulltext.py): one document per observation
(its description, street address, category names and every public and internal note of its
history), kept in step by triggers, so that any writer (capture, the history writer, the
geocoder, a bulk load) leaves the index right in the same transaction.

- SQLite: an FTS5 table `observation_search(body)` whose rowid is the observation's id; the
  words as written (unicode61, å/ä/ö kept apart from a/o); Swedish endings are handled at
  query time (a stem looked up as a prefix).
- PostgreSQL: a table `observation_search(observation_id, document tsvector)` under a GIN
  index; the document holds the Swedish stems ('swedish', Snowball) and the words as written
  ('simple'), so that a stem and a partial word are both found by a prefix query.

Neither is in the models (an FTS5 table cannot be): tests/test_migrations.py and
migrations/env.py leave them out of the comparison with `fulltext.is_index_object`.

Beware: SQLite drops a table's triggers when Alembic's batch mode rebuilds the table. A later
migration that rebuilds observation, observation_event or category must create the triggers
again (copy `_SQLITE_TRIGGERS`); tests/services/test_fulltext.py fails when one is missing.

Revision ID: 368938ef6916
Revises: 6a1f3c8e9b42
Create Date: 2026-12-02 06:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "368938ef6916"
down_revision: str | None = "6a1f3c8e9b42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# --- SQLite -------------------------------------------------------------------------------

# One observation's document, or several (WHERE on `o`): the notes of its history joined.
_SQLITE_DOCUMENT = """
    INSERT INTO observation_search (rowid, body)
    SELECT o.id,
           o.description || ' ' || coalesce(o.address, '') || ' ' || c.name_sv || ' ' || c.name_en
           || coalesce((SELECT ' ' || group_concat(e.note || ' ' || e.internal_note, ' ')
                        FROM observation_event e
                        WHERE e.observation_id = o.id
                          AND (e.note <> '' OR e.internal_note <> '')), '')
    FROM observation o JOIN category c ON c.id = o.category_id
    WHERE {where};
"""


def _sqlite_refresh(where: str, ids: str) -> str:
    return f"DELETE FROM observation_search WHERE rowid IN ({ids});" + _SQLITE_DOCUMENT.format(
        where=where
    )


_SQLITE_TRIGGERS = {
    "observation_search_ai": "AFTER INSERT ON observation BEGIN "
    + _sqlite_refresh("o.id = NEW.id", "NEW.id")
    + " END",
    "observation_search_au": "AFTER UPDATE OF description, address, category_id ON observation "
    "WHEN OLD.description IS NOT NEW.description OR OLD.address IS NOT NEW.address "
    "OR OLD.category_id IS NOT NEW.category_id BEGIN "
    + _sqlite_refresh("o.id = NEW.id", "OLD.id, NEW.id")
    + " END",
    "observation_search_ad": "AFTER DELETE ON observation BEGIN "
    "DELETE FROM observation_search WHERE rowid = OLD.id; END",
    "observation_event_search_ai": "AFTER INSERT ON observation_event "
    "WHEN NEW.note <> '' OR NEW.internal_note <> '' BEGIN "
    + _sqlite_refresh("o.id = NEW.observation_id", "NEW.observation_id")
    + " END",
    "observation_event_search_au": "AFTER UPDATE OF note, internal_note, observation_id "
    "ON observation_event BEGIN "
    + _sqlite_refresh(
        "o.id IN (OLD.observation_id, NEW.observation_id)",
        "OLD.observation_id, NEW.observation_id",
    )
    + " END",
    "observation_event_search_ad": "AFTER DELETE ON observation_event "
    "WHEN OLD.note <> '' OR OLD.internal_note <> '' BEGIN "
    + _sqlite_refresh("o.id = OLD.observation_id", "OLD.observation_id")
    + " END",
    "category_search_au": "AFTER UPDATE OF name_sv, name_en ON category "
    "WHEN OLD.name_sv IS NOT NEW.name_sv OR OLD.name_en IS NOT NEW.name_en BEGIN "
    + _sqlite_refresh(
        "o.category_id = NEW.id", "SELECT id FROM observation WHERE category_id = NEW.id"
    )
    + " END",
}


def _sqlite_upgrade() -> None:
    # remove_diacritics 0: in Swedish å, ä and ö are letters of their own (mat is not mät).
    # prefix: every query word is a prefix; an index of the first 1-4 letters made a common
    # one ("lamp*", 40,000 of 100,000 documents) 7x faster to look up (bench: 16 -> 2 ms).
    op.execute(
        "CREATE VIRTUAL TABLE observation_search USING fts5("
        "body, tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2 3 4')"
    )
    for name, body in _SQLITE_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute(_SQLITE_DOCUMENT.format(where="1 = 1"))


def _sqlite_downgrade() -> None:
    for name in _SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS observation_search")


# --- PostgreSQL ---------------------------------------------------------------------------

# The documents of the observations `where` (on `o`) picks: the Swedish stems and the words,
# without their positions (strip: no phrase search or ranking needs them; a smaller table
# is a faster scan).
_PG_DOCUMENTS = """
    SELECT o.id, strip(to_tsvector('swedish', d.body) || to_tsvector('simple', d.body))
    FROM observation o
    JOIN category c ON c.id = o.category_id
    CROSS JOIN LATERAL (
        SELECT concat_ws(' ', o.description, o.address, c.name_sv, c.name_en,
            (SELECT string_agg(concat_ws(' ', e.note, e.internal_note), ' ')
             FROM observation_event e
             WHERE e.observation_id = o.id AND (e.note <> '' OR e.internal_note <> ''))) AS body
    ) d
    WHERE {where}
"""

_PG_FUNCTIONS = [
    f"""
CREATE FUNCTION observation_search_refresh(obs_id integer) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO observation_search (observation_id, document)
    {_PG_DOCUMENTS.format(where="o.id = obs_id")}
    ON CONFLICT (observation_id) DO UPDATE SET document = EXCLUDED.document;
$$""",
    """
CREATE FUNCTION observation_search_on_observation() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM observation_search_refresh(NEW.id);
    RETURN NULL;
END $$""",
    """
CREATE FUNCTION observation_search_on_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM observation_search_refresh(OLD.observation_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM observation_search_refresh(NEW.observation_id);
    END IF;
    RETURN NULL;
END $$""",
    """
CREATE FUNCTION observation_search_on_category() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM observation_search_refresh(o.id) FROM observation o WHERE o.category_id = NEW.id;
    RETURN NULL;
END $$""",
]

_PG_TRIGGERS = {
    "observation_search_ai": (
        "observation",
        "AFTER INSERT ON observation FOR EACH ROW "
        "EXECUTE FUNCTION observation_search_on_observation()",
    ),
    "observation_search_au": (
        "observation",
        "AFTER UPDATE OF description, address, category_id ON observation FOR EACH ROW "
        "WHEN (OLD.description IS DISTINCT FROM NEW.description "
        "OR OLD.address IS DISTINCT FROM NEW.address "
        "OR OLD.category_id IS DISTINCT FROM NEW.category_id) "
        "EXECUTE FUNCTION observation_search_on_observation()",
    ),
    "observation_event_search_ai": (
        "observation_event",
        "AFTER INSERT ON observation_event FOR EACH ROW "
        "WHEN (NEW.note <> '' OR NEW.internal_note <> '') "
        "EXECUTE FUNCTION observation_search_on_event()",
    ),
    "observation_event_search_au": (
        "observation_event",
        "AFTER UPDATE OF note, internal_note, observation_id ON observation_event "
        "FOR EACH ROW EXECUTE FUNCTION observation_search_on_event()",
    ),
    "observation_event_search_ad": (
        "observation_event",
        "AFTER DELETE ON observation_event FOR EACH ROW "
        "WHEN (OLD.note <> '' OR OLD.internal_note <> '') "
        "EXECUTE FUNCTION observation_search_on_event()",
    ),
    "category_search_au": (
        "category",
        "AFTER UPDATE OF name_sv, name_en ON category FOR EACH ROW "
        "WHEN (OLD.name_sv IS DISTINCT FROM NEW.name_sv "
        "OR OLD.name_en IS DISTINCT FROM NEW.name_en) "
        "EXECUTE FUNCTION observation_search_on_category()",
    ),
}


def _pg_upgrade() -> None:
    # A deleted observation takes its document with it (ON DELETE CASCADE).
    op.execute(
        "CREATE TABLE observation_search ("
        "observation_id integer PRIMARY KEY REFERENCES observation (id) ON DELETE CASCADE, "
        "document tsvector NOT NULL)"
    )
    op.execute(
        "CREATE INDEX ix_observation_search_document ON observation_search USING gin (document)"
    )
    for function in _PG_FUNCTIONS:
        op.execute(function)
    for name, (_table, body) in _PG_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute(
        "INSERT INTO observation_search (observation_id, document) "
        + _PG_DOCUMENTS.format(where="TRUE")
    )


def _pg_downgrade() -> None:
    for name, (table, _body) in _PG_TRIGGERS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    for function in (
        "observation_search_on_category()",
        "observation_search_on_event()",
        "observation_search_on_observation()",
        "observation_search_refresh(integer)",
    ):
        op.execute(f"DROP FUNCTION IF EXISTS {function}")
    op.execute("DROP TABLE IF EXISTS observation_search")


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        _pg_upgrade()
    else:
        _sqlite_upgrade()


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        _pg_downgrade()
    else:
        _sqlite_downgrade()
