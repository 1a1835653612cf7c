"""The staff start page's numbers: what waits on this person's desk, each a link into the queue
with the filter that shows exactly those rows.

The numbers are the queue's own: the same clauses (`queue.matching` over the queue's default
filter: open reports this person may see, good places left out, narrowed as each link
narrows it), counted in SQL: one count per number and one GROUP BY for the overdue per unit.
Roles that do not work on reports (planners, walk leaders, coordinators) get no numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from sqlalchemy import func
from sqlmodel import Session, col, select

from app import clock
from app.config import Settings
from app.i18n import current_language
from app.models import Observation, Role, StaffUser, Unit
from app.services import queue, visibility


@dataclass(frozen=True)
class Figure:
    count: int
    href: str  # the queue with the filter that shows these rows


@dataclass(frozen=True)
class UnitFigure(Figure):
    name: str


@dataclass(frozen=True)
class Desk:
    open_total: Figure
    new_today: Figure
    assigned_to_me: Figure
    overdue: Figure
    overdue_by_unit: list[UnitFigure]  # the units with something overdue, most first
    # Overdue reports that no unit has yet (the queue cannot filter on "no unit").
    overdue_unrouted: int
    for_unit: bool  # a unit's staff: their own unit only


def _queue_link(**params: object) -> str:
    query = urlencode({k: str(v).lower() if isinstance(v, bool) else v for k, v in params.items()})
    return "/triage" + (f"?{query}" if query else "")


def desk(
    *, session: Session, user: StaffUser, settings: Settings, now: datetime | None = None
) -> Desk | None:
    """This person's numbers, or None when their role does not work on reports."""
    if user.role not in visibility.WORKING_ROLES or not user.active:
        return None
    now = now or clock.now()
    today = now.astimezone(queue.LOCAL_TZ).date()

    def count(flt: queue.QueueFilter) -> int:
        where = queue.matching(user=user, flt=flt, settings=settings, now=now)
        return session.exec(
            queue.joined(select(func.count()).select_from(Observation)).where(*where)
        ).one()

    # One count per number, each with the very filter its link opens, so that each can be read
    # from an index (ix_observation_queue, created_at, assignee_id); one pass with a CASE per
    # number read every open row from the table instead (bench/README.md, the queue's section).
    total = count(queue.QueueFilter())
    new_today = count(queue.QueueFilter(since=today))
    mine = count(queue.QueueFilter(assignee="me"))
    late_filter = queue.QueueFilter(overdue=True)
    late = count(late_filter)
    by_unit = session.exec(
        queue.joined(
            select(Unit.slug, Unit.name_sv, Unit.name_en, func.count()).select_from(Observation)
        )
        .where(*queue.matching(user=user, flt=late_filter, settings=settings, now=now))
        .group_by(Unit.id, Unit.slug, Unit.name_sv, Unit.name_en)
        .order_by(func.count().desc(), col(Unit.slug))
    ).all()
    lang = current_language()
    units = [
        UnitFigure(
            count=n,
            href=_queue_link(unit=slug, overdue=True),
            name=name_sv if lang == "sv" else name_en,
        )
        for slug, name_sv, name_en, n in by_unit
        if slug is not None
    ]
    return Desk(
        open_total=Figure(total, _queue_link()),
        new_today=Figure(new_today, _queue_link(since=today.isoformat(), sort="newest")),
        assigned_to_me=Figure(mine, _queue_link(assignee="me")),
        overdue=Figure(late, _queue_link(overdue=True)),
        overdue_by_unit=units,
        overdue_unrouted=sum(n for slug, *_, n in by_unit if slug is None),
        for_unit=user.role == Role.unit_worker,
    )
