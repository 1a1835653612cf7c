"""A triager's morning in a real browser: the start page's numbers, one click into the queue,
then a filter saved under a name, opened again and deleted; at 1280x800 and on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import Session

from tests.browser.conftest import DESKTOP, PHONE, check_accessibility, shot
from tests.browser.test_triage_journey import log_in, open_filters, report
from tests.factories import make_staff

SIZES = {"desktop": {**DESKTOP, "viewport": {"width": 1280, "height": 800}}, "phone": PHONE}


@pytest.fixture(params=sorted(SIZES))
def device_context(request: pytest.FixtureRequest, make_context) -> BrowserContext:  # type: ignore[no-untyped-def]
    return make_context(SIZES[request.param])


def test_a_triager_starts_the_day_and_saves_a_filter(
    device_context: BrowserContext, live_server, request: pytest.FixtureRequest
) -> None:
    device = request.node.callspec.params["device_context"]
    with Session(live_server.app.state.engine) as session:
        triager = make_staff(session, "triager")
        email = triager.email
    lamp = report(live_server, category="dark-spot")
    report(live_server, category="vegetation", description="Bushes hide the path.")

    page: Page = device_context.new_page()
    page.goto(live_server.url + "/login")
    log_in(page, email)
    page.wait_for_url(live_server.url + "/staff")

    # The start page: today's reports, one click from the queue.
    new_today = page.get_by_role("link", name=re.compile(r"^\d+ new today$"))
    expect(new_today).to_be_visible()
    count = int(new_today.inner_text().split()[0])
    assert count >= 2
    expect(page.get_by_role("link", name="Open the queue")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]  # type: ignore[index]
    check_accessibility(page, f"staff start page ({device})")
    shot(page, f"desk-start-{device}")
    new_today.click()
    page.wait_for_url(re.compile(r"/triage\?since=\d{4}-\d\d-\d\d"))
    expect(page.get_by_text(re.compile(rf"^{count} observations match$"))).to_be_visible()

    # Narrow the queue to dark spots, then keep that filter under a name.
    open_filters(page)
    page.get_by_role("combobox", name="Category").select_option("dark-spot")
    expect(page).to_have_url(re.compile(r"[?&]category=dark-spot(&|$)"))
    expect(page.locator(f"#row-{lamp.id}")).to_be_visible()
    page.get_by_text("Save or delete filters").click()  # folded away in the queue
    save_form = page.locator("form.save-filter")
    expect(save_form.locator('input[name="query"]')).to_have_value(
        re.compile(r"category=dark-spot")
    )
    page.get_by_label("Save this filter as").fill("Dark spots today")
    page.get_by_role("button", name="Save", exact=True).click()
    saved = page.get_by_role("navigation", name="My saved filters").get_by_role(
        "link", name="Dark spots today"
    )
    expect(saved).to_be_visible()
    check_accessibility(page, f"queue with a saved filter ({device})")
    shot(page, f"desk-saved-filter-{device}")

    # Back to the whole queue, then the saved filter brings the dark spots back.
    page.goto(live_server.url + "/triage")
    saved.click()
    expect(page).to_have_url(re.compile(r"category=dark-spot"))
    expect(page.locator(f"#row-{lamp.id}")).to_be_visible()
    expect(page.locator("#results tbody tr")).to_have_count(1)

    # The export link carries the same filter.
    export = page.get_by_role("link", name="Export this filter (CSV)")
    assert "category=dark-spot" in (export.get_attribute("href") or "")

    # Delete it: gone from the list.
    page.get_by_text("Save or delete filters").click()
    page.get_by_role("button", name="Delete the filter “Dark spots today”").click()
    expect(page.get_by_role("link", name="Dark spots today")).to_have_count(0)
