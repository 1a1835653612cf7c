"""Previous and next on the report page, within the queue's filter the triager came from.

The queue's links to a report carry the queue's query string: `/triage/123?from=<the query,
URL-encoded>`. The report page reads the filter back from it (leniently: a value the queue
would refuse falls back to the queue's default filter), asks `queue_neighbours` for the
reports before and after in that filter's order, and links back to the queue with the same
filter. Without `from`, the neighbours are those of the queue's default view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from sqlmodel import Session

from app.config import Settings
from app.models import StaffUser
from app.services import queue, queue_neighbours

QUERY_MAX = 2000
_ASSIGNEE = re.compile(r"^(me|none|[0-9]{1,9})$")
_TRUE = frozenset({"true", "1", "on", "yes"})


@dataclass(frozen=True)
class Nav:
    """Where the report page's "previous", "next" and "back to the queue" lead."""

    query: str  # the queue's query string ("" for its default view)
    previous_id: int | None
    next_id: int | None

    def link(self, observation_id: int | None) -> str:
        """A report's page that keeps the same queue filter."""
        return page_link(observation_id, self.query)

    @property
    def back(self) -> str:
        return "/triage" + (f"?{self.query}" if self.query else "")

    @property
    def previous(self) -> str | None:
        return self.link(self.previous_id) if self.previous_id else None

    @property
    def next(self) -> str | None:
        return self.link(self.next_id) if self.next_id else None


def page_link(observation_id: int | None, query: str, **more: str) -> str:
    """A report's page that keeps the queue's query (and `more` parameters, e.g. a notice)."""
    params = ([("from", query)] if query else []) + list(more.items())
    return f"/triage/{observation_id}" + (
        f"?{urlencode(params, quote_via=quote)}" if params else ""
    )


def around(
    *,
    session: Session,
    user: StaffUser,
    settings: Settings,
    observation_id: int,
    came_from: tuple[queue.QueueFilter, str],
) -> Nav:
    """Previous and next of this report in the queue the viewer came from: its filter and
    its query as kept (the route reads them by the queue's own rules)."""
    flt, query = came_from
    before, after = queue_neighbours.neighbours(
        session=session, user=user, flt=flt, settings=settings, observation_id=observation_id
    )
    return Nav(query=query, previous_id=before, next_id=after)
