"""The administrator's side: the overview and the staff accounts. Every page is admin-only and
every form carries the CSRF token (the whole router is guarded). Plain forms: a change that
works is answered 303 back to the page with a notice; a refusal shows the form again with the
reason (422 wrong, 409 clashes).

Units, categories and rules have their own module, `admin_kinds` (generic `/admin/{kind}`
routes); main.py includes this router first, so `/admin/users` is never read as a kind."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app import labels
from app.deps import SessionDep, SettingsDep, VisitorDep, require_csrf, require_role
from app.i18n import gettext as _
from app.models import Role, StaffUser, Unit
from app.services import accounts, outbox, registry, triage
from app.templating import render

router = APIRouter(
    prefix="/admin", dependencies=[Depends(require_role(Role.admin)), Depends(require_csrf)]
)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Text = Annotated[str, Form(max_length=400)]


def _notices() -> dict[str, str]:
    return {
        "created": _("Saved. It is in the list below."),
        "saved": _("Saved."),
        "deleted": _("Deleted."),
        "deactivated": _("The account is deactivated; its sessions have ended."),
        "activated": _("The account is active again."),
        "password": _("The password is changed; the account's other sessions have ended."),
    }


Notice = Annotated[str, Query(max_length=20)]


def _back(path: str, notice: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?notice={notice}", status_code=303)


def _status(exc: registry.Invalid | accounts.AccountRefused) -> int:
    return 409 if exc.conflict else 422


def _options(session: SessionDep) -> dict[str, Any]:
    """The choices the account forms offer, as (value, label) pairs in the visitor's language."""
    return {
        **registry.choices(session=session),
        "role_options": [(r.value, labels.role_label(r)) for r in Role],
        "language_options": [("sv", _("Swedish")), ("en", _("English"))],
    }


def _load(session: SessionDep, model: type, row_id: int) -> Any:
    row = session.get(model, row_id)
    if row is None:
        raise HTTPException(status_code=404)
    return row


def staff_user(user_id: Id, session: SessionDep) -> StaffUser:
    return _load(session, StaffUser, user_id)


UserDep = Annotated[StaffUser, Depends(staff_user)]


@router.get("")
def overview(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """What there is, and whether mail goes out."""
    return render(
        request,
        "admin/overview.html",
        {
            "accounts": accounts.counts(session=session),
            "units": len(registry.units(session=session)),
            "categories": registry.categories(session=session),
            "rules": len(registry.rules(session=session)),
            "zones": len(registry.zones(session=session)),
            "mail": outbox.status(session=session, settings=settings),
        },
    )


# Staff accounts


def _unit_id(session: SessionDep, slug: str) -> int | None:
    """The unit chosen in a form ("" is none); an unknown slug is refused by the service."""
    if not slug:
        return None
    unit = triage.unit_by_slug(session=session, slug=slug)
    return unit.id if unit else -1


def _role(value: str) -> Role | None:
    return Role(value) if value in {r.value for r in Role} else None


def _users_page(
    request: Request,
    session: SessionDep,
    *,
    form: Mapping[str, str] | None = None,
    error: accounts.AccountRefused | None = None,
    notice: str = "",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "admin/users.html",
        {
            **_options(session),
            "users": accounts.listed(session=session),
            "form": form or {"role": Role.triager.value, "language": "sv"},
            "error": error,
            "notice": _notices().get(notice),
            "min_password": accounts.MIN_PASSWORD_LENGTH,
        },
        status_code=status_code,
    )


@router.get("/users")
def users(request: Request, session: SessionDep, notice: Notice = "") -> Response:
    """Every staff account, and the form for a new one."""
    return _users_page(request, session, notice=notice)


@router.post("/users")
def create_user(
    request: Request,
    session: SessionDep,
    visitor: VisitorDep,
    email: Text = "",
    name: Text = "",
    role: Text = "",
    unit: Text = "",
    language: Text = "sv",
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """A new account; its owner logs in with the password given here."""
    form = {"email": email, "name": name, "role": role, "unit": unit, "language": language}
    try:
        chosen = _role(role)
        if chosen is None:
            raise accounts.AccountRefused(_("Choose a role from the list."), field="role")
        accounts.create(
            session=session,
            email=email,
            name=name,
            role=chosen,
            password=password,
            unit_id=_unit_id(session, unit),
            language=language,
            actor=visitor.user,
        )
    except accounts.AccountRefused as exc:
        return _users_page(request, session, form=form, error=exc, status_code=_status(exc))
    return _back("/admin/users", "created")


def _user_page(
    request: Request,
    session: SessionDep,
    user: StaffUser,
    *,
    error: accounts.AccountRefused | None = None,
    notice: str = "",
    form: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    unit = session.get(Unit, user.unit_id) if user.unit_id else None
    return render(
        request,
        "admin/user.html",
        {
            **_options(session),
            "user": user,
            "form": form
            or {
                "name": user.name,
                "role": user.role.value,
                "unit": unit.slug if unit else "",
                "language": user.language,
            },
            "error": error,
            "notice": _notices().get(notice),
            "min_password": accounts.MIN_PASSWORD_LENGTH,
        },
        status_code=status_code,
    )


@router.get("/users/{user_id}")
def user_page(
    request: Request, session: SessionDep, user: UserDep, notice: Notice = ""
) -> Response:
    """One account: name, role and unit; active or not; a new password."""
    return _user_page(request, session, user, notice=notice)


@router.post("/users/{user_id}")
def update_user(
    request: Request,
    session: SessionDep,
    visitor: VisitorDep,
    user: UserDep,
    name: Text = "",
    role: Text = "",
    unit: Text = "",
    language: Text = "",
) -> Response:
    """Change name, role, unit and the language of the account's e-mails."""
    form = {"name": name, "role": role, "unit": unit, "language": language or user.language}
    try:
        chosen = _role(role)
        if chosen is None:
            raise accounts.AccountRefused(_("Choose a role from the list."), field="role")
        accounts.update(
            session=session,
            user=user,
            actor=visitor.user,
            name=name,
            role=chosen,
            unit_id=_unit_id(session, unit),
            language=language or None,
        )
    except accounts.AccountRefused as exc:
        session.rollback()
        session.refresh(user)
        return _user_page(request, session, user, form=form, error=exc, status_code=_status(exc))
    return _back(f"/admin/users/{user.id}", "saved")


@router.post("/users/{user_id}/active")
def set_active(
    request: Request,
    session: SessionDep,
    visitor: VisitorDep,
    user: UserDep,
    active: Annotated[str, Form(pattern="^(true|false)$")] = "false",
) -> Response:
    """Deactivate an account (its sessions end at once) or reactivate it."""
    try:
        accounts.set_active(session=session, user=user, actor=visitor.user, active=active == "true")
    except accounts.AccountRefused as exc:
        return _user_page(request, session, user, error=exc, status_code=_status(exc))
    return _back(f"/admin/users/{user.id}", "activated" if user.active else "deactivated")


@router.post("/users/{user_id}/password")
def reset_password(
    request: Request,
    session: SessionDep,
    visitor: VisitorDep,
    user: UserDep,
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Give the account a new password; its other sessions end."""
    try:
        accounts.reset_password(
            session=session,
            user=user,
            password=password,
            keep_session=visitor.session_id if user.id == visitor.user.id else None,
            actor=visitor.user,
        )
    except accounts.AccountRefused as exc:
        return _user_page(request, session, user, error=exc, status_code=_status(exc))
    return _back(f"/admin/users/{user.id}", "password")
