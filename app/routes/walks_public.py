"""Safety walks for residents (no account): the list of walks to come, joining by code, the
walk's capture page, and co-signing what others logged on the walk."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.deps import SessionDep, SettingsDep, WalkByCodeDep, phone_id, remember_phone
from app.i18n import current_language
from app.i18n import gettext as _
from app.models import Walk, WalkStatus
from app.services import capture_form, walk_items, walks
from app.templating import render

router = APIRouter()


@router.get("/walks")
def upcoming_walks(request: Request, session: SessionDep) -> Response:
    """Walks residents can come to, and a box for the code the leader gives out."""
    return render(
        request,
        "walks/upcoming.html",
        {"walks": walks.upcoming(session=session), "error": None, "code": ""},
    )


@router.get("/walks/join")
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


def _join(request: Request, session: SessionDep, walk: Walk) -> None:
    # Counted only when the device cookie comes back (see walks.join): a GET without it, a HEAD
    # (which arrives here as a GET, marked by HeadAsGet) or a link preview never adds one.
    if getattr(request.state, "head", False):
        return
    walks.join(
        session=session,
        walk=walk,
        device_id=phone_id(request),
        user_agent=request.headers.get("user-agent", ""),
    )


@router.get("/w/{code}", name="walk_capture")
def walk_capture(
    request: Request, session: SessionDep, settings: SettingsDep, walk: WalkByCodeDep
) -> Response:
    """The QR code's and the join code's target: the capture page tied to the walk.

    A phone is counted here when it comes back with its cookie (a second visit); on the first
    visit the cookie is only set, and the page's banner then reports back with it (POST
    /w/{code}/joined) — a browser that keeps cookies and runs the page counts at once, while
    a script, a preview robot or a browser refusing cookies never does."""
    if walk.status == WalkStatus.closed:
        return render(request, "walks/closed.html", {"walk": walk}, status_code=410)
    _join(request, session, walk)
    answer = render(
        request,
        "capture/new.html",
        capture_form.new(session=session, settings=settings, walk=walk),
    )
    if phone_id(request) is None:
        remember_phone(answer, uuid.uuid4(), settings)
    return answer


@router.post("/w/{code}/joined")
def joined(request: Request, session: SessionDep, walk: WalkByCodeDep) -> Response:
    """The walk page's banner reporting back with the device cookie: counted once per device;
    answers the banner's line with the new count."""
    _join(request, session, walk)
    return render(
        request,
        "walks/_participants.html",
        {
            "walk": walk,
            "participants": walks.participant_count(session=session, walk=walk),
            "reported": True,
        },
    )


def _items_context(session: SessionDep, settings: SettingsDep, walk: Walk, **extra):  # type: ignore[no-untyped-def]
    return {
        "walk": walk,
        "items": walk_items.items_for_participants(
            session=session, walk=walk, settings=settings, lang=current_language()
        ),
        "participants": walks.participant_count(session=session, walk=walk),
        **extra,
    }


@router.get("/w/{code}/items")
def walk_items_page(
    request: Request, session: SessionDep, settings: SettingsDep, walk: WalkByCodeDep
) -> Response:
    """What others logged on this walk so far, to co-sign instead of logging it again."""
    return render(
        request,
        "walks/cosign.html",
        _items_context(session, settings, walk, done=None, error=None),
        block="items",
    )


@router.post("/w/{code}/cosign/{observation_id}")
def cosign(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    walk: WalkByCodeDep,
    observation_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    unsafe_level: Annotated[str, Form(max_length=2)] = "",
) -> Response:
    """ "I feel it too": the participant counts on an item of the walk, once per phone."""
    _join(request, session, walk)  # co-signing with the cookie is taking part
    error, done, status_code = None, None, 200
    try:
        walks.cosign(
            session=session,
            walk=walk,
            observation_id=observation_id,
            device_id=phone_id(request),
            address=request.client.host if request.client else "",
            unsafe_level=unsafe_level,
            settings=settings,
        )
        done = observation_id
    except walks.WalkRefused as exc:
        error, status_code = exc.message, exc.status_code
    return render(
        request,
        "walks/cosign.html",
        _items_context(session, settings, walk, done=done, error=error),
        block="items",
        status_code=status_code,
    )
