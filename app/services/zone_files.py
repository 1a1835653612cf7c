"""Reading a zone file as it comes: a GeoJSON FeatureCollection, or the zip of a shapefile
(read with pyshp, pure Python), into numbered raw features and the coordinate reference system
the file names. Nothing here judges a feature (that is `zone_import`); a file that cannot be
read at all raises `Unreadable` with the reason.

Files come from outside, so every size is bounded before it is read: the upload, the members
of a zip and their unpacked size, the number of features.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import shapefile
from pyproj import CRS
from pyproj.exceptions import CRSError

from app.i18n import gettext as _

MAX_BYTES = 20 * 1024 * 1024  # an upload or a file on the command line
MAX_FEATURES = 5_000
ZIP_MAX_MEMBERS = 50
ZIP_MAX_UNPACKED = 100 * 1024 * 1024
WGS84 = 4326
# The coordinate systems a file may be in: WGS 84, SWEREF 99 TM and SWEREF 99's local
# projections (12 00 ... 23 15), which Swedish municipalities also use.
SUPPORTED = frozenset({4326, 3006, *range(3007, 3019)})

_EPSG = re.compile(
    r"^(?:urn:ogc:def:crs:epsg:[0-9.]*:|epsg:|https?://www\.opengis\.net/def/crs/epsg/[0-9.]+/)?"
    r"(\d{4,6})$"
)
_CRS84 = re.compile(
    r"^(?:urn:ogc:def:crs:ogc:[0-9.]*:|ogc:|https?://www\.opengis\.net/def/crs/ogc/[0-9.]+/)?crs84$"
)


class Unreadable(ValueError):
    """The file cannot be read as zones at all; `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RawFeature:
    index: int  # counted from 1, as a person names "the third feature"
    properties: Mapping[str, Any]  # keys in lower case
    geometry: Any  # a GeoJSON geometry as read, or anything else the file held


@dataclass(frozen=True)
class RawFile:
    features: list[RawFeature]
    crs: int | None  # the EPSG code the file names, None when it names none
    format: str  # "GeoJSON" or "Shapefile"
    # The file names a CRS we do not read: an error unless the importer names the CRS.
    crs_error: Unreadable | None = None


def crs_code(text: str) -> int | None:
    """The EPSG code of a CRS as written in a file or on the command line ("EPSG:3006",
    "urn:ogc:def:crs:EPSG::3006", "3006", CRS84 ...), or None when it is not one we read."""
    value = text.strip().lower()
    if _CRS84.match(value):
        return WGS84
    found = _EPSG.match(value)
    if found is None:
        return None
    code = int(found.group(1))
    return code if code in SUPPORTED else None


def crs_name(code: int) -> str:
    """ "SWEREF 99 TM (EPSG:3006)": a CRS as a person knows it."""
    names = {WGS84: "WGS 84", 3006: "SWEREF 99 TM"}
    name = names.get(code) or CRS.from_epsg(code).name.replace("SWEREF99", "SWEREF 99")
    return f"{name} (EPSG:{code})"


def unknown_crs(named: str) -> Unreadable:
    return Unreadable(
        _(
            "The coordinate system “%(crs)s” is not one SafetyWalk reads. Use WGS 84 "
            "(EPSG:4326) or SWEREF 99 TM (EPSG:3006), or a SWEREF 99 local projection "
            "(EPSG:3007 to 3018).",
            crs=_printable(named)[:120],
        )
    )


def _printable(value: str) -> str:
    return "".join(ch for ch in value if ch.isprintable())


def read(data: bytes) -> RawFile:
    """The features of a GeoJSON file or a zipped shapefile (told apart by their first
    bytes)."""
    if len(data) > MAX_BYTES:
        raise Unreadable(_("The file is too large: at most %(n)s MB.", n=MAX_BYTES // 1048576))
    if data.startswith(b"PK"):
        return _shapefile_zip(data)
    return _geojson(data)


def _geojson(data: bytes) -> RawFile:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise Unreadable(
            _("This is not a GeoJSON file (nor the zip of a shapefile): it cannot be read as JSON.")
        ) from exc
    if isinstance(document, dict) and document.get("type") == "Feature":
        document = {**document, "type": "FeatureCollection", "features": [document]}
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise Unreadable(_("This is not a GeoJSON FeatureCollection."))
    features = document.get("features")
    if not isinstance(features, list):
        raise Unreadable(_("The FeatureCollection has no list of features."))
    if len(features) > MAX_FEATURES:
        raise Unreadable(_("Too many features: at most %(n)s.", n=MAX_FEATURES))
    raw = []
    for i, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            feature = {}
        properties = feature.get("properties")
        raw.append(
            RawFeature(
                index=i,
                properties=_lower_keys(properties if isinstance(properties, dict) else {}),
                geometry=feature.get("geometry") if feature.get("type") == "Feature" else None,
            )
        )
    try:
        return RawFile(features=raw, crs=_geojson_crs(document.get("crs")), format="GeoJSON")
    except Unreadable as exc:
        return RawFile(features=raw, crs=None, format="GeoJSON", crs_error=exc)


def _geojson_crs(member: object) -> int | None:
    """The `crs` member of GeoJSON 2008 (RFC 7946 dropped it, but GIS tools still write it
    for SWEREF 99 TM): {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}}
    or {"type": "EPSG", "properties": {"code": 3006}}."""
    if member is None:
        return None
    properties = member.get("properties") if isinstance(member, dict) else None
    named = properties.get("name", properties.get("code")) if isinstance(properties, dict) else None
    if isinstance(named, int) and not isinstance(named, bool):
        named = str(named)
    if not isinstance(named, str):
        raise Unreadable(_("The file's “crs” member does not name a coordinate system."))
    code = crs_code(named)
    if code is None:
        raise unknown_crs(named)
    return code


def _lower_keys(properties: Mapping[Any, Any]) -> dict[str, Any]:
    return {str(key).strip().lower(): value for key, value in properties.items()}


def _shapefile_zip(data: bytes) -> RawFile:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = _shapefile_parts(archive)
    except Unreadable:
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        EOFError,
        RuntimeError,
        NotImplementedError,
        ValueError,
    ) as exc:
        raise Unreadable(_("The zip file is broken and cannot be read.")) from exc
    crs, crs_error = None, None
    if "prj" in parts:
        try:
            crs = _prj_crs(parts["prj"])
        except Unreadable as exc:
            crs_error = exc
    encoding = "utf-8"
    if "cpg" in parts:
        encoding = parts["cpg"].decode("ascii", "replace").strip() or encoding
    try:
        features = _shapefile_features(parts, encoding)
    except (UnicodeDecodeError, LookupError):
        features = _shapefile_features(parts, "latin-1")  # older Swedish files: ISO 8859-1
    return RawFile(features=features, crs=crs, format="Shapefile", crs_error=crs_error)


def _shapefile_parts(archive: zipfile.ZipFile) -> dict[str, bytes]:
    """The .shp, .shx, .dbf, .prj and .cpg of the one shapefile in the zip."""
    members = [
        info for info in archive.infolist() if not info.is_dir() and "__MACOSX" not in info.filename
    ]
    if len(members) > ZIP_MAX_MEMBERS:
        raise Unreadable(_("The zip holds too many files: at most %(n)s.", n=ZIP_MAX_MEMBERS))
    shps = [info for info in members if info.filename.lower().endswith(".shp")]
    if len(shps) != 1:
        raise Unreadable(
            _("The zip must hold exactly one shapefile (.shp); it holds %(n)s.", n=len(shps))
        )
    stem = shps[0].filename[:-4].lower()
    parts: dict[str, bytes] = {}
    budget = ZIP_MAX_UNPACKED
    for info in members:
        name = info.filename.lower()
        extension = name.rsplit(".", 1)[-1]
        if name != f"{stem}.{extension}" or extension not in ("shp", "shx", "dbf", "prj", "cpg"):
            continue
        with archive.open(info) as member:
            content = member.read(budget + 1)  # never trust the size the zip claims
        budget -= len(content)
        if budget < 0:
            raise Unreadable(_("The zip unpacks to too much data."))
        parts[extension] = content
    if "dbf" not in parts:
        raise Unreadable(_("The shapefile has no .dbf file (its attributes)."))
    return parts


def _prj_crs(prj: bytes) -> int:
    text = prj.decode("utf-8", "replace").strip()
    try:
        code = CRS.from_wkt(text).to_epsg(min_confidence=70)
    except CRSError:
        code = None
    if code is None or code not in SUPPORTED:
        name = re.match(r'^\s*\w+\["([^"]*)"', text)
        raise unknown_crs(name.group(1) if name else text[:60])
    return code


def _shapefile_features(parts: dict[str, bytes], encoding: str) -> list[RawFeature]:
    try:
        reader = shapefile.Reader(
            shp=io.BytesIO(parts["shp"]),
            shx=io.BytesIO(parts["shx"]) if "shx" in parts else None,
            dbf=io.BytesIO(parts["dbf"]),
            encoding=encoding,
        )
        if len(reader) > MAX_FEATURES:
            raise Unreadable(_("Too many features: at most %(n)s.", n=MAX_FEATURES))
        features = []
        for i, item in enumerate(reader.iterShapeRecords(), start=1):
            shape = item.shape
            geometry = None if shape.shapeType == shapefile.NULL else shape.__geo_interface__
            features.append(
                RawFeature(
                    index=i, properties=_lower_keys(item.record.as_dict()), geometry=geometry
                )
            )
        return features
    except (Unreadable, UnicodeDecodeError, LookupError):
        raise
    except Exception as exc:  # pyshp on a damaged file raises many kinds; all mean "broken"
        raise Unreadable(_("The shapefile is damaged and cannot be read.")) from exc
