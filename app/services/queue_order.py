"""The queue's sort orders: which column, which way, and how each stays fast at 100,000 rows.

Every order ends with the observation's id, so that a page never shows a row twice or skips
one. Each key is walked along an index or sorted among the few rows one page needs:

- `reported` (created_at), `number` (id), `priority` (the stored rank, `ix_observation_rank`)
  and `supporters` are plain ORDER BYs.
- `category`, `district`, `unit` and `status` sort by the name the viewer reads (or by the
  workflow's order for status); these tables are small, the sort is a top-N over the filter.
- `due` is created_at plus the days its priority allows. An ORDER BY on that sum could not use
  an index; instead each priority's rows are read in created_at order (which is their due
  order), one LIMITed query per priority, and the four short lists are merged here.

The old values of `sort` (oldest, newest, priority, supporters) are kept as aliases, so that
bookmarks keep working.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func
from sqlmodel import col

from app.models import PRIORITY_RANK, Category, Observation, Priority, Status, Unit, Zone

# The sortable keys and the way each goes when its column header is first clicked.
SORTS: dict[str, str] = {
    "number": "asc",
    "reported": "asc",
    "category": "asc",
    "district": "asc",
    "unit": "asc",
    "status": "asc",
    "priority": "asc",  # the most urgent first
    "due": "asc",  # the first due first
    "supporters": "desc",  # the most backed first
}
# The queue's old sort values, from bookmarks: each is a key and a direction.
ALIASES: dict[str, tuple[str, str]] = {
    "oldest": ("reported", "asc"),
    "newest": ("reported", "desc"),
    "priority": ("priority", "asc"),
    "supporters": ("supporters", "desc"),
}
DEFAULT = ("reported", "asc")
# The keys whose order an index gives (created_at; the id; ix_observation_rank_age for the
# priority and, per priority, for the due date).
INDEXED = frozenset({"number", "reported", "priority", "due"})


def resolve(sort: str | None, direction: str | None) -> tuple[str, str]:
    """The key and direction asked for; an alias gives its own direction unless one is asked;
    anything unknown is the default."""
    if sort in ALIASES and sort not in SORTS:
        key, natural = ALIASES[sort]
    elif sort in SORTS:
        key, natural = sort, SORTS[sort]
    else:
        key, natural = DEFAULT
    return key, direction if direction in ("asc", "desc") else natural


def ascending(key: str, lang: str, due: Any = None) -> list[tuple[Any, bool]]:
    """Each key's terms ascending, as (term, ascending?): ties by age, then by number. `due`
    is the term for the due date (`due_term`), needed only for the key `due`."""
    name = "sv" if lang == "sv" else "en"
    created, obs_id = col(Observation.created_at), col(Observation.id)
    if key == "due":
        return [(due, True), (obs_id, True)]
    return {
        "number": [(obs_id, True)],
        "reported": [(created, True), (obs_id, True)],
        "category": [(col(getattr(Category, f"name_{name}")), True), (obs_id, True)],
        "district": [(_nulls_last(col(Zone.name)), True), (col(Zone.name), True), (obs_id, True)],
        "unit": [
            (_nulls_last(col(getattr(Unit, f"name_{name}"))), True),
            (col(getattr(Unit, f"name_{name}")), True),
            (obs_id, True),
        ],
        "status": [(_workflow_order(), True), (obs_id, True)],
        "priority": [(col(Observation.priority_rank), True), (created, True), (obs_id, True)],
        # The fewest backers first; "desc" (its usual way) is the most first, the oldest first.
        "supporters": [(col(Observation.supporters), True), (created, False), (obs_id, False)],
    }[key]


def order_by(key: str, direction: str, lang: str, due: Any = None) -> list[Any]:
    """ORDER BY terms (for `due`, give `due_term`; the page itself merges per priority, see
    `merge_due`). Descending is the exact reverse of ascending, the id included."""
    flip = direction == "desc"
    return [term.asc() if up != flip else term.desc() for term, up in ascending(key, lang, due)]


def due_term(dialect: str, due_days: dict[Priority, int]) -> Any:
    """The due date as a number that sorts like it (days on SQLite, seconds on PostgreSQL),
    for what reads a whole filter in due order (the export, previous/next). No index serves
    it; the page's own list uses `merge_due` instead."""
    rank = col(Observation.priority_rank)
    if dialect == "sqlite":
        days = case({PRIORITY_RANK[p]: d for p, d in due_days.items()}, value=rank)
        return func.julianday(col(Observation.created_at)) + days
    seconds = case({PRIORITY_RANK[p]: d * 86400 for p, d in due_days.items()}, value=rank)
    return func.extract("epoch", col(Observation.created_at)) + seconds


def merge_due(
    fetch: Callable[[Priority, int], Sequence[tuple[int, datetime]]],
    due_days: dict[Priority, int],
    direction: str,
    stop: int,
) -> list[int]:
    """The first `stop` ids by due date (then id), from each priority's rows in created_at
    order: `fetch(priority, limit)` gives up to `limit` (id, created_at) of that priority,
    in `direction`."""
    reverse = direction == "desc"
    streams = []
    for priority in sorted(due_days, key=lambda p: PRIORITY_RANK[p]):
        days = timedelta(days=due_days[priority])
        streams.append(
            [(created_at + days, obs_id) for obs_id, created_at in fetch(priority, stop)]
        )
    merged = heapq.merge(*streams, reverse=reverse)
    return [obs_id for _, obs_id in itertools.islice(merged, stop)]


def _workflow_order() -> Any:
    # Status in the order work goes (new, triaged, ... wont_fix), not alphabetically.
    return case({s.value: i for i, s in enumerate(Status)}, value=col(Observation.status))


def _nulls_last(column: Any) -> Any:
    # Rows without a district or unit after the named ones (first when reversed); the same
    # on both engines, which disagree on where NULL sorts.
    return case((column.is_(None), 1), else_=0)
