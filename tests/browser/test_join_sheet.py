"""The walk leader opens the join sheet from the walk's page on a desktop and on a phone: it
is axe-clean, fits the phone's width, prints on one A4 page, and a screenshot of it printed
holds a QR code that reads as the join link."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect
from pypdf import PdfReader
from sqlmodel import Session

from app.models import Walk
from app.services import walks
from tests.browser.conftest import DESKTOP, check_accessibility, shot
from tests.browser.test_triage_journey import log_in
from tests.factories import make_staff


@pytest.fixture(params=["desktop", "phone"])
def device_context(request: pytest.FixtureRequest) -> BrowserContext:
    return request.getfixturevalue(request.param)


def a_planned_walk(live_server) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    """A walk in two days; its id, code and its leader's e-mail."""
    with Session(live_server.app.state.engine) as session:
        leader = make_staff(session, "walk_leader")
        walk = Walk(
            title="Evening walk in Centrum and Sävast",
            starts_at=datetime.now(UTC) + timedelta(days=2),
            leader_id=leader.id,
            join_code=walks.new_join_code(),
            meeting_point="The library's entrance, Kungsgatan 40",
        )
        session.add(walk)
        session.commit()
        return walk.id, walk.join_code, leader.email  # type: ignore[return-value]


def test_the_leader_prints_the_join_sheet(
    device_context: BrowserContext, live_server, request: pytest.FixtureRequest
) -> None:
    device = request.node.callspec.params["device_context"]
    walk_id, code, email = a_planned_walk(live_server)
    join_url = f"{live_server.app.state.settings.public_url.rstrip('/')}/w/{code}"

    page: Page = device_context.new_page()
    page.goto(f"{live_server.url}/walks/{walk_id}")
    log_in(page, email)
    page.get_by_role("link", name="Join sheet to print (A4)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Evening walk in Centrum and Sävast")
    expect(page.locator("[data-join-code]")).to_have_text(code)
    expect(page.get_by_role("img", name=f"QR code that opens the walk: {join_url}")).to_be_visible()
    expect(page.get_by_role("link", name="PDF")).to_have_attribute(
        "href", f"/walks/{walk_id}/join-sheet.pdf"
    )
    if device == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") == 390
    check_accessibility(page, f"join sheet ({device})")
    shot(page, f"join-sheet-{device}")
    page.emulate_media(color_scheme="dark")  # the sheet stays a white paper on a dark page
    check_accessibility(page, f"join sheet, dark ({device})")
    shot(page, f"join-sheet-{device}-dark")

    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(page.locator(".site-header")).to_be_hidden()
    printed = shot(page, f"join-sheet-print-{device}")
    found = zxingcpp.read_barcodes(Image.open(printed))
    assert [f.text for f in found if f.format == zxingcpp.BarcodeFormat.QRCode] == [join_url]
    pdf = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    assert len(pdf.pages) == 1  # one A4 page from the browser's print too
    assert (
        round(float(pdf.pages[0].mediabox.width)),
        round(float(pdf.pages[0].mediabox.height)),
    ) == (595, 842)
    assert code in pdf.pages[0].extract_text()


def test_the_sheet_keeps_to_the_sites_content_security_policy(make_context, live_server) -> None:  # type: ignore[no-untyped-def]
    walk_id, code, email = a_planned_walk(live_server)
    page = make_context(DESKTOP, bypass_csp=False).new_page()  # a violation fails the test
    page.goto(f"{live_server.url}/walks/{walk_id}/join-sheet")
    log_in(page, email)
    expect(page.locator("[data-join-code]")).to_have_text(code)
    box = page.locator("svg.join-sheet-qr").bounding_box()
    assert box and box["width"] >= 250  # drawn large by the stylesheet, not inline styles
