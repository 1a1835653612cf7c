"""A walk's protocol on a phone in Swedish: items with the longest statuses keep the page at
390 px (badges wrap, facts and the checked-items table stay inside), each item says where it
is (address, else district, else coordinates), and a heading opens the item's public page."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlmodel import Session

from app import clock
from app.models import Walk, WalkCheck, WalkStatus
from tests.browser.conftest import DESKTOP, PHONE, check_accessibility, shot
from tests.browser.test_triage_journey import log_in
from tests.factories import STAFF_PASSWORD
from tests.services.test_walk_protocol_places import walk_with_places


def log_in_sv(page: Page, email: str) -> None:
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Logga in").click()


# The elements of a protocol item whose right edge passes the item's own.
INSIDE_ITEMS = """() => [...document.querySelectorAll('.protocol-item')].flatMap(item => {
  const right = item.getBoundingClientRect().right + 0.5;
  return [...item.querySelectorAll('*')]
    .filter(e => e.getBoundingClientRect().right > right)
    .map(e => item.id + ' ' + e.tagName + '.' + e.className);
})"""


# The labels of fact lists whose words run out of their own box (into the value beside them).
LABELS_OVERFLOWING = """() => [...document.querySelectorAll('dl.facts dt')]
  .filter(dt => dt.scrollWidth > dt.clientWidth + 0.5).map(dt => dt.textContent.trim())"""


def assert_fits(page: Page, name: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{name} is {width} px wide"


def test_the_protocol_on_a_phone_in_swedish(make_context, live_server) -> None:  # type: ignore[no-untyped-def]
    with Session(live_server.app.state.engine) as session:
        places = walk_with_places(session)
        # Long enough to squeeze its label to the labels' width on a phone.
        places.walk.organisations = "Bodens kommun\nPolisen, lokalpolisområde Boden\nBodenBo"
        session.add(places.walk)
        session.commit()
        walk_id, email = places.walk.id, places.leader_email
        lamp_id, hedge_id, secret_id = places.lamp.id, places.hedge.id, places.secret.id
        # A year on, a follow-up walk checked the earlier items: its protocol has the table.
        later = Walk(
            title="Centrum ett år senare",
            join_code="LATER1",
            leader_id=places.walk.leader_id,
            starts_at=clock.now() - timedelta(hours=2),
            status=WalkStatus.closed,
            follow_up_of_id=walk_id,
        )
        session.add(later)
        session.commit()
        check = WalkCheck(walk_id=later.id, observation_id=lamp_id, fixed=False, unsafe_level=3)  # type: ignore[arg-type]
        session.add(check)
        session.commit()
        later_id = later.id

    page = make_context(PHONE, locale="sv-SE").new_page()
    page.goto(f"{live_server.url}/walks/{walk_id}/protocol")
    log_in_sv(page, email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Protokoll från trygghetsvandring")

    lamp = page.locator(f"#item-{lamp_id}")
    expect(lamp.locator(".badge")).to_have_text("Överlämnad till en annan ansvarig")
    expect(lamp).to_contain_text("Adress")
    expect(lamp).to_contain_text("Storgatan 12, Boden")
    expect(lamp.locator(".coords")).to_have_text("65.82530, 21.68800")
    hedge = page.locator(f"#item-{hedge_id}")
    expect(hedge.locator(".badge")).to_have_text("Sammanslagen med en annan rapport")
    expect(hedge).to_contain_text("Stadsdel")
    expect(hedge.locator(".coords")).to_be_visible()
    secret = page.locator(f"#item-{secret_id}")
    expect(secret).to_contain_text("En privat kategori: den har ingen offentlig sida.")
    expect(secret.get_by_role("link")).to_have_count(0)
    # Everything stays inside its item (the badge, the facts, a long unbroken description),
    # and the page inside the phone.
    assert_fits(page, "the protocol")
    wider = page.evaluate(INSIDE_ITEMS)
    assert not wider, f"wider than their item: {wider}"
    # "Organisationer" is longer than the labels' 8rem: it widens its row, not overlaps.
    assert not page.evaluate(LABELS_OVERFLOWING), page.evaluate(LABELS_OVERFLOWING)
    check_accessibility(page, "protocol in Swedish (phone)")
    shot(page, "protocol-places-phone-sv")

    # The number and heading open the item's public page.
    lamp.get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}/reports/{lamp_id}")

    page.goto(f"{live_server.url}/walks/{later_id}/protocol")
    table = page.locator("table.protocol-checks")
    expect(table).to_contain_text("Överlämnad till en annan ansvarig")
    expect(table).to_contain_text("Åtgärdad?")  # each value keeps its heading on a phone
    assert_fits(page, "the follow-up protocol")
    check_accessibility(page, "follow-up protocol in Swedish (phone)")
    shot(page, "protocol-places-checks-phone-sv")

    # At night: the same page in dark mode (the muted coordinates and badges keep contrast).
    dark = make_context(PHONE, locale="sv-SE", color_scheme="dark").new_page()
    dark.goto(f"{live_server.url}/walks/{walk_id}/protocol")
    log_in_sv(dark, email)
    expect(dark.locator(f"#item-{hedge_id} .coords")).to_be_visible()
    assert_fits(dark, "the protocol in dark mode")
    check_accessibility(dark, "protocol in Swedish, dark mode (phone)")
    shot(dark, "protocol-places-phone-sv-dark")


def test_the_protocol_on_a_desktop(make_context, live_server) -> None:  # type: ignore[no-untyped-def]
    with Session(live_server.app.state.engine) as session:
        places = walk_with_places(session)
        walk_id, email, lamp_id = places.walk.id, places.leader_email, places.lamp.id
    page = make_context(DESKTOP).new_page()
    page.goto(f"{live_server.url}/walks/{walk_id}/protocol")
    log_in(page, email)
    link = page.locator(f"#item-{lamp_id} h3 a")
    expect(link).to_have_attribute("href", f"/reports/{lamp_id}")
    check_accessibility(page, "protocol (desktop)")
    shot(page, "protocol-places-desktop")
