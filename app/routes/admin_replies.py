"""The administrator's canned replies (`/admin/replies`): the list with a form for a new one,
an edit page with delete. Plain forms: a change that works is answered 303 with a notice; a
refusal shows the form again with the reasons (422). main.py includes this router before
`admin_kinds`, so "replies" is never read as a kind."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.deps import SessionDep, VisitorDep, require_csrf, require_role
from app.i18n import gettext as _
from app.models import CannedReply, Role
from app.services import canned_replies
from app.templating import render

router = APIRouter(
    prefix="/admin/replies",
    dependencies=[Depends(require_role(Role.admin)), Depends(require_csrf)],
)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Notice = Annotated[str, Query(max_length=20)]
Title = Annotated[str, Form(max_length=400)]
Body = Annotated[str, Form(max_length=8000)]


def _notice(key: str) -> str | None:
    return {
        "created": _("Saved. It is in the list below."),
        "saved": _("Saved."),
        "deleted": _("Deleted."),
    }.get(key)


def reply_row(reply_id: Id, session: SessionDep) -> CannedReply:
    """The reply in the path, or 404."""
    reply = canned_replies.get(session=session, reply_id=reply_id)
    if reply is None:
        raise HTTPException(status_code=404)
    return reply


ReplyDep = Annotated[CannedReply, Depends(reply_row)]


def reply_form(
    title_sv: Title = "",
    title_en: Title = "",
    body_sv: Body = "",
    body_en: Body = "",
    category: Annotated[str, Form(max_length=64)] = "",
    position: Annotated[str, Form(max_length=12)] = "",
) -> dict[str, str]:
    """The reply's fields from the posted form, as strings (the service checks them)."""
    return {
        "title_sv": title_sv,
        "title_en": title_en,
        "body_sv": body_sv,
        "body_en": body_en,
        "category": category,
        "position": position,
    }


ReplyForm = Annotated[dict[str, str], Depends(reply_form)]


def _page(
    request: Request,
    session: SessionDep,
    template: str,
    *,
    reply: CannedReply | None = None,
    form: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    notice: str = "",
    status_code: int = 200,
) -> Response:
    if form is None and reply is not None:
        form = canned_replies.form_values(session=session, reply=reply)
    return render(
        request,
        template,
        {
            "rows": canned_replies.listed(session=session),
            "row": reply,
            "categories": canned_replies.choices(session=session),
            "form": form or {},
            "errors": errors or {},
            "notice": _notice(notice),
        },
        status_code=status_code,
    )


@router.get("")
def replies_page(request: Request, session: SessionDep, notice: Notice = "") -> Response:
    """Every canned reply, and a form for a new one."""
    return _page(request, session, "admin/replies.html", notice=notice)


@router.post("")
def create_reply(
    request: Request, session: SessionDep, visitor: VisitorDep, raw: ReplyForm
) -> Response:
    """A new canned reply; a refusal shows the form again with the reasons."""
    try:
        canned_replies.save(session=session, raw=raw, actor=visitor.user)
    except canned_replies.Invalid as exc:
        return _page(
            request, session, "admin/replies.html", form=raw, errors=exc.errors, status_code=422
        )
    return RedirectResponse("/admin/replies?notice=created", status_code=303)


@router.get("/{reply_id}")
def reply_page(
    request: Request, session: SessionDep, reply: ReplyDep, notice: Notice = ""
) -> Response:
    """One reply's form, and its delete button."""
    return _page(request, session, "admin/reply.html", reply=reply, notice=notice)


@router.post("/{reply_id}")
def update_reply(
    request: Request, session: SessionDep, visitor: VisitorDep, reply: ReplyDep, raw: ReplyForm
) -> Response:
    """Change a reply; a refusal shows its form again with the reasons."""
    try:
        canned_replies.save(session=session, raw=raw, reply=reply, actor=visitor.user)
    except canned_replies.Invalid as exc:
        return _page(
            request,
            session,
            "admin/reply.html",
            reply=reply,
            form=raw,
            errors=exc.errors,
            status_code=422,
        )
    return RedirectResponse(f"/admin/replies/{reply.id}?notice=saved", status_code=303)


@router.post("/{reply_id}/delete")
def delete_reply(session: SessionDep, visitor: VisitorDep, reply: ReplyDep) -> Response:
    """Delete a reply; notes already written with it keep their words."""
    canned_replies.delete(session=session, reply=reply, actor=visitor.user)
    return RedirectResponse("/admin/replies?notice=deleted", status_code=303)
