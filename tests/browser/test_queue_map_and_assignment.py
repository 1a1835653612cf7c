"""A unit's day in a real browser: take an item from the queue, find it under "assigned to
me", see the same filter on a map, and open an item from its marker."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import Session

from tests.browser.conftest import check_accessibility, shot
from tests.browser.test_triage_journey import log_in, open_filters, report
from tests.factories import CENTRUM, make_staff


@pytest.fixture(params=["desktop", "phone"])
def device_context(request: pytest.FixtureRequest) -> BrowserContext:
    return request.getfixturevalue(request.param)


def test_a_worker_takes_an_item_and_finds_it_on_the_map(
    device_context: BrowserContext, live_server, request: pytest.FixtureRequest
) -> None:
    device = request.node.callspec.params["device_context"]
    with Session(live_server.app.state.engine) as session:
        worker = make_staff(session, "unit_worker", unit="street-lighting")
        email, name = worker.email, worker.name
    in_centrum = report(live_server, category="dark-spot")
    in_heden = report(live_server, category="dark-spot", lat="65.845", lon="21.633")
    far_away = report(live_server, category="dark-spot", lat=CENTRUM[0] - 0.03)

    page: Page = device_context.new_page()
    page.goto(live_server.url + "/triage")
    log_in(page, email)
    page.wait_for_url(live_server.url + "/triage")
    page.evaluate("window.notReloaded = true")

    # Take the one in Heden: the row is swapped in place and says whose it is.
    # The assignment opens from the row (keeping each row one line high).
    row = page.locator(f"#row-{in_heden.id}")
    expect(row).to_contain_text("Not assigned")
    row.locator("details.assign > summary").press("Enter")  # from the keyboard
    page.get_by_label(f"Assign #{in_heden.id} to").select_option(label=f"{name} (me)")
    row.get_by_role("button", name="Assign", exact=True).press("Enter")
    expect(row).to_contain_text(f"Assigned to {name}")
    expect(row.locator("details.assign > summary")).to_contain_text(name)
    # The keyboard stays where it was, in the new row.
    expect(page.get_by_label(f"Assign #{in_heden.id} to")).to_be_focused()
    assert page.evaluate("window.notReloaded") is True
    check_accessibility(page, f"queue with assignment ({device})")
    shot(page, f"queue-assigned-{device}")

    # "Assigned to: me" narrows the list to it. On the phone the filters start folded away.
    folded = page.locator("details.filter-panel").get_attribute("open") is None
    assert folded == (device == "phone")
    open_filters(page)
    page.get_by_role("combobox", name="Assigned to").select_option(label="Me")
    expect(page).to_have_url(re.compile(r"[?&]assignee=me(&|$)"))
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator(f"#row-{in_heden.id}")).to_be_visible()

    # Back to everyone, then the same filter as a map: one marker per item.
    page.get_by_role("combobox", name="Assigned to").select_option(label="Anyone")
    expect(page.locator("#results tbody tr")).to_have_count(3)
    page.get_by_text("More", exact=True).click()  # list or map is under "More"
    page.get_by_role("radio", name="Map").check()
    expect(page).to_have_url(re.compile(r"[?&]view=map(&|$)"))
    the_map = page.locator("#queue-map")
    expect(the_map).to_have_attribute("data-markers", "3")
    assert page.evaluate("window.notReloaded") is True
    marker = page.get_by_role("button", name=re.compile(rf"^#{far_away.id} "))
    expect(marker).to_be_visible()
    check_accessibility(page, f"queue map ({device})")
    shot(page, f"queue-map-{device}")

    # A marker opens a popup with the way to the item.
    marker.click()
    page.locator(".leaflet-popup").get_by_role("link", name=f"#{far_away.id} ").click()
    page.wait_for_url(f"{live_server.url}/triage/{far_away.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dark spot / broken light")
    assert in_centrum.id != far_away.id
