"""Moderating a resident's photo on the report page in a real browser, at 390x844 and at
1280x800: the photo's state, "show to the public", and blurring a region by dragging a
rectangle on the photo (the four numbers follow the drag); the public page then shows the
blurred copy. axe on the page before and after."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import Session, select

from app.models import Observation, Photo, PhotoReview
from tests.browser.conftest import DESKTOP, PHONE, check_accessibility, shot
from tests.factories import JSON, STAFF_PASSWORD, jpeg_bytes, make_staff, observation_fields

try:
    import httpx
except ImportError:  # the project pins httpx2, which keeps the same API
    import httpx2 as httpx  # type: ignore[no-redef]


@pytest.fixture(params=["desktop", "phone"])
def screen(request: pytest.FixtureRequest, make_context) -> tuple[str, BrowserContext]:  # type: ignore[no-untyped-def]
    if request.param == "desktop":
        return "desktop", make_context(DESKTOP, viewport={"width": 1280, "height": 800})
    return "phone", make_context(PHONE)


def pending_report(live_server) -> tuple[int, int, str]:  # type: ignore[no-untyped-def]
    """A report with one photo, waiting for moderation (the live server's settings publish at
    once: the row is set back to pending, as photo_moderation = review would have made it)."""
    answer = httpx.post(
        live_server.url + "/observations",
        data=observation_fields(),
        files=[("photo", ("p.jpg", jpeg_bytes(), "image/jpeg"))],
        headers=JSON,
    )
    assert answer.status_code == 201, answer.text
    with Session(live_server.app.state.engine) as session:
        obs = session.exec(
            select(Observation).where(Observation.token == answer.json()["token"])
        ).one()
        photo = session.exec(select(Photo).where(Photo.observation_id == obs.id)).one()
        photo.review = PhotoReview.pending
        session.add(photo)
        ids = obs.id, photo.id, photo.sha256
        session.commit()
        return ids  # type: ignore[return-value]


def fits(page: Page) -> None:
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_triager_approves_then_blurs_a_region_by_dragging(
    screen: tuple[str, BrowserContext], live_server
) -> None:
    name, context = screen
    obs_id, photo_id, original = pending_report(live_server)
    with Session(live_server.app.state.engine) as session:
        email = make_staff(session, "triager").email

    page = context.new_page()
    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/(staff|triage)"))

    page.goto(f"{live_server.url}/triage/{obs_id}")
    card = page.locator(f"#photo-{photo_id}")
    expect(card).to_contain_text("Waiting for moderation: not public")
    check_accessibility(page, f"report page with a photo waiting ({name})")
    fits(page)

    card.get_by_role("button", name="Show to the public").click()
    card = page.locator(f"#photo-{photo_id}")
    expect(card.locator(".photo-state")).to_contain_text("Public")
    expect(card.get_by_role("button", name="Hide from the public")).to_be_visible()

    card.get_by_text("Blur a region (faces, number plates)").click()
    canvas = card.locator("[data-blur-canvas]")
    expect(canvas).to_be_visible()
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.3)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.6, steps=5)
    page.mouse.up()
    left = float(card.get_by_label("From the left").input_value())
    width = float(card.get_by_label("Width").input_value())
    assert 18 <= left <= 22 and 28 <= width <= 32
    expect(card.locator("[data-blur-box]")).to_be_visible()
    fits(page)
    shot(page, f"photo-moderation-drag-{name}")
    check_accessibility(page, f"report page, blurring a region ({name})")

    card.get_by_role("button", name="Blur this region and show the photo").click()
    card = page.locator(f"#photo-{photo_id}")
    expect(card.locator(".photo-state")).to_contain_text("Public, blurred")
    with Session(live_server.app.state.engine) as session:
        blurred = session.get(Photo, photo_id)
        assert blurred is not None and blurred.public_sha256
        digest = blurred.public_sha256
    expect(card.get_by_role("link", name="The blurred copy")).to_have_attribute(
        "href", re.compile(digest)
    )
    check_accessibility(page, f"report page, photo blurred ({name})")

    public = context.new_page()
    public.goto(f"{live_server.url}/reports/{obs_id}")
    images = public.locator("ul.photos img")
    expect(images).to_have_count(1)
    expect(images.first).to_have_attribute("src", re.compile(digest))
    assert original not in public.content()
