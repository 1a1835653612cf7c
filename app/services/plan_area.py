"""A plan's area as it comes in: drawn on the map (GeoJSON in WGS 84) or an uploaded GeoJSON
file in WGS 84 or in SWEREF 99 TM (EPSG:3006, what Swedish municipal GIS exports).

The file's own `crs` member decides when it has one; otherwise the CRS chosen on the form.
SWEREF 99 TM is turned into WGS 84 with pyproj (`always_xy`: easting, northing in; longitude,
latitude out) before `geometry.check` sees it, so every area is checked by the one rule. An area
outside Sweden is refused: it is nearly always a file read in the wrong coordinate system.
"""

from __future__ import annotations

import json
import math
from functools import cache
from typing import Any

import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from app.i18n import gettext as _
from app.services import area, geometry
from app.services.geometry import InvalidGeometry

WGS84 = "EPSG:4326"
SWEREF99TM = "EPSG:3006"
CRS_CHOICES = (WGS84, SWEREF99TM)
# How files name the two systems (GeoJSON 2008 `crs` members, as QGIS and ArcGIS write them).
CRS_NAMES = {
    "epsg:4326": WGS84,
    "urn:ogc:def:crs:epsg::4326": WGS84,
    "urn:ogc:def:crs:ogc:1.3:crs84": WGS84,
    "ogc:crs84": WGS84,
    "crs84": WGS84,
    "epsg:3006": SWEREF99TM,
    "urn:ogc:def:crs:epsg::3006": SWEREF99TM,
}
SWEDEN = (10.0, 55.0, 24.5, 69.5)  # lon/lat box around Sweden, with its waters
UPLOAD_MAX_BYTES = 2_000_000
KINDS = ("Polygon", "MultiPolygon")
MAX_DEPTH = 6  # a MultiPolygon's coordinates nest four deep


@cache
def _to_wgs84() -> Transformer:
    return Transformer.from_crs(SWEREF99TM, WGS84, always_xy=True)


@cache
def _to_sweref() -> Transformer:
    return Transformer.from_crs(WGS84, SWEREF99TM, always_xy=True)


def to_sweref(lon: float, lat: float) -> tuple[float, float]:
    """WGS 84 (lon, lat) to SWEREF 99 TM (easting, northing) in metres."""
    return _to_sweref().transform(lon, lat)


def crs_of(data: object, chosen: str) -> str:
    """The CRS a GeoJSON object names in its `crs` member, else the one chosen on the form."""
    named = None
    if isinstance(data, dict) and isinstance(data.get("crs"), dict):
        properties = data["crs"].get("properties")
        if isinstance(properties, dict):
            named = properties.get("name")
        if not isinstance(named, str):
            raise InvalidGeometry(_("The file's coordinate system (crs) cannot be read."))
    if named is None:
        if chosen not in CRS_CHOICES:
            raise InvalidGeometry(_("Choose WGS 84 or SWEREF 99 TM."))
        return chosen
    known = CRS_NAMES.get(named.strip().lower())
    if known is None:
        raise InvalidGeometry(
            _(
                "The file uses the coordinate system %(crs)s. Export it in WGS 84 or "
                "SWEREF 99 TM (EPSG:3006).",
                crs=named[:60],
            )
        )
    return known


def _geometries(data: object) -> list[object]:
    """The geometries of a Feature, a FeatureCollection or a bare geometry."""
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or not features:
            raise InvalidGeometry(_("The file holds no area."))
        return [f.get("geometry") if isinstance(f, dict) else f for f in features]
    if isinstance(data, dict) and data.get("type") == "Feature":
        return [data.get("geometry")]
    return [data]


def _project(value: object, depth: int = 0) -> object:
    """SWEREF 99 TM coordinates (nested lists) in WGS 84; anything odd is left for
    `geometry.check` to name."""
    if depth > MAX_DEPTH or not isinstance(value, list):
        return value
    if len(value) in (2, 3) and all(
        isinstance(n, int | float) and not isinstance(n, bool) for n in value
    ):
        easting, northing = (float(n) for n in value[:2])
        if not (math.isfinite(easting) and math.isfinite(northing)):
            return value
        lon, lat = _to_wgs84().transform(easting, northing)
        return [lon, lat]
    return [_project(v, depth + 1) for v in value]


def _in_wgs84(found: object, crs: str) -> object:
    if crs == WGS84 or not isinstance(found, dict):
        return found
    return {**found, "coordinates": _project(found.get("coordinates"))}


def from_geojson(data: Any, *, crs: str = WGS84) -> BaseGeometry:
    """A GeoJSON object (geometry, Feature or FeatureCollection of polygons) as one valid
    WGS 84 Polygon or MultiPolygon inside Sweden, or InvalidGeometry saying why not."""
    system = crs_of(data, crs)
    parts = [geometry.check(_in_wgs84(found, system), kinds=KINDS) for found in _geometries(data)]
    shape = parts[0] if len(parts) == 1 else shapely.union_all(parts)
    if shape.geom_type not in KINDS:
        raise InvalidGeometry(_("The file's areas do not make one area."))
    min_x, min_y, max_x, max_y = shape.bounds
    west, south, east, north = SWEDEN
    if min_x < west or max_x > east or min_y < south or max_y > north:
        raise InvalidGeometry(
            _("The area lies outside Sweden. Check the coordinate system: WGS 84 or SWEREF 99 TM.")
        )
    try:
        area.of_polygon(shape)
    except ValueError as exc:
        raise InvalidGeometry(
            _("The area has too many corners: at most %(n)s.", n=area.MAX_EDGES)
        ) from exc
    return shape


def read(*, drawn: str, upload: bytes | None, crs: str) -> BaseGeometry:
    """The area from the form: the uploaded file when one came, else the drawing."""
    if upload:
        if len(upload) > UPLOAD_MAX_BYTES:
            raise InvalidGeometry(_("The file is too large: at most 2 MB."))
        try:
            data = json.loads(upload.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise InvalidGeometry(_("The file is not GeoJSON.")) from exc
        return from_geojson(data, crs=crs)
    if not drawn.strip():
        raise InvalidGeometry(_("Draw the plan area on the map, or upload it as a GeoJSON file."))
    if len(drawn) > geometry.MAX_CHARS:
        raise InvalidGeometry(_("The drawing is too large."))
    try:
        data = json.loads(drawn)
    except (ValueError, RecursionError) as exc:
        raise InvalidGeometry(_("This is not a GeoJSON geometry.")) from exc
    return from_geojson(data, crs=WGS84)
