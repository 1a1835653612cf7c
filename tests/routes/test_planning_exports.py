"""A planner downloads a view's CSV and GeoJSON: the files as a person gets them (headers,
names, rows read back), the view's filters, unknown places and bad filters, roles, and no
personal data in either file."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from shapely.geometry import box, shape
from sqlmodel import Session

from app.models import Status
from app.services import area, csvfile, lifecycle
from tests.factories import insert_observation, login_as, make_staff

CENTRUM = (65.8253, 21.6880)
ZONE = "/planning/zones/centrum"


def read_csv(answer) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    text = answer.text.removeprefix(csvfile.BOM)
    return list(csv.DictReader(io.StringIO(text, newline="")))


def read_geojson(answer) -> dict:  # type: ignore[no-untyped-def,type-arg]
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/geo+json")
    collection = json.loads(answer.text)
    assert collection["type"] == "FeatureCollection"
    for feature in collection["features"]:
        point = shape(feature["geometry"])
        assert point.geom_type == "Point" and point.is_valid
    return collection


@pytest.fixture
def planner(client: TestClient, session: Session):  # type: ignore[no-untyped-def]
    return login_as(client, session, "planner")


def test_a_planner_downloads_a_zones_csv_and_geojson(
    client: TestClient, session: Session, planner, stopped_clock: datetime
) -> None:
    dark = insert_observation(
        session, lat=CENTRUM[0], lon=CENTRUM[1], dark=True, description="=1+1"
    )
    light = insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1] + 0.0002)
    insert_observation(session, lat=65.60, lon=21.20)  # in no district

    answer = client.get(f"{ZONE}/export.csv")
    assert answer.headers["content-disposition"] == (
        'attachment; filename="safetywalk-centrum-2026-12-01.csv"'
    )
    rows = read_csv(answer)
    assert [r["id"] for r in rows] == [str(dark.id), str(light.id)]
    assert rows[0]["description"] == "'=1+1"  # a formula stays text
    assert rows[0]["zones"] == "Centrum"

    answer = client.get(f"{ZONE}/export.geojson")
    assert answer.headers["content-disposition"] == (
        'attachment; filename="safetywalk-centrum-2026-12-01.geojson"'
    )
    features = read_geojson(answer)["features"]
    assert [(f["id"], f["geometry"]["coordinates"]) for f in features] == [
        (dark.id, [CENTRUM[1], CENTRUM[0]]),
        (light.id, [CENTRUM[1] + 0.0002, CENTRUM[0]]),
    ]


def test_the_view_filters_narrow_both_files(client: TestClient, session: Session, planner) -> None:
    dark = insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1], dark=True)
    insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1], dark=False)
    rows = read_csv(client.get(f"{ZONE}/export.csv?dark=dark"))
    assert [r["id"] for r in rows] == [str(dark.id)]
    features = read_geojson(client.get(f"{ZONE}/export.geojson?dark=dark"))["features"]
    assert [f["id"] for f in features] == [dark.id]


def test_a_kept_area_exports_what_lies_inside(
    client: TestClient, session: Session, planner, stopped_clock: datetime
) -> None:
    lat, lon = CENTRUM
    inside = insert_observation(session, lat=lat, lon=lon)
    insert_observation(session, lat=lat + 0.0011, lon=lon)  # just north of the outline
    key = area.save(
        session=session, geometry=box(lon - 0.001, lat - 0.001, lon + 0.001, lat + 0.001)
    )

    answer = client.get(f"/planning/area/{key}/export.csv")
    assert (
        f'filename="safetywalk-area-{key}-2026-12-01.csv"' in answer.headers["content-disposition"]
    )
    assert [r["id"] for r in read_csv(answer)] == [str(inside.id)]
    features = read_geojson(client.get(f"/planning/area/{key}/export.geojson"))["features"]
    assert [f["id"] for f in features] == [inside.id]


def test_the_category_name_follows_the_readers_language(
    client: TestClient, session: Session, planner
) -> None:
    insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1])
    rows = read_csv(client.get(f"{ZONE}/export.csv", headers={"Accept-Language": "sv"}))
    assert rows[0]["category_name"] == "Mörk plats / trasig belysning"


def test_neither_file_carries_personal_data_or_a_private_report(
    client: TestClient, session: Session, planner
) -> None:
    triager = make_staff(session, "triager")
    shown = insert_observation(
        session,
        lat=CENTRUM[0],
        lon=CENTRUM[1],
        contact_email="someone.private@example.org",
        description="Broken lamp",
    )
    lifecycle.transition(
        session=session,
        obs=shown,
        to=Status.triaged,
        actor=lifecycle.Actor.staff(triager),
        internal_note="INTERNAL-NOTE-SECRET",
    )
    private = insert_observation(
        session, lat=CENTRUM[0], lon=CENTRUM[1], category="drug-dealing", description="PRIVATE-X"
    )
    for ext in ("csv", "geojson"):
        answer = client.get(f"{ZONE}/export.{ext}")
        assert answer.status_code == 200 and "Broken lamp" in answer.text
        for secret in (
            "someone.private@example.org",
            "INTERNAL-NOTE-SECRET",
            shown.token,
            private.token,
            "PRIVATE-X",
            "drug-dealing",
        ):
            assert secret not in answer.text, (ext, secret)


@pytest.mark.parametrize("ext", ["csv", "geojson"])
def test_unknown_zone_or_area_is_404(client: TestClient, planner, ext: str) -> None:
    assert client.get(f"/planning/zones/nowhere/export.{ext}").status_code == 404
    assert client.get(f"/planning/area/{'0' * 16}/export.{ext}").status_code == 404
    assert client.get(f"/planning/area/not-a-key/export.{ext}").status_code == 404


@pytest.mark.parametrize(
    "query",
    ["from=2026-13-01", "to=yesterday", "from=%00", "category=%00", "dark=%00dark", "status=gone"],
)
@pytest.mark.parametrize("ext", ["csv", "geojson"])
def test_a_bad_filter_is_422(client: TestClient, planner, query: str, ext: str) -> None:
    answer = client.get(f"{ZONE}/export.{ext}?{query}")
    assert answer.status_code == 422, answer.text


@pytest.mark.parametrize("role", ["planner", "triager", "walk_leader", "admin"])
def test_staff_who_plan_may_download(client: TestClient, session: Session, role: str) -> None:
    login_as(client, session, role)
    assert client.get(f"{ZONE}/export.csv").status_code == 200
    assert client.get(f"{ZONE}/export.geojson").status_code == 200


def test_a_unit_worker_may_not(client: TestClient, session: Session) -> None:
    login_as(client, session, "unit_worker", unit="street-lighting")
    assert client.get(f"{ZONE}/export.csv").status_code == 403
    assert client.get(f"{ZONE}/export.geojson").status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client: TestClient) -> None:
    answer = client.get(f"{ZONE}/export.csv?dark=dark", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=")
    assert "export.csv" in answer.headers["location"]


def test_the_whole_file_arrives_over_several_chunks(
    client: TestClient, session: Session, planner
) -> None:
    many = [
        insert_observation(
            session,
            lat=CENTRUM[0],
            lon=CENTRUM[1] + i * 1e-6,
            description="x" * 1500,  # about 90 kB of CSV: more than one streamed chunk
            commit=False,
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
        for i in range(60)
    ]
    session.commit()
    rows = read_csv(client.get(f"{ZONE}/export.csv"))
    assert [int(r["id"]) for r in rows] == sorted(o.id for o in many)
    assert len(read_geojson(client.get(f"{ZONE}/export.geojson"))["features"]) == 60
