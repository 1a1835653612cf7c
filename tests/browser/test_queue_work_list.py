"""The queue as a work list in a real browser, at 1280x800 and on a phone (390x844): a
triager searches, sorts by a column, moves from the keyboard (j/k/x/Enter), selects all
that match and moves them at once; a dozen rows fit under the filters on the desktop."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import Session

from app import clock
from tests.browser.conftest import DESKTOP, check_accessibility, shot
from tests.browser.test_triage_journey import log_in
from tests.factories import insert_observation, make_staff

PRIORITIES = ("urgent", "high", "normal", "low")
CATEGORIES = ("dark-spot", "vegetation", "graffiti", "litter", "damaged-path")


@pytest.fixture(params=["desktop", "phone"])
def device_context(request: pytest.FixtureRequest, make_context) -> BrowserContext:  # type: ignore[no-untyped-def]
    if request.param == "desktop":
        return make_context(DESKTOP, viewport={"width": 1280, "height": 800})
    return request.getfixturevalue("phone")


def fill_queue(live_server) -> tuple[str, list[int]]:  # type: ignore[no-untyped-def]
    """Twenty open reports of various ages, priorities and categories (three about a broken
    lamp), and a triager; returns her e-mail and the ids."""
    ids = []
    with Session(live_server.app.state.engine) as session:
        email = make_staff(session, "triager").email
        for i in range(20):
            obs = insert_observation(
                session,
                lat=65.8253 + i * 0.0003,
                lon=21.6880,
                category=CATEGORIES[i % 5],
                created_at=clock.now() - timedelta(days=2 * i + 1),
                priority=PRIORITIES[i % 4],
                supporters=i % 3,
                description="Trasig lampa vid gångvägen" if i in (3, 7, 11) else f"Report {i}",
                address=f"Storgatan {i + 1}" if i % 2 else None,
            )
            ids.append(obs.id)
    return email, ids


def rows_in_view(page: Page) -> int:
    """Rows wholly on screen below the filter bar (and the table's own header)."""
    return page.evaluate(
        """() => {
            const bar = document.querySelector('.queue-filters').getBoundingClientRect().bottom;
            const head = document.querySelector('table.queue thead').getBoundingClientRect().bottom;
            return [...document.querySelectorAll('#results tbody tr')].filter(row => {
                const box = row.getBoundingClientRect();
                return box.top >= Math.max(bar, head) - 1 && box.bottom <= window.innerHeight;
            }).length;
        }"""
    )


def ids_shown(page: Page) -> list[int]:
    return [
        int(i.split("-")[1])
        for i in page.locator("#results tbody tr").evaluate_all("rows => rows.map(r => r.id)")
    ]


def test_a_triager_works_through_the_queue(
    device_context: BrowserContext, live_server, request: pytest.FixtureRequest
) -> None:
    device = request.node.callspec.params["device_context"]
    email, ids = fill_queue(live_server)
    page = device_context.new_page()
    page.goto(live_server.url + "/triage")
    log_in(page, email)
    page.wait_for_url(live_server.url + "/triage")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(20)
    counts = page.locator("#queue-counts")
    expect(counts.locator("p.meta")).to_have_text("20 observations match")
    expect(counts.get_by_role("list", name="Counts of this filter")).to_contain_text("Received: 20")
    if device == "desktop":
        assert rows_in_view(page) >= 12
        # Every row is one line: about 44 px.
        heights = rows.evaluate_all("rows => rows.map(r => r.getBoundingClientRect().height)")
        assert max(heights) <= 48, heights
        # Two skip links: the first row's box in five key presses (it took 26 Tabs).
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Skip to the results")).to_be_focused()
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")  # the first row's box
        focused_row = page.evaluate("document.activeElement.closest('tr')?.id")
        assert focused_row == f"row-{ids[-1]}"  # the oldest, first
    else:
        assert page.locator("details.filter-panel").get_attribute("open") is None
    check_accessibility(page, f"queue work list ({device})")
    shot(page, f"queue-work-list-{device}")
    page.evaluate("window.notReloaded = true")

    # Search: typing narrows the list in place and keeps it in the address.
    if device == "phone":
        page.get_by_text("Filter and sort").click()
    page.get_by_role("searchbox", name="Search").fill("lampa")
    expect(rows).to_have_count(3)
    expect(page).to_have_url(re.compile(r"[?&]q=lampa(&|$)"))
    expect(counts.locator("p.meta")).to_have_text("3 observations match")
    page.get_by_role("searchbox", name="Search").fill("")
    expect(rows).to_have_count(20)

    # Sort by due date (a column header), then the other way.
    if device == "phone":
        # A phone has no column headers: the same links are under "Sort".
        page.locator("details.phone-sort > summary").click()
        page.locator("details.phone-sort").get_by_role("link", name="Due").click()
        expect(page.locator("details.phone-sort > summary")).to_contain_text("Sort: Due")
    else:
        page.get_by_role("link", name="Due").click()
        expect(page.locator("th.cell-due")).to_have_attribute("aria-sort", "ascending")
    expect(page).to_have_url(re.compile(r"sort=due&dir=asc"))
    assert page.evaluate("window.notReloaded") is True
    days = {"urgent": 1, "high": 5, "normal": 14, "low": 30}
    due = {
        obs_id: timedelta(days=days[PRIORITIES[i % 4]] - (2 * i + 1))
        for i, obs_id in enumerate(ids)
    }
    by_due = sorted(ids, key=lambda obs_id: (due[obs_id], obs_id))
    expect(rows.first).to_have_id(f"row-{by_due[0]}")
    assert ids_shown(page) == by_due
    if device == "desktop":
        page.get_by_role("link", name="Due").click()
        expect(page.locator("th.cell-due")).to_have_attribute("aria-sort", "descending")
        expect(rows.first).to_have_id(f"row-{by_due[-1]}")
        assert ids_shown(page) == by_due[::-1]

        # The keyboard: j/k move (a visible focus), x selects, Enter opens.
        page.locator("h1").click()
        page.keyboard.press("j")
        page.keyboard.press("j")
        page.keyboard.press("j")
        page.keyboard.press("k")
        second = page.locator("#results tbody tr").nth(1)
        expect(second).to_have_class(re.compile(r"\bis-current\b"))
        expect(second.locator("[data-open]")).to_be_focused()
        page.keyboard.press("x")
        expect(second.locator(".cell-select input")).to_be_checked()
        page.keyboard.press("x")
        expect(second.locator(".cell-select input")).not_to_be_checked()
        # Not while typing: k in the search box is a letter.
        search = page.get_by_role("searchbox", name="Search")
        search.press("k")
        expect(search).to_have_value("k")
        expect(second).to_have_class(re.compile(r"\bis-current\b"))  # the rows stayed put
        with page.expect_response(re.compile(r"/triage\?")):
            search.press("Backspace")
        expect(rows).to_have_count(20)
        # The search kept the order the header set.
        expect(page).to_have_url(re.compile(r"sort=due&dir=desc"))
        assert ids_shown(page) == by_due[::-1]
        page.locator("h1").click()
        page.keyboard.press("j")
        page.keyboard.press("j")
        second_id = second.get_attribute("id")
        page.keyboard.press("Enter")
        # The report opens with the queue's filter (for its previous/next).
        number = second_id.split("-")[1]  # type: ignore[union-attr]
        page.wait_for_url(re.compile(rf"{live_server.url}/triage/{number}\?from="))
        page.go_back()
        expect(rows).to_have_count(20)

    # Select every row on the page, then all that match, and move them at once.
    page_box = page.get_by_label("This page", exact=False)
    page_box.check()
    assert rows.locator(".cell-select input:checked").count() == 20
    page_box.uncheck()
    assert rows.locator(".cell-select input:checked").count() == 0
    page.get_by_label("All 20 that match").check()
    assert rows.locator(".cell-select input:checked").count() == 20
    page.get_by_label("Selected rows to").select_option(label="Being looked at")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.locator(".notice")).to_contain_text("20 observations changed.")
    expect(counts.get_by_role("list", name="Counts of this filter")).to_contain_text(
        "Being looked at: 20"
    )
    expect(counts.get_by_role("list", name="Counts of this filter")).not_to_contain_text("Received")
    check_accessibility(page, f"queue after a bulk move ({device})")
    shot(page, f"queue-bulk-moved-{device}")

    # An inline change: the counts follow at once.
    first = rows.first
    first_id = (first.get_attribute("id") or "").split("-")[1]
    page.get_by_label(f"New status for #{first_id}").select_option(label="In progress")
    first.get_by_role("button", name="Set").click()
    expect(counts.get_by_role("list", name="Counts of this filter")).to_contain_text(
        "In progress: 1"
    )
    expect(counts.get_by_role("list", name="Counts of this filter")).to_contain_text(
        "Being looked at: 19"
    )
