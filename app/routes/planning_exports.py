"""Exports of a planner's view (a zone, a kept drawn or uploaded area, or a plan case's area,
with the view's filters): CSV for spreadsheets and GeoJSON for GIS, streamed."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse
from sqlmodel import Session

from app.deps import (
    AreaScopeDep,
    FiltersDep,
    PlanScopeDep,
    SessionDep,
    ZoneScopeDep,
    require_planning_reader,
)
from app.i18n import current_language
from app.services import planning_export
from app.services.area import Scope
from app.services.planning_filters import Filters

router = APIRouter(
    prefix="/planning",
    dependencies=[Depends(require_planning_reader)],
)

CSV = "text/csv; charset=utf-8"
GEOJSON = "application/geo+json"


def _download(chunks: Iterator[str], media_type: str, scope: Scope, ext: str) -> StreamingResponse:
    name = planning_export.file_name(scope, ext)
    return StreamingResponse(
        chunks,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _csv(session: Session, scope: Scope, filters: Filters) -> StreamingResponse:
    chunks = planning_export.csv_chunks(
        session=session, scope=scope, filters=filters, lang=current_language()
    )
    return _download(chunks, CSV, scope, "csv")


def _geojson(session: Session, scope: Scope, filters: Filters) -> StreamingResponse:
    chunks = planning_export.geojson_chunks(
        session=session, scope=scope, filters=filters, lang=current_language()
    )
    return _download(chunks, GEOJSON, scope, "geojson")


@router.get("/zones/{slug}/export.csv")
def zone_csv(session: SessionDep, scope: ZoneScopeDep, filters: FiltersDep) -> StreamingResponse:
    """A zone's observations (in the view's filters), one row each."""
    return _csv(session, scope, filters)


@router.get("/zones/{slug}/export.geojson")
def zone_geojson(
    session: SessionDep, scope: ZoneScopeDep, filters: FiltersDep
) -> StreamingResponse:
    """A zone's observations (in the view's filters) as points for GIS."""
    return _geojson(session, scope, filters)


@router.get("/area/{key}/export.csv")
def area_csv(session: SessionDep, scope: AreaScopeDep, filters: FiltersDep) -> StreamingResponse:
    """A kept area's observations (in the view's filters), one row each."""
    return _csv(session, scope, filters)


@router.get("/area/{key}/export.geojson")
def area_geojson(
    session: SessionDep, scope: AreaScopeDep, filters: FiltersDep
) -> StreamingResponse:
    """A kept area's observations (in the view's filters) as points for GIS."""
    return _geojson(session, scope, filters)


@router.get("/plans/{plan_id}/export.csv")
def plan_csv(session: SessionDep, scope: PlanScopeDep, filters: FiltersDep) -> StreamingResponse:
    """A plan area's observations (in the view's filters), one row each."""
    return _csv(session, scope, filters)


@router.get("/plans/{plan_id}/export.geojson")
def plan_geojson(
    session: SessionDep, scope: PlanScopeDep, filters: FiltersDep
) -> StreamingResponse:
    """A plan area's observations (in the view's filters) as points for GIS."""
    return _geojson(session, scope, filters)
