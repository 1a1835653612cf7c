"""The agreement's follow-up: agreements, their focus areas and measures, and the annex for
1 December (page, PDF, DOCX).

Coordinators (and admins) write; planners and triagers read (deps.require_coordinator and
deps.require_follow_up_reader). The editors' router is included before the readers' one, so
that /measures/new is not taken for a measure's number."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.responses import Response

from app.deps import (
    FormDep,
    MediaStoreDep,
    SessionDep,
    SettingsDep,
    VisitorDep,
    require_coordinator,
    require_csrf,
    require_follow_up_reader,
)
from app.i18n import current_language
from app.models import Agreement, FocusArea, Measure
from app.services import annex, measure_links, measure_views, measures
from app.services.measure_form import Invalid
from app.templating import is_htmx, render, templates

readers = APIRouter(
    prefix="/follow-up",
    dependencies=[Depends(require_follow_up_reader), Depends(require_csrf)],
)
editors = APIRouter(
    prefix="/follow-up",
    dependencies=[Depends(require_coordinator), Depends(require_csrf)],
)
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _agreement(agreement_id: RowId, session: SessionDep) -> Agreement:
    found = measures.agreement_by_id(session=session, agreement_id=agreement_id)
    if found is None:
        raise HTTPException(status_code=404)
    return found


def _focus_area(focus_area_id: RowId, session: SessionDep) -> FocusArea:
    found = measures.focus_area_by_id(session=session, focus_area_id=focus_area_id)
    if found is None:
        raise HTTPException(status_code=404)
    return found


def _focus_area_query(
    session: SessionDep, focus_area: Annotated[int, Query(ge=1, le=2**31 - 1)]
) -> FocusArea:
    return _focus_area(focus_area, session)


def _measure(measure_id: RowId, session: SessionDep) -> Measure:
    found = measures.measure_by_id(session=session, measure_id=measure_id)
    if found is None:
        raise HTTPException(status_code=404)
    return found


AgreementDep = Annotated[Agreement, Depends(_agreement)]
FocusAreaDep = Annotated[FocusArea, Depends(_focus_area)]
NewMeasureAreaDep = Annotated[FocusArea, Depends(_focus_area_query)]
MeasureDep = Annotated[Measure, Depends(_measure)]


def _items(form: FormDep) -> list[tuple[str, str]]:
    return [(k, v) for k, v in form.multi_items() if isinstance(v, str) and k != "csrf_token"]


ItemsDep = Annotated[list[tuple[str, str]], Depends(_items)]


# Agreements


@readers.get("/agreements")
def agreements_page(request: Request, session: SessionDep, visitor: VisitorDep) -> Response:
    """Every agreement; coordinators also get the form for a new one."""
    return render(request, "follow_up/agreements.html", _list(session, visitor, {}, {}))


def _list(session: Session, visitor: VisitorDep, values: dict, errors: dict) -> dict:  # type: ignore[type-arg]
    return {
        "rows": measures.agreements(session=session),
        "may_edit": measures.may_edit(visitor.user),
        "values": values,
        "errors": errors,
    }


@editors.post("/agreements")
def create_agreement(
    request: Request, session: SessionDep, visitor: VisitorDep, items: ItemsDep
) -> Response:
    try:
        agreement = measures.create_agreement(session=session, items=items)
    except Invalid as exc:
        context = _list(session, visitor, dict(items), exc.errors)
        return render(request, "follow_up/agreements.html", context, status_code=422)
    return RedirectResponse(f"/follow-up/agreements/{agreement.id}", status_code=303)


def _agreement_page(
    request: Request,
    session: Session,
    agreement: Agreement,
    visitor: VisitorDep,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    values: dict[str, dict[str, str]] | None = None,
    status_code: int = 200,
    block: str | None = None,
) -> Response:
    view = measure_views.agreement_view(
        session=session, agreement=agreement, lang=current_language()
    )
    return render(
        request,
        "follow_up/agreement.html",
        {
            "v": view,
            "may_edit": measures.may_edit(visitor.user),
            "errors": errors or {},
            "values": values or {},
        },
        status_code=status_code,
        block=block,
    )


@readers.get("/agreements/{agreement_id}")
def agreement_page(
    request: Request, session: SessionDep, agreement: AgreementDep, visitor: VisitorDep
) -> Response:
    """The agreement with its focus areas in order and each one's measures."""
    return _agreement_page(request, session, agreement, visitor)


@editors.post("/agreements/{agreement_id}")
def update_agreement(
    request: Request,
    session: SessionDep,
    agreement: AgreementDep,
    visitor: VisitorDep,
    items: ItemsDep,
) -> Response:
    try:
        measures.update_agreement(session=session, agreement=agreement, items=items)
    except Invalid as exc:
        session.refresh(agreement)
        return _agreement_page(
            request,
            session,
            agreement,
            visitor,
            errors={"agreement": exc.errors},
            values={"agreement": dict(items)},
            status_code=422,
        )
    return RedirectResponse(f"/follow-up/agreements/{agreement.id}", status_code=303)


@editors.post("/agreements/{agreement_id}/focus-areas")
def add_focus_area(
    request: Request,
    session: SessionDep,
    agreement: AgreementDep,
    visitor: VisitorDep,
    items: ItemsDep,
) -> Response:
    try:
        area = measures.add_focus_area(session=session, agreement=agreement, items=items)
    except Invalid as exc:
        return _agreement_page(
            request,
            session,
            agreement,
            visitor,
            errors={"new_area": exc.errors},
            values={"new_area": dict(items)},
            status_code=422,
        )
    return RedirectResponse(f"/follow-up/agreements/{agreement.id}#area-{area.id}", status_code=303)


@editors.post("/focus-areas/{focus_area_id}")
def update_focus_area(
    request: Request, session: SessionDep, area: FocusAreaDep, visitor: VisitorDep, items: ItemsDep
) -> Response:
    agreement = _agreement(area.agreement_id, session)
    try:
        measures.update_focus_area(session=session, area=area, items=items)
    except Invalid as exc:
        session.refresh(area)
        return _agreement_page(
            request,
            session,
            agreement,
            visitor,
            errors={f"area-{area.id}": exc.errors},
            values={f"area-{area.id}": dict(items)},
            status_code=422,
        )
    return RedirectResponse(f"/follow-up/agreements/{agreement.id}#area-{area.id}", status_code=303)


@editors.post("/focus-areas/{focus_area_id}/move")
def move_focus_area(
    request: Request,
    session: SessionDep,
    area: FocusAreaDep,
    visitor: VisitorDep,
    direction: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """One place up or down; htmx gets the focus areas back, a plain form the page."""
    try:
        measures.move_focus_area(session=session, area=area, direction=direction)
    except Invalid as exc:
        raise HTTPException(status_code=422, detail=exc.errors["direction"]) from exc
    agreement = _agreement(area.agreement_id, session)
    if is_htmx(request):
        return _agreement_page(request, session, agreement, visitor, block="areas")
    return RedirectResponse(f"/follow-up/agreements/{agreement.id}#area-{area.id}", status_code=303)


# Measures


def _measure_form(
    session: Session,
    area: FocusArea,
    measure: Measure | None,
    values: dict,
    errors: dict,  # type: ignore[type-arg]
) -> dict:  # type: ignore[type-arg]
    agreement = _agreement(area.agreement_id, session)
    return {
        "agreement": agreement,
        "area": area,
        "areas": measures.focus_areas(session=session, agreement=agreement),
        "measure": measure,
        "values": values,
        "errors": errors,
        "options": measure_links.options(session=session, lang=current_language()),
        "units": measures.units(session=session, lang=current_language()),
        "link_kind_label": measure_links.kind_label,
    }


@editors.get("/measures/new")
def new_measure(request: Request, session: SessionDep, area: NewMeasureAreaDep) -> Response:
    context = _measure_form(session, area, None, {}, {})
    return render(request, "follow_up/measure_new.html", context)


@editors.post("/measures/new")
def create_measure(
    request: Request, session: SessionDep, area: NewMeasureAreaDep, items: ItemsDep
) -> Response:
    try:
        measure = measures.create_measure(session=session, area=area, items=items)
    except Invalid as exc:
        context = _measure_form(session, area, None, measures.form_values(items), exc.errors)
        return render(request, "follow_up/measure_new.html", context, status_code=422)
    return RedirectResponse(f"/follow-up/measures/{measure.id}", status_code=303)


def _measure_page(
    request: Request,
    session: Session,
    measure: Measure,
    visitor: VisitorDep,
    *,
    values: dict | None = None,  # type: ignore[type-arg]
    errors: dict | None = None,  # type: ignore[type-arg]
    saved: bool = False,
    status_code: int = 200,
) -> Response:
    view = measure_views.measure_view(session=session, measure=measure, lang=current_language())
    context = {
        "v": view,
        "may_edit": measures.may_edit(visitor.user),
        "saved": saved,
        "link_kind_label": measure_links.kind_label,
    }
    if context["may_edit"]:
        shown = (
            values if values is not None else measures.values_of(session=session, measure=measure)
        )
        context |= _measure_form(session, view.focus_area, measure, shown, errors or {})
    return render(
        request, "follow_up/measure.html", context, status_code=status_code, block="measure"
    )


@readers.get("/measures/{measure_id}")
def measure_page(
    request: Request, session: SessionDep, measure: MeasureDep, visitor: VisitorDep
) -> Response:
    """The measure under the annex's headings, what it covers, and (coordinators) its form."""
    return _measure_page(request, session, measure, visitor)


@editors.post("/measures/{measure_id}")
def update_measure(
    request: Request, session: SessionDep, measure: MeasureDep, visitor: VisitorDep, items: ItemsDep
) -> Response:
    """Save the measure; htmx gets the measure's part of the page back, a plain form the page."""
    try:
        measures.update_measure(session=session, measure=measure, items=items)
    except Invalid as exc:
        session.refresh(measure)
        return _measure_page(
            request,
            session,
            measure,
            visitor,
            values=measures.form_values(items),
            errors=exc.errors,
            status_code=422,
        )
    if not is_htmx(request):
        return RedirectResponse(f"/follow-up/measures/{measure.id}", status_code=303)
    return _measure_page(request, session, measure, visitor, saved=True)


# The annex: its PDF and DOCX before its page would not matter (distinct paths), but they read
# the same view.


def _annex(session: SessionDep, agreement: AgreementDep) -> annex.Annex:
    view = measure_views.agreement_view(
        session=session, agreement=agreement, lang=current_language()
    )
    return annex.annex(view=view)


AnnexDep = Annotated[annex.Annex, Depends(_annex)]


@readers.get("/agreements/{agreement_id}/annex")
def annex_page(request: Request, found: AnnexDep) -> Response:
    """The annex, printable."""
    return render(request, "follow_up/annex.html", _annex_context(found, for_pdf=False))


def _annex_context(found: annex.Annex, *, for_pdf: bool) -> dict:  # type: ignore[type-arg]
    return {
        "a": found,
        "for_pdf": for_pdf,
        "annex_period": annex.measure_period,
        "annex_covers": annex.covers,
    }


@readers.get("/agreements/{agreement_id}/annex.pdf")
def annex_pdf(
    request: Request, settings: SettingsDep, store: MediaStoreDep, found: AnnexDep
) -> Response:
    html = templates.env.get_template("follow_up/annex_pdf.html").render(
        _annex_context(found, for_pdf=True) | {"lang": current_language(), "request": request}
    )
    from app.services.protocol_pdf import render_pdf  # WeasyPrint loads only when asked

    pdf = render_pdf(html, store=store, base_url=settings.public_url.rstrip("/"))
    name = annex.file_name(found.view, "pdf")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@readers.get("/agreements/{agreement_id}/annex.docx")
def annex_docx(found: AnnexDep) -> Response:
    """The annex as an editable document for the municipality's diary."""
    name = annex.file_name(found.view, "docx")
    return Response(
        annex.docx_bytes(found),
        media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
