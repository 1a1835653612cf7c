"""A safety walk from three phones: the leader plans and starts it, two residents join by code
in their own browsers and each log a place, the leader's live page shows both as they come in,
and the leader closes the walk and opens its protocol. Screenshots of each step."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import Session

from tests.browser.conftest import DESKTOP, PHONE, check_accessibility, shot
from tests.browser.test_capture_journey import expect_loaded, pick_category, pick_unsafe_level
from tests.browser.test_triage_journey import log_in
from tests.factories import jpeg_bytes, make_staff

TOMORROW = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()


@pytest.fixture
def photo_file(tmp_path: Path) -> Path:
    path = tmp_path / "underpass.jpg"
    path.write_bytes(jpeg_bytes(orientation=6))
    return path


def plan_and_start(page: Page, live_server, device: str) -> str:  # type: ignore[no-untyped-def]
    """The leader plans a walk in Centrum and starts it; returns its join code."""
    page.goto(live_server.url + "/walks/new")
    log_in(page, page.context.leader_email)  # type: ignore[attr-defined]
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan a walk")
    expect(page.locator("#walk-map.leaflet-container")).to_be_visible()
    check_accessibility(page, f"plan a walk ({device})")
    page.get_by_label("Title").fill("Evening walk in Centrum")
    page.get_by_label("Date").fill(TOMORROW)
    page.get_by_label("Starts at").fill("19:30")
    page.get_by_label("District").select_option(label="Centrum")
    # The meeting point is tapped on the map.
    page.locator("#walk-map").click(position={"x": 150, "y": 120})
    expect(page.locator("input[name=meeting_lat]")).not_to_have_value("")
    page.get_by_role("textbox", name="Meeting point").fill("The library's entrance")
    page.get_by_label("Organisations taking part").fill("Boden municipality\nPolice")
    shot(page, f"walk-1-plan-{device}")
    page.get_by_role("button", name="Save the walk").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Evening walk in Centrum")
    expect(page.locator(".walk-status-planned")).to_have_text("Planned")
    page.get_by_role("button", name="Start the walk").click()
    expect(page.locator(".walk-status-active")).to_have_text("Under way")
    qr = page.locator("img.join-qr")
    expect(qr).to_be_visible()
    expect_loaded(page, qr)
    check_accessibility(page, f"live walk page ({device})")
    shot(page, f"walk-2-started-{device}")
    return page.locator(".join-code").inner_text().strip()


def join_and_log(
    context: BrowserContext, live_server, code: str, photo: Path, *, who: str, category: str
) -> None:  # type: ignore[no-untyped-def]
    page = context.new_page()
    page.goto(live_server.url + "/walks")
    check_accessibility(page, f"walks list ({who})")
    page.get_by_label("On a walk now? Type its code").fill(code.lower())
    page.get_by_role("button", name="Join the walk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Evening walk in Centrum")
    expect(page.locator("#capture-map.leaflet-container")).to_be_visible()
    expect(page.locator("#position-status")).to_contain_text("Position found")
    check_accessibility(page, f"walk capture page ({who})")
    page.get_by_label("Take a photo").set_input_files(photo)
    expect(page.locator("[data-photo-previews] img")).to_have_count(1)
    pick_category(page, category)
    pick_unsafe_level(page, 4)
    page.get_by_label("Poor lighting").check()
    page.get_by_label("No people around").check()
    shot(page, f"walk-3-capture-{who}")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", name="Thank you! Your report is stored.")).to_be_visible()
    expect(page.get_by_role("link", name="Log another place on the walk")).to_be_visible()
    expect(page.locator("h1")).to_have_count(1)  # the walk's heading went with the form
    shot(page, f"walk-4-stored-{who}")


def test_a_walk_from_three_phones(make_context, live_server, photo_file: Path) -> None:  # type: ignore[no-untyped-def]
    with Session(live_server.app.state.engine) as session:
        leader_email = make_staff(session, "walk_leader").email
    leader = make_context(PHONE)
    leader.leader_email = leader_email  # type: ignore[attr-defined]
    lead = leader.new_page()
    code = plan_and_start(lead, live_server, "phone")

    # Two residents, each on their own phone (own cookies), join by the code.
    join_and_log(
        make_context(PHONE),
        live_server,
        code,
        photo_file,
        who="anna",
        category="Dark spot / broken light",
    )
    join_and_log(
        make_context(PHONE),
        live_server,
        code,
        photo_file,
        who="omar",
        category="Overgrown vegetation",
    )

    # The leader's page polls: both arrive without a reload.
    expect(lead.locator("[data-observations]")).to_have_text("2", timeout=15_000)
    expect(lead.locator("[data-participants]")).to_have_text("2")
    expect(lead.locator(".live-list li")).to_have_count(2)
    expect(lead.locator("#walk-live-map")).to_have_attribute("data-markers", "2", timeout=15_000)
    shot(lead, "walk-5-live-phone")

    # Closing cannot be undone, so the page asks first.
    asked: list[str] = []
    lead.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    lead.get_by_role("button", name="Close the walk and make the protocol").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("Safety walk protocol")
    assert asked and asked[0].startswith("Close the walk?")
    fix = lead.locator("section", has=lead.locator("#fix-title"))
    expect(fix.locator(".protocol-item")).to_have_count(2)
    expect(fix).to_contain_text("Street lighting")
    expect(fix).to_contain_text("Parks and vegetation")
    expect(lead.get_by_text("Poor lighting: 2")).to_be_visible()
    for img in lead.locator(".protocol-photo img").all():
        expect_loaded(lead, img)
    check_accessibility(lead, "protocol (phone)")
    shot(lead, "walk-6-protocol-phone")

    # A closed walk's code now says so, and points to an ordinary report.
    late_phone = make_context(PHONE)
    late_phone.page_errors.allow("status of 410")  # type: ignore[attr-defined]
    late = late_phone.new_page()
    late.goto(f"{live_server.url}/w/{code}")
    expect(late.get_by_role("heading", level=1)).to_have_text("This walk is closed")
    check_accessibility(late, "closed walk (phone)")


def test_the_protocol_and_the_planning_form_on_a_desktop(make_context, live_server) -> None:  # type: ignore[no-untyped-def]
    with Session(live_server.app.state.engine) as session:
        leader_email = make_staff(session, "walk_leader").email
    desk = make_context(DESKTOP)
    desk.leader_email = leader_email  # type: ignore[attr-defined]
    page = desk.new_page()
    plan_and_start(page, live_server, "desktop")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Close the walk and make the protocol").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Safety walk protocol")
    expect(page.get_by_text("Nothing to fix was noted.")).to_be_visible()
    check_accessibility(page, "protocol (desktop)")
    shot(page, "walk-6-protocol-desktop")
    page.goto(live_server.url + "/walks/manage")
    expect(page.get_by_role("link", name="Open the protocol")).to_be_visible()
    check_accessibility(page, "walk list for staff (desktop)")


def test_a_follow_up_walk_rechecks_the_earlier_items_on_a_phone(make_context, live_server) -> None:  # type: ignore[no-untyped-def]
    """A year later: the leader plans the follow-up from the old protocol, checks each earlier
    item on site from the phone, and the new protocol compares the two walks."""
    from fastapi.testclient import TestClient

    from tests.factories import login_as, post_observation
    from tests.routes.test_walks import move, plan_walk

    with Session(live_server.app.state.engine) as session, TestClient(live_server.app) as api:
        leader = login_as(api, session, "walk_leader")
        earlier = plan_walk(api, session, title="Heden after dark")
        move(api, earlier, "start")
        post_observation(
            api, walk_code=earlier.join_code, description="Dark tunnel", unsafe_level="5"
        )
        post_observation(
            api,
            walk_code=earlier.join_code,
            category="vegetation",
            description="Hedge",
            unsafe_level="3",
        )
        move(api, earlier, "close")
        earlier_id, leader_email = earlier.id, leader.email

    phone = make_context(PHONE)
    page = phone.new_page()
    page.goto(f"{live_server.url}/walks/{earlier_id}/protocol")
    log_in(page, leader_email)
    page.get_by_role("link", name="Plan a follow-up walk").click()
    expect(page.get_by_label("Title")).to_have_value("Follow-up: Heden after dark")
    page.get_by_label("Date").fill((datetime.now(UTC) + timedelta(days=365)).date().isoformat())
    page.get_by_role("button", name="Save the walk").click()
    page.get_by_role("button", name="Start the walk").click()
    page.get_by_role("link", name="Check the earlier walk's items").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check the earlier walk's items")
    items = page.locator(".check-item")
    expect(items).to_have_count(2)
    check_accessibility(page, "follow-up checks (phone)")
    tunnel = items.filter(has_text="Dark tunnel")
    tunnel.get_by_text("Yes", exact=True).click()
    tunnel.locator("label.scale-option", has=page.locator("input[value='2']")).click()
    tunnel.get_by_role("button", name="Save the check").click()
    expect(
        page.locator(".check-item", has_text="Dark tunnel").locator(".checked-line")
    ).to_contain_text("fixed · unsafe now 2 of 5")
    expect(page.locator(".check-item")).to_have_count(2)  # swapped in place, no reload
    expect(page.locator("#checked-count")).to_have_text("1 of 2 checked")
    shot(page, "walk-7-follow-up-checks-phone")

    page.get_by_role("link", name="Follow-up: Heden after dark").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Close the walk and make the protocol").click()
    compared = page.locator("section", has=page.locator("#compare-title"))
    expect(compared).to_contain_text("1 of 2 items fixed, 1 still open; 1 checked on site.")
    expect(compared).to_contain_text("5 then, 2 now")
    check_accessibility(page, "follow-up protocol (phone)")
    shot(page, "walk-8-follow-up-protocol-phone")


def test_staff_pages_fit_a_phone_in_swedish(make_context, live_server) -> None:  # type: ignore[no-untyped-def]
    """Swedish words are longer: an admin's menu (six entries) still fits 390 px, no sideways
    scrolling."""
    with Session(live_server.app.state.engine) as session:
        email = make_staff(session, "admin").email
    page = make_context(PHONE, locale="sv-SE").new_page()
    page.goto(live_server.url + "/login")
    log_in_sv(page, email)
    for path in ("/staff", "/walks/manage", "/walks/new", "/walks", "/admin"):
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
    shot(page, "walk-9-admin-menu-sv-phone")


def log_in_sv(page: Page, email: str) -> None:
    from tests.factories import STAFF_PASSWORD

    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page).not_to_have_url(re.compile("/login"))
