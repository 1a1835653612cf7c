"""A resident about to report a dark spot is offered the one already reported nearby."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, expect
from sqlmodel import Session

from app.models import Observation
from tests.browser.conftest import check_accessibility, shot
from tests.browser.test_capture_journey import DARK_SPOT, open_capture, pick_category
from tests.browser.test_triage_journey import report


def test_a_resident_says_me_too_instead_of_reporting_again(phone: BrowserContext, live_server):
    existing = report(live_server, description="Two lamps out in the underpass")
    page = open_capture(phone, live_server)
    page.get_by_role("button", name="Use my position").click()
    expect(page.locator("#position-status")).to_contain_text("Position found")
    pick_category(page, DARK_SPOT)

    offer = page.get_by_role("region", name="Someone reported this nearby")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("Two lamps out in the underpass")
    check_accessibility(page, "me-too offer")
    shot(page, "me-too-offer-phone")

    offer.get_by_role("button", name="Me too").click()
    expect(page.get_by_role("heading", name="Thank you! You are counted in.")).to_be_visible()
    expect(page.get_by_text("1 person has backed this report.")).to_be_visible()
    shot(page, "me-too-done-phone")
    with Session(live_server.app.state.engine) as session:
        assert session.get(Observation, existing.id).supporters == 1
    page.get_by_role("link", name="See the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(DARK_SPOT)
