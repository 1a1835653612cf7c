"""Previous and next on the report page, within the queue's filter the triager came from.

The queue's links to a report carry the queue's query string: `/triage/123?from=<the query,
URL-encoded>`. The report page reads the filter back from it (leniently: a value the queue
would refuse falls back to the queue's default filter), asks `queue.neighbours` for the
reports before and after in that filter's order, and links back to the queue with the same
filter. Without `from`, the neighbours are those of the queue's default view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode

from sqlmodel import Session

from app.config import Settings
from app.models import Priority, StaffUser, Status
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


def queue_filter(query: str) -> queue.QueueFilter | None:
    """The queue's filter from its query string; None when a value is not one the queue
    takes (the caller then uses the default view)."""
    statuses: list[Status] = []
    fields: dict[str, object] = {}
    try:
        for key, value in parse_qsl(query, keep_blank_values=True):
            if key == "status":
                statuses.append(Status(value))
            elif key in ("category", "zone", "unit") and len(value) <= 64:
                fields[key] = value or None
            elif key == "priority":
                fields["priority"] = Priority(value) if value else None
            elif key == "overdue":
                fields["overdue"] = value.lower() in _TRUE
            elif key == "older_than" and value:
                days = int(value)
                if not 1 <= days <= 3650:
                    return None
                fields["older_than_days"] = days
            elif key == "assignee" and value:
                if not _ASSIGNEE.match(value):
                    return None
                fields["assignee"] = value
            elif key == "q" and len(value) <= 200:
                fields["text"] = value.strip() or None
            elif key == "sort" and value in queue.SORTS:
                fields["sort"] = value
    except ValueError:
        return None
    if statuses:
        fields["statuses"] = tuple(statuses)
    return queue.QueueFilter(**fields)  # type: ignore[arg-type]


def around(
    *,
    session: Session,
    user: StaffUser,
    settings: Settings,
    observation_id: int,
    query: str,
) -> Nav:
    """Previous and next of this report in the queue the viewer came from."""
    query = query.lstrip("?")[:QUERY_MAX]
    flt = queue_filter(query)
    if flt is None:
        query, flt = "", queue.QueueFilter()
    before, after = queue_neighbours.neighbours(
        session=session, user=user, flt=flt, settings=settings, observation_id=observation_id
    )
    return Nav(query=query, previous_id=before, next_id=after)
