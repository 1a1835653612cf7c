"""Outside owners: the admins' registry (/admin/owners), the triagers' hand-off on the report
page (/triage/{id}/handoff), and the owner's answer page behind the secret in their mail
(/handoff/{secret}), which needs no account.

The answer page has no CSRF token: its owner has no session to tie one to, and the secret in
the path is the authorisation itself. A page on another site cannot forge the POST without
knowing the secret, and whoever knows it may answer anyway. GET only shows: mail scanners
open links before people do."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData
from starlette.responses import Response

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
from app.models import OPEN_STATES, Handoff, HandoffAnswer, OutsideOwner, Role
from app.services import handoff, outside_owners, registry
from app.templating import render

admin = APIRouter(
    prefix="/admin/owners",
    dependencies=[Depends(require_role(Role.admin)), Depends(require_csrf)],
)
desk = APIRouter(
    prefix="/triage",
    dependencies=[Depends(require_role(Role.triager)), Depends(require_csrf)],
)
public = APIRouter(prefix="/handoff")

Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Notice = Annotated[str, Query(max_length=20)]
# Pages an outside owner opens: nobody's browser or proxy keeps them.
NO_STORE = {"Cache-Control": "no-store"}


# The registry (admins)


def _owner(owner_id: Id, session: SessionDep) -> OutsideOwner:
    found = outside_owners.by_id(session=session, owner_id=owner_id)
    if found is None:
        raise HTTPException(status_code=404)
    return found


OwnerDep = Annotated[OutsideOwner, Depends(_owner)]


def _notice(key: str) -> str | None:
    return {
        "created": _("Saved. It is in the list below."),
        "saved": _("Saved."),
        "deactivated": _("Deactivated: the owner is no longer offered on the report page."),
        "activated": _("Active again."),
    }.get(key)


def _raw(form: FormData) -> tuple[dict[str, str], list[str]]:
    """The form's text fields and its chosen category slugs."""
    raw = {k: v for k, v in form.items() if isinstance(v, str) and k != "categories"}
    return raw, [v for v in form.getlist("categories") if isinstance(v, str)]


def _form_page(
    request: Request,
    session: SessionDep,
    *,
    template: str,
    form: dict[str, Any],
    owner: OutsideOwner | None = None,
    error: outside_owners.Invalid | None = None,
    notice: str = "",
) -> Response:
    return render(
        request,
        template,
        {
            "owners": outside_owners.listed(session=session) if owner is None else [],
            "owner": owner,
            "form": form,
            "errors": error.errors if error else {},
            "notice": _notice(notice),
            "category_options": registry.choices(session=session)["category_options"],
            "language_options": [("sv", _("Swedish")), ("en", _("English"))],
        },
        status_code=(409 if error.conflict else 422) if error else 200,
    )


@admin.get("")
def owners_page(request: Request, session: SessionDep, notice: Notice = "") -> Response:
    """Every outside owner, and the form for a new one."""
    form = {"language": "sv", "categories": []}
    return _form_page(request, session, template="owners/list.html", form=form, notice=notice)


@admin.post("")
def create_owner(
    request: Request, session: SessionDep, visitor: VisitorDep, form: FormDep
) -> Response:
    """A new outside owner."""
    raw, categories = _raw(form)
    try:
        outside_owners.save(session=session, raw=raw, categories=categories, actor=visitor.user)
    except outside_owners.Invalid as exc:
        shown = {**raw, "categories": categories}
        return _form_page(request, session, template="owners/list.html", form=shown, error=exc)
    return RedirectResponse("/admin/owners?notice=created", status_code=303)


@admin.get("/{owner_id}")
def owner_page(
    request: Request, session: SessionDep, owner: OwnerDep, notice: Notice = ""
) -> Response:
    """One owner: change them, deactivate them."""
    form = outside_owners.form_of(session=session, owner=owner)
    return _form_page(
        request, session, template="owners/edit.html", form=form, owner=owner, notice=notice
    )


@admin.post("/{owner_id}")
def update_owner(
    request: Request, session: SessionDep, visitor: VisitorDep, owner: OwnerDep, form: FormDep
) -> Response:
    """Change an owner's name, address, note, language and usual categories."""
    raw, categories = _raw(form)
    try:
        outside_owners.save(
            session=session, raw=raw, categories=categories, owner=owner, actor=visitor.user
        )
    except outside_owners.Invalid as exc:
        session.rollback()
        shown = {**raw, "categories": categories}
        return _form_page(
            request, session, template="owners/edit.html", form=shown, owner=owner, error=exc
        )
    return RedirectResponse(f"/admin/owners/{owner.id}?notice=saved", status_code=303)


@admin.post("/{owner_id}/active")
def set_owner_active(
    session: SessionDep,
    visitor: VisitorDep,
    owner: OwnerDep,
    active: Annotated[str, Form(pattern="^(true|false)$")] = "false",
) -> Response:
    """Deactivate an owner (kept for the history) or take them back."""
    outside_owners.set_active(
        session=session, owner=owner, active=active == "true", actor=visitor.user
    )
    notice = "activated" if owner.active else "deactivated"
    return RedirectResponse(f"/admin/owners/{owner.id}?notice={notice}", status_code=303)


# The hand-off (triagers)


def _handoff_page(
    request: Request,
    session: SessionDep,
    obs: ObservationDep,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "owners/handoff.html",
        {
            "obs": obs,
            "open": obs.status in OPEN_STATES,
            "offered": outside_owners.offered(session=session, obs=obs),
            "sent": handoff.of_report(session=session, obs=obs),
            "error": error,
        },
        block="panel",
        status_code=status_code,
    )


@desk.get("/{observation_id}/handoff")
def handoff_form(request: Request, session: SessionDep, obs: ObservationDep) -> Response:
    """The hand-off part of the report page (htmx loads it there), or a page of its own."""
    return _handoff_page(request, session, obs)


@desk.post("/{observation_id}/handoff")
def hand_off(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    visitor: VisitorDep,
    obs: ObservationDep,
    owner: Annotated[str, Form(pattern="^[0-9]{1,9}$")] = "",
    note: Annotated[str, Form(max_length=handoff.MAX_NOTE)] = "",
) -> Response:
    """Hand the report to an outside owner: they are mailed, the resident sees to whom."""
    chosen = outside_owners.by_id(session=session, owner_id=int(owner)) if owner else None
    if chosen is None:
        return _handoff_page(
            request, session, obs, error=_("Choose an owner from the list."), status_code=422
        )
    try:
        handoff.send(
            session=session,
            obs=obs,
            owner=chosen,
            by=visitor.user,
            note=note,
            base_url=settings.public_url,
        )
    except handoff.Refused as exc:
        session.refresh(obs)
        return _handoff_page(request, session, obs, error=exc.message, status_code=exc.status_code)
    return RedirectResponse(f"/triage/{obs.id}", status_code=303)


# The owner's link (no account)


def _by_secret(secret: Annotated[str, Path(max_length=64)], session: SessionDep) -> Handoff:
    found = handoff.by_secret(session=session, secret=secret)
    if found is None:
        raise HTTPException(status_code=404)
    return found


HandoffDep = Annotated[Handoff, Depends(_by_secret)]


def _owner_page(
    request: Request,
    session: SessionDep,
    found: Handoff,
    secret: str,
    *,
    error: str | None = None,
    done: bool = False,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "owners/answer.html",
        {
            "view": handoff.owner_view(session=session, handoff=found),
            "secret": secret,
            "answers": list(HandoffAnswer),
            "error": error,
            "done": done,
            "max_note": handoff.MAX_NOTE,
        },
        status_code=status_code,
        headers=NO_STORE,
    )


@public.get("/{secret}")
def owner_answer_page(
    request: Request, session: SessionDep, found: HandoffDep, secret: str
) -> Response:
    """The report for its outside owner, and their three answers (or the answer given)."""
    return _owner_page(request, session, found, secret)


@public.post("/{secret}")
def owner_answer(
    request: Request,
    session: SessionDep,
    found: HandoffDep,
    secret: str,
    answer: Annotated[HandoffAnswer, Form()],
    note: Annotated[str, Form(max_length=handoff.MAX_NOTE)] = "",
) -> Response:
    """Take the owner's one answer; a second is refused (409) and the first stays shown."""
    try:
        handoff.answer(session=session, handoff=found, given=answer, note=note)
    except handoff.Refused as exc:
        session.refresh(found)
        return _owner_page(
            request, session, found, secret, error=exc.message, status_code=exc.status_code
        )
    return _owner_page(request, session, found, secret, done=True)


@public.get("/{secret}/photos/{photo_id}")
def owner_photo(
    session: SessionDep,
    store: MediaStoreDep,
    found: HandoffDep,
    photo_id: Id,
    thumb: Annotated[bool, Query()] = False,
) -> Response:
    """One of the report's photos, for whoever holds the link (private categories too)."""
    content = handoff.photo_content(
        session=session, handoff=found, photo_id=photo_id, store=store, thumb=thumb
    )
    if content is None:
        raise HTTPException(status_code=404)
    return Response(content, media_type="image/jpeg", headers={**NO_STORE})
