"""Zones as GIS data: the list (kind, parent, observation counts), the import of a GeoJSON file
or a zipped shapefile (with a dry run), the GeoJSON download, and the progress of the
re-placement that an import starts. Administrators and planners (planners import their
municipality's districts and plan areas); every form carries the CSRF token. main.py includes
this router before `admin_kinds`, whose `/admin/{kind}` would take "zones" for a kind."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.deps import SessionDep, VisitorDep, require_csrf, require_role
from app.i18n import gettext as _
from app.models import Role
from app.services import zone_files, zone_import, zone_placement, zones
from app.templating import render

router = APIRouter(
    prefix="/admin/zones",
    dependencies=[Depends(require_role(Role.planner)), Depends(require_csrf)],
)
CRS_CHOICES = ("", "EPSG:4326", "EPSG:3006")


def _crs_options() -> list[tuple[str, str]]:
    return [
        ("", _("As the file says (WGS 84 when it says nothing)")),
        ("EPSG:4326", "WGS 84 (EPSG:4326)"),
        ("EPSG:3006", "SWEREF 99 TM (EPSG:3006)"),
    ]


def _page(
    request: Request,
    session: SessionDep,
    *,
    report: zone_import.Report | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
    block: str | None = None,
) -> Response:
    context: dict[str, Any] = {
        "rows": zones.overview(session=session),
        "progress": zone_placement.progress(session=session),
        "report": report,
        "form": form or {"crs": "", "dry_run": "true"},
        "crs_options": _crs_options(),
        "max_mb": zone_files.MAX_BYTES // 1048576,
    }
    return render(request, "admin/zones.html", context, status_code=status_code, block=block)


@router.get("")
def zone_list(request: Request, session: SessionDep) -> Response:
    """Every zone, nested, with its observations; the import form and the progress."""
    return _page(request, session)


@router.post("/import")
def import_zones(
    request: Request,
    session: SessionDep,
    visitor: VisitorDep,
    file: Annotated[UploadFile | None, File()] = None,
    crs: Annotated[str, Form(max_length=40)] = "",
    dry_run: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Check a zone file and apply all of it or nothing; a change starts the re-placement."""
    form = {"crs": crs if crs in CRS_CHOICES else "", "dry_run": "true" if dry_run else ""}
    data = file.file.read(zone_files.MAX_BYTES + 1) if file is not None and file.filename else b""
    report = zone_import.run(
        session=session, data=data, crs=crs or None, dry_run=bool(dry_run), actor=visitor.user
    )
    if report.placement_id is not None:
        zone_placement.start_in_background(session=session)
    return _page(request, session, report=report, form=form, status_code=200 if report.ok else 422)


@router.get("/export")
def export_zones(session: SessionDep) -> Response:
    """Every zone as GeoJSON (WGS 84) with slug, name, kind and parent: import reads it back."""
    return Response(
        json.dumps(zones.feature_collection(session=session), ensure_ascii=False),
        media_type="application/geo+json",
        headers={"Content-Disposition": 'attachment; filename="safetywalk-zones.geojson"'},
    )


@router.get("/placement")
def placement_progress(request: Request, session: SessionDep) -> Response:
    """The re-placement's progress (htmx polls this block while it runs)."""
    return _page(request, session, block="placement")


@router.post("/placement")
def resume_placement(session: SessionDep) -> Response:
    """Resume an interrupted re-placement where it stopped."""
    zone_placement.start_in_background(session=session)
    return RedirectResponse("/admin/zones", status_code=303)
