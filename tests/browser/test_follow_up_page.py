"""A coordinator in a real browser: open the follow-up page, narrow it to a district through
htmx (the figures change in place and the URL follows), and the page is axe-clean on a phone
and on a desktop."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import Session

from app import clock
from app.models import Target, TargetDirection
from tests.browser.conftest import check_accessibility, shot
from tests.browser.test_triage_journey import log_in
from tests.factories import CENTRUM, insert_observation, make_staff

HEDEN = (65.845, 21.633)


@pytest.fixture(params=["desktop", "phone"])
def device_context(request: pytest.FixtureRequest) -> BrowserContext:
    return request.getfixturevalue(request.param)


def at(year: int, month: int, day: int = 10) -> datetime:
    return datetime(year, month, day, 17, tzinfo=UTC)


def a_year(session: Session) -> None:
    """This year: four dark spots in Centrum and two vegetation reports in Heden; last year
    two in Centrum; a target met and one not."""
    for month in (1, 3, 5, 9):
        insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1], created_at=at(2026, month))
    for month in (4, 10):
        insert_observation(
            session, lat=HEDEN[0], lon=HEDEN[1], category="vegetation", created_at=at(2026, month)
        )
    for month in (2, 8):
        insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1], created_at=at(2025, month))
    session.add(Target(indicator="reports", year=2026, direction=TargetDirection.at_most, value=8))
    session.add(
        Target(indicator="reports", year=2026, direction=TargetDirection.at_least, value=10)
    )
    session.commit()


def test_a_coordinator_reads_the_follow_up_and_narrows_it_to_a_district(
    device_context: BrowserContext, live_server, request: pytest.FixtureRequest
) -> None:
    device = request.node.callspec.params["device_context"]
    clock.set_to(datetime(2026, 12, 1, 16, tzinfo=UTC))
    try:
        with Session(live_server.app.state.engine) as session:
            email = make_staff(session, "coordinator").email
            a_year(session)

        page: Page = device_context.new_page()
        page.goto(live_server.url + "/follow-up")
        log_in(page, email)
        page.wait_for_url(live_server.url + "/follow-up")
        expect(page.get_by_role("heading", level=1)).to_have_text("Follow-up")
        expect(page.locator('[data-figure="reports"]')).to_have_text("6")
        expect(page.locator('[data-previous="reports"]')).to_have_text("2")
        reports_row = page.locator('tr[data-indicator="reports"]')
        expect(reports_row.locator('[data-outcome="met"]')).to_contain_text("Met")
        expect(reports_row.locator('[data-outcome="not_met"]')).to_contain_text("Not met")
        expect(
            page.get_by_role("img", name=re.compile("Reports of problems per year"))
        ).to_be_visible()
        page.evaluate("window.notReloaded = true")
        check_accessibility(page, f"follow-up ({device})")
        shot(page, f"follow-up-{device}")

        # Narrow to Heden: the figures change in place, and the address can be shared.
        page.get_by_label("District or part of town").select_option("heden")
        expect(page.locator('[data-figure="reports"]')).to_have_text("2")
        expect(page).to_have_url(re.compile(r"/follow-up\?zone=heden$"))
        expect(page.locator("[data-view-heading]")).to_contain_text("Heden")
        assert page.evaluate("window.notReloaded") is True
        check_accessibility(page, f"follow-up in Heden ({device})")
        shot(page, f"follow-up-heden-{device}")

        # The shared address opens the same view.
        page.goto(live_server.url + "/follow-up?zone=heden&period=2026-Q2")
        expect(page.locator('[data-figure="reports"]')).to_have_text("1")
        expect(page.get_by_label("District or part of town")).to_have_value("heden")
        # In print: the filters go, the figures and their definitions stay.
        page.emulate_media(media="print")
        expect(page.locator("form.follow-up-filters")).to_be_hidden()
        expect(page.locator('tr[data-indicator="reports"] .definition')).to_be_visible()
        page.emulate_media(media="screen")
    finally:
        clock.set_to(None)


def test_a_coordinator_sets_a_target_and_imports_external_figures(
    desktop: BrowserContext, live_server, tmp_path
) -> None:
    """The forms in a browser: a refused target shows its reasons, a good one lands in the
    year's list; a CSV file of figures shows beside ours. Both pages axe-clean."""
    # The refused form answers 422, which Chromium logs as a failed resource.
    desktop.page_errors.allow("status of 422")  # type: ignore[attr-defined]
    with Session(live_server.app.state.engine) as session:
        email = make_staff(session, "coordinator").email
    page: Page = desktop.new_page()
    page.goto(live_server.url + "/follow-up/targets/new?year=2026")
    log_in(page, email)
    page.wait_for_url(re.compile(r"/follow-up/targets/new"))
    page.get_by_label("Indicator").select_option("share_fixed")
    page.get_by_label("at least").check()
    page.get_by_label("Value").fill("120")
    page.get_by_role("button", name="Save the target").click()
    expect(page.get_by_role("alert")).to_contain_text("A share is between 0 and 100 %")
    check_accessibility(page, "target form with errors")
    shot(page, "follow-up-target-refused")
    page.get_by_label("Value").fill("75")
    page.get_by_role("button", name="Save the target").click()
    page.wait_for_url(re.compile(r"/follow-up/targets\?year=2026"))
    expect(page.locator("tr[data-target]")).to_contain_text("at least 75%")
    check_accessibility(page, "targets list")
    shot(page, "follow-up-targets")

    figures = tmp_path / "figures.csv"
    figures.write_text(
        "indicator;year;zone;value;source\n"
        "scb_safety_index;2026;;3,4;SCB medborgarundersökning\n"
        "police_reported_crimes;2026;heden;57;Polisen\n",
        encoding="utf-8-sig",
    )
    page.goto(live_server.url + "/follow-up/external")
    page.get_by_label("CSV file", exact=True).set_input_files(str(figures))
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#import-report")).to_contain_text("2 new, 0 replaced")
    check_accessibility(page, "external figures")
    shot(page, "follow-up-external")
    page.goto(live_server.url + "/follow-up?zone=heden&period=2026")
    expect(page.locator('tr[data-external="police_reported_crimes"]')).to_contain_text("57")
    expect(page.locator('tr[data-external="scb_safety_index"]')).to_contain_text("SCB")
