"""Planners' history pages: a district's or a kept area's whole history with its map, and the
page where an area is drawn or uploaded. Walk leaders and triagers may read them too."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.responses import Response

from app.deps import (
    AreaScopeDep,
    FiltersDep,
    SessionDep,
    ZoneScopeDep,
    require_csrf,
    require_planning_reader,
)
from app.i18n import current_language
from app.services import area_input, planning_view, zones
from app.services.area import Scope
from app.services.geometry import InvalidGeometry
from app.services.planning_filters import Filters
from app.templating import is_htmx, render

router = APIRouter(
    prefix="/planning",
    dependencies=[
        Depends(require_planning_reader),
        Depends(require_csrf),
    ],
)
Distance = Annotated[int, Query(ge=5, le=500)]


def _history_page(
    request: Request, session: SessionDep, scope: Scope, filters: Filters, distance: int
) -> Response:
    """The whole page, or for htmx the history partial alone, with the view's own URL pushed
    (a filter form sends its empty fields too; the pushed URL carries only what is set)."""
    view = planning_view.build(
        session=session, scope=scope, filters=filters, lang=current_language(), distance_m=distance
    )
    if is_htmx(request):
        return render(
            request,
            "planning/_history.html",
            {"view": view},
            block="results",
            headers={"HX-Push-Url": view.page_url},
        )
    return render(request, "planning/zone.html", {"view": view})


def _points(session: SessionDep, scope: Scope, filters: Filters) -> JSONResponse:
    return JSONResponse(
        planning_view.points_geojson(session=session, scope=scope, filters=filters),
        media_type="application/geo+json",
        headers={"Cache-Control": "no-store"},
    )


@router.get("/zones/{slug}")
def zone_history(
    request: Request,
    session: SessionDep,
    scope: ZoneScopeDep,
    filters: FiltersDep,
    distance: Distance = planning_view.DEFAULT_DISTANCE,
) -> Response:
    """A district's history: figures, map, recurring spots, walks and good places."""
    return _history_page(request, session, scope, filters, distance)


@router.get("/zones/{slug}/points.geojson")
def zone_points(session: SessionDep, scope: ZoneScopeDep, filters: FiltersDep) -> JSONResponse:
    """A district's reports for the map (no private category, no personal data)."""
    return _points(session, scope, filters)


@router.get("/area")
def area_form(request: Request, session: SessionDep) -> Response:
    """Draw an area on the map, upload a plan area as GeoJSON, or pick a district."""
    return render(
        request,
        "planning/area_new.html",
        {"zones": zones.listed(session=session), "error": None, "name": "", "drawn": ""},
    )


@router.post("/area")
def keep_area(
    request: Request,
    session: SessionDep,
    geometry: Annotated[str, Form()] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Keep the drawn or uploaded area and open its history; a bad outline or file is shown
    again with the reason (422)."""
    upload = file.file.read(area_input.MAX_UPLOAD_BYTES + 1) if file and file.filename else None
    try:
        key = area_input.keep(session=session, drawn=geometry, upload=upload, name=name)
    except InvalidGeometry as refused:
        return render(
            request,
            "planning/area_new.html",
            {
                "zones": zones.listed(session=session),
                "error": refused.message,
                "name": name,
                "drawn": geometry if not upload else "",
            },
            status_code=422,
        )
    return RedirectResponse(f"/planning/area/{key}", status_code=303)


@router.get("/area/{key}")
def area_history(
    request: Request,
    session: SessionDep,
    scope: AreaScopeDep,
    filters: FiltersDep,
    distance: Distance = planning_view.DEFAULT_DISTANCE,
) -> Response:
    """A drawn or uploaded area's history (the same page as a district's)."""
    return _history_page(request, session, scope, filters, distance)


@router.get("/area/{key}/points.geojson")
def area_points(session: SessionDep, scope: AreaScopeDep, filters: FiltersDep) -> JSONResponse:
    """A kept area's reports for the map."""
    return _points(session, scope, filters)
