"""Recurring spots: places reported again and again.

A spot is a group of reports that lie within `distance_m` of its first report and came in
during at least two different months (any category: a dark path reported as a broken lamp in
November and as bushes in March is one place that keeps coming back). Good places are kept, not
problems, and private categories are never placed on a planner's map, so neither takes part.

The grouping is greedy and deterministic: the report with the most neighbours within the
distance (the oldest on a tie) seeds a spot that takes every not yet taken neighbour; then the
next. Chains do not grow: a long street of reports 20 m apart is several spots, not one. The
neighbours come from shapely's STRtree in metres (a local flat projection is exact to well under
a metre over a few hundred metres at Boden's latitude).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import shapely
from sqlalchemy import and_, func
from sqlmodel import Session, col, select

from app.models import Category, CategoryKind, Observation
from app.services import history
from app.services.area import Scope
from app.services.planning_filters import Filters

DEFAULT_DISTANCE_M = 25.0
MIN_MONTHS = 2
# Beyond this many reports in a view, spots are counted per square in SQL (see `spots`).
EXACT_LIMIT = 3_000
SQUARES_SHOWN = 50
METRES_PER_DEGREE_LAT = 111_320.0


@dataclass(frozen=True)
class RecurringSpot:
    lat: float  # the mean position of its reports
    lon: float
    count: int
    months: int  # different months in which it was reported
    first: date
    last: date
    observation_ids: tuple[int, ...]
    categories: tuple[str, ...]  # slugs, most frequent first

    @property
    def key(self) -> str:
        """Stable while the same reports make it: the oldest report's id."""
        return f"spot-{min(self.observation_ids)}"


def spots(
    *,
    session: Session,
    scope: Scope,
    filters: Filters,
    distance_m: float = DEFAULT_DISTANCE_M,
    limit: int | None = None,
) -> list[RecurringSpot]:
    """The area's recurring spots, the most reported first.

    Up to EXACT_LIMIT reports, the grouping above, exactly. Beyond that (a whole district with
    hundreds of thousands of reports) the pairs within the distance grow with the square of the
    density and would not fit in memory, so the reports are counted in SQL per square of the
    distance's size instead, and a square reported in two months or more is a spot: close to the
    same answer, in constant memory (bench/README.md has the figures)."""
    shown = and_(
        scope.clause(),
        filters.clause(),
        col(Category.kind) == CategoryKind.problem,
        ~col(Category.private),
    )
    joined = (
        select().select_from(Observation).join(Category, Category.id == Observation.category_id)
    )  # type: ignore[arg-type]
    total = session.exec(joined.add_columns(func.count()).where(shown)).one()[0]
    if total > EXACT_LIMIT:
        return _by_squares(session, shown, scope, distance_m, limit or SQUARES_SHOWN)
    rows = session.exec(
        select(
            Observation.id, Observation.lat, Observation.lon, Observation.created_at, Category.slug
        )
        .join(Category, Category.id == Observation.category_id)  # type: ignore[arg-type]
        .where(shown)
        .order_by(col(Observation.created_at), col(Observation.id))
    ).all()
    found = group(rows, distance_m=distance_m)
    return found[:limit] if limit is not None else found


def _by_squares(
    session: Session, shown, scope: Scope, distance_m: float, limit: int
) -> list[RecurringSpot]:  # type: ignore[no-untyped-def]
    """Spots as squares of `distance_m` (see `spots`), counted in SQL, the most reported first."""
    mid_lat = math.radians(scope.geometry.centroid.y)
    cell_lat = distance_m / METRES_PER_DEGREE_LAT
    cell_lon = distance_m / (METRES_PER_DEGREE_LAT * math.cos(mid_lat))
    row_of = func.floor(Observation.lat / cell_lat)
    column_of = func.floor(Observation.lon / cell_lon)
    months = func.count(func.distinct(history.month_of(session, Observation.created_at)))
    squares = session.exec(
        select(
            func.count(),
            months,
            func.min(Observation.created_at),
            func.max(Observation.created_at),
            func.avg(Observation.lat),
            func.avg(Observation.lon),
            func.min(Observation.id),
        )
        .select_from(Observation)
        .join(Category, Category.id == Observation.category_id)  # type: ignore[arg-type]
        .where(shown)
        .group_by(row_of, column_of)
        .having(months >= MIN_MONTHS)
        .order_by(func.count().desc(), func.min(Observation.id))
        .limit(limit)
    ).all()
    return [
        RecurringSpot(
            lat=float(lat),
            lon=float(lon),
            count=int(count),
            months=int(n_months),
            first=_day(first),
            last=_day(last),
            observation_ids=(int(first_id),),
            categories=(),
        )
        for count, n_months, first, last, lat, lon, first_id in squares
    ]


def _day(value) -> date:  # type: ignore[no-untyped-def]
    # An aggregate over a stored time comes back as text on SQLite.
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value.date()


def group(rows, *, distance_m: float) -> list[RecurringSpot]:  # type: ignore[no-untyped-def]
    """Spots among (id, lat, lon, created_at, category slug) rows, oldest first."""
    if len(rows) < MIN_MONTHS:
        return []
    ids = np.array([r[0] for r in rows])
    lat = np.array([r[1] for r in rows], dtype=float)
    lon = np.array([r[2] for r in rows], dtype=float)
    months = [r[3].year * 12 + r[3].month for r in rows]
    mid_lat = math.radians(float(lat.mean()))
    x = lon * METRES_PER_DEGREE_LAT * math.cos(mid_lat)
    y = lat * METRES_PER_DEGREE_LAT
    points = shapely.points(x, y)
    tree = shapely.STRtree(points)
    left, right = tree.query(points, predicate="dwithin", distance=distance_m)
    neighbours: list[list[int]] = [[] for _ in rows]
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        neighbours[a].append(b)
    # Most neighbours first; on a tie the oldest (rows come oldest first).
    order = sorted(range(len(rows)), key=lambda i: (-len(neighbours[i]), i))
    taken = np.zeros(len(rows), dtype=bool)
    found: list[RecurringSpot] = []
    for seed in order:
        if taken[seed]:
            continue
        members = sorted(i for i in neighbours[seed] if not taken[i])
        if len({months[i] for i in members}) < MIN_MONTHS:
            continue
        taken[members] = True
        slugs: dict[str, int] = {}
        for i in members:
            slugs[rows[i][4]] = slugs.get(rows[i][4], 0) + 1
        found.append(
            RecurringSpot(
                lat=float(lat[members].mean()),
                lon=float(lon[members].mean()),
                count=len(members),
                months=len({months[i] for i in members}),
                first=min(rows[i][3] for i in members).date(),
                last=max(rows[i][3] for i in members).date(),
                observation_ids=tuple(int(ids[i]) for i in members),
                categories=tuple(sorted(slugs, key=lambda s: (-slugs[s], s))),
            )
        )
    found.sort(key=lambda s: (-s.count, -s.months, s.first, s.key))
    return found
