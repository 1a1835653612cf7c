"""The technical department's journey in a real browser: log in, the queue, filter, inline
status changes, merge a duplicate on the detail page, and what the public page then shows."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect
from sqlmodel import Session, select

from app.models import Observation
from tests.browser.conftest import check_accessibility, shot
from tests.factories import CENTRUM, JSON, STAFF_PASSWORD, make_staff, observation_fields

try:
    import httpx
except ImportError:  # the project pins httpx2, which keeps the same API
    import httpx2 as httpx  # type: ignore[no-redef]

DARK_SPOT = "Dark spot / broken light"
VEGETATION = "Overgrown vegetation"
RESIDENT_EMAIL = "resident@example.org"
INTERNAL_NOTE = "Same cable fault as last winter, call Ove"
PUBLIC_NOTE = "Another resident reported the same lamp."
EMAIL_PATTERN = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


@pytest.fixture(params=["desktop", "phone"])
def device_context(request: pytest.FixtureRequest) -> BrowserContext:
    """The journey runs on a desktop (1280x900) and on the phone (390x844, touch)."""
    return request.getfixturevalue(request.param)


def report(live_server, **fields: object) -> Observation:  # type: ignore[no-untyped-def]
    """A resident's report, posted to the live server as the capture page's script does."""
    answer = httpx.post(
        live_server.url + "/observations", data=observation_fields(**fields), headers=JSON
    )
    assert answer.status_code == 201, answer.text
    token = answer.json()["token"]
    with Session(live_server.app.state.engine) as session:
        return session.exec(select(Observation).where(Observation.token == token)).one()


def row_of(page: Page, obs: Observation) -> Locator:
    return page.locator(f"#row-{obs.id}")


def assert_fits(page: Page) -> None:
    """No sideways scrolling, and no checkbox squeezed by a label that wraps."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    squeezed = page.evaluate(
        """() => [...document.querySelectorAll('input[type=checkbox]')]
            .filter(box => box.getBoundingClientRect().width < 20)
            .map(box => box.closest('label').textContent.trim())"""
    )
    assert squeezed == []


def open_filters(page: Page) -> None:
    """On a phone the filters start folded away, under "Filter and sort"."""
    panel = page.locator("details.filter-panel")
    if panel.get_attribute("open") is None:
        page.get_by_text("Filter and sort").click()
    expect(panel).to_have_attribute("open", "")


def log_in(page: Page, email: str) -> None:
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_a_triager_works_the_queue_and_merges_a_duplicate(
    device_context: BrowserContext, live_server, request: pytest.FixtureRequest
) -> None:
    device = request.node.callspec.params["device_context"]
    # The refused inline move answers 409, which Chromium logs as a failed resource.
    device_context.page_errors.allow("status of 409")  # type: ignore[attr-defined]
    with Session(live_server.app.state.engine) as session:
        triager = make_staff(session, "triager")
        email, name = triager.email, triager.name
    lamp = report(live_server, category="dark-spot")
    # About 20 m north of the first: the same broken lamp, reported again (with an address).
    same_lamp = report(
        live_server, category="dark-spot", lat=CENTRUM[0] + 0.0002, contact_email=RESIDENT_EMAIL
    )
    bush = report(live_server, category="vegetation", description="Bushes hide the path.")

    # Not signed in: the queue sends her to the login page, and back after it.
    page = device_context.new_page()
    page.goto(live_server.url + "/triage")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Ftriage$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff login")
    check_accessibility(page, f"login page ({device})")
    shot(page, f"triage-login-{device}")
    log_in(page, email)
    page.wait_for_url(live_server.url + "/triage")
    expect(page.get_by_role("heading", level=1)).to_have_text("Queue")

    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(3)
    for obs, category in ((lamp, DARK_SPOT), (same_lamp, DARK_SPOT), (bush, VEGETATION)):
        expect(row_of(page, obs).get_by_role("link", name=f"#{obs.id} {category}")).to_be_visible()
    expect(page.locator("#results .meta").first).to_have_text("3 observations match")
    check_accessibility(page, f"queue ({device})")
    assert_fits(page)
    shot(page, f"triage-queue-{device}")

    # From here on everything happens in place: a full reload would lose this marker.
    page.evaluate("window.notReloaded = true")

    # Filtering swaps the results and pushes the URL.
    open_filters(page)
    page.get_by_role("combobox", name="Category").select_option(label=DARK_SPOT)
    expect(page).to_have_url(re.compile(r"[?&]category=dark-spot(&|$)"))
    expect(rows).to_have_count(2)
    expect(row_of(page, bush)).to_have_count(0)
    expect(page.locator("#results .meta").first).to_have_text("2 observations match")
    assert page.evaluate("window.notReloaded") is True

    # An inline move: the row is swapped for the new one. "Set" before choosing does nothing.
    row = row_of(page, lamp)
    row.get_by_role("button", name="Set").click()
    assert page.get_by_label(f"New status for #{lamp.id}").evaluate("el => !el.validity.valid")
    expect(row.locator(".badge").first).to_have_text("Received")
    page.get_by_label(f"New status for #{lamp.id}").select_option(label="Being looked at")
    row.get_by_role("button", name="Set").click()
    expect(row.locator(".badge").first).to_have_text("Being looked at")
    expect(page.get_by_label(f"New status for #{lamp.id}")).to_be_focused()  # focus kept
    expect(rows).to_have_count(2)
    assert page.evaluate("window.notReloaded") is True

    # An inline move that needs a reason says so in the row, with the way to the full form.
    row = row_of(page, same_lamp)
    page.get_by_label(f"New status for #{same_lamp.id}").select_option(label="Will not be fixed")
    row.get_by_role("button", name="Set").click()
    alert = row.get_by_role("alert")
    expect(alert).to_contain_text("Say why it will not be fixed")
    expect(alert).to_be_focused()  # the reason is read out at once
    expect(row.locator(".badge").first).to_have_text("Received")  # nothing changed
    assert page.evaluate("window.notReloaded") is True
    shot(page, f"triage-queue-refused-{device}")

    # The detail page: staff see the resident's address.
    alert.get_by_role("link", name="Open it").click()
    page.wait_for_url(f"{live_server.url}/triage/{same_lamp.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(DARK_SPOT)
    expect(page.locator(".facts")).to_contain_text(RESIDENT_EMAIL)
    check_accessibility(page, f"detail page ({device})")
    shot(page, f"triage-detail-{device}")

    # Merge it into the first report.
    page.get_by_label("New status").select_option(label="Merged with another report")
    page.get_by_label("Public note").fill(PUBLIC_NOTE)
    page.get_by_label("Internal note").fill(INTERNAL_NOTE)
    page.get_by_label("Duplicate of (number or tracking link)").fill(str(lamp.id))
    page.get_by_role("button", name="Save changes").click()
    # A merge asks to confirm, with both reports side by side and what was typed kept.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Merge #{same_lamp.id} into #{lamp.id}?"
    )
    page.get_by_role("button", name=f"Confirm: merge #{same_lamp.id} into #{lamp.id}").click()
    page.wait_for_url(f"{live_server.url}/triage/{same_lamp.id}?notice=saved")
    expect(page.locator(".report-badges .badge").first).to_have_text("Merged with another report")
    duplicate = page.locator(".facts div", has_text="Duplicate of")
    expect(duplicate.get_by_role("link")).to_have_text(f"#{lamp.id}")
    merged = page.locator(".history li", has_text="Merged with another report")
    expect(merged).to_have_count(1)
    expect(merged).to_contain_text(name)
    expect(merged).to_contain_text(INTERNAL_NOTE)  # staff see their note
    shot(page, f"triage-detail-merged-{device}")

    # The public page: the status and the public note, never the internal note or an address.
    page.get_by_role("link", name="Status page").click()
    page.wait_for_url(f"{live_server.url}/observations/{same_lamp.token}")
    expect(page.locator(".status-badge")).to_contain_text("Merged with another report")
    expect(page.locator(".history")).to_contain_text(PUBLIC_NOTE)
    html = page.content()
    assert INTERNAL_NOTE not in html
    assert RESIDENT_EMAIL not in html and not EMAIL_PATTERN.search(html)
    assert name not in page.locator("main").inner_text()
