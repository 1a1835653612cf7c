"""One report on the triage desk as a triager's work place: the page (facts, possible
duplicates, history, previous/next within the queue's filter) with one update form that saves
every change at once, and the merge confirmation. The older per-action endpoints, which the
queue's inline rows use, are in `triage_actions`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import BeforeValidator
from sqlmodel import Session
from starlette.responses import Response

from app import clock
from app.config import Settings
from app.deps import (
    FormDep,
    MediaStoreDep,
    ObservationDep,
    SessionDep,
    SettingsDep,
    VisitorDep,
    require_csrf,
    require_role,
)
from app.i18n import gettext as _
from app.models import Observation, Priority, Role, Status
from app.routes.triage import BadFilter, read_filter
from app.services import (
    canned_replies,
    deadlines,
    photo_public,
    photos,
    quarterly_photos,
    queue,
    report_nav,
    text_input,
    triage,
    triage_update,
)
from app.services.auth import Visitor
from app.templating import render

router = APIRouter(
    prefix="/triage",
    dependencies=[Depends(require_role(Role.triager, Role.unit_worker)), Depends(require_csrf)],
)


def detail_page(
    request: Request,
    session: Session,
    settings: Settings,
    visitor: Visitor,
    obs: Observation,
    *,
    error: str | None = None,
    error_field: str = "",
    form: Mapping[str, str] | None = None,
    came_from: str = "",
    notice: str = "",
    status_code: int = 200,
) -> Response:
    """The report page: everything about it, the one update form, previous and next within
    the queue's filter. After a refusal the form shows what was sent, and why it was not."""
    now = clock.now()
    view = triage.staff_view(
        session=session,
        obs=obs,
        actor=visitor.user,
        due_at=deadlines.due_at(obs, settings),
        now=now,
        duplicate_radius_m=settings.duplicate_radius_m,
    )
    return render(
        request,
        "triage/detail.html",
        {
            "view": view,
            "error": error,
            "error_field": error_field,
            "form": form or {},
            "notice": _notice(notice),
            "units": triage.units(session=session),
            "priorities": list(Priority),
            "can_triage": visitor.user.role in (Role.triager, Role.admin),
            "can_publish_photos": quarterly_photos.may_publish(session=session, obs=obs),
            "photo_url": photo_public.photo_url,
            "replies": canned_replies.for_category(session=session, category_id=obs.category_id),
            "nav": report_nav.around(
                session=session,
                user=visitor.user,
                settings=settings,
                observation_id=obs.id,  # type: ignore[arg-type]
                came_from=_came_from(came_from),
            ),
        },
        block="detail",
        status_code=status_code,
    )


def _notice(key: str) -> str | None:
    """What the page says after a save (the redirect names it: ?notice=saved)."""
    return {
        "saved": _("Saved."),
        "unchanged": _("Nothing was changed: every field was as it was."),
    }.get(key)


def _came_from(query: str) -> tuple[queue.QueueFilter, str]:
    """The queue filter a report was opened from (its `from`), read by the queue's own rules;
    one the queue would refuse is its default view."""
    query = query.lstrip("?")[: report_nav.QUERY_MAX]
    try:
        # The query itself is kept as it came (its page too): "back" returns to that page.
        return read_filter(query)[0], query
    except (BadFilter, text_input.Refused):
        return queue.QueueFilter(), ""


CameFrom = Annotated[str, Query(alias="from", max_length=report_nav.QUERY_MAX)]


@router.get("/{observation_id}")
def observation_detail(
    request: Request,
    obs: ObservationDep,
    session: SessionDep,
    settings: SettingsDep,
    visitor: VisitorDep,
    came_from: CameFrom = "",
    notice: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """One observation as staff see it: contact, routing reason, full history, the update
    form, and previous/next within the queue's filter it was opened from (`?from=`)."""
    return detail_page(request, session, settings, visitor, obs, came_from=came_from, notice=notice)


BLANK_IS_NONE = BeforeValidator(lambda value: None if value == "" else value)


@router.post("/{observation_id}/update")
def update_report(
    request: Request,
    obs: ObservationDep,
    session: SessionDep,
    settings: SettingsDep,
    store: MediaStoreDep,
    visitor: VisitorDep,
    form: FormDep,
    to: Annotated[Status | None, BLANK_IS_NONE, Form()] = None,
    note: Annotated[str, Form(max_length=4000)] = "",
    internal_note: Annotated[str, Form(max_length=4000)] = "",
    reply: Annotated[int | None, BLANK_IS_NONE, Form(ge=1, le=2**31 - 1)] = None,
    assignee: Annotated[str | None, Form(pattern="^(none|[0-9]{1,9})$")] = None,
    unit: Annotated[str | None, Form(max_length=64)] = None,
    priority: Annotated[Priority | None, BLANK_IS_NONE, Form()] = None,
    handed_to: Annotated[str, Form(max_length=200)] = "",
    duplicate_of: Annotated[str, Form(max_length=64)] = "",
    confirm_merge: Annotated[str, Form(pattern="^(yes)?$")] = "",
    came_from: Annotated[str, Form(alias="from", max_length=report_nav.QUERY_MAX)] = "",
    after_photo: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """The one update form: every part checked, all saved in one go or nothing (409 with the
    reason of the part refused); a merge asks to confirm first."""
    update = triage_update.UpdateForm(
        to=to,
        note=note,
        internal_note=internal_note,
        reply_id=reply,
        assignee=assignee,
        unit=unit,
        priority=priority,
        handed_to=handed_to,
        duplicate_of=duplicate_of,
        confirmed_merge=confirm_merge == "yes",
    )
    photo = None
    if after_photo is not None and (after_photo.filename or after_photo.size):
        photo = triage_update.AfterPhoto(after_photo.file, store, photos.limits(settings))
    sent = {k: v for k, v in form.multi_items() if isinstance(v, str) and k != "csrf_token"}
    try:
        saved = triage_update.save(
            session=session, obs=obs, actor=visitor.user, form=update, after_photo=photo
        )
    except triage_update.UpdateRefused as exc:
        return detail_page(
            request,
            session,
            settings,
            visitor,
            obs,
            error=exc.message,
            error_field=exc.field,
            form=sent,
            came_from=came_from,
            status_code=exc.status_code,
        )
    except triage_update.MergeUnconfirmed as exc:
        return _merge_page(
            request, session, settings, visitor, obs, exc.survivor.id, sent, came_from
        )
    notice = "saved" if saved.lines else "unchanged"
    return RedirectResponse(report_nav.page_link(obs.id, came_from, notice=notice), status_code=303)


@router.get("/{observation_id}/merge")
def merge_confirmation(
    request: Request,
    obs: ObservationDep,
    session: SessionDep,
    settings: SettingsDep,
    visitor: VisitorDep,
    into: Annotated[int, Query(ge=1, le=2**31 - 1)],
    came_from: CameFrom = "",
) -> Response:
    """ "Merge #A into #B?": both reports side by side, and a button that confirms."""
    return _merge_page(request, session, settings, visitor, obs, into, {}, came_from)


def _merge_page(
    request: Request,
    session: Session,
    settings: Settings,
    visitor: Visitor,
    obs: Observation,
    into: int | None,
    sent: Mapping[str, str],
    came_from: str,
) -> Response:
    try:
        this, other = triage_update.merge_sides(
            session=session, obs=obs, actor=visitor.user, into_id=into or 0
        )
    except triage_update.UpdateRefused as exc:
        return detail_page(
            request,
            session,
            settings,
            visitor,
            obs,
            error=exc.message,
            error_field=exc.field,
            came_from=came_from,
            status_code=exc.status_code,
        )
    carried = {
        k: v
        for k, v in sent.items()
        if k not in ("to", "duplicate_of", "confirm_merge", "from", "note", "internal_note")
    }
    return render(
        request,
        "triage/merge.html",
        {
            "this": this,
            "other": other,
            "carried": carried,
            "note": sent.get("note", ""),
            "internal_note": sent.get("internal_note", ""),
            "came_from": came_from,
            "back": report_nav.page_link(obs.id, came_from),
        },
    )
