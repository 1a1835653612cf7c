"""Zones: placing a point in its district, and the districts as GeoJSON for maps.

The zone id is stored on each observation when it is written, so that a zone's history is an
indexed lookup, not a point-in-polygon search over every observation.
"""

from __future__ import annotations

import json
from typing import Any

from shapely.geometry import Point, shape
from sqlmodel import Session, col, select

from app.models import Zone


def bounds_of(geometry: dict[str, Any]) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a GeoJSON geometry; it must be a valid polygon."""
    geom = shape(geometry)
    if geom.geom_type not in ("Polygon", "MultiPolygon") or not geom.is_valid:
        raise ValueError("a zone must be a valid Polygon or MultiPolygon")
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    return min_lat, max_lat, min_lon, max_lon


def place(*, session: Session, lat: float, lon: float) -> Zone | None:
    """The zone that contains the point, if any (the SQL box filter first, then the polygon)."""
    candidates = session.exec(
        select(Zone).where(
            col(Zone.min_lat) <= lat,
            col(Zone.max_lat) >= lat,
            col(Zone.min_lon) <= lon,
            col(Zone.max_lon) >= lon,
        )
    ).all()
    point = Point(lon, lat)
    for zone in candidates:
        if shape(json.loads(zone.geometry)).covers(point):
            return zone
    return None


def upsert(*, session: Session, slug: str, name: str, geometry: dict[str, Any]) -> Zone:
    """Create or replace a zone by slug."""
    min_lat, max_lat, min_lon, max_lon = bounds_of(geometry)
    zone = session.exec(select(Zone).where(Zone.slug == slug)).first() or Zone(
        slug=slug, name=name, geometry=""
    )
    zone.name = name
    zone.geometry = json.dumps(geometry, separators=(",", ":"))
    zone.min_lat, zone.max_lat, zone.min_lon, zone.max_lon = min_lat, max_lat, min_lon, max_lon
    session.add(zone)
    return zone


def listed(*, session: Session) -> list[Zone]:
    return list(session.exec(select(Zone).order_by(Zone.name)).all())


def feature_collection(*, session: Session) -> dict[str, Any]:
    """Every zone as a GeoJSON FeatureCollection (for maps and GIS)."""
    zones = session.exec(select(Zone).order_by(Zone.name)).all()
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": zone.slug,
                "properties": {"slug": zone.slug, "name": zone.name},
                "geometry": json.loads(zone.geometry),
            }
            for zone in zones
        ],
    }
