"""Search over observations for the triage desk: by number, by words, by street address.

A number (`123` or `#123`) that the viewer may see opens that report (`jump_target`); one they
may not see is searched as words, so a search never tells whether a hidden report exists.

Words are looked up in each observation's document: the resident's description, the street
address, the category's names and every public and internal note of its history. The
database keeps the documents in step itself (triggers, migration 368938ef6916), whoever
writes: capture, the history writer, the geocoder, the demo load or a bulk load. On SQLite it
is an FTS5 table (rowid = the observation's id) holding the words as written; on PostgreSQL a
tsvector of the Swedish stems ('swedish', Snowball) and the words as written, under a GIN
index.

Swedish words change their endings: lampa, lampan, lamporna; trasig, trasiga. A query word is
cut to its Snowball Swedish stem (the algorithm of PostgreSQL's 'swedish' configuration),
then of a definite ending Snowball keeps (-an, -et, -n: "lampan" stays "lampan" there), and looked
up as a prefix: "lampan" becomes lamp*, which finds lampa, lampan and lamporna, and a partial
word finds the whole one. Every word must be found. Only the letters and digits of what was
typed reach the engine, quoted, so quotes, stars, NEAR( or parentheses are never query syntax.

The caller adds who may see what (`visibility`) and its other filters; `clause` is one more
WHERE condition, `observation.id IN (the ids the index finds)`.
"""

from __future__ import annotations

import re
from typing import Any

import snowballstemmer
from sqlalchemy import Boolean, bindparam, column, false, func, literal_column, select, table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlmodel import Session, col

from app.models import Observation, StaffUser
from app.services import visibility

# The index's table on both engines (FTS5 adds shadow tables named observation_search_*).
INDEX_TABLE = "observation_search"
# A search box holds a few words; more would only make the query slower, never better.
MAX_WORDS = 10
# The shortest stem a definite ending is cut from ("plan" stays "plan", "gatan" gives "gat").
MIN_STEM = 3
_DEFINITE = ("an", "et", "n")
_WORD = re.compile(r"[^\W_]+")  # letters and digits: nothing the engines read as syntax
_NUMBER = re.compile(r"#?\s*([0-9]{1,10})")
_LARGEST_ID = 2**31 - 1


def number_in(text: str) -> int | None:
    """The report number `text` is (`123`, `#123`), or None when it is anything else."""
    found = _NUMBER.fullmatch(text.strip())
    if found is None:
        return None
    number = int(found.group(1))
    return number if 1 <= number <= _LARGEST_ID else None


def jump_target(*, session: Session, user: StaffUser, text: str) -> int | None:
    """The id of the report to open when `text` is the number of one `user` may see."""
    number = number_in(text)
    if number is None:
        return None
    obs = session.get(Observation, number)
    return number if obs is not None and visibility.can_see(user, obs) else None


def words(text: str) -> list[str]:
    """The words of `text` in lower case, each once, in order (at most MAX_WORDS)."""
    found = dict.fromkeys(word.lower() for word in _WORD.findall(text))
    return list(found)[:MAX_WORDS]


def prefixes(text: str) -> list[str]:
    """What each word of `text` is looked up as: its stem, found as the start of a word."""
    stemmer = snowballstemmer.stemmer("swedish")  # keeps state: one per call, not shared
    found: list[str] = []
    for word in words(text):
        stem = stemmer.stemWord(word)
        for ending in _DEFINITE:
            if stem.endswith(ending) and len(stem) - len(ending) >= MIN_STEM:
                stem = stem[: -len(ending)]
                break
        found.append(stem)
    return list(dict.fromkeys(found))


def clause(text: str) -> ColumnElement[bool]:
    """The observations whose document holds every word of `text` (the caller adds who may
    see them). Nothing is found when `text` holds no word at all."""
    stems = prefixes(text)
    if not stems:
        return false()
    # FTS5: each stem quoted (a quote inside doubled), `*` for a prefix, a space for AND.
    fts_query = " ".join('"' + stem.replace('"', '""') + '"*' for stem in stems)
    # tsquery: each stem quoted, `:*` for a prefix, `&` for AND; 'simple' neither stems again
    # nor drops a stop word (the document holds the words as written as well as the stems).
    ts_query = " & ".join("'" + stem.replace("'", "''") + "':*" for stem in stems)
    fts = table(INDEX_TABLE, column("rowid"))
    tsv = table(INDEX_TABLE, column("observation_id"), column("document"))
    return _PerEngine(
        # `id + 0`: SQLite then walks the queue's own index and asks the found ids (a set
        # made once) of each row, rather than fetching every found row by id: with a common
        # word (25,000 of 100,000) that was 4x faster, and a rare word costs no more than the
        # queue without a search.
        sqlite=(col(Observation.id) + 0).in_(
            select(fts.c.rowid).where(
                literal_column(INDEX_TABLE).op("MATCH", is_comparison=True)(
                    bindparam("fts_query", fts_query, unique=True)
                )
            )
        ),
        postgresql=col(Observation.id).in_(
            select(tsv.c.observation_id).where(
                tsv.c.document.op("@@", is_comparison=True)(
                    func.to_tsquery(
                        literal_column("'simple'::regconfig"),
                        bindparam("ts_query", ts_query, unique=True),
                    )
                )
            )
        ),
    )


def is_schema_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's `include_object`: False for the search index's tables, which the migration
    makes by hand (an FTS5 table cannot be a model), so comparing the models with the
    database neither reports them nor autogenerates their removal."""
    return not (
        type_ == "table"
        and name is not None
        and (name == INDEX_TABLE or name.startswith(f"{INDEX_TABLE}_"))
    )


class _PerEngine(ColumnElement[bool]):
    """A condition written once for each engine, picked when the statement is compiled: the
    queue builds its query before it knows which engine will run it."""

    inherit_cache = True
    # A condition in itself: SQLite would otherwise get `(... IN ...) = 1`, which no index serves.
    _is_implicitly_boolean = True
    _traverse_internals = [
        ("sqlite", InternalTraversal.dp_clauseelement),
        ("postgresql", InternalTraversal.dp_clauseelement),
    ]
    type = Boolean()

    def __init__(self, *, sqlite: ColumnElement[bool], postgresql: ColumnElement[bool]) -> None:
        self.sqlite = sqlite
        self.postgresql = postgresql


@compiles(_PerEngine)
def _compile_per_engine(element: _PerEngine, compiler: SQLCompiler, **kw: Any) -> str:
    chosen = element.postgresql if compiler.dialect.name == "postgresql" else element.sqlite
    return compiler.process(chosen, **kw)
