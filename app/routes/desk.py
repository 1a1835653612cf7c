"""The desk around the queue: the staff start page with its numbers, a person's saved queue
filters, and the queue's filter as a CSV file. Full paths, no prefix: registered before
`triage_report`, whose /triage/{observation_id} would otherwise take "filters" and
"export.csv" for numbers."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Request
from fastapi.responses import RedirectResponse, StreamingResponse
from starlette.responses import Response

from app.deps import SessionDep, SettingsDep, VisitorDep, require_csrf, require_role
from app.i18n import current_language
from app.models import Role
from app.routes import triage
from app.routes.triage import FilterDep
from app.services import queue_export, saved_filters, staff_start, text_input
from app.templating import is_htmx, render

router = APIRouter(
    dependencies=[Depends(require_role(Role.triager, Role.unit_worker)), Depends(require_csrf)]
)
staff = APIRouter()  # every signed-in member of staff

FilterId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@staff.get("/staff")
def staff_start_page(
    request: Request, session: SessionDep, settings: SettingsDep, visitor: VisitorDep
) -> Response:
    """Where staff land: their numbers, each one click into the queue, and their pages."""
    numbers = staff_start.desk(session=session, user=visitor.user, settings=settings)
    return render(request, "desk/start.html", {"desk": numbers})


# --- Saved filters -------------------------------------------------------------------------------

# A saved query is read by the queue's own rules (triage.read_filter), so what is saved is
# what the queue will accept.
BadFilter = triage.BadFilter


def normalised(raw: str) -> str:
    """The queue's query string as it is kept: only the filter's own keys, in a fixed order,
    without the page; `BadFilter` when the queue's rules refuse a value."""
    return triage.read_filter(raw)[1]


def _panel_query(request: Request) -> str:
    """The queue's query the panel is about: its own, or (htmx, loaded into the queue page)
    the query of the page it sits on."""
    if request.url.query:
        return request.url.query
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    return current.query if current.path in ("/triage", "/triage/filters") else ""


def _panel(  # type: ignore[no-untyped-def]
    request: Request, session, visitor, query: str, *, error: str | None = None, status: int = 200
) -> Response:
    try:
        query = normalised(query)
    except (BadFilter, text_input.Refused):
        query = ""  # the panel of a page whose filter the queue itself refuses: no filter
    return render(
        request,
        "triage/filters.html",
        {
            "filters": saved_filters.mine(session=session, user=visitor.user),
            "query": query,
            "limit": saved_filters.LIMIT,
            "error": error,
            "embedded": is_htmx(request),
        },
        block="panel",
        status_code=status,
    )


@router.get("/triage/filters")
def filters_page(request: Request, session: SessionDep, visitor: VisitorDep) -> Response:
    """This person's saved filters, the form that saves the current one, and its export."""
    return _panel(request, session, visitor, _panel_query(request))


@router.post("/triage/filters")
def save_filter(
    request: Request,
    session: SessionDep,
    visitor: VisitorDep,
    name: Annotated[str, Form(max_length=200)] = "",
    query: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Keep the queue's current filter under a name (409 when the name is taken or the list
    is full, 422 for an empty name or a filter the queue would refuse)."""
    try:
        kept = normalised(query)
        saved_filters.save(session=session, user=visitor.user, name=name, query=kept)
    except BadFilter as exc:
        return _panel(request, session, visitor, "", error=str(exc), status=422)
    except saved_filters.Refused as exc:
        status = 409 if exc.conflict else 422
        return _panel(request, session, visitor, query, error=exc.message, status=status)
    if is_htmx(request):
        return _panel(request, session, visitor, kept)
    return RedirectResponse(f"/triage/filters?{kept}", status_code=303)


@router.get("/triage/filters/{filter_id}")
def open_filter(session: SessionDep, visitor: VisitorDep, filter_id: FilterId) -> Response:
    """The queue with a saved filter (404 when it is not this person's)."""
    found = saved_filters.get(session=session, user=visitor.user, filter_id=filter_id)
    if found is None:
        raise HTTPException(status_code=404)
    return RedirectResponse("/triage" + (f"?{found.query}" if found.query else ""), 303)


@router.post("/triage/filters/{filter_id}/delete")
def delete_filter(
    request: Request, session: SessionDep, visitor: VisitorDep, filter_id: FilterId
) -> Response:
    """Delete one of this person's saved filters (404 when it is not theirs)."""
    if not saved_filters.delete(session=session, user=visitor.user, filter_id=filter_id):
        raise HTTPException(status_code=404)
    if is_htmx(request):
        return _panel(request, session, visitor, _panel_query(request))
    return RedirectResponse("/triage/filters", status_code=303)


# --- Export --------------------------------------------------------------------------------------


@router.get("/triage/export.csv")
def export_csv(
    session: SessionDep, settings: SettingsDep, visitor: VisitorDep, flt: FilterDep
) -> StreamingResponse:
    """Every row of the queue's filter (all pages, the list's order) as CSV, streamed."""
    chunks = queue_export.csv_chunks(
        session=session, user=visitor.user, flt=flt, settings=settings, lang=current_language()
    )
    return StreamingResponse(
        chunks,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{queue_export.file_name()}"',
            "Cache-Control": "no-store",  # personal data for some roles
        },
    )
