"""Previous and next of one report within the queue's filter and sort, across pages: the
report page's links. A report the filter no longer holds (just closed, say) still has the
ones around its place."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, false, or_
from sqlmodel import Session, select

from app import clock
from app.config import Settings
from app.i18n import current_language
from app.models import Observation, StaffUser
from app.services import deadlines, queue, queue_order


def neighbours(
    *,
    session: Session,
    user: StaffUser,
    flt: queue.QueueFilter,
    settings: Settings,
    observation_id: int,
    now: datetime | None = None,
) -> tuple[int | None, int | None]:
    """The ids just before and after `observation_id` in `flt`'s order (None at either end)."""
    now = now or clock.now()
    key, direction = queue_order.resolve(flt.sort, flt.direction)
    due = queue_order.due_term(session.get_bind().dialect.name, deadlines.due_days(settings))
    flip = direction == "desc"
    # The sort's terms as the list shows them: (term, ascending?).
    terms = [(term, up != flip) for term, up in queue_order.ascending(key, current_language(), due)]
    here = session.exec(
        queue.joined(select(*[term for term, _up in terms]).select_from(Observation)).where(
            Observation.id == observation_id
        )
    ).first()
    if here is None:
        return None, None
    where = queue.matching(user=user, flt=flt, settings=settings, now=now)
    found: list[int | None] = []
    for forward in (False, True):
        beyond = _beyond(list(zip(terms, here, strict=True)), forward)
        found.append(
            session.exec(
                queue.joined(select(Observation.id).select_from(Observation))
                .where(*where, beyond)
                .order_by(*[t.asc() if up == forward else t.desc() for t, up in terms])
                .limit(1)
            ).first()
        )
    return found[0], found[1]


def _beyond(terms: list[tuple[tuple[Any, bool], Any]], forward: bool) -> Any:
    """Rows after (or before) the report's place in lexicographic order: the first term that
    differs decides. A NULL value (no district) is never greater or smaller, only equal."""
    beyond = None
    for (term, up), value in reversed(terms):
        if value is None:
            step, same = false(), term.is_(None)
        else:
            step = term > value if up == forward else term < value
            same = term == value
        beyond = step if beyond is None else or_(step, and_(same, beyond))
    return beyond
