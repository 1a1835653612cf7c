"""The triage queue: what a triager or a unit has to do, filtered, sorted, counted, at a fixed
number of queries per page whatever its size (fast with 100,000 observations). An item is overdue
when still open and older than its priority allows (`due_days_*`): worked out in SQL, not stored."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, literal
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app import clock
from app.config import Settings
from app.i18n import current_language
from app.models import (
    OPEN_STATES,
    PRIORITY_RANK,
    Category,
    CategoryKind,
    Observation,
    ObservationZone,
    Photo,
    PhotoKind,
    Priority,
    StaffUser,
    Status,
    Unit,
    Zone,
)
from app.services import (
    assignment,
    deadlines,
    fulltext,
    lifecycle,
    photo_moderation,
    queue_order,
    visibility,
)

PAGE_SIZE = 50
SORTS = tuple(queue_order.SORTS)  # the sortable keys; queue_order.ALIASES has the old names
SELECT_ALL_CAP = 1_000  # "every row of the filter" moves at most this many at once


@dataclass(frozen=True)
class QueueFilter:
    statuses: tuple[Status, ...] = tuple(sorted(OPEN_STATES))
    category: str | None = None  # slug
    zone: str | None = None  # slug
    unit: str | None = None  # slug
    priority: Priority | None = None
    overdue: bool = False
    older_than_days: int | None = None
    assignee: str | None = None  # "me", "none", or a staff user's id
    text: str | None = None  # search words, a number or an address (services/fulltext)
    since: date | None = None  # reported on or after this day (local time): "new today"
    photos_waiting: bool = False  # only those with a photo waiting for moderation
    sort: str = "reported"  # a key of queue_order.SORTS (an old alias is understood too)
    direction: str | None = None  # "asc" or "desc"; None: the key's usual way
    page: int = 1


@dataclass(frozen=True)
class QueueRow:
    id: int
    token: str
    status: Status
    priority: Priority
    category: Category
    zone_name: str | None
    unit_name: str | None
    created_at: datetime
    due_at: datetime
    overdue: bool
    supporters: int
    unsafe_level: int | None
    description: str
    address: str | None
    thumb_url: str | None
    moves: list[Status]  # what the viewer may move it to
    assignee_id: int | None = None
    assignee_name: str | None = None
    assignable: list[StaffUser] = field(default_factory=list)  # whom the viewer may give it to


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    pages: int
    counts: dict[Status, int] = field(default_factory=dict)
    overdue_count: int = 0


def search(
    *,
    session: Session,
    user: StaffUser,
    flt: QueueFilter,
    settings: Settings,
    now: datetime | None = None,
) -> QueuePage:
    """One page of the filter, with the counts of the whole filter (they add up to `total`)."""
    now = now or clock.now()
    # The tabs count only what the filter matches, so that they add up to the rows listed.
    counted = counts(session=session, user=user, flt=flt, settings=settings, now=now)
    page = min(max(1, flt.page), counted.pages)
    offset = (page - 1) * PAGE_SIZE
    key, direction = queue_order.resolve(flt.sort, flt.direction)
    where = _where(user, flt, settings, now, walk=_walks(session, key))
    if key == "due":
        ids = _due_ids(session, where, settings, direction, offset + PAGE_SIZE)[offset:]
        found = session.exec(
            _joined(_row_columns(settings, now)).where(col(Observation.id).in_(ids))
        ).all()
        place = {obs_id: i for i, obs_id in enumerate(ids)}
        rows = sorted(found, key=lambda r: place[r[0].id])
    else:
        rows = session.exec(
            _joined(_row_columns(settings, now))
            .where(*where)
            .order_by(*queue_order.order_by(key, direction, current_language()))
            .limit(PAGE_SIZE)
            .offset(offset)
        ).all()
    return replace(counted, rows=_rows(session, rows, user, settings), page=page)


def ordered_ids(
    *,
    session: Session,
    user: StaffUser,
    flt: QueueFilter,
    settings: Settings,
    limit: int,
    now: datetime | None = None,
) -> list[int]:
    """The ids the filter matches, in its sort order, the first `limit` (all pages)."""
    now = now or clock.now()
    key, direction = queue_order.resolve(flt.sort, flt.direction)
    where = _where(user, flt, settings, now, walk=_walks(session, key))
    if key == "due":
        return _due_ids(session, where, settings, direction, limit)
    return list(
        session.exec(
            _joined(select(Observation.id))
            .where(*where)
            .order_by(*queue_order.order_by(key, direction, current_language()))
            .limit(limit)
        ).all()
    )


def counts(
    *,
    session: Session,
    user: StaffUser,
    flt: QueueFilter,
    settings: Settings,
    now: datetime | None = None,
) -> QueuePage:
    """The filter's counts alone (no rows), to refresh them after an inline change."""
    now = now or clock.now()
    per_status, overdue_count = _counted(session, _where(user, flt, settings, now), settings, now)
    total = sum(per_status.values())
    pages = max(1, -(-total // PAGE_SIZE))
    return QueuePage(
        rows=[], total=total, page=1, pages=pages, counts=per_status, overdue_count=overdue_count
    )


def _counted(
    session: Session, where: list[ColumnElement[bool]], settings: Settings, now: datetime
) -> tuple[dict[Status, int], int]:
    """How many per status, and how many overdue, of what `where` matches: one pass."""
    late = case((deadlines.overdue_clause(settings, now), 1), else_=0)
    found = session.exec(
        _joined(select(Observation.status, func.count(), func.sum(late)).select_from(Observation))
        .where(*where)
        .group_by(Observation.status)
    ).all()
    per_status = {status: n for status, n, _late in found}
    overdue = sum(int(n_late or 0) for *_, n_late in found)
    return per_status, overdue


def _where(
    user: StaffUser, flt: QueueFilter, settings: Settings, now: datetime, *, walk: bool = False
) -> list[ColumnElement[bool]]:
    """The whole filter. `walk`: the status test is written so that SQLite cannot answer it
    from an index, and walks the sort's own index instead (see `_walks`)."""
    status = col(Observation.status)
    wanted = [str(s) for s in flt.statuses]
    return [
        *_filter_clauses(user, flt, settings, now),
        status.op("||")(literal("")).in_(wanted) if walk else status.in_(wanted),
    ]


def _walks(session: Session, key: str) -> bool:
    """True when SQLite should read rows along the sort's index (created_at, id, or the
    priority rank with created_at) and stop after one page. Without statistics SQLite would
    rather read every open row through the status index and sort them all (80 ms, against
    under 1 ms, at 100,000 rows). PostgreSQL's planner weighs both with its statistics."""
    return key in queue_order.INDEXED and session.get_bind().dialect.name == "sqlite"


def _due_ids(
    session: Session,
    where: list[ColumnElement[bool]],
    settings: Settings,
    direction: str,
    stop: int,
) -> list[int]:
    """The first `stop` ids by due date: each priority's rows along its index, merged."""
    created, obs_id = col(Observation.created_at), col(Observation.id)
    order = [created.asc(), obs_id.asc()] if direction == "asc" else [created.desc(), obs_id.desc()]

    def fetch(priority: Priority, limit: int):  # type: ignore[no-untyped-def]
        return session.exec(
            _joined(select(Observation.id, Observation.created_at))
            .where(*where, Observation.priority_rank == PRIORITY_RANK[priority])
            .order_by(*order)
            .limit(limit)
        ).all()

    return queue_order.merge_due(fetch, deadlines.due_days(settings), direction, stop)


def _filter_clauses(
    user: StaffUser, flt: QueueFilter, settings: Settings, now: datetime
) -> list[ColumnElement[bool]]:
    """What the filter asks for, except the statuses (the tabs count across those)."""
    # Good places are kept, not fixed: they belong to planners, not to the queue.
    where: list[ColumnElement[bool]] = [
        visibility.clause(user),
        Category.kind == CategoryKind.problem,
    ]
    if flt.category:
        where.append(col(Category.slug) == flt.category)
    if flt.zone:
        # Every report the zone contains: a district's includes its parts of town.
        where.append(
            col(Observation.id).in_(
                select(ObservationZone.observation_id)
                .join(Zone, col(Zone.id) == ObservationZone.zone_id)
                .where(col(Zone.slug) == flt.zone)
            )
        )
    if flt.unit:
        where.append(col(Unit.slug) == flt.unit)
    if flt.priority:
        where.append(Observation.priority == flt.priority)
    if flt.older_than_days:
        where.append(col(Observation.created_at) < now - timedelta(days=flt.older_than_days))
    if flt.assignee == "me":
        where.append(Observation.assignee_id == user.id)
    elif flt.assignee == "none":
        where.append(col(Observation.assignee_id).is_(None))
    elif flt.assignee and flt.assignee.isdigit():
        where.append(Observation.assignee_id == int(flt.assignee))
    if flt.overdue:
        where.append(deadlines.overdue_clause(settings, now))
    if flt.text:
        where.append(fulltext.clause(flt.text))
    if flt.since:
        where.append(reported_since(flt.since))
    if flt.photos_waiting:
        where.append(photo_moderation.waiting_clause())
    return where


def row(
    *,
    session: Session,
    user: StaffUser,
    obs: Observation,
    settings: Settings,
    now: datetime | None = None,
) -> QueueRow:
    """One queue row, as it looks now (after an inline change)."""
    now = now or clock.now()
    found = session.exec(_joined(_row_columns(settings, now)).where(Observation.id == obs.id)).all()
    return _rows(session, found, user, settings)[0]


def _joined(query):  # type: ignore[no-untyped-def]
    return (
        query.join(Category, col(Category.id) == Observation.category_id)
        .outerjoin(Zone, col(Zone.id) == Observation.zone_id)
        .outerjoin(Unit, col(Unit.id) == Observation.unit_id)
    )


def _row_columns(settings: Settings, now: datetime):  # type: ignore[no-untyped-def]
    return select(
        Observation,
        Category,
        Zone.name,
        Unit.name_sv,
        Unit.name_en,
        deadlines.overdue_clause(settings, now),
    )


def _rows(session: Session, rows, user: StaffUser, settings: Settings) -> list[QueueRow]:  # type: ignore[no-untyped-def]
    thumbs = _first_thumbs(session, [obs.id for obs, *_ in rows])
    lang = current_language()
    actor = lifecycle.Actor.staff(user)
    people = assignment.staff(session=session) if rows else []
    names = {p.id: p.name for p in people}
    missing = {obs.assignee_id for obs, *_ in rows if obs.assignee_id} - set(names)
    if missing:  # someone since deactivated still holds it: show their name all the same
        names |= dict(
            session.exec(
                select(StaffUser.id, StaffUser.name).where(col(StaffUser.id).in_(missing))
            ).all()
        )
    return [
        QueueRow(
            id=obs.id,
            token=obs.token,
            status=obs.status,
            priority=obs.priority,
            category=category,
            zone_name=zone_name,
            unit_name=unit_sv if lang == "sv" else unit_en,
            created_at=obs.created_at,
            due_at=deadlines.due_at(obs, settings),
            overdue=bool(is_overdue),
            supporters=obs.supporters,
            unsafe_level=obs.unsafe_level,
            description=obs.description,
            address=obs.address,
            thumb_url=thumbs.get(obs.id),
            moves=lifecycle.allowed_moves(obs, actor),
            assignee_id=obs.assignee_id,
            assignee_name=names.get(obs.assignee_id) if obs.assignee_id else None,
            assignable=assignment.assignable(obs, user, people),
        )
        for obs, category, zone_name, unit_sv, unit_en, is_overdue in rows
    ]


def _first_thumbs(session: Session, ids: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    if not ids:
        return found
    for photo in session.exec(
        select(Photo)
        .where(col(Photo.observation_id).in_(ids), Photo.kind == PhotoKind.report)
        .order_by(col(Photo.position))
    ).all():
        found.setdefault(photo.observation_id, photo.thumb_url)
    return found


# --- For the desk's other services: the CSV export and the start page read the same filter. ---

LOCAL_TZ = ZoneInfo("Europe/Stockholm")  # where "today" begins


def reported_since(day: date) -> ColumnElement[bool]:
    """Reported on or after `day`, a day in Boden (from local midnight)."""
    start = datetime.combine(day, time.min, tzinfo=LOCAL_TZ)
    return col(Observation.created_at) >= start


def matching(
    *, user: StaffUser, flt: QueueFilter, settings: Settings, now: datetime
) -> list[ColumnElement[bool]]:
    """Every clause of `flt`, its statuses included: the rows the list pages through (use with
    `joined`)."""
    return [
        *_filter_clauses(user, flt, settings, now),
        col(Observation.status).in_(list(flt.statuses)),
    ]


def joined(query):  # type: ignore[no-untyped-def]
    """`query` with the tables `matching`'s clauses read (category, zone, unit)."""
    return _joined(query)


def order_by(flt: QueueFilter, *, session: Session, settings: Settings) -> list:  # type: ignore[type-arg]
    """The list's sort for `flt` as ORDER BY terms, the id last so that the order is total
    (the due date as one computed term: for reading a whole filter, not one page)."""
    key, direction = queue_order.resolve(flt.sort, flt.direction)
    due = queue_order.due_term(session.get_bind().dialect.name, deadlines.due_days(settings))
    return queue_order.order_by(key, direction, current_language(), due)


def photos_waiting(*, session: Session, user: StaffUser, settings: Settings) -> int:
    """How many reports this user may see, in any status, have a photo waiting for moderation."""
    flt = QueueFilter(statuses=tuple(Status), photos_waiting=True)
    return counts(session=session, user=user, flt=flt, settings=settings).total
