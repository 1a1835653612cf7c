"""The yearly report to the council through the web: a coordinator chooses the period, sees the
preview, issues the report and reads its page, PDF and CSV; who may do what; bad input."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlmodel import Session, select

from app.models import (
    Agreement,
    Category,
    CouncilReport,
    ExternalFigure,
    FocusArea,
    Measure,
    MeasureLink,
    MeasureLinkKind,
    Target,
    TargetDirection,
)
from tests.factories import csrf_token, insert_observation, login_as

CENTRUM = (65.8253, 21.6880)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def at(year: int, month: int) -> datetime:
    return datetime(year, month, 10, 12, tzinfo=UTC)


@pytest.fixture
def reports(session: Session) -> None:
    """Two problems in Centrum in 2025, three in 2026, and a measure whose texts look like
    formulas (a CSV must not run them)."""
    for year, n in ((2025, 2), (2026, 3)):
        for i in range(n):
            insert_observation(
                session,
                lat=CENTRUM[0],
                lon=CENTRUM[1] + i * 0.0001,
                created_at=at(year, 4 + i),
                unsafe_level=3,
            )
    agreement = Agreement(title="Tryggare Boden", first_year=2026, last_year=2026, parties="")
    session.add(agreement)
    session.commit()
    area = FocusArea(agreement_id=agreement.id, title="Trygghet offentlig miljö", position=1)
    session.add(area)
    session.commit()
    measure = Measure(
        focus_area_id=area.id,
        title='=HYPERLINK("http://evil.example")',
        responsible="Anna Andersson",
        result="Fyrtio nya armaturer längs Kungsgatan.",
    )
    session.add(measure)
    session.commit()
    dark = session.exec(select(Category).where(Category.slug == "dark-spot")).one()
    session.add(
        MeasureLink(measure_id=measure.id, kind=MeasureLinkKind.category, target_id=dark.id)
    )
    # Reports down 10 % against 2025 (2 -> 3 is +50 %: not met); a source typed like a formula.
    session.add(
        Target(
            indicator="reports",
            year=2026,
            direction=TargetDirection.at_most,
            value=-10,
            baseline_year=2025,
        )
    )
    session.add(
        ExternalFigure(indicator="police_reported_crimes", year=2026, value=812, source="@SUM(A1)")
    )
    session.commit()


def issue(client, token: str, first: int = 2026, last: int = 2026, title: str = "Brå våren 2027"):  # type: ignore[no-untyped-def]
    return client.post(
        "/follow-up/reports",
        data={"csrf_token": token, "first_year": first, "last_year": last, "title": title},
        follow_redirects=False,
    )


@pytest.fixture
def coordinator(client, session):  # type: ignore[no-untyped-def]
    return login_as(client, session, "coordinator")


@pytest.fixture
def token(client, coordinator) -> str:  # type: ignore[no-untyped-def]
    return csrf_token(client, "/follow-up/reports/new")


def issued_id(answer) -> int:  # type: ignore[no-untyped-def]
    assert answer.status_code == 303, answer.text
    return int(answer.headers["location"].rsplit("/", 1)[1])


def article(html: str) -> str:
    """The report itself, without the page's header (which carries the session's token)."""
    return html[
        html.index('<article class="panel wide council-report">') : html.rindex("</article>")
    ]


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(body)).pages)


def test_a_coordinator_previews_issues_and_reads_the_report(
    client, session: Session, reports: None, token: str
) -> None:
    preview = client.get("/follow-up/reports/new?first_year=2026&last_year=2026")
    assert preview.status_code == 200
    assert "Issue the report" in preview.text
    assert session.exec(select(CouncilReport)).all() == []  # a preview stores nothing

    report_id = issued_id(issue(client, token))
    page = client.get(f"/follow-up/reports/{report_id}")
    assert page.status_code == 200
    assert "Brå våren 2027" in page.text
    assert "Fyrtio nya armaturer längs Kungsgatan." in page.text
    assert "<svg" in page.text  # the charts
    assert "How each figure was computed" in page.text

    listing = client.get("/follow-up/reports")
    assert f'href="/follow-up/reports/{report_id}"' in listing.text

    pdf = client.get(f"/follow-up/reports/{report_id}.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "Brå våren 2027" in text
    assert "Fyrtio nya armaturer" in text
    assert "Centrum" in text

    answer = client.get(f"/follow-up/reports/{report_id}.csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.text.lstrip("\ufeff"))))
    header, body = rows[0], rows[1:]
    assert header[:6] == ["Section", "Indicator", "Name", "Scope", "Period", "Value"]
    found = {(r[0], r[1], r[3], r[4]): r for r in body}
    assert found[("indicator", "reports", "Whole municipality", "2026")][5] == "3"
    assert (
        found[("indicator", "reports", "Whole municipality", "2026")][7] == "2"
    )  # the year before
    assert found[("district", "reports", "Centrum", "2026")][5] == "3"
    for row in rows:
        for cell in row:
            if cell.startswith("-"):
                float(cell)  # a negative number is data, written as a number
            else:
                assert not cell.startswith(FORMULA_STARTS), cell
    assert any(cell.startswith("'=HYPERLINK") for row in body for cell in row)
    target = found[("target", "reports", "Whole municipality", "2026")]
    assert target[5] == "50.0" and target[8] == "at most \u221210 % against 2025"
    assert target[9] == "Not met"
    police = found[("external", "police_reported_crimes", "Whole municipality", "2026")]
    assert police[5] == "812.0" and police[11] == "'@SUM(A1)"


def test_an_issued_report_is_frozen(client, session: Session, reports: None, token: str) -> None:
    report_id = issued_id(issue(client, token))
    page = client.get(f"/follow-up/reports/{report_id}").text
    pdf = pdf_text(client.get(f"/follow-up/reports/{report_id}.pdf").content)
    table = client.get(f"/follow-up/reports/{report_id}.csv").content

    for i in range(4):
        insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1], created_at=at(2026, 8 + i))
    measure = session.exec(select(Measure)).one()
    measure.result = "Changed afterwards"
    session.add(measure)
    session.commit()

    assert article(client.get(f"/follow-up/reports/{report_id}").text) == article(page)
    assert pdf_text(client.get(f"/follow-up/reports/{report_id}.pdf").content) == pdf
    assert client.get(f"/follow-up/reports/{report_id}.csv").content == table
    # A new preview does see the new reports and the new result.
    fresh = client.get("/follow-up/reports/new?first_year=2026&last_year=2026").text
    assert "Changed afterwards" in fresh


@pytest.mark.parametrize(
    ("role", "reads", "issues"),
    [
        ("coordinator", 200, True),
        ("admin", 200, True),
        ("planner", 200, False),
        ("triager", 200, False),
        ("unit_worker", 403, False),
        ("walk_leader", 403, False),
    ],
)
def test_who_may_read_and_issue(
    client, session: Session, reports: None, role: str, reads: int, issues: bool
) -> None:
    other = session.exec(select(CouncilReport)).all()
    assert other == []
    # A report issued by a coordinator on another client, for the readers to read.
    from app.services import council_report
    from tests.factories import make_staff

    made = council_report.issue(
        session=session,
        settings=client.app.state.settings,
        first_year=2026,
        last_year=2026,
        lang="en",
        title="",
        actor=make_staff(session, "coordinator"),
    )
    login_as(client, session, role, unit="street-lighting" if role == "unit_worker" else None)
    for path in ("", f"/{made.id}", f"/{made.id}.pdf", f"/{made.id}.csv"):
        assert client.get(f"/follow-up/reports{path}").status_code == reads, path
    new = client.get("/follow-up/reports/new?first_year=2026&last_year=2026")
    assert new.status_code == (200 if issues else 403)
    token = csrf_token(client, "/staff")
    assert (issue(client, token).status_code == 303) is issues


def test_issuing_needs_the_csrf_token(client, session: Session, coordinator) -> None:  # type: ignore[no-untyped-def]
    answer = issue(client, "not-the-token")
    assert answer.status_code == 403
    assert session.exec(select(CouncilReport)).all() == []


@pytest.mark.parametrize(
    "query",
    [
        "first_year=abc&last_year=2026",
        "first_year=2027&last_year=2026",
        "first_year=1500&last_year=2026",
        "first_year=2026&last_year=99999999999999999999",
        "first_year=2019&last_year=2026",
    ],
)
def test_bad_years_are_refused_clearly(client, coordinator, query: str) -> None:  # type: ignore[no-untyped-def]
    answer = client.get(f"/follow-up/reports/new?{query}")
    assert answer.status_code == 422


def test_issuing_a_bad_period_says_why(client, session: Session, token: str) -> None:
    answer = issue(client, token, first=2027, last=2026)
    assert answer.status_code == 422
    assert "The last year cannot come before the first." in answer.text
    assert issue(client, token, first="twenty", last=2026).status_code == 422  # type: ignore[arg-type]
    assert session.exec(select(CouncilReport)).all() == []


@pytest.mark.parametrize("path", ["/999999", "/999999.pdf", "/999999.csv"])
def test_an_unknown_report_is_404(client, coordinator, path: str) -> None:  # type: ignore[no-untyped-def]
    assert client.get(f"/follow-up/reports{path}").status_code == 404


@pytest.mark.parametrize("path", ["/0", "/-1", "/99999999999999999999", "/abc.pdf"])
def test_a_malformed_id_is_4xx(client, coordinator, path: str) -> None:  # type: ignore[no-untyped-def]
    assert client.get(f"/follow-up/reports{path}").status_code in (404, 422)


def test_the_page_with_no_period_offers_last_year(client, coordinator, stopped_clock) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/follow-up/reports/new")
    assert page.status_code == 200
    assert re.search(r'name="first_year"[^>]*value="2025"', page.text)
    assert "Issue the report" not in page.text


def test_a_report_is_shown_in_the_language_it_was_issued_in(
    client, session: Session, reports: None, token: str
) -> None:
    client.get("/lang/sv", follow_redirects=False)
    report_id = issued_id(issue(client, token, title=""))
    client.get("/lang/en", follow_redirects=False)
    page = client.get(f"/follow-up/reports/{report_id}").text
    assert "Uppföljning av samverkansöverenskommelsen 2026" in page
    assert "Så beräknades varje siffra" in page
    assert "Inte uppfyllt" in page  # the target's outcome, written out when issued
    text = pdf_text(client.get(f"/follow-up/reports/{report_id}.pdf").content)
    assert "Indikatorer mot mål" in text
    header = client.get(f"/follow-up/reports/{report_id}.csv").text.lstrip("\ufeff")
    assert header.startswith("Avsnitt,Indikator,Namn")


def test_one_year_given_makes_a_report_of_that_year(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/follow-up/reports/new?last_year=2026")
    assert page.status_code == 200
    assert re.search(r'name="first_year"[^>]*value="2026"', page.text)
    assert "Issue the report" in page.text
