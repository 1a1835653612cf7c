"""The resident's journey in a real browser: capture page, photo, position, send, status page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import PHONE, check_accessibility, shot
from tests.factories import jpeg_bytes

DARK_SPOT = "Dark spot / broken light"


@pytest.fixture(params=["phone", "desktop"])
def device_context(request: pytest.FixtureRequest) -> BrowserContext:
    """The journey runs on the phone (390x844, touch) and on a desktop (1280x900)."""
    return request.getfixturevalue(request.param)


@pytest.fixture
def photo_file(tmp_path: Path) -> Path:
    """A real phone-style JPEG, stored rotated (EXIF orientation 6)."""
    path = tmp_path / "lamp.jpg"
    path.write_bytes(jpeg_bytes(orientation=6))
    return path


def open_capture(context: BrowserContext, live_server) -> Page:  # type: ignore[no-untyped-def]
    page = context.new_page()
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a place")
    # The map is drawn by capture.js once the deferred scripts ran.
    expect(page.locator("#capture-map.leaflet-container")).to_be_visible()
    return page


def position_status(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("#position-status")


def attach_photo(page: Page, photo: Path) -> None:
    page.get_by_label("Take a photo").set_input_files(photo)
    preview = page.locator("[data-photo-previews] img")
    expect(preview).to_have_count(1)
    expect(preview).to_be_visible()
    expect(preview).to_have_attribute("alt", "Chosen photo 1")
    expect_loaded(page, preview)


def expect_loaded(page: Page, img) -> None:  # type: ignore[no-untyped-def]
    """The image really arrived and decoded (not just an <img> with a broken source)."""
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())


def pick_category(page: Page, name: str) -> None:
    page.locator("label.tile", has_text=name).click()
    expect(page.get_by_role("radio", name=name)).to_be_checked()


def pick_unsafe_level(page: Page, level: int) -> None:
    page.locator("label.scale-option", has=page.locator(f"input[value='{level}']")).click()
    expect(page.locator(f"input[name=unsafe_level][value='{level}']")).to_be_checked()


def assert_clear_of_submit_bar(page: Page, locator) -> None:  # type: ignore[no-untyped-def]
    """The element is on screen and not hidden under the fixed submit bar."""
    box, bar = locator.bounding_box(), page.locator(".submit-bar").bounding_box()
    assert box is not None and bar is not None
    assert box["y"] >= -1 and box["y"] + box["height"] <= bar["y"] + 1, (box, bar)


def send(page: Page) -> None:
    page.get_by_role("button", name="Send report").click()


def expect_stored(page: Page) -> None:
    heading = page.get_by_role("heading", name="Thank you! Your report is stored.")
    expect(heading).to_be_visible()
    expect(heading).to_be_focused()  # a screen reader hears the outcome at once


def follow_report(page: Page) -> None:
    page.get_by_role("link", name="Follow your report").click()
    page.wait_for_url(re.compile(r"/observations/[^/]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(DARK_SPOT)


COUNT_POSITION_REQUESTS = """(() => {
  const geo = navigator.geolocation, ask = geo.getCurrentPosition.bind(geo);
  window.positionRequests = 0;
  geo.getCurrentPosition = (...args) => { window.positionRequests += 1; return ask(...args); };
})();"""


def test_a_resident_reports_a_dark_spot_with_photo_and_follows_it(
    device_context: BrowserContext, live_server, photo_file: Path, request: pytest.FixtureRequest
) -> None:
    device = request.node.callspec.params["device_context"]
    device_context.add_init_script(COUNT_POSITION_REQUESTS)
    page = open_capture(device_context, live_server)
    check_accessibility(page, f"capture page ({device})")

    # Location is already allowed, so the page asked at once; the button asks again.
    expect(position_status(page)).to_contain_text("Position found")
    asked = page.evaluate("window.positionRequests")
    page.get_by_role("button", name="Use my position").click()
    page.wait_for_function("n => window.positionRequests > n", arg=asked)
    expect(position_status(page)).to_contain_text("Position found, accurate to about 12 m")
    assert page.locator("input[name=position_source]").input_value() == "gps"
    assert float(page.locator("input[name=lat]").input_value()) == pytest.approx(65.8253, abs=1e-5)

    attach_photo(page, photo_file)
    pick_category(page, DARK_SPOT)
    pick_unsafe_level(page, 4)
    shot(page, f"capture-{device}")

    send(page)
    expect_stored(page)
    expect(page.get_by_text(DARK_SPOT)).to_be_visible()
    check_accessibility(page, f"confirmation ({device})")
    shot(page, f"confirmation-{device}")

    follow_report(page)
    photo = page.get_by_role("img", name="Photo 1 of the place")
    expect(photo).to_be_visible()
    expect_loaded(page, photo)
    # Stored upright: the orientation-6 landscape comes back as a portrait.
    size = photo.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert size[0] < size[1], size
    expect(page.locator(".status-badge")).to_contain_text("Received")
    expect(page.locator(".facts")).to_contain_text("from the phone's location")
    expect(page.locator(".facts")).to_contain_text("4 / 5")
    check_accessibility(page, f"status page ({device})")
    shot(page, f"status-{device}")


def test_sending_without_a_category_says_so_and_keeps_the_photo(
    phone: BrowserContext, live_server, photo_file: Path
) -> None:
    phone.page_errors.allow("status of 422")  # type: ignore[attr-defined]
    page = open_capture(phone, live_server)
    expect(position_status(page)).to_contain_text("Position found")  # asked at once: granted
    attach_photo(page, photo_file)
    page.get_by_label("Describe it").fill("The lamp by the underpass is out.")

    page.evaluate("window.scrollTo(0, 0)")  # the fixed bar lets her send from anywhere
    send(page)
    summary = page.get_by_role("alert").filter(has_text="Your report is not sent yet")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert_clear_of_submit_bar(page, summary)
    error = page.locator("fieldset.categories #err-category")
    expect(error).to_have_text("Error: Choose what kind of place this is.")
    expect(error).to_be_visible()
    tiles, said = page.locator(".categories .tiles").bounding_box(), error.bounding_box()
    assert tiles is not None and said is not None
    # Between the question and the tiles: a jump to the message shows the tiles below it.
    assert 0 <= tiles["y"] - (said["y"] + said["height"]) < 16
    # Nothing lost: the photo, the text and the position are still there.
    expect(page.locator("[data-photo-previews] img")).to_have_count(1)
    expect(page.get_by_label("Describe it")).to_have_value("The lamp by the underpass is out.")
    assert page.locator("input[name=lat]").input_value() != ""
    check_accessibility(page, "capture page with an error")
    shot(page, "capture-error-phone")

    # The summary's link leads to the field.
    summary.get_by_role("link", name="Choose what kind of place this is.").click()
    expect(page).to_have_url(re.compile(r"#err-category$"))
    assert_clear_of_submit_bar(page, error)
    assert_clear_of_submit_bar(page, page.locator("label.tile").first)

    pick_category(page, DARK_SPOT)
    pick_unsafe_level(page, 4)
    send(page)
    expect_stored(page)
    follow_report(page)
    photo = page.get_by_role("img", name="Photo 1 of the place")
    expect(photo).to_be_visible()
    expect(page.locator(".description")).to_have_text("The lamp by the underpass is out.")


def test_the_swedish_page_and_the_language_switch(make_context, live_server) -> None:  # type: ignore[no-untyped-def]
    context = make_context(PHONE, locale="sv-SE", extra_http_headers={"Accept-Language": "sv"})
    page = context.new_page()
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapportera en plats")
    expect(page.get_by_role("button", name="Skicka rapport")).to_be_visible()
    check_accessibility(page, "capture page in Swedish")
    shot(page, "capture-sv-phone")

    switch = page.get_by_role("link", name="English")
    expect(switch).to_have_attribute("lang", "en")
    switch.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a place")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url == live_server.url + "/"
    # The choice sticks over the browser's language, and can be switched back.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a place")
    page.get_by_role("link", name="Svenska").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapportera en plats")


def test_tapping_the_map_places_the_pin_and_is_stored_as_placed_on_the_map(
    phone: BrowserContext, live_server
) -> None:
    phone.clear_permissions()  # she did not let the site know her position: the map it is
    page = open_capture(phone, live_server)
    expect(position_status(page)).to_have_text(
        "Tap the map where the place is, or use your position."
    )
    assert page.locator("input[name=lat]").input_value() == ""
    the_map = page.locator("#capture-map")
    start = (
        float(the_map.get_attribute("data-lat") or 0),
        float(the_map.get_attribute("data-lon") or 0),
    )
    the_map.scroll_into_view_if_needed()
    box = the_map.bounding_box()
    assert box is not None
    # South-east of the centre, away from the zoom buttons at the top left.
    the_map.tap(position={"x": box["width"] * 0.8, "y": box["height"] * 0.75})

    expect(position_status(page)).to_have_text("Pin placed on the map.")
    assert the_map.bounding_box() == box  # the shorter message did not move the map
    assert page.locator("input[name=position_source]").input_value() == "map"
    assert page.locator("input[name=accuracy_m]").input_value() == ""
    tapped = (
        float(page.locator("input[name=lat]").input_value()),
        float(page.locator("input[name=lon]").input_value()),
    )
    assert tapped[0] < start[0] and tapped[1] > start[1]  # south-east of the centre
    expect(page.locator("#capture-map .leaflet-marker-icon.pin")).to_have_count(1)
    # The pin's tip (the bottom of the rotated drop) points at the tapped spot.
    dot = page.locator("#capture-map .pin-dot").bounding_box()
    assert dot is not None
    assert dot["x"] + dot["width"] / 2 == pytest.approx(box["x"] + box["width"] * 0.8, abs=3)
    assert dot["y"] + dot["height"] == pytest.approx(box["y"] + box["height"] * 0.75, abs=3)
    expect(page.get_by_role("button", name="The place (drag to move)")).to_have_count(1)

    pick_category(page, DARK_SPOT)
    pick_unsafe_level(page, 3)
    send(page)
    expect_stored(page)
    follow_report(page)
    facts = page.locator(".facts")
    expect(facts).to_contain_text("placed on the map")
    expect(facts).not_to_contain_text("±")


def test_with_the_keyboard_alone_the_map_is_panned_and_the_pin_set_at_its_centre(
    desktop: BrowserContext, live_server
) -> None:
    desktop.clear_permissions()
    page = open_capture(desktop, live_server)
    the_map = page.locator("#capture-map")
    start = float(the_map.get_attribute("data-lat") or 0)
    the_map.focus()
    for _ in range(3):
        page.keyboard.press("ArrowUp")  # Leaflet pans the map north
    page.wait_for_timeout(400)
    page.get_by_role("button", name="Pin at the map's centre").press("Enter")
    expect(position_status(page)).to_have_text("Pin placed on the map.")
    assert page.locator("input[name=position_source]").input_value() == "map"
    assert float(page.locator("input[name=lat]").input_value()) > start
    expect(page.locator("#capture-map .leaflet-marker-icon.pin")).to_have_count(1)


# Chromium answers an emulated position at once; a phone outdoors can take many seconds.
SLOW_GPS = """(() => {
  const geo = navigator.geolocation, ask = geo.getCurrentPosition.bind(geo);
  geo.getCurrentPosition = (ok, fail, options) =>
    ask(p => setTimeout(() => ok(p), 1200), fail, options);
})();"""


def test_a_late_automatic_position_does_not_move_a_pin_placed_by_hand(
    phone: BrowserContext, live_server
) -> None:
    phone.add_init_script(SLOW_GPS)
    page = open_capture(phone, live_server)
    expect(position_status(page)).to_have_text("Finding your position…")  # asked at once
    the_map = page.locator("#capture-map")
    the_map.scroll_into_view_if_needed()
    box = the_map.bounding_box()
    assert box is not None
    the_map.tap(position={"x": box["width"] * 0.3, "y": box["height"] * 0.4})
    expect(position_status(page)).to_have_text("Pin placed on the map.")
    placed = page.locator("input[name=lat]").input_value()

    page.wait_for_timeout(1800)  # the slow fix has arrived by now
    expect(position_status(page)).to_have_text("Pin placed on the map.")
    assert page.locator("input[name=position_source]").input_value() == "map"
    assert page.locator("input[name=lat]").input_value() == placed

    # Asking on purpose still moves the pin to the phone's position.
    page.get_by_role("button", name="Use my position").click()
    expect(position_status(page)).to_contain_text("Position found", timeout=5000)
    assert page.locator("input[name=position_source]").input_value() == "gps"


def test_the_phone_layout_fits_and_focus_never_hides_under_the_send_bar(
    phone: BrowserContext, live_server
) -> None:
    page = open_capture(phone, live_server)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('.scale-word, .tile span, .button')]
            .filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.textContent.trim())"""
    )
    assert overflowing == []

    bar = page.locator(".submit-bar").bounding_box()
    assert bar is not None
    order = []
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
              const el = document.activeElement;
              // A hidden radio or file input shows its focus on its label (the tile).
              const hidden = el.matches('input[type=radio], input[type=file]');
              const shown = hidden ? el.closest('label') : el;
              const r = shown.getBoundingClientRect();
              return {name: (el.getAttribute('aria-label') || el.value || shown.textContent).trim(),
                      top: r.top, bottom: r.bottom, inBar: !!el.closest('.submit-bar')};
            }"""
        )
        order.append(focused["name"])
        if focused["inBar"]:
            break
        assert focused["top"] >= 0 and focused["bottom"] <= bar["y"] + 0.5, focused
    # A sensible order: header, photo, position, map, category, scale, light, text, e-mail, send.
    assert order[:4] == ["Skip to content", "SafetyWalk", "Report", "Recent reports"]
    expected = [
        "Take a photo",
        "Use my position",
        "Map: tap to place the pin",
        "dark-spot",
        "1",
        # Tab lands on the checked radio of a group: dark or daylight, by the sun right now.
        page.locator("input[name=dark]:checked").input_value(),
        "Send report",
    ]
    # The light radios by exact value ("dark" must not match the category "dark-spot").
    positions = [
        next(
            i
            for i, name in enumerate(order)
            if name == e or (e not in ("dark", "daylight") and name.startswith(e))
        )
        for e in expected
    ]
    assert positions == sorted(positions), order


def test_the_journey_breaks_no_rule_of_the_content_security_policy(
    csp_phone: BrowserContext, live_server, photo_file: Path
) -> None:
    """The other tests bypass the CSP (to inject axe); this one keeps it, and any refused
    script, style, image or request shows up as a console error (failing the fixture)."""
    csp_phone.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    page = open_capture(csp_phone, live_server)
    expect(position_status(page)).to_contain_text("Position found")
    attach_photo(page, photo_file)
    pick_category(page, DARK_SPOT)
    pick_unsafe_level(page, 2)
    send(page)
    expect_stored(page)
    follow_report(page)
    photo = page.get_by_role("img", name="Photo 1 of the place")
    expect_loaded(page, photo)
    expect(page.locator("#status-map .pin-dot")).to_be_visible()


def test_at_night_in_dark_mode_the_form_and_its_errors_pass_axe(make_context, live_server) -> None:  # type: ignore[no-untyped-def]
    context = make_context(PHONE, color_scheme="dark")
    context.page_errors.allow("status of 422")
    page = open_capture(context, live_server)
    expect(position_status(page)).to_contain_text("Position found")
    check_accessibility(page, "capture page, dark mode")
    send(page)  # nothing chosen: the error state
    expect(page.locator("#err-category")).to_contain_text("Choose what kind of place this is.")
    check_accessibility(page, "capture page with errors, dark mode")
    shot(page, "capture-error-dark-phone")
