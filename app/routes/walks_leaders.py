"""Safety walks for staff: the list and the live page for every member of staff; planning,
editing, starting, closing and the follow-up checks for walk leaders (the service checks that
it is their walk)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.deps import (
    FormDep,
    MediaStoreDep,
    SessionDep,
    SettingsDep,
    VisitorDep,
    WalkDep,
    require_csrf,
    require_role,
)
from app.i18n import current_language
from app.i18n import gettext as _
from app.models import Role, Walk, WalkStatus
from app.services import follow_up, join_sheet, walk_form, walk_items, walks, zones
from app.templating import is_htmx, render, templates

# Every member of staff may follow a walk ...
staff = APIRouter(
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
# ... walk leaders plan and run them.
leaders = APIRouter(
    prefix="/walks",
    dependencies=[Depends(require_role(Role.walk_leader)), Depends(require_csrf)],
)
ObservationId = Annotated[int, Path(ge=1, le=2**31 - 1)]


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


def _live_context(session, settings, walk: Walk, visitor) -> dict:  # type: ignore[no-untyped-def]
    found = walk_items.items(
        session=session,
        walk_id=walk.id,  # type: ignore[arg-type]
        settings=settings,
        lang=current_language(),
    )
    return {
        "walk": walk,
        "items": list(reversed(found)),
        "summary": walk_items.summarise(found),
        "participants": walks.participant_count(session=session, walk=walk),
        "join_url": walks.join_url(walk=walk, public_url=settings.public_url),
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
        request, "walks/live.html", _live_context(session, settings, walk, visitor), block="live"
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
    request: Request,
    session: SessionDep,
    follow_up_of: Annotated[str, Query(max_length=10)] = "",
    area: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """The walk form, empty, or starting from an earlier walk or a kept area (a plan's)."""
    earlier = (
        walks.by_id(session=session, walk_id=int(follow_up_of))
        if follow_up_of.isascii() and follow_up_of.isdigit()
        else None
    )
    zone = walks.zone_of(session=session, walk=earlier) if earlier else None
    values = walk_form.follow_up_values(earlier, zone, follow_up_of)
    if area:
        values.update(walk_form.area_values(session=session, key=area))
    return render(request, "walks/form.html", _form_context(session, None, values, {}))


@leaders.post("/new")
def create_walk(
    request: Request, session: SessionDep, form: FormDep, visitor: VisitorDep
) -> Response:
    raw = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        fields = walk_form.validate(raw, session=session)
    except walk_form.InvalidWalk as exc:
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
    values = walk_form.values_of(walk, walks.zone_of(session=session, walk=walk))
    return render(request, "walks/form.html", _form_context(session, walk, values, {}))


@leaders.post("/{walk_id}/edit")
def update_walk(
    request: Request, session: SessionDep, form: FormDep, walk: WalkDep, visitor: VisitorDep
) -> Response:
    raw = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        fields = walk_form.validate(raw, session=session)
        walks.update(session=session, walk=walk, fields=fields, actor=visitor.user)
    except walk_form.InvalidWalk as exc:
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
        context = _live_context(session, settings, walk, visitor)
        context["error"] = exc.message
        return render(
            request, "walks/live.html", context, block="live", status_code=exc.status_code
        )
    target = (
        f"/walks/{walk.id}/protocol" if walk.status == WalkStatus.closed else f"/walks/{walk.id}"
    )
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Location": target})
    return RedirectResponse(target, status_code=303)


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
def join_qr(settings: SettingsDep, walk: WalkDep) -> Response:
    """The join link as a QR code, to show on the leader's phone (the join sheet's own code)."""
    url = walks.join_url(walk=walk, public_url=settings.public_url)
    image = join_sheet.qr_svg(url, label=_("QR code that opens the walk: %(url)s", url=url))
    return Response(str(image), media_type="image/svg+xml")


def _sheet(session, settings, walk: Walk, visitor) -> join_sheet.JoinSheet:  # type: ignore[no-untyped-def]
    try:
        join_sheet.require_sheet(visitor.user, walk)
    except walks.WalkRefused as exc:
        raise HTTPException(status_code=exc.status_code, detail=exc.message) from exc
    return join_sheet.sheet(session=session, walk=walk, public_url=settings.public_url)


@leaders.get("/{walk_id}/join-sheet")
def join_sheet_page(
    request: Request, session: SessionDep, settings: SettingsDep, walk: WalkDep, visitor: VisitorDep
) -> Response:
    """The A4 sheet to print and pin up before the walk: when, where, the code and the QR."""
    return render(request, "walks/join_sheet.html", {"s": _sheet(session, settings, walk, visitor)})


@leaders.get("/{walk_id}/join-sheet.pdf")
def join_sheet_pdf(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    store: MediaStoreDep,
    walk: WalkDep,
    visitor: VisitorDep,
) -> Response:
    html = templates.env.get_template("walks/join_sheet_pdf.html").render(
        {
            "s": _sheet(session, settings, walk, visitor),
            "lang": current_language(),
            "settings": settings,
            "request": request,
        }
    )
    from app.services.protocol_pdf import render_pdf  # WeasyPrint loads only when asked

    pdf = render_pdf(html, store=store, base_url=settings.public_url.rstrip("/"))
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="walk-{walk.id}-join-sheet.pdf"'},
    )


def _follow_up_context(session, settings, walk: Walk, visitor, **extra):  # type: ignore[no-untyped-def]
    return {
        "walk": walk,
        "earlier": walks.by_id(session=session, walk_id=walk.follow_up_of_id or 0),
        "checked": follow_up.earlier_items(
            session=session, walk=walk, settings=settings, lang=current_language()
        ),
        "can_manage": walks.may_manage(visitor.user, walk),
        "error": None,
        "error_for": None,
        **extra,
    }


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


@leaders.post("/{walk_id}/checks/{observation_id}")
def check_item(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    walk: WalkDep,
    visitor: VisitorDep,
    observation_id: ObservationId,
    fixed: Annotated[str, Form(max_length=10)] = "",
    unsafe_level: Annotated[str, Form(max_length=2)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """One earlier item checked on site: fixed? how unsafe now (1-5)?"""
    error, status_code = None, 200
    try:
        follow_up.record_check(
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
