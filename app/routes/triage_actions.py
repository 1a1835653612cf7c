"""The per-action endpoints on one report: a status move, an assignment, a unit, a priority.
The queue's inline row forms post to /status and /assign (htmx gets the new row back); the
report page itself has one update form (`triage_report`). Registered with triage_report."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.responses import Response

from app.config import Settings
from app.deps import (
    MediaStoreDep,
    ObservationDep,
    SessionDep,
    SettingsDep,
    VisitorDep,
    local_path,
    require_csrf,
    require_role,
)
from app.i18n import gettext as _
from app.models import Observation, Priority, Role, Status
from app.routes.triage_report import detail_page
from app.services import (
    assignment,
    lifecycle,
    observations,
    photos,
    queue,
    routing,
    submission,
    triage,
)
from app.services.auth import Visitor
from app.templating import is_htmx, render

router = APIRouter(
    prefix="/triage",
    dependencies=[Depends(require_role(Role.triager, Role.unit_worker)), Depends(require_csrf)],
)
triagers_only = [Depends(require_role(Role.triager))]


def _after_change(
    request: Request,
    session: Session,
    settings: Settings,
    visitor: Visitor,
    obs: Observation,
    *,
    view: str,
    error: str | None,
    status_code: int,
    focus: str = "move",
) -> Response:
    """The answer to a change: htmx in the queue gets the new row; a plain form that worked is
    sent back where it came from (the queue with its filter, or the detail page); a refusal
    shows the detail page with the reason."""
    if view == "row" and is_htmx(request):
        row = queue.row(session=session, user=visitor.user, obs=obs, settings=settings)
        return render(
            request,
            "triage/queue.html",
            {"row": row, "row_error": error, "focus": focus},
            block="row",
            status_code=status_code,
        )
    if error is None and not is_htmx(request):
        target = str(request.url_for("observation_detail", observation_id=obs.id))
        if view == "row":
            target = _same_site_referer(request) or "/triage"
        return RedirectResponse(target, status_code=303)
    return detail_page(
        request, session, settings, visitor, obs, error=error, status_code=status_code
    )


def _same_site_referer(request: Request) -> str | None:
    """The page the form was sent from, when it is on this site (path and query only)."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc != request.url.netloc or not referer.path.startswith("/triage"):
        return None
    return local_path(referer.path + (f"?{referer.query}" if referer.query else ""), "") or None


@router.post("/{observation_id}/status")
def change_status(
    request: Request,
    obs: ObservationDep,
    session: SessionDep,
    settings: SettingsDep,
    store: MediaStoreDep,
    visitor: VisitorDep,
    to: Annotated[Status, Form()],
    note: Annotated[str, Form(max_length=4000)] = "",
    internal_note: Annotated[str, Form(max_length=4000)] = "",
    handed_to: Annotated[str, Form(max_length=200)] = "",
    duplicate_of: Annotated[str, Form(max_length=64)] = "",
    view: Annotated[str, Form(pattern="^(row|detail)$")] = "detail",
    after_photo: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Move the observation through its life cycle (409 with the reason when refused); a fix
    may bring its "after" photo."""
    survivor = observations.by_reference(session=session, reference=duplicate_of)
    try:
        after = None
        if after_photo is not None and (after_photo.filename or after_photo.size):
            after = photos.ingest(after_photo.file, store=store, limits=photos.limits(settings))
        triage.move(
            session=session,
            obs=obs,
            to=to,
            actor=visitor.user,
            note=note,
            internal_note=internal_note,
            handed_to=handed_to,
            duplicate_of=survivor,
            after_photo=after,
        )
        error, status_code = None, 200
    except photos.PhotoRejected as exc:
        limits = photos.limits(settings)
        error = submission.photo_message(
            exc.reason,
            max_mb=round(limits.max_bytes / 1048576, 1),
            max_mp=limits.max_pixels // 1_000_000,
        )
        status_code = exc.status_code
    except lifecycle.TransitionRefused as exc:
        session.rollback()
        session.refresh(obs)
        error, status_code = exc.message, 409
    return _after_change(
        request, session, settings, visitor, obs, view=view, error=error, status_code=status_code
    )


@router.post("/{observation_id}/route", dependencies=triagers_only)
def reroute(
    request: Request,
    obs: ObservationDep,
    session: SessionDep,
    settings: SettingsDep,
    visitor: VisitorDep,
    unit: Annotated[str, Form(max_length=64)],
    note: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Hand the observation to another unit; the history keeps from and to."""
    target = triage.unit_by_slug(session=session, slug=unit)
    if target is None:
        return detail_page(
            request,
            session,
            settings,
            visitor,
            obs,
            status_code=422,
            error=_("Choose a unit from the list."),
        )
    routing.reroute(
        session=session,
        obs=obs,
        unit=target,
        actor=lifecycle.Actor.staff(visitor.user),
        note=note,
    )
    return RedirectResponse(
        request.url_for("observation_detail", observation_id=obs.id), status_code=303
    )


@router.post("/{observation_id}/priority", dependencies=triagers_only)
def change_priority(
    request: Request,
    obs: ObservationDep,
    session: SessionDep,
    visitor: VisitorDep,
    priority: Annotated[Priority, Form()],
) -> Response:
    """Set the priority; the due date follows from it."""
    lifecycle.set_priority(
        session=session, obs=obs, priority=priority, actor=lifecycle.Actor.staff(visitor.user)
    )
    return RedirectResponse(
        request.url_for("observation_detail", observation_id=obs.id), status_code=303
    )


@router.post("/{observation_id}/assign")
def assign(
    request: Request,
    obs: ObservationDep,
    session: SessionDep,
    settings: SettingsDep,
    visitor: VisitorDep,
    assignee: Annotated[str, Form(pattern="^(none|[0-9]{1,9})$")],
    view: Annotated[str, Form(pattern="^(row|detail)$")] = "detail",
) -> Response:
    """Give the observation to one person (or to nobody); the history keeps it."""
    person = None
    if assignee != "none":
        person = assignment.staff_member(session=session, user_id=int(assignee))
    error, status_code = None, 200
    if assignee != "none" and person is None:
        error, status_code = _("Choose a person from the list."), 422
    else:
        try:
            assignment.assign(session=session, obs=obs, assignee=person, actor=visitor.user)
        except assignment.AssignmentRefused as exc:
            error, status_code = exc.message, 409
    return _after_change(
        request,
        session,
        settings,
        visitor,
        obs,
        view=view,
        error=error,
        status_code=status_code,
        focus="assign",
    )
