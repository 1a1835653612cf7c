"""A coordinator writes the agreement down: the agreement, a focus area and a measure covering
the district Centrum, then opens the annex; on a phone (390x844) and a desktop, with axe-core on
every page and screenshots kept."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, expect
from sqlmodel import Session

from tests.browser.conftest import DESKTOP, PHONE, check_accessibility, shot
from tests.browser.test_triage_journey import log_in
from tests.factories import make_staff


@pytest.fixture(params=["phone", "desktop"])
def device_context(request, make_context) -> BrowserContext:  # type: ignore[no-untyped-def]
    return make_context(PHONE if request.param == "phone" else DESKTOP)


def test_a_coordinator_writes_an_agreement_a_focus_area_and_a_measure_and_opens_the_annex(
    device_context: BrowserContext, live_server, request: pytest.FixtureRequest
) -> None:
    name = request.node.callspec.params["device_context"]
    device = device_context
    device.page_errors.allow("status of 422")  # type: ignore[attr-defined]
    with Session(live_server.app.state.engine) as session:
        email = make_staff(session, "coordinator").email
    page = device.new_page()
    page.goto(live_server.url + "/login?next=/follow-up/agreements")
    log_in(page, email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Agreements")
    check_accessibility(page, f"agreements ({name})")

    # Years in the wrong order first: refused, saying why.
    title = f"Samverkan för ökad trygghet i Boden ({name})"
    page.get_by_label("Title").fill(title)
    page.get_by_label("First year").fill("2027")
    page.get_by_label("Last year").fill("2026")
    page.get_by_label("Parties").fill("Bodens kommun\nPolisen, lokalpolisområde Boden")
    page.get_by_role("button", name="Create the agreement").click()
    expect(page.get_by_role("alert")).to_contain_text("The last year cannot come before the first.")
    check_accessibility(page, f"agreement form with an error ({name})")
    page.get_by_label("First year").fill("2026")
    page.get_by_label("Last year").fill("2027")
    page.get_by_role("button", name="Create the agreement").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.get_by_label("Focus area", exact=True).fill("Trygghet i offentlig miljö")
    page.get_by_role("button", name="Add the focus area").click()
    expect(page.get_by_role("heading", level=3)).to_have_text("1. Trygghet i offentlig miljö")
    check_accessibility(page, f"agreement ({name})")
    shot(page, f"measures-0-agreement-{name}")
    page.get_by_role("link", name="Add a measure").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("New measure")
    page.get_by_label("Title").fill("Trygghetsvandringar i Centrum")
    page.get_by_label("Purpose/method").fill("Ta reda på vad som upplevs otryggt.")
    page.get_by_label("Approach").fill("Två kvällsvandringar om året med boende.")
    page.get_by_label("Timetable").fill("Mars och oktober")
    page.get_by_label("Partners").fill("Tekniska förvaltningen, Polisen")
    page.get_by_label("Expected effect / method of follow-up").fill("Fler känner sig trygga.")
    page.get_by_label("Responsible", exact=True).fill("Anna Berg, trygghetssamordnare")
    page.get_by_label("Starts").fill("2026-03-01")
    page.get_by_label("Ends").fill("2027-10-31")
    page.get_by_text("Districts and areas").click()
    page.get_by_label("Centrum (District)").check()
    check_accessibility(page, f"measure form ({name})")
    page.get_by_role("button", name="Add the measure").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Trygghetsvandringar i Centrum")
    covers = page.locator(".covers-list")
    expect(covers.get_by_role("link", name="Centrum")).to_have_attribute(
        "href", "/planning/zones/centrum"
    )
    check_accessibility(page, f"measure ({name})")
    if name == "phone":
        shot(page, "measures-1-measure-phone")

    # The result, saved with htmx: the measure's part of the page comes back.
    page.get_by_label("Result").fill("Två vandringar hölls; 14 av 20 brister åtgärdade.")
    page.get_by_role("button", name="Save the measure").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.locator("#measure p.pre-line").last).to_contain_text("14 av 20 brister")

    page.get_by_role("link", name=title).first.click()
    page.get_by_role("link", name="Open the annex").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Annex: the measures of")
    expect(page.get_by_role("heading", level=4, name="Purpose/method")).to_be_visible()
    expect(page.get_by_text("Anna Berg, trygghetssamordnare")).to_be_visible()
    check_accessibility(page, f"annex ({name})")
    shot(page, f"measures-2-annex-{name}")
    with page.expect_response(lambda r: r.url.endswith("annex.pdf"), timeout=30_000) as answer:
        page.evaluate(
            "url => fetch(url)", page.get_by_role("link", name="PDF").get_attribute("href")
        )
    assert answer.value.headers["content-type"] == "application/pdf"
