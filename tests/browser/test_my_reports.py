"""The resident keeps the tracking link, in real Chromium at 390x844 in Swedish: after sending,
the address is the status page's, a reload keeps it, the link can be shared (or copied when the
browser cannot share), and "My reports" on the capture page lists what this phone sent, with
its status, also reports that waited in the offline outbox."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import Session, select

from app.models import Observation
from tests.browser.conftest import DESKTOP, PHONE, check_accessibility, shot
from tests.browser.test_capture_journey import pick_unsafe_level
from tests.browser.test_offline import fill_report, go_offline, go_online, open_with_worker
from tests.factories import jpeg_bytes, observation_fields

SWEDISH = {"locale": "sv-SE", "extra_http_headers": {"Accept-Language": "sv"}}
CLIPBOARD = ["geolocation", "clipboard-read", "clipboard-write"]
TRACKING = re.compile(r"^/observations/[A-Za-z0-9_-]{16,64}$")


def the_report(live_server, token: str) -> Observation:  # type: ignore[no-untyped-def]
    with Session(live_server.app.state.engine) as session:
        return session.exec(select(Observation).where(Observation.token == token)).one()


def send_a_report(page: Page, live_server) -> str:  # type: ignore[no-untyped-def]
    """Send one report from the capture page in Swedish; returns the category's name."""
    page.goto(live_server.url + "/")
    expect(page.locator("#capture-map.leaflet-container")).to_be_visible()
    page.wait_for_function("document.querySelector('input[name=lat]').value !== ''")  # located
    tile = page.locator("label.tile:not(.tile-good)").first
    label = tile.locator("span").first.evaluate("s => s.firstChild.textContent.trim()")
    tile.click()
    pick_unsafe_level(page, 4)
    page.get_by_role("button", name="Skicka rapport").click()
    expect(page.get_by_role("heading", name="Tack! Din rapport är sparad.")).to_be_focused()
    return label


def pathname(page: Page) -> str:
    return page.evaluate("location.pathname")


def test_the_address_becomes_the_tracking_link_and_my_reports_keeps_it(
    make_context, live_server
) -> None:  # type: ignore[no-untyped-def]
    context: BrowserContext = make_context(PHONE, permissions=CLIPBOARD, **SWEDISH)
    page = context.new_page()
    label = send_a_report(page, live_server)

    # The address is the tracking link at once; the number and the link are on the page.
    assert TRACKING.match(pathname(page)), page.url
    token = pathname(page).rsplit("/", 1)[1]
    obs = the_report(live_server, token)
    keep = page.locator("[data-share]")
    expect(keep.locator(".report-number")).to_have_text(f"Ditt rapportnummer #{obs.id}")
    expect(page.get_by_label("Länk för att följa rapporten")).to_have_value(page.url)
    check_accessibility(page, "confirmation (sv, phone)")
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    shot(page, "my-reports-1-confirmation-phone")

    # Headless Chromium cannot share: the button copies the link instead, and says so.
    assert page.evaluate("typeof navigator.share") == "undefined"
    button = keep.get_by_role("button", name="Kopiera länken")
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44
    button.click()
    expect(keep.get_by_role("status")).to_have_text("Länken är kopierad")
    assert page.evaluate("navigator.clipboard.readText()") == page.url

    # A reload shows the status page, which keeps saying it is hers, with the link.
    page.reload()
    assert TRACKING.match(pathname(page))
    expect(page.get_by_role("heading", level=1)).to_have_text(label)
    expect(page.locator(".report-number")).to_have_text(f"Ditt rapportnummer #{obs.id}")
    expect(
        page.get_by_text("Spara länken för att följa vad som händer med din rapport:")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Kopiera länken")).to_be_visible()
    expect(page.get_by_text("Tack! Din rapport är sparad.")).to_have_count(0)
    check_accessibility(page, "status page after a reload (sv, phone)")
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    shot(page, "my-reports-2-status-after-reload-phone")

    # A new visit to the capture page: "My reports" lists it, with its current status.
    home = context.new_page()
    home.goto(live_server.url + "/")
    mine = home.locator("[data-my-reports]")
    summary = mine.locator("summary")
    expect(summary).to_have_text("Mina rapporter (1)")
    summary.click()
    entry = mine.locator("li.my-report")
    expect(entry).to_have_count(1)
    expect(entry.get_by_role("link")).to_have_attribute("href", page.url)
    expect(entry).to_contain_text(f"Rapport #{obs.id} · {label}")
    expect(entry).to_contain_text("Status: Mottagen")
    remove = entry.get_by_role(
        "button", name=f"Ta bort rapport Rapport #{obs.id} · {label} från listan"
    )
    box = remove.bounding_box()
    assert box is not None and box["height"] >= 44
    check_accessibility(home, "capture page with My reports (sv, phone)")
    assert home.evaluate("document.documentElement.scrollWidth") == 390
    shot(home, "my-reports-3-capture-page-phone")

    # Removing it forgets the link on this phone only: the report itself is untouched.
    home.once("dialog", lambda dialog: dialog.accept())
    remove.click()
    expect(mine).to_be_hidden()
    assert home.evaluate("SafetyWalkMyReports.list().length") == 0
    assert the_report(live_server, token).id == obs.id
    home.reload()
    expect(mine).to_be_hidden()


SHARE_REJECTS = """window.__shared = [];
navigator.share = (data) => {
  window.__shared.push(data);
  return Promise.reject(new DOMException('no', '%s'));
};"""


def test_share_uses_web_share_and_copies_only_when_it_fails(make_context, live_server) -> None:  # type: ignore[no-untyped-def]
    # On a desktop, where it is cheap: a browser that can share, first refused, then closed.
    context: BrowserContext = make_context(DESKTOP, permissions=CLIPBOARD, **SWEDISH)
    context.add_init_script(SHARE_REJECTS % "NotAllowedError")
    page = context.new_page()
    send_a_report(page, live_server)
    url = page.url
    button = page.get_by_role("button", name="Dela länken")
    button.click()
    expect(page.locator("[data-share-status]")).to_have_text("Länken är kopierad")
    shared = page.evaluate("window.__shared")
    obs = the_report(live_server, url.rsplit("/", 1)[1])
    assert shared == [
        {
            "title": f"Rapport nr {obs.id}",  # the resident's word, not the staff's "Ärende"
            "text": f"Följ vad som händer med rapport #{obs.id}:",
            "url": url,
        }
    ]
    assert page.evaluate("navigator.clipboard.readText()") == url
    check_accessibility(page, "confirmation with Web Share (sv, desktop)")

    # Back: the capture page afresh (a live map, an empty form); forward: the status page.
    with page.expect_event("load"):  # popstate: the page is loaded afresh
        page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapportera en plats")
    expect(page.locator("#capture-map.leaflet-container")).to_be_visible()
    expect(page.locator("input[name=unsafe_level]:checked")).to_have_count(0)
    # htmx 2 keeps its snapshots in sessionStorage: the filled form is never among them.
    cache = page.evaluate("sessionStorage.getItem('htmx-history-cache')") or "[]"
    assert 'name="unsafe_level"' not in cache and "capture-map" not in cache, cache[:200]
    with page.expect_event("load"):
        page.go_forward()
    expect(page.locator(".report-number")).to_have_text(f"Ditt rapportnummer #{obs.id}")
    assert page.url == url

    # The resident closes the share sheet (AbortError): nothing is copied, nothing said.
    button = page.get_by_role("button", name="Dela länken")
    page.evaluate("navigator.clipboard.writeText('')")
    page.evaluate(
        """() => {
          navigator.share = () => Promise.reject(new DOMException('closed', 'AbortError'));
        }"""
    )
    page.locator("[data-share-status]").evaluate("el => el.textContent = ''")
    button.click()
    page.wait_for_timeout(300)
    expect(page.locator("[data-share-status]")).to_have_text("")
    assert page.evaluate("navigator.clipboard.readText()") == ""


def test_without_a_clipboard_the_link_is_selected_to_copy_by_hand(phone, live_server) -> None:  # type: ignore[no-untyped-def]
    phone.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined});")
    page = phone.new_page()
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Pin at the map's centre").click()
    page.locator("label.tile:not(.tile-good)").first.click()
    pick_unsafe_level(page, 3)
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", name="Thank you! Your report is stored.")).to_be_visible()
    page.get_by_role("button", name="Copy the link").click()
    field = page.get_by_label("Tracking link")
    expect(field).to_be_focused()
    assert page.evaluate("el => [el.selectionStart, el.selectionEnd]", field.element_handle()) == [
        0,
        len(page.url),
    ]
    # execCommand("copy") may or may not work headless: either way the resident is told.
    expect(page.locator("[data-share-status]")).to_have_text(
        re.compile(
            r"^(Link copied|The link is selected: copy it with your phone's copy command\.)$"
        )
    )


def test_a_report_sent_from_the_outbox_joins_my_reports(
    make_context, live_server, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    context = make_context(PHONE)
    photo = tmp_path / "lamp.jpg"
    photo.write_bytes(jpeg_bytes())
    page = open_with_worker(context, live_server)
    go_offline(context)
    fill_report(page, photo, "Sent later")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", name="Saved on this phone")).to_be_visible()
    expect(page.locator("[data-my-reports]")).to_be_hidden()  # not sent yet: no link yet

    go_online(context)
    expect(page.locator("[data-outbox-sent]")).to_have_text(
        "Sent now: 1. Thank you!", timeout=30_000
    )
    with Session(live_server.app.state.engine) as session:
        obs = session.exec(select(Observation).where(Observation.description == "Sent later")).one()
    mine = page.locator("[data-my-reports]")
    expect(mine.locator("summary")).to_have_text("My reports (1)")
    mine.locator("summary").click()
    entry = mine.locator("li.my-report")
    expect(entry).to_contain_text(f"Report #{obs.id} · Dark spot / broken light")
    expect(entry).to_contain_text("Status: Received")
    expect(entry.get_by_role("link")).to_have_attribute(
        "href", f"{live_server.url}/observations/{obs.token}"
    )
    check_accessibility(page, "My reports after the outbox sent (phone)")

    # Offline again: the list is still there with the last status, and says it is not fresh.
    go_offline(context)
    context.route("**/observations/statuses", lambda route: route.abort("internetdisconnected"))
    again = context.new_page()
    again.goto(live_server.url + "/")  # served by the service worker
    mine = again.locator("[data-my-reports]")
    expect(mine.locator("summary")).to_have_text("My reports (1)")
    mine.locator("summary").click()
    expect(mine.locator("li.my-report")).to_contain_text("Status: Received")
    expect(mine.get_by_role("status")).to_have_text(
        "The statuses could not be refreshed just now: they are the last ones known on this phone."
    )
    shot(again, "my-reports-4-offline-phone")


def test_after_a_plain_post_the_address_is_the_bare_link(make_context, live_server) -> None:  # type: ignore[no-untyped-def]
    """Without JavaScript the form post lands on the status page with ?sent=1; once there, the
    report is on the phone's list and the address loses ?sent=, so a reload, a bookmark or a
    shared copy of it says no "thank you" and adds nothing to another phone's list."""
    phone = make_context(PHONE, **SWEDISH)
    page = phone.new_page()
    page.goto(live_server.url + "/")
    sent = page.request.post(
        live_server.url + "/observations",
        form=observation_fields(),
        headers={"Accept": "application/json"},
    )
    assert sent.status == 201, sent.text()
    url = sent.json()["url"]
    token = sent.json()["token"]

    page.goto(url + "?sent=1")  # where the 303 of a plain form post leads
    expect(page.get_by_text("Tack! Din rapport är sparad.")).to_be_visible()
    page.wait_for_function("location.search === ''")
    assert pathname(page) == f"/observations/{token}"
    kept = page.evaluate("JSON.parse(localStorage.getItem('safetywalk.myReports') || '[]')")
    assert [entry["token"] for entry in kept] == [token]
    page.reload()
    expect(page.locator(".report-number")).to_contain_text(f"#{the_report(live_server, token).id}")
    expect(page.get_by_text("Tack! Din rapport är sparad.")).to_have_count(0)

    # The link shared to another phone: its page, but not on that phone's list.
    other = make_context(PHONE, **SWEDISH).new_page()
    other.goto(page.url)
    expect(other.locator(".report-number")).to_be_visible()
    assert other.evaluate("localStorage.getItem('safetywalk.myReports')") in (None, "[]")
