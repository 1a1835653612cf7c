"""A planner registers a plan case by drawing its area on the map, marks two checklist lines
(htmx), freezes the safety basis and opens its page and PDF; on a phone and on a desktop, with
axe-core on every page and screenshots kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import BrowserContext, expect
from sqlmodel import Session

from tests.browser.conftest import DESKTOP, PHONE, check_accessibility, shot
from tests.browser.test_triage_journey import log_in
from tests.factories import insert_observation, make_staff


@pytest.fixture(params=["phone", "desktop"])
def device_context(request, make_context) -> BrowserContext:  # type: ignore[no-untyped-def]
    return make_context(PHONE if request.param == "phone" else DESKTOP)


def test_a_planner_registers_a_plan_marks_the_checklist_and_freezes_the_basis(
    device_context: BrowserContext, live_server, request: pytest.FixtureRequest
) -> None:
    name = request.node.callspec.params["device_context"]
    device = device_context
    device.page_errors.allow("status of 422")  # type: ignore[attr-defined]
    with Session(live_server.app.state.engine) as session:
        email = make_staff(session, "planner").email
        # A recurring spot and an open problem around the map's centre (Boden Centrum).
        for month in (2, 9):
            insert_observation(
                session, lat=65.8253, lon=21.6880, created_at=datetime(2026, month, 3, tzinfo=UTC)
            )
        insert_observation(session, lat=65.8250, lon=21.6895, category="litter")
    page = device.new_page()
    page.goto(live_server.url + "/login?next=/planning")
    log_in(page, email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Planning")
    check_accessibility(page, f"planning start ({name})")
    page.get_by_role("link", name="Register a plan case").click()

    # Sent without an area first: refused, saying why.
    page.get_by_label("Name of the plan").fill(f"Kvarteret Lärkan {name}")
    page.get_by_label("Diary number").fill(f"PLAN 2026-{len(name)}")
    page.get_by_role("button", name="Register the plan case").click()
    expect(page.get_by_role("alert")).to_contain_text("Draw the plan area on the map")
    check_accessibility(page, f"plan case form with an error ({name})")

    plan_map = page.locator("#plan-map")
    plan_map.scroll_into_view_if_needed()
    box = plan_map.bounding_box()
    assert box is not None
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    # Four corners (clear of the zoom buttons at the top left), then a stray fifth, undone.
    for dx, dy in ((-90, -100), (120, -100), (120, 100), (-90, 100), (0, 0)):
        page.mouse.click(cx + dx, cy + dy)
    page.get_by_role("button", name="Undo last corner").click()
    expect(page.locator("[data-plan-count]")).to_have_text("Corners drawn: 4")
    shot(page, f"plan-1-drawn-{name}")
    page.get_by_role("button", name="Register the plan case").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Kvarteret Lärkan {name}", timeout=20_000
    )
    lines = page.locator(".checklist-line")
    expect(lines).to_have_count(2)
    check_accessibility(page, f"plan case ({name})")
    undecided = page.locator("#undecided-count")
    expect(undecided).to_have_text("2 lines are not decided yet.")
    for index, decision, note, left in (
        (0, "Addressed in the plan", "Ny belysning i planen", "1 line is not decided yet."),
        (1, "To handle outside the plan", "Gatuenheten", ""),
    ):
        line = lines.nth(index)
        line.get_by_text(decision, exact=True).click()
        line.get_by_label("Note").fill(note)
        line.get_by_role("button", name="Save this line").click()
        expect(lines.nth(index).get_by_role("status")).to_have_text("Saved.")
        expect(undecided).to_have_text(left)
    shot(page, f"plan-2-checklist-{name}")

    page.get_by_role("button", name="Freeze the basis for this stage").click()
    # Freezing reads the area and draws the map: slower than a page on a busy machine.
    expect(page.get_by_role("heading", level=1)).to_have_text("Safety basis", timeout=20_000)
    expect(page.get_by_role("img", name="Map of the plan area")).to_be_visible()
    assert page.evaluate("document.querySelector('.basis-map img').naturalWidth") == 1200
    expect(page.get_by_text("Ny belysning i planen")).to_be_visible()
    check_accessibility(page, f"safety basis ({name})")
    shot(page, f"plan-3-basis-{name}")
    with page.expect_response(lambda r: r.url.endswith(".pdf"), timeout=30_000) as answer:
        page.evaluate(
            "url => fetch(url)", page.get_by_role("link", name="PDF").get_attribute("href")
        )
    assert answer.value.headers["content-type"] == "application/pdf"
