"""Names on maps are text, never HTML: a walk's meeting point, a category's name and a
district's name that carry markup show as the characters typed, on every map (the capture page,
a walk's capture page, a status page, the leader's live page, the walk's edit page, the queue's
map and an item's page). Nothing of the markup becomes an element and no script runs.

The contexts bypass the CSP (for axe), so an `onerror` that got into the page would run here:
the dialog check catches what the CSP hides in production."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import Session, select

from app import clock
from app.models import Category, Observation, Walk, Zone
from tests.browser.conftest import check_accessibility, shot
from tests.browser.test_triage_journey import log_in, report
from tests.factories import CENTRUM, make_staff

HOSTILE = "<img src=x onerror=alert(1)><b>bold</b>"
ZONE_NAME = f"Centrum {HOSTILE}"
CATEGORY_NAME = f"Dark spot {HOSTILE}"
MEETING_POINT = f"Library {HOSTILE}"
CODE = "HTML42"


@pytest.fixture
def hostile_names(live_server) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Markup in a district's name, a category's name and a walk's meeting point (the reference
    data is put back after the test), a planned walk with one item, and staff to see it."""
    with Session(live_server.app.state.engine) as session:
        zone = session.exec(select(Zone).where(Zone.slug == "centrum")).one()
        zone.name = ZONE_NAME
        category = session.exec(select(Category).where(Category.slug == "dark-spot")).one()
        category.name_en = CATEGORY_NAME
        session.add_all([zone, category])
        leader = make_staff(session, "walk_leader")
        triager = make_staff(session, "triager")
        walk = Walk(
            title="Evening walk in Centrum",
            zone_id=zone.id,
            meeting_point=MEETING_POINT,
            meeting_lat=CENTRUM[0],
            meeting_lon=CENTRUM[1],
            starts_at=clock.now() + timedelta(days=1),
            leader_id=leader.id,  # type: ignore[arg-type]
            join_code=CODE,
        )
        session.add(walk)
        session.commit()
        names = {"leader": leader.email, "triager": triager.email, "walk_id": walk.id}
    # Away from the meeting point, so each marker can be pointed at on its own.
    item = report(
        live_server, category="dark-spot", walk_code=CODE, lat=CENTRUM[0] + 0.002, lon=CENTRUM[1]
    )
    with Session(live_server.app.state.engine) as session:
        assert session.exec(select(Observation).where(Observation.id == item.id)).one().walk_id
    return {**names, "item": item}


def watch_dialogs(page: Page) -> list[str]:
    """Every alert/confirm/prompt the page opens (each is dismissed)."""
    opened: list[str] = []

    def dismiss(dialog):  # type: ignore[no-untyped-def]
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    return opened


def expect_no_markup(page: Page, dialogs: list[str]) -> None:
    """None of the markup became an element, and no script of it ran."""
    expect(page.locator('img[src="x"]')).to_have_count(0)
    expect(page.locator(".leaflet-container b")).to_have_count(0)
    assert dialogs == []


def expect_zone_label(page: Page) -> None:
    """The district's name shows on the map as typed, markup and all."""
    label = page.locator(".leaflet-tooltip.zone-label", has_text="Centrum")
    expect(label).to_have_text(ZONE_NAME)


def point_at(page: Page, path) -> str:  # type: ignore[no-untyped-def]
    """Move the mouse onto a circle marker and read the tooltip it opens."""
    box = path.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tooltip = page.locator(".leaflet-tooltip:not(.zone-label)")
    expect(tooltip).to_be_visible()
    text = tooltip.inner_text()
    page.mouse.move(1, 1)  # away again, so the next tooltip is the only one
    expect(tooltip).to_have_count(0)
    return text


def test_names_with_markup_show_as_text_on_the_residents_maps(
    phone: BrowserContext, live_server, hostile_names
) -> None:  # type: ignore[no-untyped-def]
    item: Observation = hostile_names["item"]  # type: ignore[assignment]
    page = phone.new_page()
    dialogs = watch_dialogs(page)

    for path, name in [
        ("/", "capture page"),
        (f"/w/{CODE}", "walk capture page"),
        (f"/observations/{item.token}", "status page"),
    ]:
        page.goto(live_server.url + path)
        expect(page.locator(".leaflet-container").first).to_be_visible()
        expect_zone_label(page)
        expect_no_markup(page, dialogs)
        check_accessibility(page, f"{name} with markup in names")
    # The category's name is on the capture page's tiles too, as text.
    page.goto(live_server.url + "/")
    expect(page.get_by_role("radio", name=CATEGORY_NAME)).to_have_count(1)
    shot(page, "map-labels-capture")
    expect_no_markup(page, dialogs)


def test_names_with_markup_show_as_text_on_the_walk_leaders_maps(
    desktop: BrowserContext, live_server, hostile_names
) -> None:  # type: ignore[no-untyped-def]
    item: Observation = hostile_names["item"]  # type: ignore[assignment]
    walk_id = hostile_names["walk_id"]
    page = desktop.new_page()
    dialogs = watch_dialogs(page)
    page.goto(f"{live_server.url}/walks/{walk_id}")
    log_in(page, hostile_names["leader"])  # type: ignore[arg-type]

    # The live page: the meeting point and the item, each with its tooltip as text.
    the_map = page.locator("#walk-live-map")
    expect(the_map).to_have_attribute("data-markers", "1")
    markers = the_map.locator("path.leaflet-interactive")
    expect(markers).to_have_count(2)
    tooltips = {point_at(page, markers.nth(i)) for i in range(2)}
    assert tooltips == {MEETING_POINT, f"#{item.id} {CATEGORY_NAME}"}
    expect_no_markup(page, dialogs)
    check_accessibility(page, "live walk page with markup in names")
    shot(page, "map-labels-live-walk")

    # The edit page draws the meeting point; the name is in its field as typed.
    page.goto(f"{live_server.url}/walks/{walk_id}/edit")
    expect(page.locator("#walk-map.leaflet-container")).to_be_visible()
    expect(page.get_by_role("textbox", name="Meeting point")).to_have_value(MEETING_POINT)
    expect_no_markup(page, dialogs)
    check_accessibility(page, "walk edit page with markup in names")


def test_names_with_markup_show_as_text_on_the_queues_map(
    desktop: BrowserContext, live_server, hostile_names
) -> None:  # type: ignore[no-untyped-def]
    item: Observation = hostile_names["item"]  # type: ignore[assignment]
    page = desktop.new_page()
    dialogs = watch_dialogs(page)
    page.goto(live_server.url + "/triage?view=map")
    log_in(page, hostile_names["triager"])  # type: ignore[arg-type]

    expect(page.locator("#queue-map")).to_have_attribute("data-markers", "1")
    marker = page.get_by_role("button", name=re.compile(rf"^#{item.id} "))
    expect(marker).to_have_attribute("title", f"#{item.id} {CATEGORY_NAME}, Received")
    marker.click()
    link = page.locator(".leaflet-popup").get_by_role("link")
    expect(link).to_have_text(f"#{item.id} {CATEGORY_NAME}")
    expect_no_markup(page, dialogs)
    check_accessibility(page, "queue map with markup in names")
    shot(page, "map-labels-queue")

    # The item's own page: its small map with the district's name.
    page.goto(f"{live_server.url}/triage/{item.id}")
    expect(page.locator(".leaflet-container")).to_be_visible()
    expect_zone_label(page)
    expect_no_markup(page, dialogs)
    check_accessibility(page, "item page with markup in names")
