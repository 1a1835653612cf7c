"""The protocol's places and links through the routes: each item's address or district on the
page, its heading linked to its public page (absolute and clickable in the PDF) unless its
category is private, and the CSV in the language the reader's browser asks for."""

from __future__ import annotations

import csv
import io

import pytest
from pypdf import PdfReader

from app.services import csvfile
from tests.factories import login_as
from tests.services.test_walk_protocol_places import FORMULA, walk_with_places


@pytest.fixture
def places(client, session):  # type: ignore[no-untyped-def]
    login_as(client, session, "walk_leader")
    return walk_with_places(session)


def item_html(page: str, obs_id: int) -> str:
    return page.split(f'id="item-{obs_id}"')[1].split("</li>")[0]


def test_each_item_says_where_it_is_and_links_to_its_public_page(client, places):
    page = client.get(f"/walks/{places.walk.id}/protocol")
    assert page.status_code == 200
    lamp = item_html(page.text, places.lamp.id)
    assert f'<a href="/reports/{places.lamp.id}">1. ' in lamp
    assert "<dt>Address</dt><dd>Storgatan 12, Boden<br>" in lamp
    assert '<small class="coords">65.82530, 21.68800</small>' in lamp  # still there, smaller

    hedge = item_html(page.text, places.hedge.id)
    assert f'<a href="/reports/{places.hedge.id}">2. ' in hedge
    assert "<dt>District</dt><dd>" in hedge and "<dt>Address</dt>" not in hedge
    assert '<small class="coords">65.82570, 21.68860</small>' in hedge

    secret = item_html(page.text, places.secret.id)
    assert "/reports/" not in secret  # a private category has no public page to link to
    assert "A private category: it has no public page." in secret
    assert "<dt>Position</dt>" in secret  # outside every district: the coordinates alone

    square = item_html(page.text, places.square.id)
    assert f'<a href="/reports/{places.square.id}">4. ' in square


def test_the_public_page_a_heading_links_to_opens_and_the_private_one_does_not(client, places):
    assert client.get(f"/reports/{places.lamp.id}").status_code == 200
    assert client.get(f"/reports/{places.secret.id}").status_code == 404


def test_the_pdfs_links_are_absolute_and_leave_the_private_item_out(client, settings, places):
    answer = client.get(f"/walks/{places.walk.id}/protocol.pdf")
    assert answer.status_code == 200
    reader = PdfReader(io.BytesIO(answer.content))
    uris = [
        annot.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annot in page.get("/Annots") or []
        if "/A" in annot.get_object() and "/URI" in annot.get_object()["/A"]
    ]
    base = settings.public_url.rstrip("/")
    for obs in (places.lamp, places.hedge, places.square):
        assert f"{base}/reports/{obs.id}" in uris
    assert not any(uri.endswith(f"/reports/{places.secret.id}") for uri in uris)
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "Storgatan 12, Boden" in text


def read_csv(client, walk_id: int, lang: str) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    answer = client.get(f"/walks/{walk_id}/protocol.csv", headers={"Accept-Language": lang})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    text = answer.content.decode("utf-8")
    assert text.startswith(csvfile.BOM)
    return list(csv.DictReader(io.StringIO(text.removeprefix(csvfile.BOM), newline="")))


def test_the_csv_speaks_the_readers_language(client, places):
    sv = read_csv(client, places.walk.id, "sv")
    en = read_csv(client, places.walk.id, "en")
    assert sv[0]["Status"] == "Överlämnad till en annan ansvarig"
    assert sv[0]["Statuskod"] == en[0]["Status code"] == "not_ours"
    assert sv[0]["Grupp"] == "Att åtgärda" and en[0]["Group"] == "To fix"
    assert sv[0]["I mörker"] == "ja" and en[0]["In the dark"] == "yes"
    assert sv[0]["Kategori"] != en[0]["Category"]  # the category's name in each language
    assert sv[0]["Kategorikod"] == en[0]["Category code"] == "dark-spot"
    # A formula typed as a description is text in either language.
    assert sv[1]["Beskrivning"] == en[1]["Description"] == "'" + FORMULA
    assert "Description" not in sv[0] and "Beskrivning" not in en[0]
