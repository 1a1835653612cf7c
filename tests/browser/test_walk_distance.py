"""During a walk, on a phone (390x844): the list of what others logged shows each item's
distance from the phone and keeps the nearest first (also after the phone moves); with the
position refused the list keeps its order and says why."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import Session

from app.models import Walk, WalkStatus
from app.services import walks
from tests.browser.conftest import CENTRUM, PHONE, check_accessibility, shot
from tests.factories import insert_observation, make_staff

HERE = (CENTRUM["latitude"], CENTRUM["longitude"])
# Logged oldest first: the list shows them newest first (tunnel, lamp, path).
ITEMS = [
    ("path", "damaged-path", HERE[0] + 0.0001, HERE[1], "Broken slabs by the steps."),  # ~11 m
    ("lamp", "dark-spot", HERE[0] + 0.0100, HERE[1], "The lamp by the car park is out."),  # ~1.1 km
    ("tunnel", "isolated-place", HERE[0] + 0.0020, HERE[1], "No one around at night."),  # ~220 m
]


def a_walk_under_way(live_server) -> tuple[str, dict[str, int]]:  # type: ignore[no-untyped-def]
    """An active walk with three items at known distances from the phone; its code and ids."""
    now = datetime.now(UTC)
    with Session(live_server.app.state.engine) as session:
        leader = make_staff(session, "walk_leader")
        walk = Walk(
            title="Evening walk in Centrum",
            status=WalkStatus.active,
            starts_at=now - timedelta(hours=1),
            leader_id=leader.id,
            join_code=walks.new_join_code(),
            meeting_point="The library's entrance",
        )
        session.add(walk)
        session.commit()
        ids = {}
        for i, (name, category, lat, lon, text) in enumerate(ITEMS):
            obs = insert_observation(
                session,
                lat=lat,
                lon=lon,
                category=category,
                walk_id=walk.id,
                description=text,
                factors="lighting,deserted",
                created_at=now - timedelta(minutes=30 - i),
            )
            ids[name] = obs.id
        return walk.join_code, ids


def order(page: Page, ids: dict[str, int]) -> list[str]:
    names = {f"cosign-{v}": k for k, v in ids.items()}
    return [
        names[i]
        for i in page.locator("[data-distance-list] > li").evaluate_all("els => els.map(e => e.id)")
    ]


def test_the_list_shows_distances_and_keeps_the_nearest_first(
    make_context,
    live_server,  # type: ignore[no-untyped-def]
) -> None:
    code, ids = a_walk_under_way(live_server)
    phone: BrowserContext = make_context(PHONE, locale="sv-SE")
    page = phone.new_page()
    page.goto(f"{live_server.url}/w/{code}")  # joins the walk (its cookie), to co-sign later
    expect(page.locator("#walk-participants")).to_contain_text("1")
    page.goto(f"{live_server.url}/w/{code}/items")
    expect(page.locator("[data-distance-list]")).to_have_attribute("data-sorted", "distance")
    assert order(page, ids) == ["path", "tunnel", "lamp"]
    expect(page.locator(f"#cosign-{ids['path']} [data-distance]")).to_have_text("10 m bort")
    expect(page.locator(f"#cosign-{ids['tunnel']} [data-distance]")).to_have_text(
        re.compile(r"^2[12]0\u00a0m bort$")
    )
    expect(page.locator(f"#cosign-{ids['lamp']} [data-distance]")).to_have_text("1,1\u00a0km bort")
    expect(page.locator("[data-distance-status]")).to_have_text(
        "Närmast först, räknat från där du står nu."
    )
    expect(page.get_by_role("button", name="Sortera efter avstånd")).to_be_hidden()
    # What co-signers need to recognise the place: the reasons and the description.
    expect(page.locator(f"#cosign-{ids['lamp']}")).to_contain_text("Dålig belysning")
    expect(page.locator(f"#cosign-{ids['lamp']}")).to_contain_text("The lamp by the car park")
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    check_accessibility(page, "walk items by distance (phone, sv)")
    shot(page, "walk-distance-sorted-phone-sv")

    # The phone walks on to the lamp: the list follows (at most every few seconds).
    phone.set_geolocation({"latitude": ITEMS[1][2], "longitude": ITEMS[1][3], "accuracy": 10})
    expect(page.locator(f"#cosign-{ids['lamp']} [data-distance]")).to_have_text(
        "10 m bort", timeout=15_000
    )
    assert order(page, ids) == ["lamp", "tunnel", "path"]

    # Co-signing swaps the list in again, in the server's order: it is sorted again at once.
    page.locator(f"#cosign-{ids['tunnel']}").get_by_role("button").click()
    expect(page.locator(f"#cosign-{ids['tunnel']} .cosigned")).to_be_visible()
    assert order(page, ids) == ["lamp", "tunnel", "path"]
    expect(page.locator(f"#cosign-{ids['path']} [data-distance]")).to_have_text("1,1\u00a0km bort")


def test_the_walks_capture_page_sorts_the_list_it_opens(make_context, live_server) -> None:  # type: ignore[no-untyped-def]
    code, ids = a_walk_under_way(live_server)
    page = make_context(PHONE).new_page()
    page.goto(f"{live_server.url}/w/{code}")
    page.get_by_text("Logged on this walk so far").click()
    expect(page.locator("[data-distance-list]")).to_have_attribute("data-sorted", "distance")
    assert order(page, ids) == ["path", "tunnel", "lamp"]
    expect(page.locator(f"#cosign-{ids['lamp']} [data-distance]")).to_have_text("1.1\u00a0km away")
    check_accessibility(page, "walk capture page with the list by distance (phone)")
    shot(page, "walk-distance-capture-page-phone")


@pytest.mark.parametrize("dark", [False, True])
def test_without_the_position_the_list_keeps_its_order_and_says_why(
    make_context,
    live_server,
    dark: bool,  # type: ignore[no-untyped-def]
) -> None:
    code, ids = a_walk_under_way(live_server)
    phone = make_context(PHONE, permissions=[], color_scheme="dark" if dark else "light")
    page = phone.new_page()
    page.goto(f"{live_server.url}/w/{code}/items")
    button = page.get_by_role("button", name="Sort by distance")
    expect(button).to_be_visible()  # not asked for by itself: only on the press
    assert order(page, ids) == ["tunnel", "lamp", "path"]
    button.click()
    expect(page.locator("[data-distance-status]")).to_have_text(
        "Your phone does not share its position with this page, so the list stays newest first."
    )
    assert order(page, ids) == ["tunnel", "lamp", "path"]
    expect(page.locator("[data-distance]:visible")).to_have_count(0)
    check_accessibility(
        page, f"walk items without a position (phone, {'dark' if dark else 'light'})"
    )
    shot(page, f"walk-distance-denied-phone-{'dark' if dark else 'light'}")


def test_the_sorting_runs_under_the_sites_content_security_policy(csp_phone, live_server) -> None:  # type: ignore[no-untyped-def]
    code, ids = a_walk_under_way(live_server)
    page = csp_phone.new_page()  # a CSP violation is a console error: it fails the test
    page.goto(f"{live_server.url}/w/{code}/items")
    expect(page.locator("[data-distance-list]")).to_have_attribute("data-sorted", "distance")
    assert order(page, ids) == ["path", "tunnel", "lamp"]
