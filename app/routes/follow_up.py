"""The agreement's follow-up: the page with every indicator, its targets and the external
figures (read by coordinators, admins, planners and triagers), and the coordinator's pages for
targets and external figures (coordinators and admins)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, File, HTTPException, Path, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.deps import (
    SessionDep,
    SettingsDep,
    VisitorDep,
    require_coordinator,
    require_csrf,
    require_follow_up_reader,
)
from app.i18n import gettext as _
from app.models import Target
from app.services import (
    external_figures,
    follow_up_page,
    follow_up_selection,
    target_form,
    target_list,
)
from app.templating import is_htmx, render

router = APIRouter(
    prefix="/follow-up",
    dependencies=[Depends(require_follow_up_reader), Depends(require_csrf)],
)
# Targets and external figures: coordinators and admins only (the readers above see the page).
manage = APIRouter(dependencies=[Depends(require_coordinator)])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Year = Annotated[int | None, Query(ge=2000, le=2100)]
Notice = Annotated[str, Query(max_length=20)]
FIELD_MAX = 2000  # characters in one form field; a note is the longest


def selection(request: Request, session: SessionDep) -> follow_up_selection.Selection:
    """The page's period, zone, category and chart from the query string (422 naming the
    field when one cannot be used)."""
    try:
        return follow_up_selection.parse(session=session, params=request.query_params)
    except follow_up_selection.InvalidSelection as exc:
        raise HTTPException(status_code=422, detail=f"{exc.field}: {exc.message}") from exc


SelectionDep = Annotated[follow_up_selection.Selection, Depends(selection)]


@router.get("")
def follow_up(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    visitor: VisitorDep,
    chosen: SelectionDep,
) -> Response:
    """Every indicator for a period, zone and category, against a year earlier and its
    targets, the external figures and the charts; for htmx the results alone, URL pushed."""
    view = follow_up_page.build(
        session=session,
        settings=settings,
        selection=chosen,
        can_manage=follow_up_page.may_manage(visitor.user),
    )
    if is_htmx(request):
        return render(
            request,
            "follow_up/index.html",
            {"view": view},
            block="results",
            headers={"HX-Push-Url": view.page_url},
        )
    return render(request, "follow_up/index.html", {"view": view})


def _notices() -> dict[str, str]:
    return {
        "created": _("The target is saved."),
        "saved": _("The target is changed."),
        "deleted": _("Deleted."),
        "figure": _(
            "The figure is saved. A figure for the same indicator, year and place is replaced."
        ),
    }


def _fields(form: Mapping[str, object], names: tuple[str, ...]) -> dict[str, str]:
    raw: dict[str, str] = {}
    for name in names:
        value = form.get(name)
        value = value if isinstance(value, str) else ""  # a file where text belongs: nothing
        if len(value) > FIELD_MAX:
            raise HTTPException(status_code=422, detail=_("A field is too long."))
        raw[name] = value
    return raw


async def target_fields(request: Request) -> dict[str, str]:
    return _fields(await request.form(), target_form.FIELDS)


async def figure_fields(request: Request) -> dict[str, str]:
    return _fields(await request.form(), external_figures.COLUMNS)


TargetForm = Annotated[dict[str, str], Depends(target_fields)]
FigureForm = Annotated[dict[str, str], Depends(figure_fields)]


def target_by_id(target_id: Id, session: SessionDep) -> Target:
    found = target_form.by_id(session=session, target_id=target_id)
    if found is None:
        raise HTTPException(status_code=404)
    return found


TargetDep = Annotated[Target, Depends(target_by_id)]


# Targets.


@manage.get("/targets")
def targets_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    year: Year = None,
    notice: Notice = "",
) -> Response:
    """The targets of a year with their current assessment (met, not met, no data)."""
    listing = target_list.build(session=session, settings=settings, year=year)
    return render(
        request,
        "follow_up/targets.html",
        {"listing": listing, "notice": _notices().get(notice)},
    )


def _target_form(
    request: Request,
    session: SessionDep,
    *,
    target: Target | None,
    form: Mapping[str, str],
    errors: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "follow_up/target_form.html",
        {
            "target": target,
            "form": form,
            "errors": errors or {},
            **target_form.choices(session=session),
        },
        status_code=status_code,
    )


@manage.get("/targets/new")
def new_target(request: Request, session: SessionDep, year: Year = None) -> Response:
    """The form for a new target."""
    return _target_form(request, session, target=None, form=target_form.blank(year=year))


@manage.post("/targets/new")
def create_target(request: Request, session: SessionDep, raw: TargetForm) -> Response:
    """Save a new target; a refusal shows the form again with the reasons (422)."""
    try:
        target = target_form.create(session=session, raw=raw)
    except target_form.Invalid as exc:
        return _target_form(
            request, session, target=None, form=raw, errors=exc.errors, status_code=422
        )
    return RedirectResponse(f"/follow-up/targets?year={target.year}&notice=created", 303)


@manage.get("/targets/{target_id}")
def edit_target(request: Request, session: SessionDep, target: TargetDep) -> Response:
    """A target's form, and its delete button."""
    return _target_form(
        request,
        session,
        target=target,
        form=target_form.form_values(session=session, target=target),
    )


@manage.post("/targets/{target_id}")
def update_target(
    request: Request, session: SessionDep, target: TargetDep, raw: TargetForm
) -> Response:
    """Change a target; a refusal shows its form again with the reasons (422)."""
    try:
        target_form.update(session=session, target=target, raw=raw)
    except target_form.Invalid as exc:
        return _target_form(
            request, session, target=target, form=raw, errors=exc.errors, status_code=422
        )
    return RedirectResponse(f"/follow-up/targets?year={target.year}&notice=saved", 303)


@manage.post("/targets/{target_id}/delete")
def delete_target(session: SessionDep, target: TargetDep) -> Response:
    """Delete a target."""
    year = target.year
    target_form.delete(session=session, target=target)
    return RedirectResponse(f"/follow-up/targets?year={year}&notice=deleted", 303)


# External figures.


def _external_page(
    request: Request,
    session: SessionDep,
    *,
    year: int | None,
    form: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    report: external_figures.ImportReport | None = None,
    notice: str = "",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "follow_up/external.html",
        {
            **external_figures.page(session=session, year=year),
            "form": form or {"year": str(year) if year else ""},
            "errors": errors or {},
            "report": report,
            "notice": _notices().get(notice),
        },
        status_code=status_code,
    )


@manage.get("/external")
def external_page(
    request: Request, session: SessionDep, year: Year = None, notice: Notice = ""
) -> Response:
    """The external figures (of a year, or all), a form for one, and the CSV import."""
    return _external_page(request, session, year=year, notice=notice)


@manage.post("/external")
def add_figure(
    request: Request, session: SessionDep, visitor: VisitorDep, raw: FigureForm
) -> Response:
    """Save one figure (replacing the one with the same indicator, year and place)."""
    try:
        figure = external_figures.add(session=session, raw=raw, user_id=visitor.user.id)
    except external_figures.Invalid as exc:
        return _external_page(
            request, session, year=None, form=raw, errors=exc.errors, status_code=422
        )
    return RedirectResponse(f"/follow-up/external?year={figure.year}&notice=figure", 303)


@manage.post("/external/import")
def import_figures(
    request: Request,
    session: SessionDep,
    visitor: VisitorDep,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Import a CSV file of figures: every row, or none when a row is wrong (each listed with
    its line)."""
    data = file.file.read(external_figures.MAX_IMPORT_BYTES + 1) if file and file.filename else None
    report = external_figures.import_csv(session=session, data=data, user_id=visitor.user.id)
    return _external_page(
        request, session, year=None, report=report, status_code=200 if report.ok else 422
    )


@manage.get("/external.csv")
def export_figures(session: SessionDep, year: Year = None) -> Response:
    """The external figures as CSV, in the import's columns."""
    name = f"safetywalk-external-figures-{year}.csv" if year else "safetywalk-external-figures.csv"
    return Response(
        external_figures.export_csv(session=session, year=year),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@manage.post("/external/{figure_id}/delete")
def delete_figure(session: SessionDep, figure_id: Id) -> Response:
    """Delete one external figure."""
    figure = external_figures.by_id(session=session, figure_id=figure_id)
    if figure is None:
        raise HTTPException(status_code=404)
    year = figure.year
    external_figures.delete(session=session, figure=figure)
    return RedirectResponse(f"/follow-up/external?year={year}&notice=deleted", 303)


router.include_router(manage)
