"""The administrator's units, categories and routing rules: one set of routes over the table
`registry.KINDS` (a list page with a form for a new row and the CSV tools, an edit page with
delete, and CSV export and import with a preview). Guarded like every admin page; main.py
includes this router after `admin.router`, so `/admin/users` is matched there first."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Path, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.deps import SessionDep, VisitorDep, require_csrf, require_role
from app.i18n import gettext as _
from app.models import Role
from app.services import registry, registry_csv
from app.templating import render

router = APIRouter(
    prefix="/admin", dependencies=[Depends(require_role(Role.admin)), Depends(require_csrf)]
)
KindPath = Annotated[str, Path(pattern=f"^({'|'.join(registry.KINDS)})$")]
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Notice = Annotated[str, Query(max_length=20)]
FIELD_MAX = 400  # characters in one form field, as on the account forms
CSV_MAX_BYTES = 2 * 1024 * 1024


def _notices() -> dict[str, str]:
    return {
        "created": _("Saved. It is in the list below."),
        "saved": _("Saved."),
        "deleted": _("Deleted."),
    }


def _back(path: str, notice: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?notice={notice}", status_code=303)


def _status(exc: registry.Invalid) -> int:
    return 409 if exc.conflict else 422


# The CSV routes come first: "/export/units" would otherwise be read as row "units" of a
# kind "export".


@router.get("/export/{kind}")
def export_csv(session: SessionDep, kind: KindPath) -> Response:
    """Units, categories or rules as a CSV file (slugs, not ids)."""
    return Response(
        registry_csv.export_csv(session=session, kind=kind),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="safetywalk-{kind}.csv"'},
    )


@router.post("/import/{kind}")
def import_csv(
    request: Request,
    session: SessionDep,
    visitor: VisitorDep,
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
    report = registry_csv.import_csv(
        session=session, kind=kind, data=data, dry_run=bool(dry_run), actor=visitor.user
    )
    return _list_page(request, session, kind, report=report, status_code=200 if report.ok else 422)


def _list_page(
    request: Request,
    session: SessionDep,
    kind: str,
    *,
    form: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    notice: str = "",
    report: registry_csv.ImportReport | None = None,
    import_error: str | None = None,
    status_code: int = 200,
) -> Response:
    spec = registry.KINDS[kind]
    return render(
        request,
        spec.list_template,
        {
            **spec.page(session),
            **registry.choices(session=session),
            "kind": kind,
            "columns": spec.columns,
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
    return render(
        request,
        registry.KINDS[kind].edit_template,
        {
            **registry.choices(session=session),
            "kind": kind,
            "row": row,
            "form": form or registry.row_values(session=session, kind=kind, row=row),
            "errors": errors or {},
            "notice": _notices().get(notice),
            "refusal": refusal,
        },
        status_code=status_code,
    )


def kind_row(kind: KindPath, row_id: Id, session: SessionDep) -> Any:
    """The row of the kind named in the path, or 404."""
    row = registry.get(session=session, kind=kind, row_id=row_id)
    if row is None:
        raise HTTPException(status_code=404)
    return row


async def kind_form(request: Request, kind: KindPath) -> dict[str, str]:
    """The kind's fields from the posted form, as strings; an empty field gets the kind's
    default (an unticked checkbox sends nothing: that is "false")."""
    form = await request.form()
    defaults = registry.KINDS[kind].form_defaults
    raw = {}
    for name in registry.KINDS[kind].columns:
        value = form.get(name)
        value = value if isinstance(value, str) else ""  # a file where text belongs: nothing
        if len(value) > FIELD_MAX:
            raise HTTPException(status_code=422)
        raw[name] = value or defaults.get(name, "")
    return raw


RowDep = Annotated[Any, Depends(kind_row)]
KindForm = Annotated[dict[str, str], Depends(kind_form)]


@router.get("/{kind}")
def kind_list(
    request: Request, session: SessionDep, kind: KindPath, notice: Notice = ""
) -> Response:
    """Every row of a kind, a form for a new one and CSV (the rules page also shows where
    every category goes now)."""
    return _list_page(request, session, kind, notice=notice)


@router.post("/{kind}")
def kind_create(
    request: Request, session: SessionDep, visitor: VisitorDep, kind: KindPath, raw: KindForm
) -> Response:
    """A new unit, category or rule; a refusal shows the form again with the reasons."""
    try:
        registry.save(session=session, kind=kind, raw=raw, actor=visitor.user)
    except registry.Invalid as exc:
        return _list_page(
            request, session, kind, form=raw, errors=exc.errors, status_code=_status(exc)
        )
    return _back(f"/admin/{kind}", "created")


@router.get("/{kind}/{row_id}")
def kind_page(
    request: Request, session: SessionDep, kind: KindPath, row: RowDep, notice: Notice = ""
) -> Response:
    """One row's form, and its delete button."""
    return _edit_page(request, session, kind, row, notice=notice)


@router.post("/{kind}/{row_id}")
def kind_update(
    request: Request,
    session: SessionDep,
    visitor: VisitorDep,
    kind: KindPath,
    row: RowDep,
    raw: KindForm,
) -> Response:
    """Change a row; a refusal shows its form again with the reasons."""
    try:
        registry.save(session=session, kind=kind, raw=raw, row=row, actor=visitor.user)
    except registry.Invalid as exc:  # the row is as stored: save changes it only on success
        return _edit_page(
            request, session, kind, row, form=raw, errors=exc.errors, status_code=_status(exc)
        )
    return _back(f"/admin/{kind}/{row.id}", "saved")


@router.post("/{kind}/{row_id}/delete")
def kind_delete(
    request: Request, session: SessionDep, visitor: VisitorDep, kind: KindPath, row: RowDep
) -> Response:
    """Delete a row nothing uses (otherwise say what uses it)."""
    try:
        registry.delete(session=session, kind=kind, row=row, actor=visitor.user)
    except registry.InUse as exc:
        return _edit_page(request, session, kind, row, refusal=exc.message, status_code=409)
    return _back(f"/admin/{kind}", "deleted")
