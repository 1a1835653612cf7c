"""The yearly report to the crime-prevention council: the issued reports, a new one chosen by
period and previewed, issued frozen, and each issued report as a printable page, PDF and CSV.

Coordinators (and admins) issue reports; planners and triagers read the issued ones. An issued
report is drawn from its stored content only (services/council_report), in the language it
was issued in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app import clock, i18n
from app.deps import (
    SessionDep,
    SettingsDep,
    VisitorDep,
    require_coordinator,
    require_csrf,
    require_follow_up_reader,
)
from app.i18n import current_language
from app.models import CouncilReport, Role
from app.services import council_report, council_report_csv, council_report_view
from app.templating import render, templates

PREFIX = "/follow-up/reports"
# Planners and triagers read what was issued; coordinators (and admins) issue.
readers = APIRouter(
    prefix=PREFIX,
    dependencies=[
        Depends(require_follow_up_reader),
        Depends(require_csrf),
    ],
)
issuers = APIRouter(
    prefix=PREFIX, dependencies=[Depends(require_coordinator), Depends(require_csrf)]
)
Year = Annotated[int | None, Query(ge=council_report.EARLIEST_YEAR, le=council_report.LATEST_YEAR)]
FormYear = Annotated[int, Form(ge=council_report.EARLIEST_YEAR, le=council_report.LATEST_YEAR)]


def report_by_id(
    report_id: Annotated[int, Path(ge=1, le=2**31 - 1)], session: SessionDep
) -> CouncilReport:
    """The issued report in the path, or 404."""
    report = council_report.by_id(session=session, report_id=report_id)
    if report is None:
        raise HTTPException(status_code=404)
    return report


ReportDep = Annotated[CouncilReport, Depends(report_by_id)]


@readers.get("")
def reports(request: Request, session: SessionDep, visitor: VisitorDep) -> Response:
    """The issued reports, newest first."""
    return render(
        request,
        "follow_up/reports.html",
        {
            "reports": council_report.listed(session=session),
            "may_issue": visitor.user.role in (Role.coordinator, Role.admin),
        },
    )


def _new_page(
    request: Request,
    *,
    first_year: int,
    last_year: int,
    title: str,
    report: council_report.Report | None,
    error: str | None,
) -> Response:
    return render(
        request,
        "follow_up/report_new.html",
        {
            "first_year": first_year,
            "last_year": last_year,
            "title": title,
            "r": report,
            "v": council_report_view.View(report) if report else None,
            "for_pdf": False,
            "error": error,
        },
        status_code=422 if error else 200,
    )


@issuers.get("/new")
def new_report(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    first_year: Year = None,
    last_year: Year = None,
    title: Annotated[str, Query(max_length=council_report.TITLE_MAX)] = "",
) -> Response:
    """Choose the period; with one chosen, the report as it would be issued now."""
    if first_year is None and last_year is None:
        year = clock.now().year - 1  # in spring the council hears about the year just ended
        return _new_page(
            request, first_year=year, last_year=year, title=title, report=None, error=None
        )
    # One year given: a report of that year.
    first, last = (first_year or last_year or 0), (last_year or first_year or 0)
    try:
        report = council_report.preview(
            session=session,
            settings=settings,
            first_year=first,
            last_year=last,
            lang=current_language(),
            title=title,
        )
    except council_report.InvalidReport as exc:
        return _new_page(
            request, first_year=first, last_year=last, title=title, report=None, error=str(exc)
        )
    return _new_page(
        request, first_year=first, last_year=last, title=title, report=report, error=None
    )


@issuers.post("")
def issue_report(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    visitor: VisitorDep,
    first_year: FormYear,
    last_year: FormYear,
    title: Annotated[str, Form(max_length=council_report.TITLE_MAX)] = "",
) -> Response:
    """Issue the report for the period: stored frozen, then shown."""
    try:
        report = council_report.issue(
            session=session,
            settings=settings,
            first_year=first_year,
            last_year=last_year,
            lang=current_language(),
            title=title,
            actor=visitor.user,
        )
    except council_report.InvalidReport as exc:
        return _new_page(
            request,
            first_year=first_year,
            last_year=last_year,
            title=title,
            report=None,
            error=str(exc),
        )
    return RedirectResponse(f"{PREFIX}/{report.id}", status_code=303)


# The PDF and CSV before the page, whose {report_id} would take "3.pdf".


def _file_name(frozen: council_report.Report, ext: str) -> str:
    name = f"council-report-{frozen.first_year}-{frozen.last_year}-{frozen.id}.{ext}"
    return f'inline; filename="{name}"'


@readers.get("/{report_id}.pdf")
def report_pdf(request: Request, settings: SettingsDep, report: ReportDep) -> Response:
    """The issued report as a PDF, its charts drawn as SVG."""
    frozen = council_report.view(report)
    with i18n.using(frozen.language):
        html = templates.env.get_template("follow_up/report_pdf.html").render(
            {
                "r": frozen,
                "v": council_report_view.View(frozen),
                "for_pdf": True,
                "lang": frozen.language,
                "request": request,
            }
        )
    pdf = council_report_view.pdf(html=html, base_url=settings.public_url.rstrip("/"))
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": _file_name(frozen, "pdf")},
    )


@readers.get("/{report_id}.csv")
def report_csv(report: ReportDep) -> Response:
    """Every figure of the issued report, one per line."""
    frozen = council_report.view(report)
    with i18n.using(frozen.language):
        body = council_report_csv.text(frozen)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": _file_name(frozen, "csv").replace("inline", "attachment")},
    )


@readers.get("/{report_id}")
def report_page(request: Request, report: ReportDep) -> Response:
    """The issued report, printable: drawn from what was stored, in its own language."""
    frozen = council_report.view(report)
    with i18n.using(frozen.language):
        return render(
            request,
            "follow_up/report.html",
            {"r": frozen, "v": council_report_view.View(frozen), "for_pdf": False},
        )
