"""Planners' plan cases: the planning start page, registering a plan, its page with the safety
checklist, its frozen safety bases (page, PDF, map image) and following it.

Planners (and admins) change plan cases; triagers and walk leaders read them (a
walk leader only the cases whose planner lets walk leaders follow: deps.PlanCaseDep)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.datastructures import UploadFile
from starlette.responses import Response

from app.deps import (
    FiltersDep,
    FormDep,
    PlanCaseDep,
    SafetyBasisDep,
    SessionDep,
    SettingsDep,
    VisitorDep,
    require_csrf,
    require_planning_reader,
    require_role,
)
from app.i18n import current_language
from app.models import PlanStage, Role
from app.services import (
    plan_area,
    plan_cases,
    plan_checklist,
    plan_page,
    planning_view,
    safety_basis,
    zones,
)
from app.templating import is_htmx, render, templates

# Every member of staff who may read plan cases ...
readers = APIRouter(
    prefix="/planning",
    dependencies=[
        Depends(require_planning_reader),
        Depends(require_csrf),
    ],
)
# ... planners register and work on them.
planners = APIRouter(
    prefix="/planning",
    dependencies=[Depends(require_role(Role.planner)), Depends(require_csrf)],
)
LineId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Distance = Annotated[int, Query(ge=5, le=500)]


@readers.get("")
def start(request: Request, session: SessionDep, visitor: VisitorDep) -> Response:
    """The planner's start page: their plan cases, all plan cases, the districts."""
    return render(
        request,
        "planning/start.html",
        {
            "listed": plan_cases.listed(session=session, user=visitor.user),
            "zones": zones.listed(session=session),
            "may_edit": plan_cases.may_edit(visitor.user),
        },
    )


def _form(values: dict, errors: dict) -> dict:  # type: ignore[type-arg]
    return {
        "values": values,
        "errors": errors,
        "stages": list(PlanStage),
        "crs_choices": plan_area.CRS_CHOICES,
    }


@planners.get("/plans/new")
def new_plan(request: Request) -> Response:
    return render(request, "planning/new.html", _form({}, {}))


def _upload(form) -> bytes | None:  # type: ignore[no-untyped-def]
    """The uploaded area file's bytes (one byte over the limit is enough to refuse it)."""
    found = form.get("area_file")
    if not isinstance(found, UploadFile) or not found.filename:
        return None
    return found.file.read(plan_area.UPLOAD_MAX_BYTES + 1) or None


@planners.post("/plans/new")
def create_plan(
    request: Request, session: SessionDep, form: FormDep, visitor: VisitorDep
) -> Response:
    raw = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        case = plan_cases.register(
            session=session, raw=raw, upload=_upload(form), user=visitor.user
        )
    except plan_cases.InvalidPlanCase as exc:
        return render(request, "planning/new.html", _form(raw, exc.errors), status_code=422)
    return RedirectResponse(f"/planning/plans/{case.id}", status_code=303)


@readers.get("/plans/{plan_id}")
def plan_case(
    request: Request,
    session: SessionDep,
    case: PlanCaseDep,
    visitor: VisitorDep,
    filters: FiltersDep,
    distance: Distance = planning_view.DEFAULT_DISTANCE,
) -> Response:
    """The case: stage, key figures, the area's history, the checklist (brought up to date),
    the frozen bases. The history's filter form asks again with htmx and gets the history."""
    lang = current_language()
    if is_htmx(request):
        view = plan_page.history_view(
            session=session, case=case, filters=filters, lang=lang, distance_m=distance
        )
        return render(
            request,
            "planning/_history.html",
            {"view": view},
            block="results",
            headers={"HX-Push-Url": view.page_url},
        )
    found = plan_page.page(
        session=session,
        case=case,
        user=visitor.user,
        lang=lang,
        filters=filters,
        distance_m=distance,
    )
    return render(request, "planning/case.html", {"p": found, "view": found.view, "error": None})


@readers.get("/plans/{plan_id}/points.geojson")
def plan_points(session: SessionDep, case: PlanCaseDep, filters: FiltersDep) -> JSONResponse:
    """The plan area's reports for its map (no private category, no personal data)."""
    scope = plan_cases.scope_of(session=session, case=case)
    return JSONResponse(
        planning_view.points_geojson(session=session, scope=scope, filters=filters),
        media_type="application/geo+json",
        headers={"Cache-Control": "no-store"},
    )


@planners.post("/plans/{plan_id}/stage")
def change_stage(
    request: Request,
    session: SessionDep,
    case: PlanCaseDep,
    stage: Annotated[str, Form(max_length=32)],
) -> Response:
    try:
        plan_cases.change_stage(session=session, case=case, stage=stage)
    except plan_cases.InvalidPlanCase as exc:
        raise HTTPException(status_code=422, detail=exc.errors["stage"]) from exc
    return RedirectResponse(f"/planning/plans/{case.id}", status_code=303)


@planners.post("/plans/{plan_id}/walk-leaders")
def walk_leaders_may_follow(
    session: SessionDep, case: PlanCaseDep, allowed: Annotated[str, Form(max_length=8)] = ""
) -> Response:
    """Let walk leaders read and follow the case, or not."""
    plan_cases.change_walk_leaders(session=session, case=case, allowed=allowed == "1")
    return RedirectResponse(f"/planning/plans/{case.id}", status_code=303)


@planners.post("/plans/{plan_id}/checklist/{line_id}")
def mark_line(
    request: Request,
    session: SessionDep,
    case: PlanCaseDep,
    visitor: VisitorDep,
    line_id: LineId,
    decision: Annotated[str, Form(max_length=32)] = "",
    note: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    """Save one checklist line; htmx gets that line back, a plain form the page."""
    line = plan_checklist.line_of(session=session, case=case, line_id=line_id)
    if line is None:
        raise HTTPException(status_code=404)
    names = plan_checklist.category_names(session=session, lang=current_language())
    context = {"case": case, "line": line, "names": names, "may_edit": True}
    context |= {"error": None, "saved": True}
    try:
        plan_checklist.mark(
            session=session, line=line, decision=decision, note=note, actor=visitor.user
        )
    except plan_checklist.InvalidMark as exc:
        context.update(error=exc.message, saved=False)
        return render(request, "planning/_checklist_line.html", context, status_code=422)
    if not is_htmx(request):
        return RedirectResponse(f"/planning/plans/{case.id}#line-{line.id}", status_code=303)
    # The page's count of undecided lines follows the save (an out-of-band swap).
    context["undecided"] = plan_checklist.undecided(session=session, case=case)
    return render(request, "planning/_checklist_line.html", context)


@planners.post("/plans/{plan_id}/bases")
def freeze_basis(session: SessionDep, case: PlanCaseDep, visitor: VisitorDep) -> Response:
    """Freeze the safety basis for the plan's current stage."""
    basis = safety_basis.freeze(session=session, case=case, actor=visitor.user)
    return RedirectResponse(f"/planning/plans/{case.id}/basis/{basis.id}", status_code=303)


@readers.post("/plans/{plan_id}/follow")
def follow(session: SessionDep, case: PlanCaseDep, visitor: VisitorDep) -> Response:
    plan_cases.follow(session=session, case=case, user=visitor.user)
    return RedirectResponse(f"/planning/plans/{case.id}", status_code=303)


@readers.post("/plans/{plan_id}/unfollow")
def unfollow(session: SessionDep, case: PlanCaseDep, visitor: VisitorDep) -> Response:
    plan_cases.unfollow(session=session, case=case, user=visitor.user)
    return RedirectResponse(f"/planning/plans/{case.id}", status_code=303)


# The frozen basis: its PDF and map before its page, whose {basis_id} would take "3.pdf".


def _file_name(basis: safety_basis.Basis, ext: str) -> str:
    diary = "".join(
        c if c.isascii() and c.isalnum() else "-" for c in basis.data["plan"]["diary_number"]
    )
    return f'inline; filename="safety-basis-{diary}-{basis.stage}-{basis.id}.{ext}"'


@readers.get("/plans/{plan_id}/basis/{basis_id}.pdf")
def basis_pdf(request: Request, settings: SettingsDep, basis: SafetyBasisDep) -> Response:
    frozen = safety_basis.view(basis)
    html = templates.env.get_template("planning/basis_pdf.html").render(
        {"b": frozen, "for_pdf": True, "lang": current_language(), "request": request}
    )
    pdf = safety_basis.pdf(html=html, png=basis.map_png, base_url=settings.public_url.rstrip("/"))
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": _file_name(frozen, "pdf")},
    )


@readers.get("/plans/{plan_id}/basis/{basis_id}/map.png")
def basis_map(basis: SafetyBasisDep) -> Response:
    return Response(
        basis.map_png,
        media_type="image/png",
        headers={"Cache-Control": "private, max-age=86400", "ETag": f'"{basis.content_hash}"'},
    )


@readers.get("/plans/{plan_id}/basis/{basis_id}")
def basis_page(request: Request, basis: SafetyBasisDep) -> Response:
    """The frozen basis, printable: rendered from its snapshot only."""
    return render(request, "planning/basis.html", {"b": safety_basis.view(basis), "for_pdf": False})
