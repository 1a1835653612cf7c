"""The administrator's side: staff accounts, units, categories and the routing rules, with CSV
export and import. Every page is admin-only and every form carries the CSRF token (the whole
router is guarded). Plain forms: a change that works is answered 303 back to the page with a
notice; a refusal shows the form again with the reason (422 wrong, 409 clashes)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Path, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app import i18n, labels
from app.deps import SessionDep, SettingsDep, VisitorDep, require_csrf, require_role
from app.i18n import gettext as _
from app.models import Category, CategoryKind, Role, RoutingRule, StaffUser, Unit
from app.services import accounts, outbox, registry, triage
from app.templating import render

router = APIRouter(
    prefix="/admin", dependencies=[Depends(require_role(Role.admin)), Depends(require_csrf)]
)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Text = Annotated[str, Form(max_length=400)]
KindPath = Annotated[str, Path(pattern="^(units|categories|rules)$")]
CSV_MAX_BYTES = 2 * 1024 * 1024


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
    """The choices the admin forms offer, as (value, label) pairs in the visitor's language."""
    lang = i18n.current_language()
    units = registry.units(session=session)
    return {
        "unit_options": [(u.slug, u.name(lang)) for u in units],
        "unit_names": {u.id: u.name(lang) for u in units},
        "role_options": [(r.value, labels.role_label(r)) for r in Role],
        "language_options": [("sv", _("Swedish")), ("en", _("English"))],
        "category_options": [(c.slug, c.name(lang)) for c in registry.categories(session=session)],
        "zone_options": [(z.slug, z.name) for z in registry.zones(session=session)],
        "kind_options": [
            (CategoryKind.problem.value, _("A problem to fix")),
            (CategoryKind.good.value, _("A good place to keep")),
        ],
        "icon_options": [(icon, icon) for icon in registry.icons()],
    }


def _load(session: SessionDep, model: type, row_id: int) -> Any:
    row = session.get(model, row_id)
    if row is None:
        raise HTTPException(status_code=404)
    return row


def staff_user(user_id: Id, session: SessionDep) -> StaffUser:
    return _load(session, StaffUser, user_id)


def unit_row(unit_id: Id, session: SessionDep) -> Unit:
    return _load(session, Unit, unit_id)


def category_row(category_id: Id, session: SessionDep) -> Category:
    return _load(session, Category, category_id)


def rule_row(rule_id: Id, session: SessionDep) -> RoutingRule:
    return _load(session, RoutingRule, rule_id)


UserDep = Annotated[StaffUser, Depends(staff_user)]
UnitDep = Annotated[Unit, Depends(unit_row)]
CategoryDep = Annotated[Category, Depends(category_row)]
RuleDep = Annotated[RoutingRule, Depends(rule_row)]


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
        )
    except accounts.AccountRefused as exc:
        return _user_page(request, session, user, error=exc, status_code=_status(exc))
    return _back(f"/admin/users/{user.id}", "password")


# Units, categories, rules: a list page with a form for a new one and CSV, and an edit page.


def _list_context(session: SessionDep, kind: str) -> dict[str, Any]:
    if kind == "units":
        return {"units": registry.units(session=session)}
    if kind == "categories":
        return {
            "categories": registry.categories(session=session),
            "units": registry.units(session=session),
            "icons": registry.icons(),
        }
    return {
        "rules": registry.rules(session=session),
        "categories": registry.categories(session=session),
        "zones": registry.zones(session=session),
        "units": registry.units(session=session),
        "effect": registry.effect(session=session),
    }


def _list_page(
    request: Request,
    session: SessionDep,
    kind: str,
    *,
    form: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    notice: str = "",
    report: registry.ImportReport | None = None,
    import_error: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        f"admin/{kind}.html",
        {
            **_list_context(session, kind),
            **_options(session),
            "kind": kind,
            "columns": registry.COLUMNS[kind],
            "form": form or {},
            "errors": errors or {},
            "notice": _notices().get(notice),
            "report": report,
            "import_error": import_error,
        },
        status_code=status_code,
    )


def _edit_page(
    request: Request,
    session: SessionDep,
    kind: str,
    row: Any,
    *,
    form: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    notice: str = "",
    refusal: str | None = None,
    status_code: int = 200,
) -> Response:
    context = _list_context(session, kind)
    context.pop("effect", None)
    return render(
        request,
        f"admin/{kind[:-1] if kind != 'categories' else 'category'}.html",
        {
            **context,
            **_options(session),
            "kind": kind,
            "row": row,
            "form": form or registry.row_values(session=session, kind=kind, row=row),
            "errors": errors or {},
            "notice": _notices().get(notice),
            "refusal": refusal,
        },
        status_code=status_code,
    )


def _save(kind: str, session: SessionDep, raw: dict[str, str], row: Any = None) -> Any:
    if kind == "units":
        return registry.save_unit(session=session, raw=raw, unit=row)
    if kind == "categories":
        return registry.save_category(session=session, raw=raw, category=row)
    return registry.save_rule(session=session, raw=raw, rule=row)


def _create(request: Request, session: SessionDep, kind: str, raw: dict[str, str]) -> Response:
    try:
        _save(kind, session, raw)
    except registry.Invalid as exc:
        return _list_page(
            request, session, kind, form=raw, errors=exc.errors, status_code=_status(exc)
        )
    return _back(f"/admin/{kind}", "created")


def _update(
    request: Request, session: SessionDep, kind: str, row: Any, raw: dict[str, str]
) -> Response:
    try:
        _save(kind, session, raw, row)
    except registry.Invalid as exc:
        session.rollback()
        session.refresh(row)
        return _edit_page(
            request, session, kind, row, form=raw, errors=exc.errors, status_code=_status(exc)
        )
    return _back(f"/admin/{kind}/{row.id}", "saved")


def _delete(request: Request, session: SessionDep, kind: str, row: Any) -> Response:
    try:
        if kind == "units":
            registry.delete_unit(session=session, unit=row)
        elif kind == "categories":
            registry.delete_category(session=session, category=row)
        else:
            registry.delete_rule(session=session, rule=row)
    except registry.InUse as exc:
        return _edit_page(request, session, kind, row, refusal=exc.message, status_code=409)
    return _back(f"/admin/{kind}", "deleted")


def _unit_form(
    slug: Text = "",
    name_sv: Text = "",
    name_en: Text = "",
    department_sv: Text = "",
    department_en: Text = "",
    email: Text = "",
) -> dict[str, str]:
    return {
        "slug": slug,
        "name_sv": name_sv,
        "name_en": name_en,
        "department_sv": department_sv,
        "department_en": department_en,
        "email": email,
    }


def _category_form(
    slug: Text = "",
    name_sv: Text = "",
    name_en: Text = "",
    icon: Text = "",
    kind: Text = "problem",
    position: Text = "0",
    active: Text = "",
    private: Text = "",
    default_unit: Text = "",
) -> dict[str, str]:
    # An unticked checkbox sends nothing: that is "false".
    return {
        "slug": slug,
        "name_sv": name_sv,
        "name_en": name_en,
        "icon": icon,
        "kind": kind,
        "position": position,
        "active": active or "false",
        "private": private or "false",
        "default_unit": default_unit,
    }


def _rule_form(category: Text = "", zone: Text = "", unit: Text = "") -> dict[str, str]:
    return {"category": category, "zone": zone, "unit": unit}


UnitForm = Annotated[dict[str, str], Depends(_unit_form)]
CategoryForm = Annotated[dict[str, str], Depends(_category_form)]
RuleForm = Annotated[dict[str, str], Depends(_rule_form)]


@router.get("/units")
def units(request: Request, session: SessionDep, notice: Notice = "") -> Response:
    """The units that own fixes, and a form for a new one."""
    return _list_page(request, session, "units", notice=notice)


@router.post("/units")
def create_unit(request: Request, session: SessionDep, raw: UnitForm) -> Response:
    """A new unit."""
    return _create(request, session, "units", raw)


@router.get("/units/{unit_id}")
def unit_page(
    request: Request, session: SessionDep, unit: UnitDep, notice: Notice = ""
) -> Response:
    """One unit's form."""
    return _edit_page(request, session, "units", unit, notice=notice)


@router.post("/units/{unit_id}")
def update_unit(request: Request, session: SessionDep, unit: UnitDep, raw: UnitForm) -> Response:
    """Change a unit."""
    return _update(request, session, "units", unit, raw)


@router.post("/units/{unit_id}/delete")
def delete_unit(request: Request, session: SessionDep, unit: UnitDep) -> Response:
    """Delete a unit nothing uses (otherwise say what uses it)."""
    return _delete(request, session, "units", unit)


@router.get("/categories")
def categories(request: Request, session: SessionDep, notice: Notice = "") -> Response:
    """The categories residents choose from, and a form for a new one."""
    return _list_page(request, session, "categories", notice=notice)


@router.post("/categories")
def create_category(request: Request, session: SessionDep, raw: CategoryForm) -> Response:
    """A new category."""
    return _create(request, session, "categories", raw)


@router.get("/categories/{category_id}")
def category_page(
    request: Request, session: SessionDep, category: CategoryDep, notice: Notice = ""
) -> Response:
    """One category's form."""
    return _edit_page(request, session, "categories", category, notice=notice)


@router.post("/categories/{category_id}")
def update_category(
    request: Request, session: SessionDep, category: CategoryDep, raw: CategoryForm
) -> Response:
    """Change a category."""
    return _update(request, session, "categories", category, raw)


@router.post("/categories/{category_id}/delete")
def delete_category(request: Request, session: SessionDep, category: CategoryDep) -> Response:
    """Delete a category no report and no rule uses."""
    return _delete(request, session, "categories", category)


@router.get("/rules")
def rules(request: Request, session: SessionDep, notice: Notice = "") -> Response:
    """The routing rules, a form for a new one, and where every category goes now."""
    return _list_page(request, session, "rules", notice=notice)


@router.post("/rules")
def create_rule(request: Request, session: SessionDep, raw: RuleForm) -> Response:
    """A new rule."""
    return _create(request, session, "rules", raw)


@router.get("/rules/{rule_id}")
def rule_page(
    request: Request, session: SessionDep, rule: RuleDep, notice: Notice = ""
) -> Response:
    """One rule's form."""
    return _edit_page(request, session, "rules", rule, notice=notice)


@router.post("/rules/{rule_id}")
def update_rule(request: Request, session: SessionDep, rule: RuleDep, raw: RuleForm) -> Response:
    """Change a rule."""
    return _update(request, session, "rules", rule, raw)


@router.post("/rules/{rule_id}/delete")
def delete_rule(request: Request, session: SessionDep, rule: RuleDep) -> Response:
    """Delete a rule."""
    return _delete(request, session, "rules", rule)


# CSV


@router.get("/export/{kind}")
def export_csv(session: SessionDep, kind: KindPath) -> Response:
    """Units, categories or rules as a CSV file (slugs, not ids)."""
    return Response(
        registry.export_csv(session=session, kind=kind),  # type: ignore[arg-type]
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="safetywalk-{kind}.csv"'},
    )


@router.post("/import/{kind}")
def import_csv(
    request: Request,
    session: SessionDep,
    kind: KindPath,
    file: Annotated[UploadFile | None, File()] = None,
    dry_run: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Check a CSV file and apply all of it or nothing; the page shows the report."""
    data = file.file.read(CSV_MAX_BYTES + 1) if file is not None and file.filename else None
    if data is None:
        message = _("Choose a CSV file to import.")
        return _list_page(request, session, kind, import_error=message, status_code=422)
    if len(data) > CSV_MAX_BYTES:
        message = _("The file is too large: at most %(n)s MB.", n=CSV_MAX_BYTES // 1048576)
        return _list_page(request, session, kind, import_error=message, status_code=422)
    report = registry.import_csv(
        session=session,
        kind=kind,  # type: ignore[arg-type]
        data=data,
        dry_run=bool(dry_run),
    )
    return _list_page(request, session, kind, report=report, status_code=200 if report.ok else 422)
