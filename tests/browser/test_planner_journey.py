"""A planner's whole round in a real browser, as the issue puts it: import Boden's districts from
a SWEREF 99 TM file, open a district, narrow the dates, draw an area, register a plan case, mark
two checklist lines, and leave with the CSV, the GeoJSON and the safety basis PDF; on a desktop
and on a phone, with axe-core on every page and screenshots kept."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from pypdf import PdfReader
from shapely.geometry import shape
from sqlmodel import Session

from app.services import demo, zone_placement
from tests.browser.conftest import check_accessibility, shot
from tests.browser.test_triage_journey import log_in
from tests.factories import insert_observation, make_staff

SWEREF_FILE = demo.DEMO_DIR / "boden-districts-sweref99tm.geojson"
LAT, LON = 65.8253, 21.6880  # Boden's centre, the maps' middle


@pytest.fixture(params=["desktop", "phone"])
def device_context(request: pytest.FixtureRequest) -> BrowserContext:
    return request.getfixturevalue(request.param)


@pytest.fixture(autouse=True)
def _no_thread_outlives_the_test():  # type: ignore[no-untyped-def]
    yield
    zone_placement.wait(timeout=30)


def history(session: Session) -> None:
    """Centrum's reports: one place reported in February 2025 and in March 2026 (a recurring
    spot), an open problem beside it from 2026, a report from 2025 only, and a private one."""
    for year, month in ((2025, 2), (2026, 3)):
        insert_observation(
            session, lat=LAT, lon=LON, created_at=datetime(year, month, 4, 20, tzinfo=UTC)
        )
    insert_observation(
        session,
        lat=LAT - 0.0004,
        lon=LON + 0.0012,
        category="litter",
        created_at=datetime(2026, 5, 2, 12, tzinfo=UTC),
        contact_email="resident@example.se",
    )
    insert_observation(
        session,
        lat=LAT + 0.0005,
        lon=LON - 0.0010,
        category="vegetation",
        created_at=datetime(2025, 6, 1, 12, tzinfo=UTC),
    )
    insert_observation(session, lat=LAT, lon=LON + 0.0003, category="drug-dealing")


def draw_square(page: Page, map_selector: str) -> None:
    """Four corners around the map's middle (clear of the zoom buttons at the top left)."""
    the_map = page.locator(map_selector)
    box = the_map.bounding_box()
    assert box is not None
    middle_x, middle_y = box["width"] / 2, box["height"] / 2
    for dx, dy in ((-70, -55), (70, -55), (70, 55), (-70, 55)):
        the_map.click(position={"x": middle_x + dx, "y": middle_y + dy})


def download(page: Page, link_name: str, folder: Path) -> Path:
    with page.expect_download(timeout=30_000) as started:
        page.get_by_role("link", name=link_name).first.click()
    target = folder / started.value.suggested_filename
    started.value.save_as(target)
    return target


def test_a_planner_imports_reads_registers_and_leaves_with_the_files(
    device_context: BrowserContext, live_server, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    device = request.node.callspec.params["device_context"]
    with Session(live_server.app.state.engine) as session:
        email = make_staff(session, "planner").email
        history(session)
    page = device_context.new_page()
    page.goto(live_server.url + "/login")
    log_in(page, email)
    page.wait_for_url(live_server.url + "/planning")
    check_accessibility(page, f"planning start ({device})")

    # 1. Boden's districts from the municipality's GIS, in SWEREF 99 TM.
    page.get_by_role("link", name="Import or export the districts as GIS data").click()
    page.get_by_label("File to import").set_input_files(SWEREF_FILE)
    page.get_by_label("Preview only (change nothing)").uncheck()
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator("#import-report")).to_contain_text("Imported.")
    expect(page.locator("#import-report")).to_contain_text("SWEREF 99 TM (EPSG:3006)")
    expect(page.locator("#placement")).to_contain_text(
        "Every observation is placed in the zones as they are now", timeout=20_000
    )
    check_accessibility(page, f"zones imported ({device})")
    shot(page, f"planner-1-imported-{device}")

    # 2. A district's history, narrowed to 2026: the 2025 reports drop out.
    page.goto(live_server.url + "/planning")
    page.get_by_role("link", name="Centrum", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("History of Centrum")
    expect(page.locator('[data-figure="total"]')).to_have_text("5")
    expect(page.locator("ol.spots > li")).to_have_count(1)
    check_accessibility(page, f"district history ({device})")
    if page.locator("details.filter-panel").get_attribute("open") is None:  # folded on a phone
        page.get_by_text("Filter the reports").click()
    page.get_by_label("From", exact=True).fill("2026-01-01")
    expect(page.locator('[data-figure="total"]')).to_have_text("3")
    expect(page).to_have_url(live_server.url + "/planning/zones/centrum?from=2026-01-01")
    shot(page, f"planner-2-district-2026-{device}")

    # 3. Any area: drawn on the map, it gets its own page and address.
    page.goto(live_server.url + "/planning/area")
    draw_square(page, "#draw-map")
    page.get_by_role("button", name="Use this area").click()
    page.wait_for_url(re.compile(r"/planning/area/[0-9a-f]{16}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("History of")
    check_accessibility(page, f"drawn area ({device})")
    shot(page, f"planner-3-area-{device}")

    # 4. A plan case over the same place; two checklist lines marked.
    page.goto(live_server.url + "/planning/plans/new")
    page.get_by_label("Name of the plan").fill("Kvarteret Svalan")
    page.get_by_label("Diary number").fill("PLAN 2026-77")
    draw_square(page, "#plan-map")
    page.get_by_role("button", name="Register the plan case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kvarteret Svalan", timeout=20_000)
    lines = page.locator(".checklist-line")
    expect(lines).to_have_count(3)  # the recurring spot and the two open problems
    for index, decision in ((0, "Addressed in the plan"), (1, "To handle outside the plan")):
        line = lines.nth(index)
        line.get_by_text(decision, exact=True).click()
        line.get_by_label("Note").fill(f"Note {index + 1}")
        line.get_by_role("button", name="Save this line").click()
        expect(lines.nth(index).get_by_role("status")).to_have_text("Saved.")
    check_accessibility(page, f"plan case ({device})")
    shot(page, f"planner-4-plan-{device}")

    # 5. The files: the plan area's CSV and GeoJSON, and the frozen basis as a PDF.
    exported = download(page, "Download CSV", tmp_path).read_text("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert len(rows) == 4  # the spot's two reports and the two problems; the private one never
    assert "resident@example.se" not in json.dumps(rows)
    collection = json.loads(download(page, "Download GeoJSON", tmp_path).read_text("utf-8"))
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 4
    assert all(shape(f["geometry"]).is_valid for f in collection["features"])

    page.get_by_role("button", name="Freeze the basis for this stage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Safety basis", timeout=30_000)
    check_accessibility(page, f"safety basis ({device})")
    shot(page, f"planner-5-basis-{device}")
    # A PDF opens in the browser's own viewer rather than downloading: fetched with the session.
    href = page.get_by_role("link", name="PDF").get_attribute("href")
    answer = page.context.request.get(live_server.url + str(href))
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(answer.body()))
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "PLAN 2026-77" in text and "Addressed in the plan" in text
    assert any(p.images for p in pdf.pages)  # the server-drawn map
