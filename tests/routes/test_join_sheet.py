"""A walk's printable join sheet (page and PDF): what it says, a QR code that a scanner reads
as the join link from the public-URL setting, and who may print it."""

from __future__ import annotations

import io

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from app.models import WalkStatus
from tests.conftest import make_settings
from tests.factories import login_as
from tests.routes.test_walks import move, plan_walk

PUBLIC_URL = "https://trygg.boden.example"


@pytest.fixture
def settings(database_url, tmp_path):  # type: ignore[no-untyped-def]
    # A public address unlike the test client's host: the sheet must carry the setting's.
    return make_settings(database_url, tmp_path, public_url=PUBLIC_URL)


@pytest.fixture
def leader(client, session):  # type: ignore[no-untyped-def]
    return login_as(client, session, "walk_leader")


def decode_qr_codes(pdf: bytes) -> list[str]:
    """The PDF's first page drawn at 200 dpi, and every QR code zxing-cpp finds on it."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=200 / 72).to_pil()
    finally:
        document.close()
    return [
        found.text
        for found in zxingcpp.read_barcodes(image)
        if found.format == zxingcpp.BarcodeFormat.QRCode
    ]


def test_the_sheet_page_says_when_where_and_how_to_join(client, session, leader):
    walk = plan_walk(client, session)
    page = client.get(f"/walks/{walk.id}/join-sheet")
    assert page.status_code == 200
    assert "Evening walk in Centrum" in page.text
    assert "The library&#39;s entrance" in page.text
    assert f"data-join-code>{walk.join_code}</strong>" in page.text
    assert f"{PUBLIC_URL}/w/{walk.join_code}" in page.text
    assert f"{PUBLIC_URL}/walks" in page.text
    assert '<svg class="join-sheet-qr"' in page.text
    # The time in the reader's language and the local time zone, as on the walk's page.
    live = client.get(f"/walks/{walk.id}")
    when = live.text.split('class="kicker">')[1].split("· ", 1)[1].split("<")[0].strip()
    assert when.split(",")[0] in page.text  # the weekday and date the walk's page shows
    # The walk's page links to it, for the one who runs the walk.
    assert f'href="/walks/{walk.id}/join-sheet"' in live.text


def test_the_sheet_pdf_is_one_a4_page_with_the_code_and_a_qr_code_of_the_join_link(
    client, session, leader
):
    walk = plan_walk(client, session)
    answer = client.get(f"/walks/{walk.id}/join-sheet.pdf")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(answer.content))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = reader.pages[0].extract_text()
    assert walk.join_code in text
    assert "Evening walk in Centrum" in text and "The library's entrance" in text
    assert decode_qr_codes(answer.content) == [f"{PUBLIC_URL}/w/{walk.join_code}"]


def test_the_sheet_follows_the_readers_language(client, session, leader):
    walk = plan_walk(client, session)
    client.get("/lang/sv?next=/")
    text = PdfReader(io.BytesIO(client.get(f"/walks/{walk.id}/join-sheet.pdf").content))
    assert "Mötesplats" in text.pages[0].extract_text()


def test_only_the_walks_leader_or_an_admin_gets_the_sheet(app, client, session, leader):
    from fastapi.testclient import TestClient

    walk = plan_walk(client, session)
    for path in (f"/walks/{walk.id}/join-sheet", f"/walks/{walk.id}/join-sheet.pdf"):
        other = TestClient(app)
        assert other.get(path, follow_redirects=False).headers["location"].startswith("/login")
        login_as(other, session, "walk_leader")  # a leader, but not of this walk
        assert other.get(path).status_code == 403
        planner = TestClient(app)
        login_as(planner, session, "planner")  # follows walks, does not run them
        assert planner.get(path).status_code == 403
        admin = TestClient(app)
        login_as(admin, session, "admin")
        assert admin.get(path).status_code == 200
    assert client.get("/walks/999999/join-sheet").status_code == 404
    assert client.get("/walks/999999/join-sheet.pdf").status_code == 404
    assert client.get("/walks/0/join-sheet").status_code == 422


def test_a_closed_walk_has_no_sheet_and_its_page_no_link(client, session, leader):
    walk = plan_walk(client, session)
    move(client, walk, "start")
    assert client.get(f"/walks/{walk.id}/join-sheet").status_code == 200  # under way: late comers
    move(client, walk, "close")
    session.expire_all()
    assert walk.status == WalkStatus.closed
    page = client.get(f"/walks/{walk.id}/join-sheet")
    assert page.status_code == 409
    assert "no one can join it any more" in page.text
    assert client.get(f"/walks/{walk.id}/join-sheet.pdf").status_code == 409
    assert "/join-sheet" not in client.get(f"/walks/{walk.id}").text
