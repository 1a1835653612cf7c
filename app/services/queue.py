"""The triage queue: what a triager or a unit has to do, filtered, sorted, counted.

A page of rows costs a fixed number of queries whatever its size (rows with their category,
zone and unit joined; first photos; the total; counts per status), so the queue stays fast
with 100,000 observations. An item is overdue when it is still open and older than the days
its priority allows (settings `due_days_*`); that is worked out in SQL, not stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app import clock
from app.config import Settings
from app.i18n import current_language
from app.labels import priority_label, status_label
from app.models import (
    OPEN_STATES,
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
from app.services import assignment, deadlines, fulltext, lifecycle, visibility

PAGE_SIZE = 50
SORTS = ("oldest", "newest", "priority", "supporters")


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
    sort: str = "oldest"
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
    now = now or clock.now()
    where = _filter_clauses(user, flt, settings, now)
    overdue = deadlines.overdue_clause(settings, now)

    # Counts per status for the same filter (except the status filter itself), for the tabs.
    counts = dict(
        session.exec(
            _joined(select(Observation.status, func.count()).select_from(Observation))
            .where(*where)
            .group_by(Observation.status)
        ).all()
    )
    overdue_count = session.exec(
        _joined(select(func.count()).select_from(Observation)).where(*where, overdue)
    ).one()

    where.append(col(Observation.status).in_(list(flt.statuses)))
    total = session.exec(_joined(select(func.count()).select_from(Observation)).where(*where)).one()
    order = {
        "oldest": [col(Observation.created_at).asc()],
        "newest": [col(Observation.created_at).desc()],
        "priority": [_priority_order(), col(Observation.created_at).asc()],
        "supporters": [col(Observation.supporters).desc(), col(Observation.created_at).asc()],
    }[flt.sort if flt.sort in SORTS else "oldest"]
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, flt.page), pages)
    rows = session.exec(
        _joined(_row_columns(settings, now))
        .where(*where)
        .order_by(*order, col(Observation.id).asc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return QueuePage(
        rows=_rows(session, rows, user, settings),
        total=total,
        page=page,
        pages=pages,
        counts=counts,
        overdue_count=overdue_count,
    )


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
    return where


@dataclass(frozen=True)
class MapPoints:
    features: list[dict[str, object]]  # GeoJSON points
    total: int  # how many match; more than len(features) when the map was capped
    # Status and priority in words, once for the whole map rather than once per point.
    labels: dict[str, dict[str, str]] = field(default_factory=dict)


def map_points(
    *,
    session: Session,
    user: StaffUser,
    flt: QueueFilter,
    settings: Settings,
    limit: int = 10_000,
    now: datetime | None = None,
) -> MapPoints:
    """The same filter as the list, as points for a map (all pages, up to `limit`, the most
    urgent first so that a capped map still shows what matters)."""
    now = now or clock.now()
    where = [
        *_filter_clauses(user, flt, settings, now),
        col(Observation.status).in_(list(flt.statuses)),
    ]
    total = session.exec(_joined(select(func.count()).select_from(Observation)).where(*where)).one()
    found = session.exec(
        _joined(
            select(
                Observation.id,
                Observation.lat,
                Observation.lon,
                Observation.status,
                Observation.priority,
                Category.name_sv,
                Category.name_en,
                Category.icon,
                deadlines.overdue_clause(settings, now),
            )
        )
        .where(*where)
        .order_by(_priority_order(), col(Observation.created_at).asc(), col(Observation.id))
        .limit(limit)
    ).all()
    lang = current_language()
    return MapPoints(
        features=[
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                "properties": {
                    "id": obs_id,
                    "category": name_sv if lang == "sv" else name_en,
                    "icon": icon,
                    "status": str(status),
                    "priority": str(priority),
                    "overdue": bool(is_overdue),
                },
            }
            for obs_id, lat, lon, status, priority, name_sv, name_en, icon, is_overdue in found
        ],
        total=total,
        labels={
            "status": {str(s): status_label(s) for s in Status},
            "priority": {str(p): priority_label(p) for p in Priority},
        },
    )


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


def _priority_order():  # type: ignore[no-untyped-def]
    # The stored rank (models.PRIORITY_RANK), so that the sort can use ix_observation_rank.
    return col(Observation.priority_rank).asc()


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


def neighbours(
    *,
    session: Session,
    user: StaffUser,
    flt: QueueFilter,
    settings: Settings,
    observation_id: int,
    now: datetime | None = None,
) -> tuple[int | None, int | None]:
    """The reports just before and after `observation_id` in the queue's filter and order,
    across pages (None at either end): the report page's "previous" and "next". A report the
    filter no longer holds (just closed, say) still has the ones around its place."""
    now = now or clock.now()
    # The same order as `search` (kept in step with it by hand), the id last: (column, asc).
    keys = [
        *{
            "oldest": [(col(Observation.created_at), True)],
            "newest": [(col(Observation.created_at), False)],
            "priority": [(_priority_order().element, True), (col(Observation.created_at), True)],
            "supporters": [
                (col(Observation.supporters), False),
                (col(Observation.created_at), True),
            ],
        }[flt.sort if flt.sort in SORTS else "oldest"],
        (col(Observation.id), True),
    ]
    here = session.exec(
        select(*[column for column, _asc in keys]).where(Observation.id == observation_id)
    ).first()
    if here is None:
        return None, None
    where = [
        *_filter_clauses(user, flt, settings, now),
        col(Observation.status).in_(list(flt.statuses)),
    ]
    found = []
    for forward in (False, True):
        # Lexicographic "after" (or "before") the report's own place: the first key that
        # differs decides.
        beyond = None
        for (column, asc), value in reversed(list(zip(keys, here, strict=True))):
            step = column > value if asc == forward else column < value
            beyond = step if beyond is None else or_(step, and_(column == value, beyond))
        found.append(
            session.exec(
                _joined(select(Observation.id))
                .where(*where, beyond)
                .order_by(*[c.asc() if asc == forward else c.desc() for c, asc in keys])
                .limit(1)
            ).first()
        )
    return found[0], found[1]


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


def order_by(flt: QueueFilter) -> list:  # type: ignore[type-arg]
    """The list's sort for `flt`, the id last so that the order is total."""
    order = {
        "oldest": [col(Observation.created_at).asc()],
        "newest": [col(Observation.created_at).desc()],
        "priority": [_priority_order(), col(Observation.created_at).asc()],
        "supporters": [col(Observation.supporters).desc(), col(Observation.created_at).asc()],
    }[flt.sort if flt.sort in SORTS else "oldest"]
    return [*order, col(Observation.id).asc()]
