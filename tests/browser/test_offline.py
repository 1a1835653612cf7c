"""Offline-first capture in real Chromium at 390x844: the service worker serves the capture
page with no network, reports made offline wait on the phone and are stored exactly once when
the network returns, a lost answer is retried safely, and photos are scaled on the phone."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Page, Route, expect
from sqlmodel import Session, select

from app.models import Observation, Photo
from tests.browser.conftest import PHONE, check_accessibility, shot
from tests.browser.test_capture_journey import pick_category, pick_unsafe_level
from tests.factories import jpeg_bytes

DARK_SPOT = "Dark spot / broken light"


def observations(live_server) -> list[Observation]:  # type: ignore[no-untyped-def]
    with Session(live_server.app.state.engine) as session:
        return list(session.exec(select(Observation)).all())


def open_with_worker(context: BrowserContext, live_server, path: str = "/") -> Page:  # type: ignore[no-untyped-def]
    """Open a page and wait until the service worker controls it (it claims the page)."""
    # Offline, what the page asks of the server in passing (the sun's preset, reports nearby)
    # fails, as it should; Chromium logs each failure.
    for expected in ("net::ERR_INTERNET_DISCONNECTED", "htmx:sendError", "htmx:afterRequest"):
        context.page_errors.allow(expected)  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(live_server.url + path)
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    return page


def go_offline(context: BrowserContext) -> None:
    """No network for the page, nor for its service worker (Chromium's offline switch leaves
    the worker's own requests, e.g. Background Sync, alone)."""
    context.set_offline(True)
    context.route("**/observations", lambda route: route.abort("internetdisconnected"))


def go_online(context: BrowserContext) -> None:
    context.unroute("**/observations")
    context.set_offline(False)


def fill_report(page: Page, photo: Path | None, description: str) -> None:
    expect(page.locator("#capture-map.leaflet-container")).to_be_visible()
    if photo is not None:
        page.get_by_label("Take a photo").set_input_files(photo)
        expect(page.locator("[data-photo-previews] img")).to_have_count(1)
    page.get_by_role("button", name="Pin at the map's centre").click()
    pick_category(page, DARK_SPOT)
    pick_unsafe_level(page, 4)
    page.get_by_label("Describe it").fill(description)


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "lamp.jpg"
    path.write_bytes(jpeg_bytes())
    return path


def test_the_service_worker_serves_the_capture_page_offline(make_context, live_server):  # type: ignore[no-untyped-def]
    context = make_context(PHONE)
    page = open_with_worker(context, live_server)
    manifest = page.evaluate("fetch('/manifest.webmanifest').then(r => r.json())")
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a place")
    # Its scripts and the districts came from the cache too: the map is drawn.
    expect(page.locator("#capture-map.leaflet-container")).to_be_visible()
    expect(page.locator("#capture-map .zone-label").first).to_be_visible()
    check_accessibility(page, "capture page offline (phone)")


def test_three_reports_made_offline_are_stored_once_when_the_network_returns(
    make_context, live_server, photo: Path
):  # type: ignore[no-untyped-def]
    context = make_context(PHONE)
    answers: list[int] = []  # the server's answers to POST /observations that reached the phone

    def note(response) -> None:  # type: ignore[no-untyped-def]
        if response.request.method == "POST" and response.url.endswith("/observations"):
            answers.append(response.status)

    context.on("response", note)
    page = open_with_worker(context, live_server)
    go_offline(context)
    for n in range(1, 4):
        fill_report(page, photo, f"Offline report {n}")
        page.get_by_role("button", name="Send report").click()
        saved = page.get_by_role("heading", name="Saved on this phone")
        expect(saved).to_be_visible()
        expect(saved).to_be_focused()
        expect(page.locator("[data-outbox-count]")).to_have_text(f"Waiting to send ({n})")
        if n == 1:
            check_accessibility(page, "saved on the phone (offline)")
            shot(page, "offline-1-saved-phone")
        page.get_by_role("link", name="Log another place").click()  # served offline
        expect(page.get_by_role("heading", level=1)).to_have_text("Report a place")

    # The outbox outlives a reload with no network; each item can be seen before it is sent.
    page.reload()
    expect(page.locator("[data-outbox-count]")).to_have_text("Waiting to send (3)")
    expect(page.locator("[data-outbox-list] li")).to_have_count(3)
    shot(page, "offline-2-waiting-phone")
    assert observations(live_server) == []

    go_online(context)
    # Sent on "online" where the browser says so, else by the retry every 15 s.
    expect(page.locator("[data-outbox-sent]")).to_have_text(
        "Sent now: 3. Thank you!", timeout=30_000
    )
    expect(page.locator("[data-outbox-count]")).to_be_hidden()
    # Each report's tracking link, since the resident never saw a confirmation page for it.
    follow = page.get_by_role("link", name="Follow your report: Dark spot / broken light")
    expect(follow).to_have_count(3)
    stored = observations(live_server)
    assert sorted(o.description for o in stored) == [f"Offline report {n}" for n in (1, 2, 3)]
    assert len({o.client_id for o in stored}) == 3
    # Each sent once by the phone (the page and the worker's Background Sync take turns).
    page.wait_for_timeout(500)
    assert sorted(answers) == [201, 201, 201], answers  # none sent twice ("already stored": 200)
    with Session(live_server.app.state.engine) as session:
        assert len(session.exec(select(Photo)).all()) == 3  # each with its photo
    shot(page, "offline-3-sent-phone")
    check_accessibility(page, "outbox sent (phone)")
    follow.first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(DARK_SPOT)


def test_a_report_whose_answer_was_lost_is_retried_and_stored_once(make_context, live_server):  # type: ignore[no-untyped-def]
    # Without the worker, so that the test can cut the line between page and server.
    context = make_context(PHONE, service_workers="block")
    for expected in ("net::ERR_CONNECTION_RESET", "htmx:sendError", "htmx:afterRequest"):
        context.page_errors.allow(expected)  # type: ignore[attr-defined]
    page = context.new_page()
    posts: list[str] = []

    def drop_the_first_answer(route: Route) -> None:
        posts.append(route.request.method)
        if len(posts) == 1:
            # (Playwright cannot forward a file's bytes here, so this report has no photo.)
            assert route.fetch().status == 201  # the server stores it ...
            route.abort("connectionreset")  # ... and the answer never arrives
        else:
            route.continue_()

    page.route("**/observations", drop_the_first_answer)
    page.goto(live_server.url + "/")
    fill_report(page, None, "Answer lost")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", name="Saved on this phone")).to_be_visible()
    assert len(observations(live_server)) == 1  # stored, though the phone does not know it
    expect(page.locator("[data-outbox-count]")).to_have_text("Waiting to send (1)")
    page.get_by_role("button", name="Send now").click()
    expect(page.locator("[data-outbox-sent]")).to_have_text("Sent now: 1. Thank you!")
    assert len(posts) == 2
    assert [o.description for o in observations(live_server)] == ["Answer lost"]


def test_a_refused_report_stays_with_the_reason_and_can_be_deleted(
    make_context, live_server, photo: Path
):  # type: ignore[no-untyped-def]
    context = make_context(PHONE)
    context.page_errors.allow("status of 422")  # type: ignore[attr-defined]
    page = open_with_worker(context, live_server)
    go_offline(context)
    fill_report(page, photo, "x" * 10)
    # More text than the server takes (as if the limit had changed while it waited).
    page.get_by_label("Describe it").evaluate(
        "el => { el.removeAttribute('maxlength'); el.value = 'x'.repeat(5000); }"
    )
    page.get_by_role("button", name="Send report").click()
    expect(page.locator("[data-outbox-count]")).to_have_text("Waiting to send (1)")
    go_online(context)
    refused = page.locator("[data-outbox-list] li .field-error")
    expect(refused).to_contain_text("Not accepted: The text is too long", timeout=30_000)
    assert observations(live_server) == []
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete the waiting report: Dark spot / broken light").click()
    expect(page.locator("[data-outbox-count]")).to_be_hidden()


def test_photos_are_scaled_on_the_phone_before_upload(make_context, live_server, tmp_path: Path):  # type: ignore[no-untyped-def]
    big = Image.merge("RGB", [Image.effect_noise((4032, 3024), 60)] * 3)
    original = tmp_path / "big.jpg"
    big.save(original, "JPEG", quality=92)
    context = make_context(PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_label("Take a photo").set_input_files(original)
    expect(page.locator("[data-photo-previews] img")).to_have_count(1)
    # The file the form will send, as the page holds it.
    held = page.evaluate(
        """() => {
          const file = document.querySelector('input[type=file][name=photo][hidden]').files[0];
          return createImageBitmap(file).then(b => ({w: b.width, h: b.height, bytes: file.size,
                                                     type: file.type}));
        }"""
    )
    assert (held["w"], held["h"], held["type"]) == (2048, 1536, "image/jpeg")
    assert held["bytes"] < original.stat().st_size / 3

    page.get_by_role("button", name="Pin at the map's centre").click()
    pick_category(page, DARK_SPOT)
    with page.expect_request("**/observations") as posted:
        page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", name="Thank you! Your report is stored.")).to_be_visible()
    uploaded = int(posted.value.all_headers()["content-length"])
    assert held["bytes"] < uploaded < held["bytes"] + 20_000  # the scaled photo, and the fields
    with Session(live_server.app.state.engine) as session:
        stored = session.exec(select(Photo)).one()
    assert max(stored.width, stored.height) <= 2048
    print(f"photo upload: {original.stat().st_size} bytes on the phone, {uploaded} bytes sent")


def test_a_walk_joined_online_can_be_logged_offline(make_context, live_server, photo: Path):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from tests.factories import login_as
    from tests.routes.test_walks import move, plan_walk

    with Session(live_server.app.state.engine) as session, TestClient(live_server.app) as api:
        login_as(api, session, "walk_leader")
        walk = plan_walk(api, session, title="Night walk, no signal")
        move(api, walk, "start")
        code, walk_id = walk.join_code, walk.id

    context = make_context(PHONE)
    page = open_with_worker(context, live_server, f"/w/{code}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Night walk, no signal")
    # The worker keeps the page it was installed from once it is ready.
    page.wait_for_function(
        f"caches.keys().then(ks => Promise.all(ks.map(k => caches.open(k)"
        f".then(c => c.match('/w/{code}'))))).then(hits => hits.some(Boolean))"
    )
    go_offline(context)
    for n in (1, 2):
        expect(page.get_by_role("heading", level=1)).to_have_text("Night walk, no signal")
        fill_report(page, photo, f"Walk item {n}")
        page.get_by_label("Poor lighting").check()
        page.get_by_role("button", name="Send report").click()
        expect(page.locator("[data-outbox-count]")).to_have_text(f"Waiting to send ({n})")
        page.get_by_role("link", name="Log another place").click()  # the walk's page, offline

    go_online(context)
    expect(page.locator("[data-outbox-sent]")).to_have_text(
        "Sent now: 2. Thank you!", timeout=30_000
    )
    stored = observations(live_server)
    assert sorted(o.description for o in stored) == ["Walk item 1", "Walk item 2"]
    assert {o.walk_id for o in stored} == {walk_id}
    assert {o.factors for o in stored} == {"lighting"}


def test_a_report_the_server_refuses_while_online_is_not_kept(make_context, live_server):  # type: ignore[no-untyped-def]
    """The resident is there to fix it: the form says what is wrong, the outbox stays empty."""
    context = make_context(PHONE)
    context.page_errors.allow("status of 422")  # type: ignore[attr-defined]
    page = open_with_worker(context, live_server)
    page.get_by_role("button", name="Pin at the map's centre").click()
    page.get_by_role("button", name="Send report").click()  # no category chosen
    expect(page.get_by_text("Choose what kind of place this is.").first).to_be_visible()
    expect(page.locator("[data-outbox]")).to_be_hidden()
    assert page.evaluate("SafetyWalkOutbox.all().then(items => items.length)") == 0
