"""An administrator's errand in a real browser, on a desktop and on a phone: create a unit's
field worker, change a routing rule, and see where reports go now."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import Session, select

from app.models import RoutingRule, StaffUser
from app.services import registry
from tests.browser.conftest import check_accessibility, shot
from tests.browser.test_triage_journey import log_in
from tests.factories import make_staff


@pytest.fixture(params=["desktop", "phone"])
def device_context(request: pytest.FixtureRequest) -> BrowserContext:
    return request.getfixturevalue(request.param)


def test_an_admin_adds_a_worker_and_changes_a_rule(
    device_context: BrowserContext, live_server, request: pytest.FixtureRequest
) -> None:
    device = request.node.callspec.params["device_context"]
    with Session(live_server.app.state.engine) as session:
        admin = make_staff(session, "admin")
        rule = registry.save(
            session=session,
            kind="rules",
            raw={"category": "vegetation", "zone": "savast", "unit": "parks"},
        )
        admin_email, rule_id = admin.email, rule.id
    new_email = f"lamps-{uuid.uuid4().hex[:6]}@boden.example"

    page: Page = device_context.new_page()
    page.goto(live_server.url + "/admin")
    log_in(page, admin_email)
    page.wait_for_url(live_server.url + "/admin")
    expect(page.get_by_role("heading", level=1)).to_have_text("Administration")
    expect(page.get_by_text("every mail stays in the outbox")).to_be_visible()
    check_accessibility(page, f"admin overview ({device})")

    # A new field worker for street lighting.
    page.get_by_role("navigation", name="Administration").get_by_role(
        "link", name="Staff accounts"
    ).click()
    page.get_by_label("E-mail address").fill(new_email)
    page.get_by_label("Name optional").fill("Lamp crew")
    page.get_by_label("Role").select_option(label="unit staff")
    page.get_by_label("Unit").select_option(label="Street lighting")
    page.get_by_label("Password").fill("lamps at night 42")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")
    expect(page.get_by_role("row", name="Lamp crew")).to_contain_text("Street lighting")
    check_accessibility(page, f"admin users ({device})")
    shot(page, f"admin-users-{device}")

    # The rule for vegetation in Sävast goes to the property owner instead of the parks.
    page.goto(live_server.url + "/admin/rules")
    expect(page.locator("#effect-vegetation")).to_contain_text("Sävast")
    page.get_by_role("link", name="Change rule 1").click()
    page.wait_for_url(f"{live_server.url}/admin/rules/{rule_id}")
    check_accessibility(page, f"admin rule ({device})")
    page.get_by_label("Goes to unit").select_option(label="Property owner (private land)")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")
    page.get_by_role("link", name="Routing rules").first.click()
    effect = page.locator("#effect-vegetation")
    expect(effect).to_contain_text("Property owner (private land): Sävast")
    expect(effect).to_contain_text("Parks and vegetation:")
    check_accessibility(page, f"admin rules ({device})")
    shot(page, f"admin-rules-{device}")

    with Session(live_server.app.state.engine) as session:
        user = session.exec(select(StaffUser).where(StaffUser.email == new_email)).one()
        assert user.role == "unit_worker" and user.unit_id is not None
        assert session.get(RoutingRule, rule_id).unit_id != rule.unit_id
