"""The report page as a triager's work place, in a real browser at 1280x800 and 390x844: open a
report from the queue's filter, see the possible duplicates at the top, pick a canned reply
(the script fills the note), change status, priority and assignee in one save, step to the
next report, merge with confirmation, and what the merged report's resident then sees."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import Session, select

from app.models import CannedReply, Category, Observation
from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS, check_accessibility, shot
from tests.factories import CENTRUM, JSON, STAFF_PASSWORD, make_staff, observation_fields

try:
    import httpx
except ImportError:  # the project pins httpx2, which keeps the same API
    import httpx2 as httpx  # type: ignore[no-redef]

REPLY_EN = "The lamp has been replaced and is lit again. Thank you for telling us!"
REPLY_SV = "Lampan är bytt och lyser igen. Tack för att du hörde av dig!"


@pytest.fixture(params=["desktop", "phone"])
def screen(request: pytest.FixtureRequest, make_context) -> tuple[str, BrowserContext]:  # type: ignore[no-untyped-def]
    if request.param == "desktop":
        return "desktop", make_context(DESKTOP, viewport={"width": 1280, "height": 800})
    return "phone", make_context(PHONE)


def report(live_server, **fields: object) -> Observation:  # type: ignore[no-untyped-def]
    answer = httpx.post(
        live_server.url + "/observations", data=observation_fields(**fields), headers=JSON
    )
    assert answer.status_code == 201, answer.text
    with Session(live_server.app.state.engine) as session:
        return session.exec(
            select(Observation).where(Observation.token == answer.json()["token"])
        ).one()


def fits(page: Page) -> None:
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_triager_updates_a_report_in_one_save_and_merges_with_confirmation(
    screen: tuple[str, BrowserContext], live_server
) -> None:
    name, context = screen
    # The refused save answers 409, which Chromium logs as a failed resource.
    context.page_errors.allow("status of 409")  # type: ignore[attr-defined]
    with Session(live_server.app.state.engine) as session:
        triager = make_staff(session, "triager")
        email, person = triager.email, triager.name
        lamps = session.exec(select(Category).where(Category.slug == "dark-spot")).one()
        session.add(
            CannedReply(
                category_id=lamps.id,
                title_sv="Lampan är bytt",
                title_en="The lamp is replaced",
                body_sv=REPLY_SV,
                body_en=REPLY_EN,
            )
        )
        session.commit()
    first = report(live_server, category="dark-spot", description="The lamp by the path is out.")
    # About 20 m north: the same lamp, reported again by a resident who left an address.
    second = report(
        live_server,
        category="dark-spot",
        lat=CENTRUM[0] + 0.0002,
        contact_email="resident@example.org",
        description="Dark by the underpass again.",
    )
    third = report(live_server, category="dark-spot", lat=CENTRUM[0] + 0.01)

    page = context.new_page()
    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/(staff|triage)"))

    # Opened from the queue's filter "lamps, oldest first": previous, next and the way back.
    query = "category=dark-spot&sort=oldest"
    page.goto(f"{live_server.url}/triage/{second.id}?from={quote(query)}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dark spot / broken light")
    steps = page.get_by_role("navigation", name="Reports in the queue")
    expect(steps.get_by_role("link", name="Back to the queue")).to_have_attribute(
        "href", f"/triage?{query}"
    )
    expect(steps.get_by_role("link", name=re.compile("^Previous"))).to_be_visible()
    expect(steps.get_by_role("link", name=re.compile("^Next"))).to_be_visible()
    # The possible duplicate is near the top, above the form's save button.
    duplicates = page.get_by_role("region", name="Possible duplicates")
    merge = duplicates.get_by_role("link", name=f"Merge #{second.id} into #{first.id}")
    expect(merge).to_be_visible()
    save = page.get_by_role("button", name="Save changes")
    page.screenshot(path=str(SCREENSHOTS / f"report-page-first-screen-{name}.png"))
    if name == "desktop":
        # One screen: the facts, the duplicates and the whole form without scrolling.
        box = save.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 800, box
        assert duplicates.bounding_box()["y"] < 300  # type: ignore[index]
    expect(page.get_by_label("New status")).to_have_value("")  # "keep as it is"
    check_accessibility(page, f"report page ({name})")
    fits(page)
    shot(page, f"report-page-{name}")

    # One save: a canned reply (the script fills the note), a move, the priority and "me".
    page.get_by_label("Canned reply").select_option(label="The lamp is replaced")
    expect(page.get_by_label("Public note")).to_have_value(REPLY_EN)  # the reporter's language
    page.get_by_label("Public note").fill("We are on it.")
    page.get_by_label("New status").select_option(label="Being looked at")
    page.get_by_label("Priority").select_option(label="High")
    page.get_by_label("Assigned to").select_option(label=f"{person} (me)")
    page.get_by_label("Internal note").fill("Check the cable too")
    save.click()
    page.wait_for_url(re.compile(rf"/triage/{second.id}\?from=.*&notice=saved$"))
    expect(page.get_by_role("status")).to_contain_text("Saved.")
    expect(page.locator(".report-badges .badge").first).to_have_text("Being looked at")
    history = page.locator(".history li")
    expect(history.filter(has_text="We are on it.")).to_have_count(1)
    expect(history.filter(has_text="Priority changed")).to_have_count(1)
    expect(history.filter(has_text="Assigned")).to_have_count(1)
    expect(page.get_by_label("New status")).to_have_value("")  # back to "keep as it is"
    shot(page, f"report-page-saved-{name}")

    # A refused part: nothing saved, the reason said, what was typed kept.
    page.get_by_label("New status").select_option(label="Will not be fixed")
    page.get_by_label("Internal note").fill("Not worth it")
    page.get_by_role("button", name="Save changes").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was saved. Say why it will not be fixed")
    expect(page.get_by_label("Internal note")).to_have_value("Not worth it")
    expect(page.locator(".report-badges .badge").first).to_have_text("Being looked at")
    check_accessibility(page, f"report page refused ({name})")

    # Merging asks to confirm, with both reports side by side.
    page.goto(f"{live_server.url}/triage/{second.id}?from={quote(query)}")
    page.get_by_role("link", name=f"Merge #{second.id} into #{first.id}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Merge #{second.id} into #{first.id}?"
    )
    expect(page.get_by_text("Dark by the underpass again.")).to_be_visible()
    expect(page.get_by_text("The lamp by the path is out.")).to_be_visible()
    check_accessibility(page, f"merge confirmation ({name})")
    fits(page)
    shot(page, f"report-merge-confirm-{name}")
    page.get_by_label("Public note").fill("Someone reported this lamp just before you.")
    page.get_by_role("button", name=f"Confirm: merge #{second.id} into #{first.id}").click()
    page.wait_for_url(re.compile(rf"/triage/{second.id}\?from=.*&notice=saved$"))
    expect(page.locator(".report-badges .badge").first).to_have_text("Merged with another report")
    # Merged, it left the filter; "next" still goes on to the third lamp.
    page.get_by_role("link", name=re.compile("^Next")).click()
    page.wait_for_url(re.compile(rf"/triage/{third.id}\?from="))

    # The resident's status page names the report it joined and links to its public page.
    page.goto(f"{live_server.url}/observations/{second.token}")
    expect(page.get_by_text(f"merged with report #{first.id}")).to_be_visible()
    page.get_by_role("link", name=f"Follow report #{first.id}").click()
    page.wait_for_url(f"{live_server.url}/reports/{first.id}")
    check_accessibility(page, f"survivor's public page ({name})")
    shot(page, f"report-merged-public-{name}")
