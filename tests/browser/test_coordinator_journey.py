"""The coordinator's year in one journey, as the issue asks: create a measure, set a target,
open the follow-up page, narrow it to a district, issue the yearly report to the council and
download its PDF; axe-core on every page, on a phone and on a desktop."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from io import BytesIO

import pytest
from playwright.sync_api import BrowserContext, expect
from pypdf import PdfReader
from sqlmodel import Session

from app.models import Agreement, FocusArea
from tests.browser.conftest import check_accessibility, shot
from tests.browser.test_triage_journey import log_in
from tests.factories import CENTRUM, insert_observation, make_staff

HEDEN = (65.845, 21.633)


@pytest.fixture(params=["phone", "desktop"])
def device_context(request: pytest.FixtureRequest) -> BrowserContext:
    return request.getfixturevalue(request.param)


def at(year: int, month: int) -> datetime:
    return datetime(year, month, 10, 17, tzinfo=UTC)


def test_a_coordinator_measures_targets_follows_up_and_reports_to_the_council(
    device_context: BrowserContext, live_server, request: pytest.FixtureRequest
) -> None:
    name = request.node.callspec.params["device_context"]
    with Session(live_server.app.state.engine) as session:
        email = make_staff(session, "coordinator").email
        # Vandalism: three reports in Centrum last year, one this year; two elsewhere this year.
        for month in (2, 5, 8):
            insert_observation(
                session,
                lat=CENTRUM[0],
                lon=CENTRUM[1],
                category="vandalism",
                created_at=at(2025, month),
            )
        insert_observation(
            session, lat=CENTRUM[0], lon=CENTRUM[1], category="vandalism", created_at=at(2026, 3)
        )
        for month in (4, 6):
            insert_observation(
                session, lat=HEDEN[0], lon=HEDEN[1], category="graffiti", created_at=at(2026, month)
            )
        agreement = Agreement(title="Ökad trygghet i Boden", first_year=2026, last_year=2027)
        session.add(agreement)
        session.commit()
        session.add(FocusArea(agreement_id=agreement.id, title="Trygghet i offentlig miljö"))
        session.commit()

    page = device_context.new_page()
    page.goto(live_server.url + "/login")
    log_in(page, email)
    # A coordinator lands on the follow-up.
    expect(page.get_by_role("heading", level=1)).to_have_text("Follow-up")

    # 1. A measure in the agreement's focus area, covering Centrum.
    page.get_by_role("link", name="Agreements and measures").click()
    page.get_by_role("link", name="Ökad trygghet i Boden").click()
    page.get_by_role("link", name="Add a measure").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New measure")
    page.get_by_label("Title").fill("Klotterplank och snabb sanering i Centrum")
    page.get_by_label("Purpose/method").fill("Minska skadegörelsen i Centrum.")
    page.get_by_label("Responsible", exact=True).fill("Eva Lind, fritidsgårdschef")
    page.get_by_text("Districts and areas").click()
    page.get_by_label("Centrum (District)").check()
    check_accessibility(page, f"measure form ({name})")
    page.get_by_role("button", name="Add the measure").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Klotterplank och snabb sanering i Centrum"
    )
    page.get_by_label("Result").fill("Saneringen tar nu två dagar.")
    page.get_by_role("button", name="Save the measure").click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")

    # 2. A target: damage to municipal property down 10 % against 2025.
    page.goto(live_server.url + "/follow-up/targets/new?year=2026")
    page.get_by_label("Indicator").select_option("damage_reports")
    page.get_by_label("at most").check()
    page.get_by_label("Value").fill("-10")
    page.get_by_label("Change against the year").fill("2025")
    check_accessibility(page, f"target form ({name})")
    page.get_by_role("button", name="Save the target").click()
    page.wait_for_url(re.compile(r"/follow-up/targets\?year=2026"))
    # 3 damage reports in 2025, 3 in 2026: no fall, so not met.
    expect(page.locator("tr[data-target]")).to_contain_text("Not met")

    # 3. The follow-up page, then the district through htmx: the figures and the URL follow.
    page.goto(live_server.url + "/follow-up?period=2026")
    expect(page.locator('[data-figure="damage_reports"]')).to_have_text("3")
    check_accessibility(page, f"follow-up ({name})")
    page.get_by_label("District or part of town").select_option("centrum")
    expect(page).to_have_url(re.compile(r"zone=centrum"))
    expect(page.locator('[data-figure="damage_reports"]')).to_have_text("1")
    expect(page.locator('[data-previous="damage_reports"]')).to_have_text("3")
    check_accessibility(page, f"follow-up, Centrum ({name})")
    shot(page, f"coordinator-follow-up-centrum-{name}")

    # 4. The yearly report to the council, issued, and its PDF.
    page.goto(live_server.url + "/follow-up/reports")
    page.get_by_role("link", name="New report").click()
    page.get_by_label("First year").fill("2026")
    page.get_by_label("Last year").fill("2026")
    page.get_by_role("button", name="Show the report").click()
    expect(page.get_by_text("Klotterplank och snabb sanering i Centrum").first).to_be_visible()
    page.get_by_role("button", name="Issue the report").click()
    pdf_link = page.get_by_role("link", name="PDF")
    expect(pdf_link).to_be_visible()
    check_accessibility(page, f"issued council report ({name})")
    shot(page, f"coordinator-council-report-{name}")
    answer = page.request.get(live_server.url + pdf_link.get_attribute("href"))
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(answer.body())).pages)
    assert "Klotterplank och snabb sanering i Centrum" in text
    assert "Saneringen tar nu två dagar." in text
    assert "Damage to municipal property" in text
