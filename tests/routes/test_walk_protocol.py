"""The protocol of a closed walk in every format, from a walk with real photos, and the
follow-up walk a year later that checks its items and compares the two."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import select

from app.models import Observation, WalkCheck
from tests.factories import CENTRUM, csrf_token, jpeg_bytes, login_as, post_observation, sent_anew
from tests.routes.test_walks import join, move, participant, plan_walk, walk_form

NEAR = (CENTRUM[0] + 0.0004, CENTRUM[1] + 0.0006)


def log(phone: TestClient, walk, **fields):  # type: ignore[no-untyped-def]
    # A photo of its own size per item, so no two are the same file.
    width = 900 + len(fields.get("description", "")) * 10
    answer = post_observation(
        phone,
        walk_code=walk.join_code,
        photos=[("spot.jpg", jpeg_bytes(width, gps=CENTRUM, camera_serial="SN-1"), "image/jpeg")],
        **fields,
    )
    assert sent_anew(answer), answer.text
    return answer


@pytest.fixture
def closed_walk(client, session, app):  # type: ignore[no-untyped-def]
    """A walk with two places to fix (one co-signed) and one to keep, then closed."""
    login_as(client, session, "walk_leader")
    walk = plan_walk(client, session)
    move(client, walk, "start")
    phones = [participant(app) for _ in range(3)]
    for phone in phones:
        join(phone, walk)
    log(phones[0], walk, description="Underpass lamp out", factors="lighting")
    log(
        phones[1],
        walk,
        category="vegetation",
        description="Bushes hide the path",
        unsafe_level="5",
        lat=NEAR[0],
        lon=NEAR[1],
    )
    log(phones[2], walk, category="good-place", description="Well-lit square", unsafe_level=None)
    lamp = session.exec(
        select(Observation).where(Observation.description == "Underpass lamp out")
    ).one()
    phones[2].post(f"/w/{walk.join_code}/cosign/{lamp.id}")
    move(client, walk, "close")
    session.refresh(walk)
    return walk


def test_the_protocol_page_groups_items_with_their_unit_and_status(client, closed_walk):
    page = client.get(f"/walks/{closed_walk.id}/protocol")
    assert page.status_code == 200
    text = page.text
    fix, keep = text.split('id="fix-title"')[1].split('id="keep-title"')
    assert "Underpass lamp out" in fix and "Bushes hide the path" in fix
    assert "Well-lit square" in keep and "Well-lit square" not in fix
    assert "Street lighting" in fix  # the unit the lamp was routed to
    assert "Received" in fix  # its status now
    assert "felt by 2" in fix  # the reporter and one co-signer
    assert "Poor lighting" in text  # why it felt unsafe, counted in the summary
    assert "On average 4.5 of 5" in text
    assert "Boden municipality, Police, Bodens Energi" in text
    assert "<dt>Participants</dt><dd>3</dd>" in text
    assert "/media/thumbs/" in text  # the photos


def test_the_protocol_shows_each_items_status_now(client, session, app, closed_walk):
    lamp = session.exec(
        select(Observation).where(Observation.description == "Underpass lamp out")
    ).one()
    triager = participant(app)
    login_as(triager, session, "triager")
    moved = triager.post(
        f"/triage/{lamp.id}/status",
        data={"to": "triaged", "csrf_token": csrf_token(triager)},
        follow_redirects=False,
    )
    assert moved.status_code in (200, 303)
    page = client.get(f"/walks/{closed_walk.id}/protocol")
    fix = page.text.split('id="fix-title"')[1].split('id="keep-title"')[0]
    assert "Being looked at" in fix


def test_the_protocol_as_pdf_opens_and_lists_the_items(client, closed_walk):
    answer = client.get(f"/walks/{closed_walk.id}/protocol.pdf")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(answer.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    for expected in (
        "Safety walk protocol",
        "Evening walk in Centrum",
        "Underpass lamp out",
        "Bushes hide the path",
        "Well-lit square",
        "Street lighting",
    ):
        assert expected in text, expected
    # The photos are embedded, read from the media store (folder or bucket).
    images = [img for page in reader.pages for img in page.images]
    assert len(images) >= 3


def test_making_a_pdf_leaves_the_photo_pipeline_strict(client, closed_walk):
    """WeasyPrint switches on Pillow's "load truncated images" when imported."""
    assert client.get(f"/walks/{closed_walk.id}/protocol.pdf").status_code == 200
    half = jpeg_bytes(1000)[:4000]
    answer = post_observation(client, photos=[("half.jpg", half, "image/jpeg")])
    assert answer.status_code == 422
    assert "damaged or incomplete" in answer.text


def test_the_protocol_as_csv_has_one_row_per_item(client, closed_walk):
    answer = client.get(f"/walks/{closed_walk.id}/protocol.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text.lstrip("\ufeff"))))
    assert len(rows) == 3
    by_text = {row["Description"]: row for row in rows}
    lamp = by_text["Underpass lamp out"]
    assert lamp["Group code"] == "to_fix" and lamp["Status code"] == "new"
    assert lamp["Responsible"] == "Street lighting" and lamp["Reason codes"] == "lighting"
    assert lamp["Felt by (people)"] == "2" and lamp["Due"]
    assert by_text["Well-lit square"]["Group code"] == "to_keep"
    assert by_text["Well-lit square"]["Priority code"] == ""
    # Nothing personal in the export.
    assert "@" not in answer.text


def test_the_protocol_as_geojson_has_points_area_and_properties(client, closed_walk):
    answer = client.get(f"/walks/{closed_walk.id}/protocol.geojson")
    assert answer.status_code == 200
    geo = answer.json()
    points = [f for f in geo["features"] if "id" in f["properties"]]
    assert len(points) == 3
    lon, lat = points[0]["geometry"]["coordinates"]
    assert abs(lat - CENTRUM[0]) < 0.01 and abs(lon - CENTRUM[1]) < 0.01
    assert {p["properties"]["group"] for p in points} == {"to_fix", "to_keep"}
    assert geo["properties"]["participants"] == 3


def test_a_follow_up_walk_checks_the_earlier_items_and_compares(client, session, closed_walk):
    planned = client.get("/walks/new", params={"follow_up_of": closed_walk.id})
    assert "Follow-up: Evening walk in Centrum" in planned.text
    next_year = (datetime.now(UTC) + timedelta(days=365)).date().isoformat()
    follow_up = plan_walk(
        client,
        session,
        title="Centrum a year later",
        date=next_year,
        follow_up_of=str(closed_walk.id),
    )
    assert follow_up.follow_up_of_id == closed_walk.id
    move(client, follow_up, "start")

    page = client.get(f"/walks/{follow_up.id}/follow-up")
    assert page.status_code == 200
    assert "Underpass lamp out" in page.text and "Bushes hide the path" in page.text
    assert "Well-lit square" not in page.text  # a good place is not checked for a fix
    lamp, bushes = session.exec(
        select(Observation)
        .where(Observation.walk_id == closed_walk.id, Observation.unsafe_level.is_not(None))
        .order_by(Observation.id)
    ).all()[:2]

    token = csrf_token(client)
    checked = client.post(
        f"/walks/{follow_up.id}/checks/{lamp.id}",
        data={"csrf_token": token, "fixed": "yes", "unsafe_level": "2"},
        headers={"HX-Request": "true"},
    )
    assert checked.status_code == 200 and "unsafe now 2 of 5" in checked.text
    client.post(
        f"/walks/{follow_up.id}/checks/{bushes.id}",
        data={"csrf_token": token, "fixed": "no", "unsafe_level": "4", "note": "Still dense"},
    )
    # Checking again replaces the check.
    client.post(
        f"/walks/{follow_up.id}/checks/{bushes.id}",
        data={"csrf_token": token, "fixed": "no", "unsafe_level": "5"},
    )
    assert len(session.exec(select(WalkCheck)).all()) == 2
    bad = client.post(
        f"/walks/{follow_up.id}/checks/{bushes.id}",
        data={"csrf_token": token, "fixed": "maybe", "unsafe_level": "9"},
    )
    assert bad.status_code == 422
    foreign = client.post(
        f"/walks/{follow_up.id}/checks/999999", data={"csrf_token": token, "fixed": "yes"}
    )
    assert foreign.status_code == 404

    phone = participant(client.app)
    join(phone, follow_up)
    post_observation(phone, walk_code=follow_up.join_code, description="New broken bench")
    move(client, follow_up, "close")

    protocol = client.get(f"/walks/{follow_up.id}/protocol").text
    compared = protocol.split('id="compare-title"')[1].split('id="fix-title"')[0]
    assert "1 of 2 items fixed, 1 still open; 2 checked on site." in compared
    # Lamp 4 -> 2, bushes 5 -> 5: from 4.5 to 3.5.
    assert "4.5 then, 3.5 now" in compared and "Safer." in compared
    assert "1 new place to fix on this walk." in compared
    assert "New broken bench" in protocol.split('id="fix-title"')[1]


def test_a_walk_that_is_no_follow_up_has_no_check_page(client, session, closed_walk):
    assert client.get(f"/walks/{closed_walk.id}/follow-up").status_code == 404
    answer = client.post(
        f"/walks/{closed_walk.id}/checks/1", data={"csrf_token": csrf_token(client), "fixed": "yes"}
    )
    assert answer.status_code == 409


def test_no_export_shows_a_reporters_address_or_a_private_items_link(client, session, app):
    login_as(client, session, "walk_leader")
    walk = plan_walk(client, session)
    move(client, walk, "start")
    phone = participant(app)
    join(phone, walk)
    log(phone, walk, description="Lamp", contact_email="anna.resident@example.se")
    log(phone, walk, category="drug-dealing", description="Dealing by the kiosk")
    move(client, walk, "close")
    private = session.exec(
        select(Observation).where(Observation.description == "Dealing by the kiosk")
    ).one()

    csv_text = client.get(f"/walks/{walk.id}/protocol.csv").text
    geo = client.get(f"/walks/{walk.id}/protocol.geojson").json()
    page = client.get(f"/walks/{walk.id}/protocol").text
    pdf = PdfReader(io.BytesIO(client.get(f"/walks/{walk.id}/protocol.pdf").content))
    pdf_text = " ".join(p.extract_text() for p in pdf.pages)
    for name, text in [("csv", csv_text), ("geojson", str(geo)), ("page", page), ("pdf", pdf_text)]:
        assert "anna.resident" not in text, name
    rows = {r["Description"]: r for r in csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))}
    assert rows["Dealing by the kiosk"]["Public link"] == ""
    assert rows["Lamp"]["Public link"].endswith("/reports/" + rows["Lamp"]["Number"])
    props = {f["properties"].get("id"): f["properties"] for f in geo["features"]}
    assert props[private.id]["status_url"] == ""


def test_the_earlier_walk_cannot_change_once_its_items_are_checked(client, session, closed_walk):
    follow_up = plan_walk(client, session, title="Again", follow_up_of=str(closed_walk.id))
    lamp = session.exec(
        select(Observation).where(Observation.description == "Underpass lamp out")
    ).one()
    token = csrf_token(client)
    client.post(
        f"/walks/{follow_up.id}/checks/{lamp.id}", data={"csrf_token": token, "fixed": "yes"}
    )
    refused = client.post(
        f"/walks/{follow_up.id}/edit",
        data={**walk_form(token), "title": "Again", "follow_up_of": ""},
    )
    assert refused.status_code == 409
    assert "already being checked" in refused.text
