"""Handing a report to an outside owner in a real browser: the triager (1280x800 and 390x844)
chooses the owner on the report page; the owner opens the link from their mail on a phone and
answers; the resident's status page shows both."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, expect
from sqlmodel import Session, select

from app.models import Observation, OutboxMail, OutsideOwner
from app.services import outside_owners
from tests.browser.conftest import DESKTOP, PHONE, check_accessibility, shot
from tests.factories import JSON, STAFF_PASSWORD, jpeg_bytes, make_staff, observation_fields

try:
    import httpx
except ImportError:  # the project pins httpx2, which keeps the same API
    import httpx2 as httpx  # type: ignore[no-redef]

DESCRIPTION = "The lamp on the E45 underpass is out; it is pitch dark."


def report(live_server) -> Observation:  # type: ignore[no-untyped-def]
    answer = httpx.post(
        live_server.url + "/observations",
        data=observation_fields(description=DESCRIPTION, contact_email="resident@example.net"),
        files=[("photo", ("lamp.jpg", jpeg_bytes(), "image/jpeg"))],
        headers=JSON,
    )
    assert answer.status_code == 201, answer.text
    with Session(live_server.app.state.engine) as session:
        token = answer.json()["token"]
        return session.exec(select(Observation).where(Observation.token == token)).one()


def owners(live_server) -> None:  # type: ignore[no-untyped-def]
    """Trafikverket takes dark spots; Polisen is there too, offered after them."""
    with Session(live_server.app.state.engine) as session:
        for name, email, categories in (
            ("Trafikverket", "trafikverket@example.org", ["dark-spot"]),
            ("Polisen, lokalpolisområde Boden", "polisen.boden@example.org", ["drug-dealing"]),
        ):
            found = session.exec(select(OutsideOwner).where(OutsideOwner.name == name)).first()
            raw = {"name": name, "email": email, "language": "en"}
            outside_owners.save(session=session, raw=raw, categories=categories, owner=found)


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_a_triager_hands_a_report_over_and_the_owner_answers_on_a_phone(
    screen: str, make_context, live_server
) -> None:  # type: ignore[no-untyped-def]
    base = DESKTOP if screen == "desktop" else PHONE
    viewport = {"width": 1280, "height": 800} if screen == "desktop" else PHONE["viewport"]
    triager_context: BrowserContext = make_context(base, viewport=viewport)
    with Session(live_server.app.state.engine) as session:
        email = make_staff(session, "triager").email
    owners(live_server)
    obs = report(live_server)

    page = triager_context.new_page()
    page.goto(f"{live_server.url}/triage/{obs.id}")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/triage/{obs.id}")
    part = page.locator("#handoff")
    expect(part.get_by_role("heading", name="Hand to an outside owner")).to_be_visible()
    choice = part.get_by_label("Owner", exact=True)
    # Those who usually take dark spots come first.
    assert choice.locator("optgroup").first.get_attribute("label") == "Usually take this category"
    choice.select_option(label="Trafikverket")
    part.get_by_label("Note to the owner").fill("The lamp post is on your road.")
    part.scroll_into_view_if_needed()
    check_accessibility(page, f"report page with the hand-off ({screen})")
    shot(page, f"handoff-report-{screen}")
    part.get_by_role("button", name="Hand over and e-mail the owner").click()
    page.wait_for_url(f"{live_server.url}/triage/{obs.id}")
    expect(page.locator("#handoff")).to_contain_text("Sent to Trafikverket")
    expect(page.locator("#handoff")).to_contain_text("No answer yet.")
    expect(page.locator(".history")).to_contain_text("Sent to an outside owner")
    check_accessibility(page, f"report page after the hand-off ({screen})")
    shot(page, f"handoff-sent-{screen}")

    with Session(live_server.app.state.engine) as session:
        mail = session.exec(
            select(OutboxMail).where(
                OutboxMail.kind == "handoff", OutboxMail.observation_id == obs.id
            )
        ).one()
    link = re.search(r"https?://\S+/handoff/[A-Za-z0-9_-]{43}", mail.body).group(0)  # type: ignore[union-attr]
    path = link[link.index("/handoff/") :]

    # The owner, on a phone, with no account.
    owner = make_context(PHONE).new_page()
    owner.goto(live_server.url + path)
    expect(owner.get_by_role("heading", level=1)).to_have_text("Dark spot / broken light")
    expect(owner.locator(".description")).to_have_text(DESCRIPTION)
    expect(owner.locator(".photos img")).to_have_count(1)
    assert owner.locator(".photos img").evaluate("img => img.naturalWidth > 0")
    assert "resident@example.net" not in owner.content()
    check_accessibility(owner, f"owner's answer page ({screen})")
    assert owner.evaluate("document.documentElement.scrollWidth") <= 390
    shot(owner, f"handoff-owner-{screen}")
    owner.get_by_label("We will fix it").check()
    owner.get_by_label("Note to the municipality").fill("New lamp in week 50.")
    owner.get_by_role("button", name="Send answer").click()
    expect(owner.get_by_role("status")).to_contain_text("Your answer is recorded")
    expect(owner.get_by_role("button", name="Send answer")).to_have_count(0)
    check_accessibility(owner, f"owner's page answered ({screen})")
    shot(owner, f"handoff-owner-answered-{screen}")

    # The resident's status page.
    resident = make_context(PHONE).new_page()
    resident.goto(f"{live_server.url}/observations/{obs.token}")
    history = resident.locator(".history")
    expect(history).to_contain_text("Handed to Trafikverket, who is responsible for this place.")
    expect(history).to_contain_text("Trafikverket: we will fix it.")
    assert "week 50" not in history.inner_text()
    shot(resident, f"handoff-resident-{screen}")


def test_an_admin_keeps_the_registry_of_outside_owners(make_context, live_server) -> None:  # type: ignore[no-untyped-def]
    with Session(live_server.app.state.engine) as session:
        email = make_staff(session, "admin").email
        for owner in session.exec(select(OutsideOwner).where(OutsideOwner.name == "BodenBo")):
            session.delete(owner)
        session.commit()
    page = make_context(DESKTOP, viewport={"width": 1280, "height": 800}).new_page()
    page.context.page_errors.allow("status of 422")  # type: ignore[attr-defined]
    page.goto(f"{live_server.url}/admin/owners")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/admin/owners")
    expect(page.get_by_role("link", name="Outside owners")).to_have_attribute(
        "aria-current", "page"
    )
    page.get_by_label("Name", exact=True).fill("BodenBo")
    page.get_by_label("E-mail for reports").fill("not an address")
    page.get_by_label("Litter").check()
    page.get_by_role("button", name="Add owner").click()
    expect(page.get_by_role("alert")).to_contain_text("Write a valid e-mail address.")
    check_accessibility(page, "owners' registry with an error")
    shot(page, "owners-registry-error")
    page.get_by_label("E-mail for reports").fill("felanmalan@bodenbo.example.org")
    page.get_by_role("button", name="Add owner").click()
    expect(page.get_by_role("status")).to_contain_text("Saved")
    expect(page.get_by_role("row", name=re.compile("BodenBo"))).to_contain_text("Litter")
    check_accessibility(page, "owners' registry")
    shot(page, "owners-registry")
