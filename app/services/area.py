"""Where a planner's view looks: a zone, or any polygon (drawn on the map or an uploaded plan
area), as one SQL clause over Observation.

A zone's observations are an indexed lookup (their zone is stored when they are placed). A polygon
is tested in SQL on the stored latitude and longitude, so that a million rows are counted where
they lie and a point near the border counts by its stored position, never by a rounded one. The
test is the even-odd crossing rule (a ray from the point towards the east crosses the outline an
odd number of times), which also handles holes and multipolygons: every ring of every part is
summed. Off the outline it agrees with shapely's `covers`; exactly on it, a point on a southern or
western edge counts as inside and one on a northern or eastern edge as outside.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import ColumnElement, and_, case, func, literal, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.models import Observation, ObservationZone, PlanningArea, Zone

# Each edge is a few bound values in SQL; an outline with more corners is refused by the caller
# (an uploaded plan area of that size becomes a zone and is placed once instead).
MAX_EDGES = 2_000


@dataclass(frozen=True)
class Scope:
    """A zone (by id) or a polygon in WGS 84 (lon, lat)."""

    geometry: BaseGeometry
    label: str
    zone_id: int | None = None
    zone_slug: str | None = None
    area_key: str | None = None  # a kept drawn or uploaded area

    @property
    def is_zone(self) -> bool:
        return self.zone_id is not None

    def clause(self) -> ColumnElement[bool]:
        """The observations inside, as a SQL clause over Observation."""
        if self.zone_id is not None:
            return zone_clause(self.zone_id)
        return polygon_clause(self.geometry)

    def geojson(self) -> dict[str, Any]:
        return dict(mapping(self.geometry))


def of_zone(zone: Zone) -> Scope:
    return Scope(
        geometry=shape(_loads(zone.geometry)),
        label=zone.name,
        zone_id=zone.id,
        zone_slug=zone.slug,
    )


def of_zone_slug(*, session: Session, slug: str) -> Scope | None:
    zone = session.exec(select(Zone).where(Zone.slug == slug)).first()
    return of_zone(zone) if zone else None


def of_polygon(geometry: BaseGeometry, *, label: str = "") -> Scope:
    if not isinstance(geometry, Polygon | MultiPolygon) or geometry.is_empty:
        raise ValueError("an area is a Polygon or a MultiPolygon")
    if edge_count(geometry) > MAX_EDGES:
        raise ValueError(f"an area has at most {MAX_EDGES} edges")
    return Scope(geometry=geometry, label=label)


def save(*, session: Session, geometry: BaseGeometry, name: str = "") -> str:
    """Keep a drawn or uploaded area and return its key (the same outline, the same key)."""
    scope = of_polygon(geometry)  # refuses what a view cannot use
    text = json.dumps(scope.geojson(), separators=(",", ":"))
    key = hashlib.sha256(text.encode()).hexdigest()[:16]
    if session.get(PlanningArea, key) is None:
        session.add(PlanningArea(key=key, geometry=text, name=name[:200]))
        try:
            session.commit()
        except IntegrityError:  # the same outline saved at the same moment by someone else
            session.rollback()
    return key


def by_key(*, session: Session, key: str) -> Scope | None:
    """The kept area with this key, or None."""
    if len(key) != 16 or not all(c in "0123456789abcdef" for c in key):
        return None
    saved = session.get(PlanningArea, key)
    if saved is None:
        return None
    return Scope(geometry=shape(_loads(saved.geometry)), label=saved.name, area_key=key)


def _loads(text: str) -> dict[str, Any]:
    return json.loads(text)


def zone_clause(zone_id: int) -> ColumnElement[bool]:
    # Every observation the zone contains (a district's includes its parts of town'), read from
    # the membership rows that placing writes: an index lookup, not a geometry test.
    return col(Observation.id).in_(
        select(ObservationZone.observation_id).where(ObservationZone.zone_id == zone_id)
    )


def _rings(geometry: BaseGeometry) -> list[list[tuple[float, float]]]:
    polygons = geometry.geoms if isinstance(geometry, MultiPolygon) else [geometry]
    rings: list[list[tuple[float, float]]] = []
    for polygon in polygons:
        for ring in (polygon.exterior, *polygon.interiors):
            rings.append([(float(x), float(y)) for x, y, *_ in ring.coords])
    return rings


def edge_count(geometry: BaseGeometry) -> int:
    return sum(len(ring) - 1 for ring in _rings(geometry))


def _balanced_sum(terms: list[ColumnElement[int]]) -> ColumnElement[int]:
    """a + b + c ... as a balanced tree: SQLite refuses expressions nested 1,000 deep."""
    if len(terms) == 1:
        return terms[0]
    middle = len(terms) // 2
    # SQLAlchemy drops the parentheses of an associative `+`, so the nesting is made explicit
    # with abs(), which leaves a count of crossings (never negative) as it is.
    return func.abs(_balanced_sum(terms[:middle]) + _balanced_sum(terms[middle:]))


def polygon_clause(geometry: BaseGeometry) -> ColumnElement[bool]:
    """The observations whose stored (lat, lon) lie inside `geometry`, in SQL."""
    lat, lon = Observation.lat, Observation.lon
    min_x, min_y, max_x, max_y = geometry.bounds
    crossings: list[ColumnElement[int]] = []
    for ring in _rings(geometry):
        for (x1, y1), (x2, y2) in pairwise(ring):
            if y1 == y2:
                continue  # a horizontal edge is never crossed by an eastward ray
            low, high = (y1, y2) if y1 < y2 else (y2, y1)
            slope = (x2 - x1) / (y2 - y1)
            # The ray crosses this edge: the edge spans the point's latitude (half-open, so a
            # shared corner is counted once) and the edge lies east of the point there.
            crosses = and_(lat >= low, lat < high, lon < literal(x1) + (lat - y1) * slope)
            crossings.append(case((crosses, 1), else_=0))
    if not crossings:
        return literal(False)  # type: ignore[return-value]
    inside_box = and_(lat >= min_y, lat <= max_y, lon >= min_x, lon <= max_x)
    return and_(inside_box, _balanced_sum(crossings) % 2 == 1)  # type: ignore[return-value]


def any_of(scopes: list[Scope]) -> ColumnElement[bool]:
    return or_(*(s.clause() for s in scopes))
