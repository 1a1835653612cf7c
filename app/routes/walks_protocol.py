"""A walk's protocol for every member of staff: the printable page, PDF, CSV and GeoJSON, and
the points for the live map. Every format reads the items' statuses afresh."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response

from app.deps import MediaStoreDep, SessionDep, SettingsDep, WalkDep, require_csrf, require_role
from app.i18n import current_language
from app.models import Role
from app.services import protocol_map, walk_protocol
from app.templating import render, templates

router = APIRouter(
    prefix="/walks",
    dependencies=[
        Depends(
            require_role(
                Role.walk_leader, Role.planner, Role.triager, Role.unit_worker, Role.coordinator
            )
        ),
        Depends(require_csrf),
    ],
)


def _protocol(session: SessionDep, settings: SettingsDep, walk: WalkDep) -> walk_protocol.Protocol:
    """The walk's protocol, its items' statuses read afresh."""
    return walk_protocol.protocol(
        session=session, walk=walk, settings=settings, lang=current_language()
    )


ProtocolDep = Annotated[walk_protocol.Protocol, Depends(_protocol)]


def _overview(proto: walk_protocol.Protocol) -> protocol_map.OverviewMap | None:
    """The overview map with the protocol's numbered pins (the page and the PDF show it)."""
    return protocol_map.overview(
        walk=proto.walk,
        numbered=proto.numbered,
        lang=current_language(),
        zone_geometry=proto.zone_geometry,
    )


def _file_name(proto: walk_protocol.Protocol, ext: str, disposition: str) -> str:
    return f'{disposition}; filename="walk-{proto.walk.id}-protocol.{ext}"'


def _base_url(settings: SettingsDep) -> str:
    """The site's public address (a setting): links in an export must not carry whatever Host
    header the request came with."""
    return settings.public_url.rstrip("/")


BaseUrlDep = Annotated[str, Depends(_base_url)]


@router.get("/{walk_id}/items.geojson")
def live_points(proto: ProtocolDep, base_url: BaseUrlDep) -> JSONResponse:
    """The walk's items, area and route for the live map and the protocol's map."""
    return JSONResponse(
        walk_protocol.protocol_geojson(proto, lang=current_language(), base_url=base_url),
        media_type="application/geo+json",
    )


@router.get("/{walk_id}/protocol")
def protocol_page(request: Request, proto: ProtocolDep) -> Response:
    """The protocol, printable; its items' statuses are read fresh every time."""
    return render(
        request,
        "walks/protocol.html",
        {"p": proto, "for_pdf": False, "overview": _overview(proto)},
    )


@router.get("/{walk_id}/protocol.pdf")
def protocol_pdf(
    request: Request,
    settings: SettingsDep,
    store: MediaStoreDep,
    proto: ProtocolDep,
    base_url: BaseUrlDep,
) -> Response:
    html = templates.env.get_template("walks/protocol_pdf.html").render(
        {
            "p": proto,
            "for_pdf": True,
            "overview": _overview(proto),
            "lang": current_language(),
            "settings": settings,
            "htmx": False,
            "visitor": None,
            "request": request,
        }
    )
    from app.services.protocol_pdf import render_pdf  # WeasyPrint loads only when asked

    pdf = render_pdf(html, store=store, base_url=base_url)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": _file_name(proto, "pdf", "inline")},
    )


@router.get("/{walk_id}/protocol.csv")
def protocol_csv(proto: ProtocolDep, base_url: BaseUrlDep) -> Response:
    return Response(
        walk_protocol.protocol_csv(proto, lang=current_language(), base_url=base_url),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": _file_name(proto, "csv", "attachment")},
    )


@router.get("/{walk_id}/protocol.geojson")
def protocol_geojson(proto: ProtocolDep, base_url: BaseUrlDep) -> JSONResponse:
    return JSONResponse(
        walk_protocol.protocol_geojson(proto, lang=current_language(), base_url=base_url),
        media_type="application/geo+json",
        headers={"Content-Disposition": _file_name(proto, "geojson", "attachment")},
    )
