"""A planner in a real browser: open a district's history, narrow the dates and see the figures
change (the URL follows), then draw an area on the map and land on its own history."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import Session

from app.models import Status
from tests.browser.conftest import check_accessibility, shot
from tests.browser.test_triage_journey import log_in
from tests.factories import CENTRUM, insert_observation, make_staff


@pytest.fixture(params=["desktop", "phone"])
def device_context(request: pytest.FixtureRequest) -> BrowserContext:
    return request.getfixturevalue(request.param)


def at(year: int, month: int, day: int = 10) -> datetime:
    return datetime(year, month, day, 17, tzinfo=UTC)


def a_history(session: Session) -> None:
    """Nine reports in Centrum over two years: a spot reported in three months, a good place,
    fixed and open ones; four of them from 2026."""
    lat, lon = CENTRUM
    spot = [(2025, 1), (2025, 10), (2026, 2)]
    for year, month in spot:
        insert_observation(
            session, lat=lat, lon=lon, created_at=at(year, month), unsafe_level=4, dark=True
        )
    for i, (year, month, status) in enumerate(
        [(2025, 3, Status.fixed), (2025, 6, Status.verified), (2025, 9, Status.wont_fix)]
    ):
        insert_observation(
            session,
            lat=lat + 0.001 * (i + 1),
            lon=lon - 0.002,
            category="vegetation",
            created_at=at(year, month),
            status=status,
            fixed_at=at(year, month, 20) if status != Status.wont_fix else None,
            unsafe_level=3,
        )
    insert_observation(session, lat=lat - 0.0015, lon=lon + 0.002, created_at=at(2026, 3))
    insert_observation(session, lat=lat - 0.002, lon=lon, category="litter", created_at=at(2026, 4))
    insert_observation(
        session, lat=lat + 0.001, lon=lon + 0.008, category="good-place", created_at=at(2025, 7)
    )


def test_a_planner_reads_a_district_narrows_it_and_draws_an_area(
    device_context: BrowserContext, live_server, request: pytest.FixtureRequest
) -> None:
    device = request.node.callspec.params["device_context"]
    with Session(live_server.app.state.engine) as session:
        email = make_staff(session, "planner").email
        a_history(session)

    page: Page = device_context.new_page()
    page.goto(live_server.url + "/planning/zones/centrum")
    log_in(page, email)
    page.wait_for_url(live_server.url + "/planning/zones/centrum")
    expect(page.get_by_role("heading", level=1)).to_have_text("History of Centrum")
    expect(page.locator('[data-figure="total"]')).to_have_text("9")
    expect(page.locator('[data-figure="share-fixed"]')).to_have_text("25 %")  # 2 of 8 problems
    expect(page.locator("ol.spots > li")).to_have_count(1)
    expect(page.locator("ol.spots > li").first).to_contain_text("3 reports, in 3 different months")
    # Every placed report is on the map (good place included, as its own layer).
    expect(page.locator("#planning-map")).to_have_attribute("data-markers", "9")
    page.evaluate("window.notReloaded = true")
    check_accessibility(page, f"district history ({device})")
    shot(page, f"planning-district-{device}")

    # Narrow the dates: the figures change in place, and the address can be shared.
    panel = page.locator("details.filter-panel")
    if panel.get_attribute("open") is None:
        page.get_by_text("Filter the reports").click()
    page.get_by_label("From", exact=True).fill("2026-01-01")
    expect(page.locator('[data-figure="total"]')).to_have_text("3")
    expect(page).to_have_url(re.compile(r"/planning/zones/centrum\?from=2026-01-01$"))
    expect(page.locator("#planning-map")).to_have_attribute("data-markers", "3")
    expect(page.get_by_role("link", name="Download CSV")).to_have_attribute(
        "href", "/planning/zones/centrum/export.csv?from=2026-01-01"
    )
    assert page.evaluate("window.notReloaded") is True
    # The heat map is a switch away.
    page.get_by_label("Reports as a heat map").check()
    expect(page.locator("#planning-map canvas.leaflet-heatmap-layer")).to_have_count(1)
    check_accessibility(page, f"narrowed history ({device})")
    shot(page, f"planning-district-narrowed-{device}")

    # Draw an area around the town centre: four corners, then use it.
    page.get_by_role("link", name="Draw or upload another area").click()
    page.wait_for_url(live_server.url + "/planning/area")
    the_map = page.locator("#draw-map")
    box = the_map.bounding_box()
    assert box is not None
    middle_x, middle_y = box["width"] / 2, box["height"] / 2
    for dx, dy in [(-60, -50), (60, -50), (60, 50)]:
        the_map.click(position={"x": middle_x + dx, "y": middle_y + dy})
    expect(page.locator("[data-draw-count]")).to_have_text("3 corners")
    page.get_by_role("button", name="Add a corner at the cross").click()  # as a keyboard user
    expect(page.locator("[data-draw-count]")).to_have_text("4 corners")
    page.get_by_role("button", name="Undo corner").click()
    the_map.click(position={"x": middle_x - 60, "y": middle_y + 50})
    expect(page.locator("[data-draw-count]")).to_have_text("4 corners")
    check_accessibility(page, f"draw an area ({device})")
    shot(page, f"planning-draw-{device}")
    page.get_by_role("button", name="Use this area").click()
    page.wait_for_url(re.compile(r"/planning/area/[0-9a-f]{16}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("History of the drawn area")
    expect(page.locator('[data-figure="total"]')).not_to_have_text("0")
    expect(page.locator("ol.spots > li")).to_have_count(1)
    check_accessibility(page, f"drawn area history ({device})")
    shot(page, f"planning-area-{device}")


def test_the_history_map_keeps_to_the_content_security_policy(
    csp_phone: BrowserContext, live_server
) -> None:
    """The policy enforced: a blocked script or style would be a console error, failing here."""
    with Session(live_server.app.state.engine) as session:
        email = make_staff(session, "planner").email
        a_history(session)
    page: Page = csp_phone.new_page()
    page.goto(live_server.url + "/planning/zones/centrum")
    log_in(page, email)
    page.wait_for_url(live_server.url + "/planning/zones/centrum")
    expect(page.locator("#planning-map")).to_have_attribute("data-markers", "9")
    page.get_by_label("Reports as a heat map").check()
    expect(page.locator("#planning-map canvas.leaflet-heatmap-layer")).to_have_count(1)
    page.goto(live_server.url + "/planning/area")
    page.locator("#draw-map").click(position={"x": 220, "y": 160})
    expect(page.locator("[data-draw-count]")).to_have_text("1 corner")
