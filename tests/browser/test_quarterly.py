"""A resident reads the quarterly "what we did" on a phone (390x844) and on a desktop: the
figures, a published before/after pair, the walks; no sideways scrolling; axe-core clean; in
Swedish after the language switch."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import BrowserContext, expect
from sqlmodel import Session, select

from app import clock
from app.models import Photo, PhotoKind, Status, Unit, Walk, WalkStatus
from app.services import demo_pictures, photos
from app.services.media_store import MediaStore
from tests.browser.conftest import check_accessibility, shot
from tests.factories import CENTRUM, insert_observation, make_staff

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.fixture(params=["phone", "desktop"])
def device_context(request: pytest.FixtureRequest) -> BrowserContext:
    return request.getfixturevalue(request.param)


def a_quarter(session: Session, store: MediaStore, limits: photos.PhotoLimits) -> None:
    cleaning = session.exec(select(Unit.id).where(Unit.slug == "cleaning")).one()
    for n in range(4):
        insert_observation(
            session,
            lat=CENTRUM[0],
            lon=CENTRUM[1] + n * 1e-3,
            category=("dark-spot", "graffiti")[n % 2],
            created_at=datetime(2026, 8, 10 + n, 18, tzinfo=UTC),
            contact_email="resident@example.org",
        )
    fix = insert_observation(
        session,
        lat=CENTRUM[0],
        lon=CENTRUM[1],
        category="graffiti",
        created_at=datetime(2026, 7, 3, tzinfo=UTC),
        status=Status.fixed,
        fixed_at=datetime(2026, 8, 20, tzinfo=UTC),
        photos_published=True,
        unit_id=cleaning,
    )
    for kind, after in ((PhotoKind.report, False), (PhotoKind.after, True)):
        stored = photos.ingest(
            demo_pictures.picture("graffiti", after=after), store=store, limits=limits
        )
        session.add(
            Photo(
                observation_id=fix.id,  # type: ignore[arg-type]
                sha256=stored.sha256,  # type: ignore[arg-type]
                width=stored.width,
                height=stored.height,
                kind=kind,
            )
        )
    leader = make_staff(session, "walk_leader")
    for code, title, at, status in (
        ("QRTW22", "Trygghetsvandring i Centrum", datetime(2026, 9, 15, 17, tzinfo=UTC), "closed"),
        ("QRTX22", "Trygghetsvandring på Heden", datetime(2026, 12, 9, 17, tzinfo=UTC), "planned"),
    ):
        session.add(
            Walk(
                title=title,
                zone_id=fix.zone_id,
                starts_at=at,
                leader_id=leader.id,  # type: ignore[arg-type]
                join_code=code,
                status=WalkStatus(status),
            )
        )
    session.commit()


def test_the_quarterly_page_reads_well_on_a_phone_and_a_desktop(
    device_context: BrowserContext, live_server, request: pytest.FixtureRequest
) -> None:
    device = request.node.callspec.params["device_context"]
    clock.set_to(NOW)
    with Session(live_server.app.state.engine) as session:
        state = live_server.app.state
        a_quarter(session, state.media_store, photos.limits(state.settings))

    page = device_context.new_page()
    page.goto(live_server.url + "/quarterly")
    expect(page.get_by_role("heading", level=1)).to_contain_text("What we did")
    expect(page.get_by_role("heading", level=1)).to_contain_text("2026")
    expect(page.get_by_role("table", name="By district")).to_contain_text("Centrum")
    after = page.get_by_role("img", name="Graffiti, after the fix")
    expect(after).to_be_visible()
    expect(page.get_by_role("img", name="Graffiti, before the fix")).to_be_visible()
    expect(page.get_by_text("Trygghetsvandring på Heden")).to_be_visible()
    assert "resident@example.org" not in page.content()
    # Nothing runs off the side of a phone.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width  # type: ignore[index]
    check_accessibility(page, f"quarterly page ({device})")
    shot(page, f"quarterly-{device}")

    page.get_by_role("link", name="Svenska").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vad vi gjorde")
    check_accessibility(page, f"quarterly page in Swedish ({device})")

    # A plain-text page has no icon link: the browser asks /favicon.ico, which is not there.
    device_context.page_errors.allow("status of 404")  # type: ignore[attr-defined]
    page.get_by_role("link", name="Det här kvartalet som ren text").click()
    expect(page.locator("body")).to_contain_text("Invånarna rapporterade 5")
