"""A zone's outline as a file holds it, checked: a Polygon or MultiPolygon of finite
numbers, rings of at least three corners that close, valid for GEOS (checked in the file's own
coordinates, so that the place named in a reason is one the file holds), and inside Sweden once
transformed to WGS 84. What is stored is the WGS 84 outline rounded to about a centimetre.

shapely raises `GEOSException` on NaN and on too few points, so the coordinates are checked by
hand before `shape()`; GEOS's own reasons (a self-intersection) are put in words.
"""

from __future__ import annotations

import math
import re

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from app.i18n import gettext as _
from app.services import zone_files, zones

# Sweden, generously (WGS 84): lon 10..25, lat 55..69.5.
SWEDEN = (10.0, 55.0, 25.0, 69.5)


class Refused(ValueError):
    """What is wrong with one feature, in words that follow "Feature 3 (centrum): "."""


def corners(value: object) -> int:
    """How many positions a geometry holds (bounds the work before any is read)."""
    if isinstance(value, dict):
        return corners(value.get("coordinates"))
    if isinstance(value, list | tuple):
        if value and not isinstance(value[0], list | tuple):
            return 1
        return sum(corners(v) for v in value)
    return 0


def outline(data: object, source: int) -> BaseGeometry:
    """The feature's outline checked in the file's CRS, then in WGS 84 and rounded."""
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise Refused(_("it has no geometry."))
    kind = data["type"]
    if kind not in ("Polygon", "MultiPolygon"):
        raise Refused(
            _("its geometry is a %(kind)s; a zone is a Polygon or MultiPolygon.", kind=kind[:40])
        )
    coordinates = data.get("coordinates")
    try:
        polygons = coordinates if kind == "MultiPolygon" else [coordinates]
        if not isinstance(polygons, list) or not polygons:
            raise Refused(_("its coordinates are not a list of polygons."))
        clean = [_polygon(polygon, source) for polygon in polygons]
    except RecursionError as exc:
        raise Refused(_("its coordinates cannot be read.")) from exc
    # Built from the checked 2D points (a height is dropped), so shapely meets no surprise.
    geometry = shape(
        {"type": "MultiPolygon", "coordinates": clean}
        if kind == "MultiPolygon"
        else {"type": "Polygon", "coordinates": clean[0]}
    )
    if not geometry.is_valid:
        raise Refused(_invalid(geometry))
    wgs84 = zones.reproject(geometry, source=source, target=zone_files.WGS84)
    lon_min, lat_min, lon_max, lat_max = SWEDEN
    x_min, y_min, x_max, y_max = wgs84.bounds
    if not all(math.isfinite(v) for v in wgs84.bounds) or not (
        lon_min <= x_min and x_max <= lon_max and lat_min <= y_min and y_max <= lat_max
    ):
        raise Refused(
            _(
                "it lies outside Sweden (read as %(crs)s). Is the coordinate system right?",
                crs=zone_files.crs_name(source),
            )
        )
    stored = zones.rounded(wgs84)
    if not stored.is_valid or stored.is_empty:
        raise Refused(_("its outline has details too small to keep (under a centimetre)."))
    return stored


def _polygon(polygon: object, source: int) -> list[list[tuple[float, float]]]:
    """A polygon's rings as checked 2D points."""
    if not isinstance(polygon, list) or not polygon:
        raise Refused(_("a polygon has no outline."))
    rings = []
    for ring in polygon:
        if not isinstance(ring, list):
            raise Refused(_("an outline is not a list of points."))
        points = [_position(p, source) for p in ring]
        if len(points) < 4 or len(set(points)) < 3:
            raise Refused(_("an outline has too few points (at least three corners)."))
        if points[0] != points[-1]:
            raise Refused(_("an outline does not end where it starts."))
        rings.append(points)
    return rings


def _position(value: object, source: int) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) not in (2, 3, 4):
        raise Refused(_("a point needs two coordinates."))
    numbers = []
    for number in value[:2]:
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise Refused(_("coordinates must be numbers."))
        try:
            number = float(number)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise Refused(_("coordinates must be finite numbers (no NaN or Infinity)."))
        numbers.append(number)
    x, y = numbers
    if source == zone_files.WGS84 and not (-180 <= x <= 180 and -90 <= y <= 90):
        raise Refused(
            _(
                "its coordinates are not longitude and latitude (WGS 84). If the file is in "
                "SWEREF 99 TM, choose EPSG:3006."
            )
        )
    return x, y


def _invalid(geometry: BaseGeometry) -> str:
    """Why GEOS finds an outline invalid, in words (the place in the file's coordinates)."""
    reason = shapely.is_valid_reason(geometry)
    where = re.search(r"\[([-0-9.e]+) ([-0-9.e]+)", reason)
    at = f" ({float(where.group(1)):.6g}, {float(where.group(2)):.6g})" if where else ""
    words = {
        "Self-intersection": _("the outline crosses itself"),
        "Ring Self-intersection": _("the outline crosses itself"),
        "Too few points": _("an outline has too few points"),
        "Hole lies outside shell": _("a hole lies outside its outline"),
        "Nested holes": _("a hole lies inside another hole"),
        "Interior is disconnected": _("holes cut the area apart"),
        "Nested shells": _("one part lies inside another"),
        "Duplicate Rings": _("an outline is repeated"),
    }
    said = next((w for key, w in words.items() if reason.startswith(key)), reason.split("[")[0])
    return _("its geometry is not valid: %(reason)s%(at)s.", reason=said, at=at)
