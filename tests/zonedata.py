"""Zone files made for real, as a GIS would write them: GeoJSON in WGS 84 or SWEREF 99 TM
(transformed with pyproj here, independently of the app), zipped shapefiles written by pyshp,
and existing observations stored as plain rows (what a re-placement finds)."""

from __future__ import annotations

import io
import json
import secrets
import uuid
import zipfile
from typing import Any

import shapefile
from pyproj import CRS, Transformer
from sqlmodel import Session, select

from app.models import Category, Observation, ObservationZone, PositionSource

SWEREF = "urn:ogc:def:crs:EPSG::3006"
MISSING = object()
_TO_SWEREF = Transformer.from_crs(4326, 3006, always_xy=True)

# Two squares side by side south of Boden's demo districts (lon 21.60-21.62-21.64,
# lat 65.770-65.780), sharing the border at lon 21.62.
WEST = (21.60, 65.770, 21.62, 65.780)
EAST = (21.62, 65.770, 21.64, 65.780)


def ring(min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> list[list[float]]:
    return [
        [min_lon, min_lat],
        [max_lon, min_lat],
        [max_lon, max_lat],
        [min_lon, max_lat],
        [min_lon, min_lat],
    ]


def polygon(*rings: list[list[float]]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": list(rings)}


def box(bounds: tuple[float, float, float, float]) -> dict[str, Any]:
    return polygon(ring(*bounds))


def feature(geometry: Any, slug: str | None = None, name: str | None = None, **props: Any):  # type: ignore[no-untyped-def]
    """A Feature; pass parent=None for "no parent", leave it out to let the import find one."""
    properties: dict[str, Any] = {}
    if slug is not None:
        properties["slug"] = slug
    if name is not None:
        properties["name"] = name
    properties.update({k: v for k, v in props.items() if v is not MISSING})
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def collection(*features: dict[str, Any], crs: str | None = None) -> bytes:
    document: dict[str, Any] = {"type": "FeatureCollection", "features": list(features)}
    if crs:
        document["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(document, ensure_ascii=False).encode()


def to_sweref(geometry: dict[str, Any], decimals: int = 3) -> dict[str, Any]:
    """A WGS 84 Polygon/MultiPolygon in SWEREF 99 TM, rounded to mm as GIS files are."""

    def move(points: list[list[float]]) -> list[list[float]]:
        return [[round(v, decimals) for v in _TO_SWEREF.transform(x, y)] for x, y in points]

    if geometry["type"] == "Polygon":
        return polygon(*(move(r) for r in geometry["coordinates"]))
    return {
        "type": "MultiPolygon",
        "coordinates": [[move(r) for r in part] for part in geometry["coordinates"]],
    }


def shapefile_zip(
    shapes: list[tuple[list[list[list[float]]], dict[str, str]]],
    *,
    epsg: int | None = 3006,
    shape_type: int = shapefile.POLYGON,
) -> bytes:
    """A zipped shapefile (.shp, .shx, .dbf and a .prj in ESRI WKT) of polygons given as
    rings, with text attributes."""
    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    writer = shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=shape_type)
    for name in shapes[0][1]:
        writer.field(name, "C", size=80)
    for rings, attributes in shapes:
        if shape_type == shapefile.POLYGON:
            writer.poly([r[::-1] for r in rings])  # a shapefile's outer ring runs clockwise
        else:
            writer.point(*rings[0][0])
        writer.record(**attributes)
    writer.close()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zones.shp", shp.getvalue())
        archive.writestr("zones.shx", shx.getvalue())
        archive.writestr("zones.dbf", dbf.getvalue())
        if epsg is not None:
            archive.writestr("zones.prj", CRS.from_epsg(epsg).to_wkt("WKT1_ESRI"))
    return out.getvalue()


def add_observations(session: Session, points: list[tuple[float, float]]) -> list[int]:
    """Observations already stored, unplaced (no zone_id, no zone rows): what a re-placement
    walks over. Returns their ids in order."""
    category = session.exec(select(Category).where(Category.slug == "dark-spot")).one()
    rows = [
        Observation(
            client_id=uuid.uuid4(),
            token=secrets.token_urlsafe(16),
            category_id=category.id,  # type: ignore[arg-type]
            lat=lat,
            lon=lon,
            position_source=PositionSource.map,
            dark=False,
        )
        for lat, lon in points
    ]
    session.add_all(rows)
    session.commit()
    return [row.id for row in rows]  # type: ignore[misc]


def zone_links(session: Session) -> set[tuple[int, int]]:
    """(observation id, zone id) for every observation_zone row."""
    session.expire_all()
    return {(r.observation_id, r.zone_id) for r in session.exec(select(ObservationZone)).all()}
