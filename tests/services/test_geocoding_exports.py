"""The street address where people read reports outside the queue: a walk's protocol (page,
PDF, CSV, GeoJSON) and a planner's exports, after a geocoding pass against the local server."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlmodel import Session

from app.config import Settings
from app.services import csvfile, geocoding
from tests import geocoder
from tests.conftest import make_settings
from tests.factories import insert_observation, login_as
from tests.routes.test_walk_protocol import NEAR, closed_walk  # noqa: F401 (a fixture)

CENTRUM = (65.8253, 21.6880)


def nominatim_answer(lat: float, lon: float) -> dict[str, Any]:
    """Storgatan 12 at the centre, Kyrkgatan 3 anywhere else."""
    if geocoding.cache_key(lat, lon) == geocoding.cache_key(*CENTRUM):
        return geocoder.STORGATAN
    address = {**geocoder.STORGATAN["address"], "road": "Kyrkgatan", "house_number": "3"}
    return {**geocoder.STORGATAN, "address": address, "display_name": "3, Kyrkgatan, Boden"}


@pytest.fixture
def nominatim() -> Iterator[geocoder.Nominatim]:
    with geocoder.serve() as server:
        server.answer = nominatim_answer
        yield server


@pytest.fixture
def settings(database_url: str, tmp_path: Path, nominatim: geocoder.Nominatim) -> Settings:
    return make_settings(
        database_url,
        tmp_path,
        geocoder_url=nominatim.url,
        geocoder_min_interval_seconds=0,
        geocoder_interval_seconds=0,
    )


@pytest.fixture
def geocoded_walk(closed_walk, session, settings):  # type: ignore[no-untyped-def]  # noqa: F811
    result = geocoding.run_once(session=session, settings=settings)
    assert result.found == 3
    return closed_walk


def test_the_protocol_page_and_pdf_show_each_items_address(client, geocoded_walk):
    page = client.get(f"/walks/{geocoded_walk.id}/protocol").text
    fix = page.split('id="fix-title"')[1].split('id="keep-title"')[0]
    assert "<dt>Address</dt><dd>Storgatan 12, Boden<br>" in fix  # the lamp
    assert "<dt>Address</dt><dd>Kyrkgatan 3, Boden<br>" in fix  # the bushes, NEAR

    pdf = client.get(f"/walks/{geocoded_walk.id}/protocol.pdf")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Storgatan 12, Boden" in text and "Kyrkgatan 3, Boden" in text


def test_the_protocol_csv_and_geojson_have_an_address_column(client, geocoded_walk):
    answer = client.get(f"/walks/{geocoded_walk.id}/protocol.csv")
    rows = list(csv.DictReader(io.StringIO(answer.text.lstrip("\ufeff"))))
    by_text = {row["Description"]: row["Address"] for row in rows}
    assert by_text == {
        "Underpass lamp out": "Storgatan 12, Boden",
        "Bushes hide the path": "Kyrkgatan 3, Boden",
        "Well-lit square": "Storgatan 12, Boden",
    }
    geo = client.get(f"/walks/{geocoded_walk.id}/protocol.geojson").json()
    points = [f["properties"] for f in geo["features"] if "id" in f["properties"]]
    assert sorted(p["address"] for p in points) == [
        "Kyrkgatan 3, Boden",
        "Storgatan 12, Boden",
        "Storgatan 12, Boden",
    ]


def test_a_protocol_without_addresses_shows_none(client, closed_walk):  # noqa: F811
    page = client.get(f"/walks/{closed_walk.id}/protocol").text
    assert "<dt>Address</dt>" not in page
    text = client.get(f"/walks/{closed_walk.id}/protocol.csv").text.removeprefix(csvfile.BOM)
    assert {row["Address"] for row in csv.DictReader(io.StringIO(text))} == {""}


def test_the_planning_exports_carry_the_address(client, session: Session, settings):
    login_as(client, session, "planner")
    centre = insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1])
    near = insert_observation(session, lat=NEAR[0], lon=NEAR[1])
    south = insert_observation(session, lat=CENTRUM[0] - 0.0003, lon=CENTRUM[1])
    geocoding.run_once(session=session, settings=settings, limit=2)  # the newest two

    answer = client.get("/planning/zones/centrum/export.csv")
    rows = csv.DictReader(io.StringIO(answer.text.removeprefix(csvfile.BOM), newline=""))
    assert {row["id"]: row["address"] for row in rows} == {
        str(centre.id): "",  # not geocoded yet
        str(near.id): "Kyrkgatan 3, Boden",
        str(south.id): "Kyrkgatan 3, Boden",
    }
    geo = json.loads(client.get("/planning/zones/centrum/export.geojson").text)
    assert {f["id"]: f["properties"]["address"] for f in geo["features"]} == {
        centre.id: "",
        near.id: "Kyrkgatan 3, Boden",
        south.id: "Kyrkgatan 3, Boden",
    }
