"""A planner's area from the map or from a file: drawn corners or an uploaded GeoJSON (a
Polygon or MultiPolygon geometry, a Feature or a FeatureCollection, in WGS 84) become one valid
Polygon or MultiPolygon, kept under its key (`area.save`); anything else is refused in words
that say what is wrong and, in a collection, which feature.

An outline that crosses itself is refused rather than repaired: `geometry.check` would turn a
bow-tie into two triangles, which is not the area the planner meant. Several polygons (a plan
area in parts, or a FeatureCollection) are joined into one shape, overlaps merged.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping

import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from sqlmodel import Session

from app.i18n import gettext as _
from app.services import area, geometry
from app.services.geometry import InvalidGeometry

# An uploaded plan area: far more than any outline of MAX_EDGES corners needs.
MAX_UPLOAD_BYTES = 1_000_000
AREA_KINDS = ("Polygon", "MultiPolygon")
# The names a GeoJSON `crs` member gives WGS 84 (RFC 7946 drops the member; old files have it).
WGS84_NAMES = ("crs84", "epsg:4326", "epsg::4326", "wgs84", "wgs 84")


def keep(*, session: Session, drawn: str = "", upload: bytes | None = None, name: str = "") -> str:
    """The key of the area drawn (GeoJSON text from the map) or uploaded (the file's bytes,
    which win when both came); InvalidGeometry when neither makes an area."""
    if upload:
        shape = read(_decode(upload))
    elif drawn.strip():
        shape = read(drawn)
    else:
        raise InvalidGeometry(_("Draw an area on the map or choose a GeoJSON file."))
    return area.save(session=session, geometry=shape, name=name.strip())


def _decode(data: bytes) -> str:
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidGeometry(_("The file is too large: at most 1 MB."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidGeometry(_("This file is not GeoJSON text.")) from exc


def read(text: str) -> BaseGeometry:
    """GeoJSON text as one valid Polygon or MultiPolygon in WGS 84, or InvalidGeometry."""
    if len(text) > MAX_UPLOAD_BYTES:
        raise InvalidGeometry(_("The file is too large: at most 1 MB."))
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InvalidGeometry(_("This file is not GeoJSON: it could not be read as JSON.")) from exc
    if not isinstance(data, Mapping):
        raise InvalidGeometry(_("This is not a GeoJSON geometry."))
    _check_crs(data)
    if data.get("type") == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or not features:
            raise InvalidGeometry(_("The file holds no area."))
        parts: list[Polygon] = []
        for number, feature in enumerate(features, start=1):
            try:
                parts += _polygons(feature)
            except InvalidGeometry as exc:
                raise InvalidGeometry(
                    _("Feature %(n)s: %(reason)s", n=number, reason=exc.message)
                ) from exc
    else:
        parts = _polygons(data)
    joined = shapely.union_all(parts) if len(parts) > 1 else parts[0]
    if not isinstance(joined, Polygon | MultiPolygon) or joined.is_empty:
        raise InvalidGeometry(_("The file holds no area."))
    try:
        area.of_polygon(joined)
    except ValueError as exc:
        raise InvalidGeometry(
            _("The area has too many corners: at most %(n)s.", n=area.MAX_EDGES)
        ) from exc
    return joined


def _check_crs(data: Mapping[str, object]) -> None:
    crs = data.get("crs")
    if not isinstance(crs, Mapping):
        return
    props = crs.get("properties")
    named = str(props.get("name", "")) if isinstance(props, Mapping) else ""
    if named and not named.lower().replace("urn:ogc:def:crs:", "").endswith(WGS84_NAMES):
        raise InvalidGeometry(
            _(
                "This file is in another coordinate system (%(crs)s). Save it in WGS 84 "
                "(EPSG:4326) and send it again.",
                crs=named[:60],
            )
        )


def _polygons(data: object) -> list[Polygon]:
    """The polygons of one geometry or Feature, each checked on its own (so that a crossing
    outline is refused, not split)."""
    if isinstance(data, Mapping) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, Mapping) or not isinstance(data.get("type"), str):
        raise InvalidGeometry(_("This is not a GeoJSON geometry."))
    kind = str(data["type"])[:40]
    if kind not in AREA_KINDS:
        raise InvalidGeometry(
            _("This is a %(kind)s, not an area: send a Polygon or a MultiPolygon.", kind=kind)
        )
    coordinates = data.get("coordinates")
    _refuse_metres(coordinates)
    outlines = coordinates if kind == "MultiPolygon" else [coordinates]
    if not isinstance(outlines, list) or not outlines:
        raise InvalidGeometry(_("The coordinates are not a list of parts."))
    found: list[Polygon] = []
    for outline in outlines:
        polygon = geometry.check({"type": "Polygon", "coordinates": outline}, kinds=("Polygon",))
        found.append(polygon)  # type: ignore[arg-type]
    return found


def _first_number(value: object, depth: int = 0) -> object:
    while isinstance(value, list) and value and depth < 6:
        value, depth = value[0], depth + 1
    return value


def _refuse_metres(coordinates: object) -> None:
    """Swedish GIS files are often in SWEREF 99 TM (metres): say so, not "off the map"."""
    first = _first_number(coordinates)
    if (
        isinstance(first, int | float)
        and not isinstance(first, bool)
        and math.isfinite(first)
        and abs(first) > 1000
    ):
        raise InvalidGeometry(
            _(
                "The coordinates look like metres (SWEREF 99 TM?), not degrees. Save the area "
                "in WGS 84 (EPSG:4326) and send it again."
            )
        )
