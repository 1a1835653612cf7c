"""The protocol page's overview map in a real browser: at 390x844 (Swedish, light and dark) and
on a desktop, the server-drawn SVG is visible above the items with one numbered pin per item,
fits the column (no sideways scrolling on a phone), and the page stays axe-clean."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import BrowserContext, expect
from sqlmodel import Session, select

from app.models import Walk, WalkStatus, Zone
from app.services import walks
from tests.browser.conftest import DESKTOP, PHONE, check_accessibility, shot
from tests.factories import CENTRUM, STAFF_PASSWORD, insert_observation, make_staff

ITEMS = 14
ROUTE = {
    "type": "LineString",
    "coordinates": [[21.6850, 65.8240], [21.6880, 65.8253], [21.6910, 65.8262]],
}


def closed_walk(live_server) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """A closed walk in Centrum with a route, a meeting point and 14 items, some crowded."""
    with Session(live_server.app.state.engine) as session:
        leader = make_staff(session, "walk_leader")
        centrum = session.exec(select(Zone).where(Zone.slug == "centrum")).one()
        walk = Walk(
            title="Kvällsvandring i Centrum",
            starts_at=datetime.now(UTC) - timedelta(days=1),
            leader_id=leader.id,  # type: ignore[arg-type]
            join_code=walks.new_join_code(),
            zone_id=centrum.id,
            route=json.dumps(ROUTE),
            meeting_point="Bibliotekets entré",
            meeting_lat=65.8245,
            meeting_lon=21.6862,
            status=WalkStatus.closed,
        )
        session.add(walk)
        session.commit()
        rng = random.Random(7)
        for n in range(ITEMS):
            crowded = n < 3  # three at one corner: moved aside, still readable
            insert_observation(
                session,
                lat=CENTRUM[0] + (0.0004 if crowded else rng.uniform(-0.0015, 0.0015)),
                lon=CENTRUM[1] + (0.0006 if crowded else rng.uniform(-0.003, 0.003)),
                category="good-place" if n % 4 == 3 else "dark-spot",
                walk_id=walk.id,
                description=f"Plats {n + 1}",
            )
        return walk.id, leader.email  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("screen", "scheme"), [("phone", "light"), ("phone", "dark"), ("desktop", "light")]
)
def test_the_protocol_shows_its_overview_map(make_context, live_server, screen, scheme) -> None:  # type: ignore[no-untyped-def]
    walk_id, email = closed_walk(live_server)
    base = PHONE if screen == "phone" else DESKTOP
    lang = "sv" if screen == "phone" else "en"
    context: BrowserContext = make_context(
        base, locale="sv-SE" if lang == "sv" else "en-GB", color_scheme=scheme
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/walks/{walk_id}/protocol")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(STAFF_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/walks/{walk_id}/protocol")
    heading = "Översiktskarta" if lang == "sv" else "Overview map"
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    svg = page.get_by_role("img", name="Översiktskarta över" if lang == "sv" else "Overview map of")
    expect(svg).to_be_visible()
    expect(page.locator("svg.protocol-map-svg g.pin")).to_have_count(ITEMS)
    # The map sits above the items, as wide as the column.
    box = svg.bounding_box()
    column = page.locator("article.protocol").bounding_box()
    assert box and column and box["width"] > 0.8 * min(column["width"], 768)
    assert box["y"] < page.locator("#fix-title").bounding_box()["y"]  # type: ignore[index]
    # The numbers in order (a later one lies on top), every circle inside the map.
    numbers = page.locator("svg.protocol-map-svg g.pin text").all_text_contents()
    assert numbers == [str(n) for n in range(1, ITEMS + 1)]
    for circle in page.locator("svg.protocol-map-svg circle.badge").all():
        pin = circle.bounding_box()
        assert pin and box["x"] <= pin["x"] and pin["x"] + pin["width"] <= box["x"] + box["width"]
        assert box["y"] <= pin["y"] and pin["y"] + pin["height"] <= box["y"] + box["height"]
    legend = page.locator(".protocol-map-legend")
    expect(legend).to_contain_text("Rutt" if lang == "sv" else "Route")
    expect(legend).to_contain_text("Mötesplats" if lang == "sv" else "Meeting point")
    if screen == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") == 390
    check_accessibility(page, f"protocol with its map ({screen}, {scheme})")
    svg.scroll_into_view_if_needed()
    shot(page, f"protocol-map-{screen}-{scheme}")
