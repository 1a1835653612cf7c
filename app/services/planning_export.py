"""Exports of a planner's view (a zone or any area, narrowed by the view's filters) as CSV for
spreadsheets and GeoJSON for GIS (QGIS opens it as a point layer).

Both stream: the rows come from one query read in batches of `BATCH` (a server-side cursor on
PostgreSQL, SQLite's own stepping cursor), and each batch gets its status dates and zone names
from two small queries over the batch's ids, so a million rows take as much memory as one batch
(bench/planning_bench.py measures it). Rows come in id order, so two exports of the same view
compare line by line.

Planners see everything but personal data. The query names every column it reads: never the
reporter's e-mail, a note, the tracking token or who it is assigned to. A private category
(drug dealing, say) is left out of the rows altogether; the history page counts it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import numpy as np
from pyproj import Transformer
from sqlalchemy import case, func, select
from sqlmodel import Session, col

from app import clock
from app.models import (
    Category,
    EventKind,
    Observation,
    ObservationEvent,
    ObservationZone,
    Status,
    Walk,
    Zone,
)
from app.services import csvfile
from app.services.area import Scope
from app.services.planning_filters import Filters
from app.services.walk_form import LOCAL_TZ

BATCH = 2_000
CHUNK_CHARS = 64 * 1024  # what is handed to the web server at a time
SWEREF99TM = "EPSG:3006"  # what Swedish municipal GIS uses
# The statuses whose first date gets a column ("new" is the report's own date).
DATED = tuple(s for s in Status if s != Status.new)

COLUMNS = (
    "id",
    "category",
    "category_name",
    "kind",
    "status",
    "reported_at",
    "observed_at",
    *(f"first_{s.value}_at" for s in DATED),
    "zones",
    "address",
    "lat",
    "lon",
    "sweref99tm_e",
    "sweref99tm_n",
    "unsafe_level",
    "dark",
    "walk_id",
    "walk_title",
    "description",
    "supporters",
)
# In GeoJSON the position is the geometry.
PROPERTIES = tuple(c for c in COLUMNS if c not in ("lat", "lon"))
DARK = COLUMNS.index("dark")


def _query(scope: Scope, filters: Filters):  # type: ignore[no-untyped-def]
    # Every column by name: a new personal field on Observation cannot slip into an export.
    return (
        select(
            Observation.id,
            Category.slug,
            Category.name_sv,
            Category.name_en,
            Category.kind,
            Observation.status,
            Observation.created_at,
            Observation.observed_at,
            Observation.lat,
            Observation.lon,
            Observation.address,
            Observation.unsafe_level,
            Observation.dark,
            Observation.walk_id,
            Walk.title,
            Observation.description,
            Observation.supporters,
        )
        .select_from(Observation)
        .join(Category, Category.id == Observation.category_id)  # type: ignore[arg-type]
        .outerjoin(Walk, Walk.id == Observation.walk_id)  # type: ignore[arg-type]
        .where(scope.clause(), filters.clause(), ~col(Category.private))
        .order_by(col(Observation.id))
    )


def status_dates_for(*, session: Session, ids: list[int]) -> dict[int, tuple[datetime | None, ...]]:
    """When each observation first reached each status of DATED (in that order, None for
    never), from its history's status rows, pivoted in SQL."""
    if not ids:
        return {}
    event = ObservationEvent
    firsts = [
        func.min(case((col(event.to_status) == status, event.at))).label(status.value)
        for status in DATED
    ]
    rows = session.connection().execute(
        select(event.observation_id, *firsts)
        .where(event.kind == EventKind.status, col(event.observation_id).in_(ids))
        .group_by(event.observation_id)
    )
    return {row[0]: tuple(row[1:]) for row in rows}


def zone_names_for(*, session: Session, ids: list[int]) -> dict[int, list[str]]:
    """The names of every zone that contains each observation (a part of town and its
    district both), from the membership rows that placing writes."""
    if not ids:
        return {}
    rows = session.connection().execute(
        select(ObservationZone.observation_id, Zone.name)
        .join(Zone, Zone.id == ObservationZone.zone_id)  # type: ignore[arg-type]
        .where(col(ObservationZone.observation_id).in_(ids))
        .order_by(col(ObservationZone.observation_id), col(Zone.name))
    )
    names: dict[int, list[str]] = {}
    for obs_id, name in rows:
        names.setdefault(obs_id, []).append(name)
    return names


def sweref_transformer() -> Transformer:
    # Made per export: pyproj transformers are not to be shared between threads.
    return Transformer.from_crs("EPSG:4326", SWEREF99TM, always_xy=True)


def _iso(at: datetime | None) -> str | None:
    return at.astimezone(UTC).isoformat(timespec="seconds") if at else None


NEVER = (None,) * len(DATED)


def rows(
    *, session: Session, scope: Scope, filters: Filters, lang: str
) -> Iterator[list[list[Any]]]:
    """The view's observations as plain values (codes, ISO dates, numbers) in COLUMNS order, a
    batch at a time, in id order; never a private category."""
    to_sweref = sweref_transformer()
    stmt = _query(scope, filters).execution_options(stream_results=True, yield_per=BATCH)
    result = session.connection().execute(stmt)
    try:
        for batch in result.partitions():
            ids = [r[0] for r in batch]
            dates = status_dates_for(session=session, ids=ids)
            zones = zone_names_for(session=session, ids=ids)
            east, north = to_sweref.transform(
                np.array([r.lon for r in batch]), np.array([r.lat for r in batch])
            )
            out = []
            for r, e, n in zip(batch, east.tolist(), north.tolist(), strict=True):
                obs_id, slug, name_sv, name_en, kind, status, created, observed, lat, lon = r[:10]
                address = r[10] or ""  # "" also when the geocoder found none
                out.append(
                    [
                        obs_id,
                        slug,
                        name_sv if lang == "sv" else name_en,
                        str(kind),
                        str(status),
                        _iso(created),
                        _iso(observed),
                        *map(_iso, dates.get(obs_id, NEVER)),
                        "; ".join(zones.get(obs_id, ())),
                        address,
                        lat,
                        lon,
                        round(e, 3),
                        round(n, 3),
                        *r[11:],  # felt unsafety, dark, walk id and title, description, supporters
                    ]
                )
            yield out
    finally:
        result.close()


def _chunked(pieces: Iterable[str]) -> Iterator[str]:
    """Pieces of text joined into chunks of about CHUNK_CHARS (one hand-over per chunk, not
    per line: a streamed response crosses threads for each)."""
    buffer: list[str] = []
    size = 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK_CHARS:
            yield "".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer)


def csv_chunks(*, session: Session, scope: Scope, filters: Filters, lang: str) -> Iterator[str]:
    """The view as CSV (a BOM for Excel, every cell formula-safe), chunk by chunk."""

    def flat() -> Iterator[list[Any]]:
        for batch in rows(session=session, scope=scope, filters=filters, lang=lang):
            for row in batch:
                row[DARK] = "yes" if row[DARK] else "no"
                yield row

    return _chunked(csvfile.stream(COLUMNS, flat(), bom=True))


def feature(row: list[Any]) -> dict[str, Any]:
    """One observation as a GeoJSON Point feature (RFC 7946: WGS 84, longitude first)."""
    values = dict(zip(COLUMNS, row, strict=True))
    lat, lon = values.pop("lat"), values.pop("lon")
    values["dark"] = bool(values["dark"])
    return {
        "type": "Feature",
        "id": values["id"],
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": values,
    }


def geojson_chunks(*, session: Session, scope: Scope, filters: Filters, lang: str) -> Iterator[str]:
    """The view as a GeoJSON FeatureCollection of points, chunk by chunk (named after the area:
    QGIS takes the name for the layer)."""
    name = scope.label or scope.zone_slug or scope.area_key or ""

    def pieces() -> Iterator[str]:
        yield '{"type":"FeatureCollection","name":' + json.dumps(name) + ',"features":['
        separator = "\n"
        for batch in rows(session=session, scope=scope, filters=filters, lang=lang):
            for row in batch:
                yield separator + json.dumps(feature(row), ensure_ascii=False)
                separator = ",\n"
        yield "\n]}\n"

    return _chunked(pieces())


def file_name(scope: Scope, ext: str) -> str:
    """safetywalk-<zone slug or area-key>-<local date>.<ext>, safe in a header."""
    what = scope.zone_slug if scope.zone_slug else f"area-{scope.area_key or 'drawn'}"
    what = re.sub(r"[^A-Za-z0-9_-]+", "-", what).strip("-") or "view"
    return f"safetywalk-{what}-{clock.now().astimezone(LOCAL_TZ).date().isoformat()}.{ext}"
