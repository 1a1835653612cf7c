"""An administrator registers an Open311 client system in a real browser, on a desktop and on a
phone: the key shown once with its copy button, the client's recent posts, and revoking the key
after the inline question (htmx); axe on every state."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import Session, select

from app import clock
from app.models import ApiClient, ApiPost
from tests.browser.conftest import check_accessibility, shot
from tests.browser.test_triage_journey import log_in
from tests.factories import insert_observation, make_staff

KEY = re.compile(r"^sw311_[A-Za-z0-9_-]{40,}$")


@pytest.fixture(params=["desktop", "phone"])
def device_context(request: pytest.FixtureRequest) -> BrowserContext:
    return request.getfixturevalue(request.param)


def test_an_admin_makes_a_key_sees_it_once_and_revokes_it(
    device_context: BrowserContext, live_server, request: pytest.FixtureRequest
) -> None:
    device = request.node.callspec.params["device_context"]
    name = f"Work orders {uuid.uuid4().hex[:4]}"
    with Session(live_server.app.state.engine) as session:
        admin_email = make_staff(session, "admin").email
        obs_id = insert_observation(session, lat=65.8253, lon=21.6880).id

    page: Page = device_context.new_page()
    page.goto(live_server.url + "/admin")
    log_in(page, admin_email)
    page.wait_for_url(live_server.url + "/admin")
    page.get_by_role("navigation", name="Administration").get_by_role(
        "link", name="API keys"
    ).click()
    page.wait_for_url(live_server.url + "/admin/api-keys")
    expect(page.get_by_role("heading", level=1)).to_have_text("API keys")
    check_accessibility(page, f"api keys ({device})")

    # A refusal names the field; then the key is made and shown.
    page.get_by_label("Name").fill(name)
    page.get_by_label("Contact e-mail optional").fill("not an address")
    device_context.page_errors.allow("status of 422")  # type: ignore[attr-defined]
    page.get_by_role("button", name="Make a key").click()
    expect(page.get_by_role("alert")).to_contain_text("Write a valid e-mail address.")
    check_accessibility(page, f"api keys refused ({device})")
    page.get_by_label("Contact e-mail optional").fill("ops@infracontrol.example")
    page.get_by_label("Posts per hour optional").fill("30")
    page.get_by_role("button", name="Make a key").click()
    box = page.get_by_role("region", name=f"The key for {name}")
    expect(box).to_contain_text("it is not shown again")
    key = page.get_by_label("API key").input_value()
    assert KEY.match(key)
    copy = page.get_by_role("button", name="Copy the key")
    expect(copy).to_be_visible()
    size = copy.bounding_box()
    assert size is not None and size["height"] >= 44
    copy.click()
    expect(box.get_by_role("status")).to_contain_text(re.compile("Key copied|key is selected"))
    expect(page.get_by_role("row", name=re.compile(name))).to_contain_text("30")
    check_accessibility(page, f"api key made ({device})")
    shot(page, f"admin-api-key-made-{device}")

    # Never again: the list shows the key's first characters only.
    page.goto(live_server.url + "/admin/api-keys")
    assert key not in page.content()
    expect(page.get_by_role("row", name=re.compile(name))).to_contain_text(key[:10] + "…")

    # The client posted twice: the client's page lists both, newest first, with the report.
    with Session(live_server.app.state.engine) as session:
        client = session.exec(select(ApiClient).where(ApiClient.name == name)).one()
        now = clock.now()
        session.add(
            ApiPost(
                client_id=client.id,
                at=now - timedelta(minutes=3),
                service_code="dark-spot",
                status_code=200,
                observation_id=obs_id,
            )
        )
        session.add(
            ApiPost(
                client_id=client.id,
                at=now,
                service_code="nope",
                status_code=400,
                error="service_code nope is not known.",
            )
        )
        session.commit()
        client_id = client.id
    page.get_by_role("link", name=name).click()
    page.wait_for_url(f"{live_server.url}/admin/api-keys/{client_id}")
    expect(page.get_by_role("link", name=f"Report #{obs_id}")).to_have_attribute(
        "href", f"/triage/{obs_id}"
    )
    expect(page.get_by_text("service_code nope is not known.")).to_be_visible()
    check_accessibility(page, f"api client ({device})")

    # Revoke: the question comes in place (htmx), then the page says it is done.
    page.get_by_role("link", name="Revoke…").click()
    expect(page.get_by_text(f"Revoke the key of {name}?")).to_be_visible()
    expect(page.get_by_role("heading", name="Revoke the key")).to_be_focused()
    assert page.url == f"{live_server.url}/admin/api-keys/{client_id}"  # no page load
    check_accessibility(page, f"api client revoke question ({device})")
    shot(page, f"admin-api-key-revoke-{device}")
    page.get_by_role("button", name="Yes, revoke the key").click()
    expect(page.get_by_role("status")).to_contain_text("every request with it is refused")
    expect(page.get_by_text("revoked", exact=True).first).to_be_visible()
    check_accessibility(page, f"api client revoked ({device})")
    with Session(live_server.app.state.engine) as session:
        assert session.get(ApiClient, client_id).revoked_at is not None
