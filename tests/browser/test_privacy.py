"""Privacy in real Chromium, at 390x844 and on a desktop: the privacy page (reached from the
footer) passes axe in Swedish and English, and the reporter's "forget my e-mail" on the status
page removes the address, says so where focus lands, and passes axe before and after."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from app.models import Observation
from tests.browser.conftest import DESKTOP, PHONE, check_accessibility, shot
from tests.factories import JSON, observation_fields

LANGUAGES = {
    "sv": {"locale": "sv-SE", "extra_http_headers": {"Accept-Language": "sv"}},
    "en": {"locale": "en-GB", "extra_http_headers": {"Accept-Language": "en"}},
}
TEXT = {
    "sv": (
        "Integritet",
        "Integritet: vad vi sparar och hur länge",
        "Glöm min e-postadress",
        "Din e-postadress är borttagen",
    ),
    "en": (
        "Privacy",
        "Privacy: what we keep and for how long",
        "Forget my e-mail address",
        "Your e-mail address has been removed",
    ),
}
SIZES = {"phone": PHONE, "desktop": DESKTOP}


@pytest.mark.parametrize(("size", "lang"), [("phone", "sv"), ("desktop", "en")])
def test_the_privacy_page_and_forget_my_email(make_context, live_server, size, lang):  # type: ignore[no-untyped-def]
    footer_link, heading, button, done = TEXT[lang]
    page = make_context(SIZES[size], **LANGUAGES[lang]).new_page()
    page.goto(live_server.url + "/")
    page.locator("footer").get_by_role("link", name=footer_link).click()
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
    check_accessibility(page, f"privacy page ({size}, {lang})")
    shot(page, f"privacy-{size}-{lang}")

    fields = observation_fields(contact_email="resident@example.org")
    sent = page.request.post(live_server.url + "/observations", form=fields, headers=JSON)
    token = sent.json()["token"]
    page.goto(f"{live_server.url}/observations/{token}")
    forget = page.get_by_role("button", name=button)
    forget.scroll_into_view_if_needed()
    check_accessibility(page, f"status page with forget ({size}, {lang})")
    forget.click()
    notice = page.get_by_role("status").filter(has_text=done)
    expect(notice).to_be_focused()
    expect(page.get_by_role("button", name=button)).to_have_count(0)
    check_accessibility(page, f"status page after forget ({size}, {lang})")
    shot(page, f"privacy-forgotten-{size}-{lang}")
    with Session(live_server.app.state.engine) as session:
        obs = session.exec(select(Observation).where(Observation.token == token)).one()
        assert obs.contact_email is None
