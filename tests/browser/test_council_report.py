"""A coordinator previews and issues the yearly report to the council on a phone, then reads
it on the phone and as printed (A4 width, print media); axe-core on each page, screenshots
kept (council-report-*.png)."""

from __future__ import annotations

from datetime import UTC, datetime

from playwright.sync_api import BrowserContext, expect
from sqlmodel import Session

from app.models import Agreement, FocusArea, Measure
from tests.browser.conftest import check_accessibility, shot
from tests.browser.test_triage_journey import log_in
from tests.factories import insert_observation, make_staff

A4 = {"width": 794, "height": 1123}  # A4 at 96 dpi


def test_a_coordinator_issues_the_report_and_reads_it_on_a_phone_and_in_print(
    phone: BrowserContext, live_server
) -> None:
    with Session(live_server.app.state.engine) as session:
        email = make_staff(session, "coordinator").email
        for year, spots in ((2025, 3), (2026, 5)):
            for i in range(spots):
                insert_observation(
                    session,
                    lat=65.8253 + i * 0.0003,
                    lon=21.6880 + (year - 2025) * 0.04,  # Centrum, then Björknäs
                    category=("vandalism", "dark-spot", "graffiti")[i % 3],
                    created_at=datetime(year, 3 + i, 12, 18, tzinfo=UTC),
                    unsafe_level=2 + i % 4,
                )
        agreement = Agreement(title="Tryggare Boden 2026", first_year=2026, last_year=2026)
        session.add(agreement)
        session.commit()
        area = FocusArea(agreement_id=agreement.id, title="Trygghet offentlig miljö", position=1)
        session.add(area)
        session.commit()
        session.add(
            Measure(
                focus_area_id=area.id,
                title="Belysning i gångtunnlar",
                responsible="Anna Andersson",
                result="Fyrtio nya armaturer i sex gångtunnlar; två rapporter om mörker sedan.",
            )
        )
        session.commit()
    page = phone.new_page()
    page.goto(live_server.url + "/login?next=/follow-up/reports")
    log_in(page, email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports to the council")
    check_accessibility(page, "council reports, none yet")
    page.get_by_role("link", name="New report").click()
    page.get_by_label("First year").fill("2026")
    page.get_by_label("Last year").fill("2026")
    page.get_by_role("button", name="Show the report").click()
    expect(page.get_by_text("Belysning i gångtunnlar").first).to_be_visible()
    check_accessibility(page, "council report preview")
    page.get_by_role("button", name="Issue the report").click()
    expect(page.get_by_role("link", name="PDF")).to_be_visible()
    check_accessibility(page, "issued council report")
    shot(page, "council-report-phone")

    page.set_viewport_size(A4)
    page.emulate_media(media="print")
    shot(page, "council-report-print")
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
