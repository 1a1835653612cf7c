"""A planner imports Boden's districts from a SWEREF 99 TM file in a real browser: a preview
first, then the import, the re-placement's progress polled by htmx until it is done, and the
nested parts of town in the list; on a desktop and on a phone, checked by axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, expect
from sqlmodel import Session

from app.services import demo, zone_placement
from tests.browser.conftest import check_accessibility, shot
from tests.factories import JSON, STAFF_PASSWORD, make_staff, observation_fields

try:
    import httpx
except ImportError:  # the project pins httpx2, which keeps the same API
    import httpx2 as httpx  # type: ignore[no-redef]

SWEREF_FILE = demo.DEMO_DIR / "boden-districts-sweref99tm.geojson"


@pytest.fixture(params=["desktop", "phone"])
def device_context(request: pytest.FixtureRequest) -> BrowserContext:
    return request.getfixturevalue(request.param)


@pytest.fixture(autouse=True)
def _no_thread_outlives_the_test():
    yield
    zone_placement.wait(timeout=30)


def test_a_planner_imports_the_districts_from_a_sweref_file(
    device_context: BrowserContext, live_server, request: pytest.FixtureRequest
) -> None:
    device = request.node.callspec.params["device_context"]
    with Session(live_server.app.state.engine) as session:
        email = make_staff(session, "planner").email
    # A report in Västra centrum, a part of town the file brings.
    answer = httpx.post(
        live_server.url + "/observations",
        data=observation_fields(lat="65.8249", lon="21.6869"),
        headers=JSON,
    )
    assert answer.status_code == 201

    page = device_context.new_page()
    page.goto(live_server.url + "/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Zones").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zones")
    check_accessibility(page, f"zones page ({device})")

    page.get_by_label("File to import").set_input_files(SWEREF_FILE)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator("#import-report")).to_contain_text("Preview only: nothing was changed.")
    expect(page.locator("#import-report")).to_contain_text("SWEREF 99 TM (EPSG:3006)")
    expect(page.locator("#import-changes")).to_contain_text("Västra centrum")
    check_accessibility(page, f"zones preview ({device})")
    shot(page, f"zones-preview-{device}")

    page.get_by_label("File to import").set_input_files(SWEREF_FILE)
    page.get_by_label("Preview only (change nothing)").uncheck()
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator("#import-report")).to_contain_text("Imported.")
    # htmx polls the progress until the background run is done.
    expect(page.locator("#placement")).to_contain_text(
        "Every observation is placed in the zones as they are now (1 observation).",
        timeout=20_000,
    )
    check_accessibility(page, f"zones imported ({device})")
    shot(page, f"zones-imported-{device}")

    page.reload()
    row = page.locator("#zones tr", has_text="vastra-centrum")
    expect(row).to_contain_text("Part of town")
    expect(row).to_contain_text("Centrum")
    expect(row.locator("td").last).to_have_text("1")
