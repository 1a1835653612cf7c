"""The history of a zone or any area, for planners: what was reported there, when, how it was
handled, how unsafe it felt, and what is worth keeping.

Every figure is one SQL aggregate over the area's observations (a million rows are counted where
they lie, not in Python). Planners see everything but personal data: no contact, no notes, no
token, and a private category (drug dealing, say) only as a count: its reports are in the totals
and the category table, never on the map or in a list.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Float, and_, cast, func, or_, select
from sqlmodel import Session, col

from app.models import CLOSED_STATES, Category, CategoryKind, Observation, Status, Walk
from app.services.area import Scope
from app.services.planning_filters import Filters

FIXED = (Status.fixed, Status.verified)
# Not a problem that was or was not fixed: merged into another report, or someone else's.
NOT_COUNTED_FOR_FIXING = (Status.duplicate, Status.not_ours)


@dataclass(frozen=True)
class Count:
    key: str
    label: str
    count: int
    private: bool = False


@dataclass(frozen=True)
class YearUnsafety:
    year: int
    average: float | None  # felt unsafety 1-5, None when nobody said
    answers: int
    change: float | None  # against the year before, when both have answers


@dataclass(frozen=True)
class WalkHeld:
    id: int
    title: str
    starts_at: str  # ISO date
    status: str
    observations: int


@dataclass(frozen=True)
class GoodPlace:
    id: int
    lat: float
    lon: float
    category: str
    description: str
    reported_on: str  # ISO date


@dataclass(frozen=True)
class History:
    total: int  # every report in the area and filters, good places included
    problems: int
    good_places: int
    open: int
    fixed: int
    share_fixed: float | None  # fixed or verified among the problems that could be fixed
    median_days_to_fix: float | None
    months: list[Count]  # "YYYY-MM", every month from the first report to the last
    categories: list[Count]
    statuses: list[Count]
    dark: int
    daylight: int
    unsafety_by_year: list[YearUnsafety]
    walks: list[WalkHeld]
    good: list[GoodPlace]


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def month_of(session: Session, column) -> ColumnElement[str]:  # type: ignore[no-untyped-def]
    """'YYYY-MM' of a stored UTC time, in SQL."""
    if _dialect(session) == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def days_between(session: Session, start, end) -> ColumnElement[float]:  # type: ignore[no-untyped-def]
    if _dialect(session) == "postgresql":
        return func.extract("epoch", end - start) / 86400.0
    return cast(func.julianday(end) - func.julianday(start), Float)


def where(scope: Scope, filters: Filters) -> ColumnElement[bool]:
    return and_(scope.clause(), filters.clause())


def summary(*, session: Session, scope: Scope, filters: Filters, lang: str) -> History:
    """Every figure of the history page for `scope` narrowed by `filters`."""
    inside = where(scope, filters)
    kinds = {c.id: c for c in session.exec(select(Category)).scalars()}
    month = month_of(session, Observation.created_at)

    # One pass over the area's rows: counts per category, status, darkness and month, with the
    # felt unsafety's sum and answers; every table, the timeline and the yearly averages are
    # read from these few thousand groups (one pass costs a third of three, bench/README.md).
    groups = session.exec(
        select(
            Observation.category_id,
            Observation.status,
            Observation.dark,
            month,
            func.count(),
            func.sum(Observation.unsafe_level),
            func.count(Observation.unsafe_level),
        )
        .where(inside)
        .group_by(Observation.category_id, Observation.status, Observation.dark, month)
    ).all()
    categories: dict[str, Count] = {}
    statuses: dict[str, int] = {}
    months: dict[str, int] = {}
    felt: dict[str, list[float]] = {}  # year -> [sum, answers], problems only
    total = problems = good = open_ = fixed = fixable = dark = daylight = 0
    for category_id, status, is_dark, in_month, n, unsafe_sum, answers in groups:
        category = kinds[category_id]
        total += n
        months[str(in_month)] = months.get(str(in_month), 0) + n
        seen = categories.get(category.slug)
        categories[category.slug] = Count(
            category.slug,
            category.name(lang),
            (seen.count if seen else 0) + n,
            bool(category.private),
        )
        if is_dark:
            dark += n
        else:
            daylight += n
        if category.kind == CategoryKind.good:
            good += n
            continue
        problems += n
        statuses[str(status)] = statuses.get(str(status), 0) + n
        if status not in CLOSED_STATES:
            open_ += n
        if status in FIXED:
            fixed += n
        if status not in NOT_COUNTED_FOR_FIXING:
            fixable += n
        year = felt.setdefault(str(in_month)[:4], [0.0, 0])
        year[0] += float(unsafe_sum or 0)
        year[1] += int(answers)
    month_rows = sorted(months.items())
    year_rows = [
        (year, (sum_ / answers) if answers else None, answers)
        for year, (sum_, answers) in sorted(felt.items())
    ]

    # Days to fix, grouped by whole day in SQL; the median is read from the counts per day.
    days = func.floor(days_between(session, Observation.created_at, Observation.fixed_at))
    day_rows = session.exec(
        select(days, func.count())
        .select_from(Observation)
        .where(inside, col(Observation.status).in_(FIXED), col(Observation.fixed_at).is_not(None))
        .group_by(days)
    ).all()

    return History(
        total=total,
        problems=problems,
        good_places=good,
        open=open_,
        fixed=fixed,
        share_fixed=(fixed / fixable) if fixable else None,
        median_days_to_fix=_median_of_counts(day_rows),
        months=_every_month([(str(m), int(n)) for m, n in month_rows]),
        categories=sorted(categories.values(), key=lambda c: (-c.count, c.label)),
        statuses=[
            Count(s.value, s.value, statuses[s.value]) for s in Status if s.value in statuses
        ],
        dark=dark,
        daylight=daylight,
        unsafety_by_year=_years(year_rows),
        walks=walks_held(session=session, scope=scope, filters=filters),
        good=good_places(session=session, scope=scope, filters=filters, lang=lang),
    )


def _median_of_counts(rows) -> float | None:  # type: ignore[no-untyped-def]
    values = sorted((float(d), int(n)) for d, n in rows if d is not None)
    total = sum(n for _, n in values)
    if not total:
        return None
    # The middle one (or the two middle ones) of `total` values laid out in order.
    wanted = [(total - 1) // 2, total // 2]
    found: list[float] = []
    seen = 0
    for value, n in values:
        while wanted and wanted[0] < seen + n:
            found.append(value)
            wanted.pop(0)
        seen += n
    return statistics.fmean(found)


def _every_month(rows: list[tuple[str, int]]) -> list[Count]:
    """Months with no report are shown as zero, so that a gap is visible in the timeline."""
    if not rows:
        return []
    counts = dict(rows)
    first, last = rows[0][0], rows[-1][0]
    year, month = int(first[:4]), int(first[5:7])
    out: list[Count] = []
    while f"{year:04d}-{month:02d}" <= last:
        key = f"{year:04d}-{month:02d}"
        out.append(Count(key, key, counts.get(key, 0)))
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return out


def _years(rows) -> list[YearUnsafety]:  # type: ignore[no-untyped-def]
    out: list[YearUnsafety] = []
    previous: float | None = None
    for year, average, answers in rows:
        avg = round(float(average), 2) if average is not None else None
        change = round(avg - previous, 2) if avg is not None and previous is not None else None
        out.append(YearUnsafety(int(year), avg, int(answers), change))
        if avg is not None:
            previous = avg
    return out


def walks_held(*, session: Session, scope: Scope, filters: Filters) -> list[WalkHeld]:
    """Walks in the area: those planned for the zone, or with reports inside the area."""
    inside = where(scope, filters)
    counted = dict(
        session.exec(
            select(Observation.walk_id, func.count())
            .where(inside, col(Observation.walk_id).is_not(None))
            .group_by(Observation.walk_id)
        ).all()
    )
    conditions = [col(Walk.id).in_(list(counted))] if counted else []
    if scope.zone_id is not None:
        conditions.append(Walk.zone_id == scope.zone_id)
    if not conditions:
        return []
    # sqlalchemy's select through session.exec gives rows, not Walks: scalars() gives Walks.
    walks = session.scalars(
        select(Walk).where(or_(*conditions)).order_by(col(Walk.starts_at).desc())
    ).all()
    return [
        WalkHeld(
            w.id or 0, w.title, w.starts_at.date().isoformat(), str(w.status), counted.get(w.id, 0)
        )
        for w in walks
    ]


def good_places(
    *, session: Session, scope: Scope, filters: Filters, lang: str, limit: int = 200
) -> list[GoodPlace]:
    """Places worth keeping in the area (never a private category), newest first."""
    rows = session.exec(
        select(
            Observation.id,
            Observation.lat,
            Observation.lon,
            Category.name_sv,
            Category.name_en,
            Observation.description,
            Observation.created_at,
        )
        .join(Category, Category.id == Observation.category_id)  # type: ignore[arg-type]
        .where(
            where(scope, filters), col(Category.kind) == CategoryKind.good, ~col(Category.private)
        )
        .order_by(col(Observation.created_at).desc(), col(Observation.id).desc())
        .limit(limit)
    ).all()
    return [
        GoodPlace(
            i or 0, lat, lon, sv if lang == "sv" else en, description, created.date().isoformat()
        )
        for i, lat, lon, sv, en, description, created in rows
    ]


@dataclass(frozen=True)
class MapPoint:
    id: int
    lat: float
    lon: float
    status: str
    category: str  # slug
    good: bool
    dark: bool
    reported_on: date


def points(
    *, session: Session, scope: Scope, filters: Filters, limit: int = 5000
) -> tuple[list[MapPoint], int]:
    """The area's reports for a map (never a private category), newest first, at most `limit`;
    and how many there are in all."""
    shown = and_(where(scope, filters), ~col(Category.private))
    total = session.exec(
        select(func.count())
        .select_from(Observation)
        .join(Category, Category.id == Observation.category_id)
        .where(shown)  # type: ignore[arg-type]
    ).scalar_one()
    rows = session.exec(
        select(
            Observation.id,
            Observation.lat,
            Observation.lon,
            Observation.status,
            Category.slug,
            Category.kind,
            Observation.dark,
            Observation.created_at,
        )
        .join(Category, Category.id == Observation.category_id)  # type: ignore[arg-type]
        .where(shown)
        .order_by(col(Observation.created_at).desc(), col(Observation.id).desc())
        .limit(limit)
    ).all()
    return [
        MapPoint(i, lat, lon, str(status), slug, kind == CategoryKind.good, bool(d), created.date())
        for i, lat, lon, status, slug, kind, d, created in rows
    ], int(total)
