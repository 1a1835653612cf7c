"""Safety walks: the public list and joining by code (no account), the leader's pages (plan,
start, follow live, close, check a follow-up), and the protocol in every format."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.responses import Response

from app import clock
from app.deps import FormDep, SessionDep, SettingsDep, VisitorDep, require_csrf, require_role
from app.i18n import current_language
from app.i18n import gettext as _
from app.models import Role, Walk, WalkStatus
from app.routes.capture import walk_capture_context
from app.services import categories, csvfile, daylight, walks, zones
from app.templating import is_htmx, render, templates

public = APIRouter()
# Every member of staff may follow a walk and read its protocol ...
staff = APIRouter(
    prefix="/walks",
    dependencies=[
        Depends(require_role(Role.walk_leader, Role.planner, Role.triager, Role.unit_worker)),
        Depends(require_csrf),
    ],
)
# ... walk leaders plan and run them (the service checks it is their walk).
leaders = APIRouter(
    prefix="/walks",
    dependencies=[Depends(require_role(Role.walk_leader)), Depends(require_csrf)],
)
DEVICE_COOKIE = "sw_device"
WalkId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Code = Annotated[str, Path(max_length=32)]


def _walk(session: SessionDep, walk_id: WalkId) -> Walk:
    walk = walks.by_id(session=session, walk_id=walk_id)
    if walk is None:
        raise HTTPException(status_code=404)
    return walk


WalkDep = Annotated[Walk, Depends(_walk)]


def _protocol(session: SessionDep, settings: SettingsDep, walk: WalkDep) -> walks.Protocol:
    """The walk's protocol, its items' statuses read afresh."""
    return walks.protocol(session=session, walk=walk, settings=settings, lang=current_language())


ProtocolDep = Annotated[walks.Protocol, Depends(_protocol)]


def _file_name(proto: walks.Protocol, ext: str, disposition: str) -> str:
    return f'{disposition}; filename="walk-{proto.walk.id}-protocol.{ext}"'


def _base_url(request: Request) -> str:
    """The site's public address (a setting): a printed QR code must not carry whatever Host
    header the request came with."""
    return request.app.state.settings.public_url.rstrip("/")


def join_url(request: Request, walk: Walk) -> str:
    return f"{_base_url(request)}/w/{walk.join_code}"


# Public: upcoming walks, joining, capturing on a walk, co-signing


@public.get("/walks")
def upcoming_walks(request: Request, session: SessionDep) -> Response:
    """Walks residents can come to, and a box for the code the leader gives out."""
    return render(
        request,
        "walks/upcoming.html",
        {"walks": walks.upcoming(session=session), "error": None, "code": ""},
    )


@public.get("/walks/join")
def join_by_code(
    request: Request, session: SessionDep, code: Annotated[str, Query(max_length=64)] = ""
) -> Response:
    """The typed code: on to the walk's capture page, or the list again with a clear message."""
    walk = walks.by_code(session=session, code=code)
    if walk is None:
        return render(
            request,
            "walks/upcoming.html",
            {
                "walks": walks.upcoming(session=session),
                "error": _(
                    "No walk has the code %(code)s. Check it with the walk's leader.", code=code
                )
                if code.strip()
                else _("Type the code the walk's leader gave you."),
                "code": code,
            },
            status_code=404 if code.strip() else 422,
        )
    return RedirectResponse(f"/w/{walk.join_code}", status_code=303)


def _device(request: Request) -> tuple[uuid.UUID, bool]:
    """This phone's anonymous id (a cookie): a participant is counted once per walk."""
    try:
        return uuid.UUID(request.cookies.get(DEVICE_COOKIE, "")), False
    except ValueError:
        return uuid.uuid4(), True


@public.get("/w/{code}", name="walk_capture")
def walk_capture(
    request: Request, session: SessionDep, settings: SettingsDep, code: Code
) -> Response:
    """The QR code's and the join code's target: the capture page tied to the walk."""
    walk = walks.by_code(session=session, code=code)
    if walk is None:
        raise HTTPException(status_code=404, detail=_("No walk has this code."))
    if walk.status == WalkStatus.closed:
        return render(request, "walks/closed.html", {"walk": walk}, status_code=410)
    device, is_new = _device(request)
    walks.join(session=session, walk=walk, device_id=device)
    center = (settings.map_center_lat, settings.map_center_lon)
    answer = render(
        request,
        "capture/new.html",
        {
            "categories": categories.active(session=session),
            "values": {
                "client_id": str(uuid.uuid4()),
                "walk_code": walk.join_code,
                "dark": "dark"
                if daylight.is_dark(lat=center[0], lon=center[1], at=clock.now())
                else "daylight",
            },
            "errors": {},
            **walk_capture_context(session, walk.join_code),
        },
    )
    if is_new:
        answer.set_cookie(
            DEVICE_COOKIE,
            str(device),
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    return answer


def _walk_items_context(request: Request, session, settings, walk: Walk, **extra):  # type: ignore[no-untyped-def]
    return {
        "walk": walk,
        "items": walks.items_for_participants(
            session=session, walk=walk, settings=settings, lang=current_language()
        ),
        "participants": walks.participant_count(session=session, walk=walk),
        **extra,
    }


@public.get("/w/{code}/items")
def walk_items(
    request: Request, session: SessionDep, settings: SettingsDep, code: Code
) -> Response:
    """What others logged on this walk so far, to co-sign instead of logging it again."""
    walk = walks.by_code(session=session, code=code)
    if walk is None:
        raise HTTPException(status_code=404)
    return render(
        request,
        "walks/cosign.html",
        _walk_items_context(request, session, settings, walk, done=None, error=None),
        block="items",
    )


@public.post("/w/{code}/cosign/{observation_id}")
def cosign(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    code: Code,
    observation_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    unsafe_level: Annotated[str, Form(max_length=2)] = "",
) -> Response:
    """ "I feel it too": the participant counts on an item of the walk, once per phone."""
    walk = walks.by_code(session=session, code=code)
    if walk is None:
        raise HTTPException(status_code=404)
    device, unknown_phone = _device(request)
    error, done, status_code = None, None, 200
    try:
        walks.cosign(
            session=session,
            walk=walk,
            observation_id=observation_id,
            device_id=None if unknown_phone else device,
            unsafe_level=unsafe_level,
            high_priority_at=settings.supporters_for_high_priority,
        )
        done = observation_id
    except walks.WalkRefused as exc:
        error, status_code = exc.message, exc.status_code
    return render(
        request,
        "walks/cosign.html",
        _walk_items_context(request, session, settings, walk, done=done, error=error),
        block="items",
        status_code=status_code,
    )


# Staff: the list, the live page and the protocol


@staff.get("/manage")
def walk_list(request: Request, session: SessionDep, visitor: VisitorDep) -> Response:
    return render(
        request,
        "walks/manage.html",
        {
            "walks": walks.listed_for_staff(session=session),
            "can_plan": walks.may_plan(visitor.user),
        },
    )


def _live_context(request: Request, session, settings, walk: Walk, visitor) -> dict:  # type: ignore[no-untyped-def]
    found = walks.items(
        session=session, walk_id=walk.id, settings=settings, lang=current_language()
    )
    return {
        "walk": walk,
        "items": list(reversed(found)),
        "summary": walks.summarise(found),
        "participants": walks.participant_count(session=session, walk=walk),
        "join_url": join_url(request, walk),
        "can_manage": walks.may_manage(visitor.user, walk),
        "leader": walks.leader_of(session=session, walk=walk),
        "error": None,
    }


@staff.get("/{walk_id}")
def live_page(
    request: Request, session: SessionDep, settings: SettingsDep, walk: WalkDep, visitor: VisitorDep
) -> Response:
    """The leader's page during the walk: code and QR, who joined, what came in (polled)."""
    return render(
        request,
        "walks/live.html",
        _live_context(request, session, settings, walk, visitor),
        block="live",
    )


@staff.get("/{walk_id}/items.geojson")
def live_points(request: Request, proto: ProtocolDep) -> JSONResponse:
    """The walk's items, area and route for the live map and the protocol's map."""
    return JSONResponse(
        walks.protocol_geojson(proto, lang=current_language(), base_url=_base_url(request)),
        media_type="application/geo+json",
    )


@staff.get("/{walk_id}/protocol")
def protocol_page(request: Request, proto: ProtocolDep) -> Response:
    """The protocol, printable; its items' statuses are read fresh every time."""
    return render(request, "walks/protocol.html", {"p": proto, "for_pdf": False})


@staff.get("/{walk_id}/protocol.pdf")
def protocol_pdf(request: Request, settings: SettingsDep, proto: ProtocolDep) -> Response:
    html = templates.env.get_template("walks/protocol_pdf.html").render(
        {
            "p": proto,
            "for_pdf": True,
            "lang": current_language(),
            "settings": settings,
            "htmx": False,
            "visitor": None,
            "request": request,
        }
    )
    from app.services.protocol_pdf import render_pdf  # WeasyPrint loads only when asked

    pdf = render_pdf(html, media_dir=settings.media_path, base_url=_base_url(request))
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": _file_name(proto, "pdf", "inline")},
    )


@staff.get("/{walk_id}/protocol.csv")
def protocol_csv(request: Request, proto: ProtocolDep) -> Response:
    rows = walks.protocol_rows(proto, lang=current_language(), base_url=_base_url(request))
    return Response(
        csvfile.text(walks.CSV_COLUMNS, rows, bom=True),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": _file_name(proto, "csv", "attachment")},
    )


@staff.get("/{walk_id}/protocol.geojson")
def protocol_geojson(request: Request, proto: ProtocolDep) -> JSONResponse:
    return JSONResponse(
        walks.protocol_geojson(proto, lang=current_language(), base_url=_base_url(request)),
        media_type="application/geo+json",
        headers={"Content-Disposition": _file_name(proto, "geojson", "attachment")},
    )


# Walk leaders: plan, start, close, check a follow-up


def _form_context(session, walk: Walk | None, values: dict, errors: dict) -> dict:  # type: ignore[no-untyped-def]
    return {
        "walk": walk,
        "values": values,
        "errors": errors,
        "zones": zones.listed(session=session),
        "earlier_walks": [
            w for w in walks.closed_walks(session=session) if walk is None or w.id != walk.id
        ],
    }


@leaders.get("/new")
def new_walk(
    request: Request, session: SessionDep, follow_up_of: Annotated[str, Query(max_length=10)] = ""
) -> Response:
    values: dict[str, str] = {"follow_up_of": follow_up_of}
    earlier = (
        walks.by_id(session=session, walk_id=int(follow_up_of))
        if follow_up_of.isascii() and follow_up_of.isdigit()
        else None
    )
    if earlier is not None:  # a follow-up walks the same area again
        zone = walks.zone_of(session=session, walk=earlier)
        values.update(
            title=_("Follow-up: %(title)s", title=earlier.title),
            zone=zone.slug if zone else "",
            area=earlier.area or "",
            route=earlier.route or "",
            meeting_point=earlier.meeting_point,
            organisations=earlier.organisations,
        )
    return render(request, "walks/form.html", _form_context(session, None, values, {}))


@leaders.post("/new")
def create_walk(
    request: Request, session: SessionDep, form: FormDep, visitor: VisitorDep
) -> Response:
    raw = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        fields = walks.validate(raw, session=session)
    except walks.InvalidWalk as exc:
        return render(
            request,
            "walks/form.html",
            _form_context(session, None, raw, exc.errors),
            status_code=422,
        )
    walk = walks.create(session=session, fields=fields, leader=visitor.user)
    return RedirectResponse(f"/walks/{walk.id}", status_code=303)


@leaders.get("/{walk_id}/edit")
def edit_walk(
    request: Request, session: SessionDep, walk: WalkDep, visitor: VisitorDep
) -> Response:
    if not walks.may_manage(visitor.user, walk):
        raise HTTPException(status_code=403)
    zone = walks.zone_of(session=session, walk=walk)
    local = walk.starts_at.astimezone(walks.LOCAL_TZ)
    values = {
        "title": walk.title,
        "description": walk.description,
        "zone": zone.slug if zone else "",
        "area": walk.area or "",
        "route": walk.route or "",
        "meeting_point": walk.meeting_point,
        "meeting_lat": "" if walk.meeting_lat is None else str(walk.meeting_lat),
        "meeting_lon": "" if walk.meeting_lon is None else str(walk.meeting_lon),
        "date": local.date().isoformat(),
        "time": local.strftime("%H:%M"),
        "organisations": walk.organisations,
        "follow_up_of": str(walk.follow_up_of_id or ""),
    }
    return render(request, "walks/form.html", _form_context(session, walk, values, {}))


@leaders.post("/{walk_id}/edit")
def update_walk(
    request: Request, session: SessionDep, form: FormDep, walk: WalkDep, visitor: VisitorDep
) -> Response:
    raw = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        fields = walks.validate(raw, session=session)
        walks.update(session=session, walk=walk, fields=fields, actor=visitor.user)
    except walks.InvalidWalk as exc:
        return render(
            request,
            "walks/form.html",
            _form_context(session, walk, raw, exc.errors),
            status_code=422,
        )
    except walks.WalkRefused as exc:
        return render(
            request,
            "walks/form.html",
            _form_context(session, walk, raw, {"form": exc.message}),
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/walks/{walk.id}", status_code=303)


def _move(request: Request, session, settings, walk: Walk, visitor, move) -> Response:  # type: ignore[no-untyped-def]
    try:
        move(session=session, walk=walk, actor=visitor.user)
    except walks.WalkRefused as exc:
        context = _live_context(request, session, settings, walk, visitor)
        context["error"] = exc.message
        return render(
            request, "walks/live.html", context, block="live", status_code=exc.status_code
        )
    if walk.status == WalkStatus.closed and not is_htmx(request):
        return RedirectResponse(f"/walks/{walk.id}/protocol", status_code=303)
    if is_htmx(request):
        target = (
            f"/walks/{walk.id}/protocol"
            if walk.status == WalkStatus.closed
            else f"/walks/{walk.id}"
        )
        return Response(status_code=204, headers={"HX-Location": target})
    return RedirectResponse(f"/walks/{walk.id}", status_code=303)


@leaders.post("/{walk_id}/start")
def start_walk(
    request: Request, session: SessionDep, settings: SettingsDep, walk: WalkDep, visitor: VisitorDep
) -> Response:
    return _move(request, session, settings, walk, visitor, walks.start)


@leaders.post("/{walk_id}/close")
def close_walk(
    request: Request, session: SessionDep, settings: SettingsDep, walk: WalkDep, visitor: VisitorDep
) -> Response:
    return _move(request, session, settings, walk, visitor, walks.close)


@leaders.get("/{walk_id}/qr.svg")
def join_qr(request: Request, walk: WalkDep) -> Response:
    """The join link as a QR code, to show on the leader's phone or print on a poster."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(
        join_url(request, walk), image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2
    )
    return Response(image.to_string(encoding="unicode"), media_type="image/svg+xml")


@leaders.get("/{walk_id}/follow-up")
def follow_up_page(
    request: Request, session: SessionDep, settings: SettingsDep, walk: WalkDep, visitor: VisitorDep
) -> Response:
    """The earlier walk's items on the map and as a list, each to check on site."""
    if walk.follow_up_of_id is None:
        raise HTTPException(
            status_code=404, detail=_("This walk is not a follow-up of an earlier walk.")
        )
    return render(
        request, "walks/follow_up.html", _follow_up_context(session, settings, walk, visitor)
    )


def _follow_up_context(session, settings, walk: Walk, visitor, **extra):  # type: ignore[no-untyped-def]
    return {
        "walk": walk,
        "earlier": walks.by_id(session=session, walk_id=walk.follow_up_of_id or 0),
        "checked": walks.earlier_items(
            session=session, walk=walk, settings=settings, lang=current_language()
        ),
        "can_manage": walks.may_manage(visitor.user, walk),
        "error": None,
        "error_for": None,
        **extra,
    }


@leaders.post("/{walk_id}/checks/{observation_id}")
def check_item(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    walk: WalkDep,
    visitor: VisitorDep,
    observation_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    fixed: Annotated[str, Form(max_length=10)] = "",
    unsafe_level: Annotated[str, Form(max_length=2)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """One earlier item checked on site: fixed? how unsafe now (1-5)?"""
    error, status_code = None, 200
    try:
        walks.record_check(
            session=session,
            walk=walk,
            observation_id=observation_id,
            fixed=fixed,
            unsafe_level=unsafe_level,
            note=note,
            actor=visitor.user,
        )
    except walks.WalkRefused as exc:
        if walk.follow_up_of_id is None:  # no check page to show it on
            raise HTTPException(status_code=exc.status_code, detail=exc.message) from exc
        error, status_code = exc.message, exc.status_code
    if not is_htmx(request) and error is None:
        return RedirectResponse(
            f"/walks/{walk.id}/follow-up#item-{observation_id}", status_code=303
        )
    context = _follow_up_context(
        session, settings, walk, visitor, error=error, error_for=observation_id
    )
    if is_htmx(request):
        row = next((c for c in context["checked"] if c.item.id == observation_id), None)
        if row is not None:
            return render(
                request,
                "walks/follow_up.html",
                {**context, "c": row},
                block="check_row",
                status_code=status_code,
            )
    return render(request, "walks/follow_up.html", context, status_code=status_code)
