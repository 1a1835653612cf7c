"""The resident's side: the capture page, the one door for new observations, status pages."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.datastructures import UploadFile
from starlette.responses import Response

from app import clock
from app.deps import (
    FormDep,
    MediaStoreDep,
    SessionDep,
    SettingsDep,
    TrackedObservationDep,
    phone_id,
    remember_phone,
)
from app.services import (
    capture_form,
    categories,
    daylight,
    lifecycle,
    observations,
    photo_moderation,
    photos,
    public,
    retention,
    submission,
    support,
)
from app.templating import is_htmx, render, wants_json

router = APIRouter()
PAGE_SIZE = 30
# The phone's anonymous id, the same cookie the walk pages use: one "me too" per phone.


@router.get("/")
def capture_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The capture form, with a fresh client id: re-sending this same form is stored once."""
    return render(request, "capture/new.html", capture_form.new(session=session, settings=settings))


@router.post("/observations")
def submit_observation(
    request: Request,
    form: FormDep,
    session: SessionDep,
    settings: SettingsDep,
    store: MediaStoreDep,
) -> Response:
    """Store an observation (form, htmx or API); a replayed client_id returns the first one."""
    raw = {key: value for key, value in form.multi_items() if isinstance(value, str)}
    # Several checkboxes share the name: keep them all (an API client may send "a,b").
    raw["factors"] = ",".join(v for v in form.getlist("factors") if isinstance(v, str))
    uploads = [
        upload.file  # read inside a decode slot, not here: see photos.ingest
        for upload in form.getlist("photo")
        if isinstance(upload, UploadFile) and (upload.filename or upload.size)
    ]
    try:
        result = observations.capture(
            session=session,
            raw=raw,
            uploads=uploads,
            store=store,
            limits=photos.limits(settings),
            max_photos=settings.photos_per_observation,
            description_max=settings.description_max_chars,
            photo_review=photo_moderation.initial_review(settings),
        )
    except submission.InvalidSubmission as exc:
        if wants_json(request):
            return JSONResponse(
                {"result": "refused", "errors": exc.errors}, status_code=exc.status_code
            )
        return render(
            request,
            "capture/new.html",
            {
                "categories": categories.active(session=session),
                "values": raw,
                "errors": exc.errors,
                **capture_form.walk_context(session=session, code=raw.get("walk_code")),
            },
            block="errors",
            status_code=exc.status_code,
        )

    obs = result.observation
    url = str(request.url_for("observation_page", token=obs.token))
    status_code = 201 if result.created else 200
    if wants_json(request):
        return JSONResponse(
            {
                "result": "stored" if result.created else "already_stored",
                "token": obs.token,
                # The walk named was closed: stored all the same, without the walk.
                "walk": "closed" if result.walk_closed else ("joined" if obs.walk_id else None),
                "url": url,
            },
            status_code=status_code,
            headers={"Location": url},
        )
    if not is_htmx(request):
        # A plain form post (no JavaScript): the browser goes to the status page, whose address
        # is the tracking link, so a reload or a bookmark keeps it (?sent= says "thank you").
        sent = "1" if result.created else "again"
        walk = "&walk=closed" if result.walk_closed else ""
        return RedirectResponse(f"{tracked_path(request, obs.token)}?sent={sent}{walk}", 303)
    return render(
        request,
        "capture/confirmation.html",
        {
            "obs": public.receipt(session=session, obs=obs),
            "tracking_url": url,
            "created": result.created,
            "walk_code": obs.walk_code if obs.walk_id else None,
            "walk_closed": result.walk_closed,
        },
        block="confirmation",
        status_code=status_code,
        # htmx: the confirmation replaces the whole form, not just the status line (on a walk's
        # page also the walk's heading, so the page keeps one h1).
        headers={
            "HX-Retarget": "#walk-area" if obs.walk_code else "#capture",
            "HX-Reswap": "outerHTML show:window:top",
            # The address becomes the tracking link: a reload shows the status page.
            "HX-Push-Url": tracked_path(request, obs.token),
        },
    )


def tracked_path(request: Request, token: str) -> str:
    """The tracking link's path (the page's own origin: behind a proxy the host may differ)."""
    return request.app.url_path_for("observation_page", token=token)


@router.get("/observations")
def recent_observations(
    request: Request, session: SessionDep, page: Annotated[int, Query(ge=1, le=10_000)] = 1
) -> Response:
    """The newest observations, public fields only."""
    rows = observations.recent(session=session, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return render(
        request,
        "capture/recent.html",
        {
            "rows": rows[:PAGE_SIZE],
            "page": page,
            "has_next": len(rows) > PAGE_SIZE,
        },
        block="rows",
    )


@router.get("/observations/{token}", name="observation_page")
def observation_page(
    request: Request,
    session: SessionDep,
    obs: TrackedObservationDep,
    settings: SettingsDep,
    # Only "1", "again" and "closed" mean anything; any other value is ignored, not refused.
    sent: str = "",
    walk: str = "",
) -> Response:
    """The status page behind a tracking link: photo, place, status and public history; right
    after a send without JavaScript (?sent=1, or "again" for a replay) also the thank-you."""
    view = public.observation(session=session, obs=obs)
    return render(
        request,
        "capture/status.html",
        {
            "obs": view,
            "precise": True,
            "token": obs.token,
            "tracking_url": str(request.url_for("observation_page", token=obs.token)),
            "sent": sent if sent in ("1", "again") else None,
            "walk_closed": walk == "closed",
            "walk_code": obs.walk_code if obs.walk_id else None,
            "forget_token": retention.forget_offer(
                obs=obs, secret_key=settings.ensure_secret_key()
            ),
        },
    )


@router.get("/reports/{observation_id}")
def public_report(
    request: Request,
    session: SessionDep,
    observation_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
) -> Response:
    """An observation's public page by its number: the date, not the minute, of a report."""
    obs = observations.public(session=session, observation_id=observation_id)
    if obs is None:
        raise HTTPException(status_code=404)
    view = public.observation(session=session, obs=obs)
    return render(request, "capture/status.html", {"obs": view, "precise": False, "token": None})


@router.get("/capture/daylight")
def is_dark_now(
    lat: Annotated[float, Query(ge=-90, le=90)], lon: Annotated[float, Query(ge=-180, le=180)]
) -> JSONResponse:
    """Dark or daylight at this place now, to preset the form."""
    return JSONResponse({"dark": daylight.is_dark(lat=lat, lon=lon, at=clock.now())})


@router.post("/capture/nearby")
def nearby_reports(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    category: Annotated[str, Form(max_length=64)],
    lat: Annotated[float, Form(ge=-90, le=90)],
    lon: Annotated[float, Form(ge=-180, le=180)],
) -> Response:
    """Open reports of this kind close by, offered before a new one (POST: the position
    stays out of the access log). htmx gets the offers alone; a plain form post gets a page
    whose "me too" buttons are forms of their own, with a fresh client id."""
    found = support.offers(
        session=session,
        category_slug=category,
        lat=lat,
        lon=lon,
        radius_m=settings.me_too_radius_m,
    )
    return render(
        request,
        "capture/nearby.html",
        {"offers": found, "error": None, "client_id": str(uuid.uuid4())},
        block="offers",
    )


@router.post("/observations/{observation_id}/support")
def support_report(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    observation_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    client_id: Annotated[str, Form(max_length=64)] = "",
    unsafe_level: Annotated[str, Form(max_length=2)] = "",
) -> Response:
    """ "Me too": count this device as a supporter of the report instead of a new one."""
    cookie = phone_id(request)
    try:
        backing = support.back(
            session=session,
            observation_id=observation_id,
            device=cookie or client_id,
            address=request.client.host if request.client else "",
            unsafe_level=unsafe_level,
            settings=settings,
        )
    except support.SupportRefused as exc:
        return render(
            request,
            "capture/nearby.html",
            {"offers": [], "error": exc.message},
            block="supported",
            status_code=exc.status_code,
        )
    answer = render(
        request,
        "capture/nearby.html",
        {
            "offers": [],
            "supported": public.backed(backing.observation),
            "counted": backing.counted,
            "error": None,
        },
        block="supported",
        status_code=200,
        headers={"HX-Retarget": "#capture", "HX-Reswap": "outerHTML show:window:top"},
    )
    if cookie is None:  # from now on this phone is known by the id it was counted under
        remember_phone(answer, backing.device, settings)
    return answer


@router.get("/observations/{token}/fixed")
def is_it_fixed(request: Request, session: SessionDep, obs: TrackedObservationDep) -> Response:
    """The reporter's "is it really fixed?" page, reached from the e-mail; no login."""
    view = public.observation(session=session, obs=obs)
    return render(
        request,
        "capture/fixed.html",
        {"obs": view, "token": obs.token, "done": None, "error": None},
    )


@router.post("/observations/{token}/fixed")
def answer_is_it_fixed(
    request: Request,
    session: SessionDep,
    obs: TrackedObservationDep,
    answer: Annotated[str, Form(pattern="^(yes|no)$")],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Yes keeps it closed; no reopens it with the reporter's words."""
    try:
        lifecycle.resident_answer(session=session, obs=obs, fixed=answer == "yes", note=note)
        error, status_code = None, 200
    except lifecycle.TransitionRefused as exc:
        error, status_code = exc.message, 409
    view = public.observation(session=session, obs=obs)
    return render(
        request,
        "capture/fixed.html",
        {"obs": view, "token": obs.token, "done": answer, "error": error},
        status_code=status_code,
    )
