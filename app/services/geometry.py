"""Geometry from any form or file: GeoJSON in, a valid shapely geometry out, or a refusal that
says what is wrong.

shapely raises `GEOSException` (a 500 if nobody catches it) on NaN or infinite coordinates and
on a line of one point, so the coordinates are checked by hand before `shape()`: finite numbers
on the globe, enough points for the type, rings that end where they start. What shapely still
finds invalid (an outline that crosses itself) is repaired with `make_valid` when the repair
keeps an allowed type, else refused: a bow-tie "area" becomes two polygons, which a walk (one
Polygon) refuses and a zone import that allows MultiPolygon may keep.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence

from shapely import make_valid
from shapely.errors import ShapelyError
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from app.i18n import gettext as _

# A drawn area or route: thousands of corners at most, not megabytes.
MAX_CHARS = 200_000
MAX_POINTS = 20_000
KINDS = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")


class InvalidGeometry(ValueError):
    """What is wrong with a geometry, in words for the person who drew or sent it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _position(value: object) -> tuple[float, float]:
    """One [lon, lat] (a third number, height, is allowed and ignored)."""
    if not isinstance(value, list | tuple) or len(value) not in (2, 3):
        raise InvalidGeometry(_("Each point needs a longitude and a latitude."))
    numbers = []
    for number in value[:2]:
        # bool is an int in Python, and a huge integer does not fit a float.
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise InvalidGeometry(_("Coordinates must be numbers."))
        try:
            number = float(number)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise InvalidGeometry(_("Coordinates must be finite numbers (no NaN or Infinity)."))
        numbers.append(number)
    lon, lat = numbers
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidGeometry(
            _("A point lies off the map: longitude -180 to 180, latitude -90 to 90.")
        )
    return lon, lat


def _positions(value: object) -> list[tuple[float, float]]:
    if not isinstance(value, list | tuple):
        raise InvalidGeometry(_("The coordinates are not a list of points."))
    return [_position(p) for p in value]


def _line(value: object) -> None:
    if len(set(_positions(value))) < 2:
        raise InvalidGeometry(_("A line needs at least two different points."))


def _polygon(value: object) -> None:
    if not isinstance(value, list | tuple) or not value:
        raise InvalidGeometry(_("An area needs an outline."))
    for ring in value:
        points = _positions(ring)
        if len(set(points)) < 3:
            raise InvalidGeometry(_("An area's outline needs at least three corners."))
        if points[0] != points[-1]:
            raise InvalidGeometry(_("An area's outline must end where it starts."))


def _many(value: object, check) -> None:  # type: ignore[no-untyped-def]
    if not isinstance(value, list | tuple) or not value:
        raise InvalidGeometry(_("The coordinates are not a list of parts."))
    for part in value:
        check(part)


CHECKS = {
    "Point": _position,
    "MultiPoint": lambda v: _many(v, _position),
    "LineString": _line,
    "MultiLineString": lambda v: _many(v, _line),
    "Polygon": _polygon,
    "MultiPolygon": lambda v: _many(v, _polygon),
}


def _count(value: object) -> int:
    """How many positions a coordinates array holds (bounds the work before any is read)."""
    if isinstance(value, list | tuple):
        if value and not isinstance(value[0], list | tuple):
            return 1
        return sum(_count(v) for v in value)
    return 0


def check(data: object, *, kinds: Sequence[str] = KINDS) -> BaseGeometry:
    """A GeoJSON geometry (or a Feature holding one) of one of `kinds`, valid, as shapely."""
    if isinstance(data, Mapping) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, Mapping) or not isinstance(data.get("type"), str):
        raise InvalidGeometry(_("This is not a GeoJSON geometry."))
    kind = data["type"]
    if kind not in kinds or kind not in CHECKS:
        raise InvalidGeometry(
            _("Expected %(kinds)s, not %(kind)s.", kinds=", ".join(kinds), kind=kind[:40])
        )
    coordinates = data.get("coordinates")
    try:
        if _count(coordinates) > MAX_POINTS:
            raise InvalidGeometry(_("Too many points: at most %(n)s.", n=MAX_POINTS))
        CHECKS[kind](coordinates)
    except RecursionError as exc:  # lists nested thousands deep, from a parsed file
        raise InvalidGeometry(_("This geometry cannot be read.")) from exc
    try:
        geometry = shape({"type": kind, "coordinates": coordinates})
        if not geometry.is_valid:
            geometry = make_valid(geometry)
    except (ShapelyError, ValueError, TypeError) as exc:  # belt and braces: checked above
        raise InvalidGeometry(_("This geometry cannot be read.")) from exc
    if geometry.is_empty or geometry.geom_type not in kinds:
        raise InvalidGeometry(_("The outline crosses itself. Draw it again without crossings."))
    return geometry


def loads(text: str, *, kinds: Sequence[str] = KINDS) -> BaseGeometry:
    """`check` for GeoJSON text, as a form or a file brings it."""
    if len(text) > MAX_CHARS:
        raise InvalidGeometry(_("The drawing is too large."))
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InvalidGeometry(_("This is not a GeoJSON geometry.")) from exc
    return check(data, kinds=kinds)


def dumps(geometry: BaseGeometry) -> str:
    """Compact GeoJSON text of a geometry, to store."""
    return json.dumps(mapping(geometry), separators=(",", ":"))
