"""Zones: placing a point in every zone that contains it, and the zones as GeoJSON.

Zones nest: a part of town lies in a district, a plan area anywhere. An observation belongs to
each zone that covers its stored point (one `ObservationZone` row per zone), and its
`zone_id` is the innermost of them that is not a plan area: the district or part of town that
routing and the triage queue work with. Both are written when the observation is stored (and
again by a re-placement run, `zone_placement`), so a zone's history is an indexed lookup, not a
point-in-polygon search over every observation.

"Innermost" is the smallest area (in m², SWEREF 99 TM); a point on a shared border is covered
by both zones (shapely `covers`), which is what a planner expects of a border.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import Point, mapping, shape
from shapely.geometry.base import BaseGeometry
from sqlmodel import Session, col, func, select

from app.models import Observation, ObservationZone, Zone, ZoneKind

WGS84 = 4326
SWEREF99TM = 3006
# Stored coordinates are rounded to this many decimals of a degree: about a centimetre.
DECIMALS = 7

_local = threading.local()  # pyproj transformers are made once per thread


def transformer(source: int, target: int) -> Transformer:
    """A lon/lat-ordered (always_xy) transformer between two EPSG codes, cached per thread."""
    cache: dict[tuple[int, int], Transformer] = _local.__dict__.setdefault("cache", {})
    key = (source, target)
    if key not in cache:
        cache[key] = Transformer.from_crs(source, target, always_xy=True)
    return cache[key]


def reproject(geometry: BaseGeometry, *, source: int, target: int) -> BaseGeometry:
    """The geometry in another CRS (every vertex through pyproj at once)."""
    if source == target:
        return geometry
    move = transformer(source, target)

    def each(xy: np.ndarray) -> np.ndarray:
        x, y = move.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometry, each)


def rounded(geometry: BaseGeometry) -> BaseGeometry:
    """WGS 84 coordinates rounded to DECIMALS (what is stored)."""
    return shapely.transform(geometry, lambda xy: np.round(xy, DECIMALS))


def area_m2(geometry: BaseGeometry) -> float:
    """The area of a WGS 84 geometry in m², measured in SWEREF 99 TM."""
    return float(reproject(geometry, source=WGS84, target=SWEREF99TM).area)


def dumps(geometry: BaseGeometry) -> str:
    """The stored GeoJSON text of a geometry: compact, always made the same way, so that an
    unchanged outline compares equal."""
    return json.dumps(mapping(geometry), separators=(",", ":"))


def shape_of(zone: Zone) -> BaseGeometry:
    return shape(json.loads(zone.geometry))


def bounds_of(geometry: dict[str, Any]) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a GeoJSON geometry; it must be a valid polygon."""
    geom = shape(geometry)
    if geom.geom_type not in ("Polygon", "MultiPolygon") or not geom.is_valid:
        raise ValueError("a zone must be a valid Polygon or MultiPolygon")
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    return min_lat, max_lat, min_lon, max_lon


def set_outline(zone: Zone, geometry: BaseGeometry) -> None:
    """Give a zone its outline (WGS 84, rounded), with the box and the area that go with it."""
    geometry = rounded(geometry)
    zone.geometry = dumps(geometry)
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    zone.min_lat, zone.max_lat, zone.min_lon, zone.max_lon = min_lat, max_lat, min_lon, max_lon
    zone.area_m2 = area_m2(geometry)


def innermost_first(found: Iterable[Zone]) -> list[Zone]:
    """The smallest zone first (the id breaks a tie, so the order is the same every time)."""
    return sorted(found, key=lambda z: (z.area_m2, z.id or 0))


def innermost(found: Sequence[Zone]) -> Zone | None:
    """The zone an observation's `zone_id` names: the smallest that is not a plan area."""
    return next((z for z in innermost_first(found) if z.kind != ZoneKind.plan_area), None)


def place(*, session: Session, lat: float, lon: float) -> list[Zone]:
    """Every zone that covers the point, the innermost first (the SQL box filter first, then
    the polygon)."""
    candidates = session.exec(
        select(Zone).where(
            col(Zone.min_lat) <= lat,
            col(Zone.max_lat) >= lat,
            col(Zone.min_lon) <= lon,
            col(Zone.max_lon) >= lon,
        )
    ).all()
    point = Point(lon, lat)
    return innermost_first(z for z in candidates if shape_of(z).covers(point))


def link(*, session: Session, observation_id: int, found: Sequence[Zone]) -> None:
    """Record that the observation lies in each of `found` (a new observation, at capture)."""
    session.add_all(
        ObservationZone(zone_id=zone.id, observation_id=observation_id)  # type: ignore[arg-type]
        for zone in found
    )


@dataclass(frozen=True)
class Placed:
    zone_ids: list[int]  # every zone that covers the point, the innermost first
    zone_id: int | None  # the innermost that is not a plan area


class Placer:
    """Every zone in memory, prepared, for placing many points (a re-placement run)."""

    def __init__(self, zones: Sequence[Zone]) -> None:
        self._zones = [
            (zone.id, zone.kind, zone.min_lat, zone.max_lat, zone.min_lon, zone.max_lon, geom)
            for zone in innermost_first(zones)
            for geom in [shape_of(zone)]
        ]
        for *_, geom in self._zones:
            shapely.prepare(geom)

    @classmethod
    def load(cls, *, session: Session) -> Placer:
        return cls(session.exec(select(Zone)).all())

    def at(self, lat: float, lon: float) -> Placed:
        point = Point(lon, lat)
        ids: list[int] = []
        innermost_id = None
        for zone_id, kind, min_lat, max_lat, min_lon, max_lon, geom in self._zones:
            if min_lat <= lat <= max_lat and min_lon <= lon <= max_lon and geom.covers(point):
                ids.append(zone_id)
                if innermost_id is None and kind != ZoneKind.plan_area:
                    innermost_id = zone_id
        return Placed(ids, innermost_id)


def upsert(
    *,
    session: Session,
    slug: str,
    name: str,
    geometry: dict[str, Any],
    kind: ZoneKind = ZoneKind.district,
    parent_id: int | None = None,
) -> Zone:
    """Create or replace a zone by slug (the demo load; files go through `zone_import`)."""
    bounds_of(geometry)  # refuses what is not a valid polygon
    zone = session.exec(select(Zone).where(Zone.slug == slug)).first() or Zone(
        slug=slug, name=name, geometry=""
    )
    zone.name, zone.kind, zone.parent_id = name, kind, parent_id
    set_outline(zone, shape(geometry))
    session.add(zone)
    return zone


def listed(*, session: Session) -> list[Zone]:
    return list(session.exec(select(Zone).order_by(Zone.name)).all())


def by_slug(*, session: Session) -> dict[str, Zone]:
    return {zone.slug: zone for zone in session.exec(select(Zone))}


@dataclass(frozen=True)
class ZoneRow:
    zone: Zone
    parent: Zone | None
    observations: int  # observations that lie in it (nested ones count in each zone)
    innermost: int  # of those, the ones whose zone_id is this zone


def overview(*, session: Session) -> list[ZoneRow]:
    """Every zone with its parent and its observation counts, each parent before its
    children (in name order), for the administrator's list."""
    zones = session.exec(select(Zone)).all()
    in_zone = dict(
        session.exec(  # type: ignore[call-overload]
            select(ObservationZone.zone_id, func.count()).group_by(ObservationZone.zone_id)
        ).all()
    )
    as_zone_id = dict(
        session.exec(  # type: ignore[call-overload]
            select(Observation.zone_id, func.count())
            .where(col(Observation.zone_id).is_not(None))
            .group_by(Observation.zone_id)
        ).all()
    )
    by_id = {zone.id: zone for zone in zones}
    children: dict[int | None, list[Zone]] = {}
    for zone in zones:
        parent = zone.parent_id if zone.parent_id in by_id else None
        children.setdefault(parent, []).append(zone)
    rows: list[ZoneRow] = []
    seen: set[int | None] = set()

    def visit(parent_id: int | None) -> None:
        for zone in sorted(children.get(parent_id, []), key=lambda z: z.name.casefold()):
            if zone.id in seen:
                continue
            seen.add(zone.id)
            rows.append(
                ZoneRow(
                    zone=zone,
                    parent=by_id.get(zone.parent_id),
                    observations=in_zone.get(zone.id, 0),
                    innermost=as_zone_id.get(zone.id, 0),
                )
            )
            visit(zone.id)

    visit(None)
    return rows


def feature_collection(*, session: Session) -> dict[str, Any]:
    """Every zone as a GeoJSON FeatureCollection in WGS 84 (for maps, GIS and export): slug,
    name, kind and the parent's slug, which `zone_import` reads back unchanged."""
    zones = session.exec(select(Zone).order_by(Zone.name, Zone.slug)).all()
    slugs = {zone.id: zone.slug for zone in zones}
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": zone.slug,
                "properties": {
                    "slug": zone.slug,
                    "name": zone.name,
                    "kind": zone.kind.value,
                    "parent": slugs.get(zone.parent_id),
                },
                "geometry": json.loads(zone.geometry),
            }
            for zone in zones
        ],
    }
