"""Placing the pin by hand, on a phone in Swedish, by day and at night: with no position or a
poor one the map comes into view above the send bar and the message says what to do; the map
fits the accuracy circle; zooming keeps the pin in view; the arrow keys move a focused pin; the
capture pages' header is one short line; in dark mode the map is dark and its lines readable.
No tile server is reachable here: nothing below depends on tiles."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import Session, select

from app import clock
from app.models import Walk, Zone
from tests.browser.conftest import (
    CENTRUM,
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    check_accessibility,
    shot,
)
from tests.factories import jpeg_bytes, make_staff

CODE = "PIN216"
SWEDISH: dict[str, Any] = {"locale": "sv-SE", "extra_http_headers": {"Accept-Language": "sv"}}
DENIED = "Vi kunde inte hämta din position. Tryck på kartan där platsen är."
PIN_NAME = "Platsen (dra för att flytta)"


@pytest.fixture
def walk_path(live_server) -> str:  # type: ignore[no-untyped-def]
    """A planned walk's capture page (its banner puts the map lower than on "/")."""
    with Session(live_server.app.state.engine) as session:
        if not session.exec(select(Walk).where(Walk.join_code == CODE)).first():
            zone = session.exec(select(Zone).where(Zone.slug == "centrum")).one()
            leader = make_staff(session, "walk_leader")
            session.add(
                Walk(
                    title="Kvällsvandring i Centrum",
                    zone_id=zone.id,
                    meeting_point="Stadsbiblioteket",
                    meeting_lat=CENTRUM["latitude"],
                    meeting_lon=CENTRUM["longitude"],
                    starts_at=clock.now() + timedelta(days=1),
                    leader_id=leader.id,  # type: ignore[arg-type]
                    join_code=CODE,
                )
            )
            session.commit()
    return f"/w/{CODE}"


def context_for(make_context, scheme: str = "light", *, device=PHONE, position=None):  # type: ignore[no-untyped-def]
    """Swedish; no permission for the position unless one is given (with its accuracy)."""
    where: dict[str, Any] = {"permissions": []}
    if position is not None:
        where = {"permissions": ["geolocation"], "geolocation": position}
    return make_context(device, color_scheme=scheme, **SWEDISH, **where)


def open_page(context: BrowserContext, live_server, path: str = "/") -> Page:  # type: ignore[no-untyped-def]
    page = context.new_page()
    page.goto(live_server.url + path)
    expect(page.locator("#capture-map.leaflet-container")).to_be_visible()
    expect(page.locator("#capture-map path.zone-outline").first).to_be_attached()
    return page


def status(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("#position-status")


def box(page: Page, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, selector
    return found


def inside(inner: dict[str, float], outer: dict[str, float], slack: float = 0.5) -> bool:
    return (
        inner["x"] >= outer["x"] - slack
        and inner["y"] >= outer["y"] - slack
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + slack
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + slack
    )


MAP_CLEAR_OF_BAR = """() => {
  const m = document.getElementById('capture-map').getBoundingClientRect();
  const bar = document.querySelector('.submit-bar').getBoundingClientRect();
  return m.top >= 0 && m.bottom <= bar.top + 0.5;
}"""


def expect_map_clear_of_bar(page: Page) -> None:
    """The whole map on screen, above the fixed send bar (measured, not assumed)."""
    page.wait_for_function(MAP_CLEAR_OF_BAR, timeout=3000)  # a smooth scroll takes a moment
    the_map, bar = box(page, "#capture-map"), box(page, ".submit-bar")
    assert the_map["y"] >= 0 and the_map["y"] + the_map["height"] <= bar["y"] + 0.5, (the_map, bar)


def focused_id(page: Page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.tagName")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_photo_without_a_position_brings_the_map_above_the_send_bar(
    make_context, live_server, tmp_path: Path, scheme: str
) -> None:  # type: ignore[no-untyped-def]
    """Photo first, position refused: the preview pushes the map under the bar, the failure
    brings it back into view and puts focus on the message that says what to do."""
    page = open_page(context_for(make_context, scheme), live_server)
    assert focused_id(page) == "BODY"  # nothing went wrong yet: focus is not taken
    assert page.evaluate("scrollY") == 0
    photo = tmp_path / "lampa.jpg"
    photo.write_bytes(jpeg_bytes())
    page.get_by_label("Ta ett foto").set_input_files(photo)
    expect(page.locator("[data-photo-previews] img")).to_have_count(1)

    # The warning stays (the note that the photo's place may serve does not replace it).
    expect(status(page)).to_have_text(DENIED)
    expect_map_clear_of_bar(page)
    expect(status(page)).to_be_focused()
    assert page.evaluate("scrollY") > 0  # it had to scroll: the map was under the bar
    check_accessibility(page, f"capture page, position refused ({scheme})")
    screen_shot(page, f"pin-denied-{scheme}-phone")


@pytest.mark.parametrize(
    ("screen", "scheme"), [("phone", "light"), ("phone", "dark"), ("desktop", "light")]
)
def test_on_a_walk_the_button_with_the_position_refused_brings_the_map_into_view(
    make_context, live_server, walk_path: str, screen: str, scheme: str
) -> None:  # type: ignore[no-untyped-def]
    context = context_for(make_context, scheme, device=PHONE if screen == "phone" else DESKTOP)
    page = open_page(context, live_server, walk_path)
    assert focused_id(page) == "BODY"
    if screen == "phone":
        assert not page.evaluate(MAP_CLEAR_OF_BAR)  # the walk's banner puts it under the bar
    page.get_by_role("button", name="Använd min position").click()
    expect(status(page)).to_have_text(DENIED)
    expect_map_clear_of_bar(page)
    expect(status(page)).to_be_focused()
    check_accessibility(page, f"walk capture page, position refused ({screen}, {scheme})")
    screen_shot(page, f"pin-walk-denied-{scheme}-{screen}")

    # The message is read where the map is: tapping the map then places the pin.
    the_map = box(page, "#capture-map")
    page.locator("#capture-map").click(
        position={"x": the_map["width"] * 0.5, "y": the_map["height"] * 0.6}
    )
    expect(status(page)).to_have_text("Nålen är placerad på kartan.")
    assert page.locator("input[name=position_source]").input_value() == "map"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_350_m_circle_fits_inside_the_map_and_focus_stays_put(
    make_context, live_server, scheme: str
) -> None:  # type: ignore[no-untyped-def]
    page = open_page(
        context_for(make_context, scheme, position={**CENTRUM, "accuracy": 350}), live_server
    )
    expect(status(page)).to_contain_text("Din position är osäker (ungefär 350 m)")
    circle = page.locator("#capture-map path.accuracy-circle")
    expect(circle).to_have_count(1)
    page.wait_for_timeout(400)  # the fit's zoom animation
    the_map, ring = box(page, "#capture-map"), box(page, "#capture-map path.accuracy-circle")
    assert inside(ring, the_map), (ring, the_map)
    assert ring["height"] >= the_map["height"] * 0.4  # fitted, not just zoomed far out
    # The page opened with a poor position: the map is in view, focus is left alone.
    expect_map_clear_of_bar(page)
    assert focused_id(page) == "BODY"
    check_accessibility(page, f"capture page, 350 m position ({scheme})")
    screen_shot(page, f"pin-350m-{scheme}-phone")


def test_a_good_position_still_zooms_in_close(make_context, live_server) -> None:  # type: ignore[no-untyped-def]
    page = open_page(context_for(make_context, position=CENTRUM), live_server)
    expect(status(page)).to_contain_text("Position hittad")
    page.wait_for_timeout(400)
    ring = box(page, "#capture-map path.accuracy-circle")
    # 12 m at zoom 17 in Boden is some 50 px across: close, not fitted to fill the map.
    assert 30 <= ring["width"] <= 80, ring
    expect(page.locator("#capture-map .pin-dot")).to_be_visible()


def pin_dot(page: Page) -> dict[str, float]:
    return box(page, "#capture-map .pin-dot")


def test_zooming_in_twice_keeps_the_pin_in_view(make_context, live_server) -> None:  # type: ignore[no-untyped-def]
    page = open_page(context_for(make_context), live_server)
    the_map = box(page, "#capture-map")
    # Near the map's lower right corner: "+" on the map's centre would push it off at once.
    page.locator("#capture-map").click(
        position={"x": the_map["width"] * 0.85, "y": the_map["height"] * 0.8}
    )
    expect(status(page)).to_have_text("Nålen är placerad på kartan.")
    before = pin_dot(page)
    for _ in range(2):
        page.get_by_role("button", name="Zooma in").click()
        page.wait_for_timeout(450)
        now = pin_dot(page)
        assert inside(now, box(page, "#capture-map")), (now, the_map)
        assert now["x"] == pytest.approx(before["x"], abs=2)  # it stays under the finger
        assert now["y"] == pytest.approx(before["y"], abs=2)
    # The keyboard's "-" on the focused map zooms around the pin too.
    page.locator("#capture-map").focus()
    page.keyboard.press("-")
    page.wait_for_timeout(450)
    assert pin_dot(page)["x"] == pytest.approx(before["x"], abs=2)
    expect(page.get_by_role("button", name="Zooma ut")).to_be_visible()


def test_the_arrow_keys_move_the_focused_pin(make_context, live_server) -> None:  # type: ignore[no-untyped-def]
    page = open_page(context_for(make_context), live_server)
    page.get_by_role("button", name="Nål i kartans mitt").click()
    lat_in, lon_in = page.locator("input[name=lat]"), page.locator("input[name=lon]")
    lat0, lon0 = float(lat_in.input_value()), float(lon_in.input_value())
    marker = page.get_by_role("button", name=PIN_NAME)
    expect(marker).to_have_attribute("aria-describedby", "pin-hint")
    expect(page.locator("#pin-hint")).to_have_text(
        "Piltangenterna flyttar nålen, med Skift i större steg."
    )
    marker.focus()
    scrolled, dot = page.evaluate("scrollY"), pin_dot(page)

    marker.press("ArrowRight")
    lon1 = float(lon_in.input_value())
    assert lon1 > lon0 and float(lat_in.input_value()) == pytest.approx(lat0, abs=1e-6)
    expect(status(page)).to_have_text("Nålen flyttad.")
    assert page.locator("input[name=position_source]").input_value() == "map"
    # The pin moved a few pixels right; the map did not pan, the page did not scroll.
    assert pin_dot(page)["x"] - dot["x"] == pytest.approx(8, abs=1.5)
    assert page.evaluate("scrollY") == scrolled

    marker.press("Shift+ArrowRight")
    assert float(lon_in.input_value()) - lon1 > 3 * (lon1 - lon0)  # Shift: bigger steps
    marker.press("ArrowUp")
    assert float(lat_in.input_value()) > lat0
    expect(marker).to_be_focused()
    # The old way stays: pan the map, then pin at its centre.
    expect(page.get_by_role("button", name="Nål i kartans mitt")).to_be_visible()


def test_the_capture_pages_header_is_one_short_line_on_a_phone(
    make_context, live_server, walk_path: str
) -> None:  # type: ignore[no-untyped-def]
    page = open_page(context_for(make_context), live_server)
    header = box(page, ".site-header")
    assert header["height"] <= 50, header  # it was 141 px, on three rows
    # The categories start well up the page (they started at 888 px before).
    assert box(page, "fieldset.categories")["y"] < 800
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    # Every link is still there, the language switch on screen; the menu scrolls sideways.
    nav = page.get_by_role("navigation", name="Huvudmeny")
    for name in ("Rapportera", "Senaste rapporter", "Trygghetsvandringar", "Vad vi gjorde"):
        expect(nav.get_by_role("link", name=name)).to_have_count(1)
    english = page.get_by_role("link", name="English")
    top_line = {"x": 0, "y": 0, "width": 390, "height": 50}
    assert inside(box(page, ".lang-switch"), top_line)
    page.get_by_role("link", name="Vad vi gjorde").focus()  # focus brings it into sight
    assert inside(box(page, "nav a[href='/quarterly']"), top_line)
    expect(english).to_have_attribute("href", re.compile(r"^/lang/en\?next=/$"))

    page.goto(live_server.url + walk_path)
    assert box(page, ".site-header")["height"] <= 50
    check_accessibility(page, "walk capture page, compact header")
    # Other pages keep their header as it was: name and language, then the menu below.
    page.goto(live_server.url + "/observations")
    expect(page.locator(".site-header")).not_to_have_class(re.compile("site-header-compact"))
    assert box(page, ".site-header")["height"] > 90


def luminance(rgb: str) -> float:
    channels = [int(v) / 255 for v in re.findall(r"\d+", rgb)[:3]]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


MAP_COLOURS = """() => {
  const css = s => getComputedStyle(document.querySelector(s));
  return {outline: css('#capture-map path.zone-outline').stroke,
          ground: css('#capture-map').backgroundColor,
          button: css('.leaflet-control-zoom-in').backgroundColor,
          buttonText: css('.leaflet-control-zoom-in').color,
          tiles: css('#capture-map .leaflet-tile-pane').filter};
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_map_s_lines_and_buttons_are_readable_by_day_and_at_night(
    make_context, live_server, scheme: str
) -> None:  # type: ignore[no-untyped-def]
    page = open_page(context_for(make_context, scheme), live_server)
    colours = page.evaluate(MAP_COLOURS)
    assert contrast(colours["outline"], colours["ground"]) >= 3, colours  # non-text AA
    assert contrast(colours["buttonText"], colours["button"]) >= 4.5, colours
    if scheme == "dark":
        assert luminance(colours["button"]) < 0.05, colours  # no white buttons at night
        assert "invert(1)" in colours["tiles"], colours  # tiles darkened
    else:
        assert colours["tiles"] == "none", colours
    check_accessibility(page, f"capture page ({scheme})")
    screen_shot(page, f"pin-start-{scheme}-phone")
    shot(page, f"pin-start-{scheme}-phone-full")


def screen_shot(page: Page, name: str) -> None:
    """What the screen shows (not the whole page), into tests/browser/screenshots/."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), animations="disabled")
