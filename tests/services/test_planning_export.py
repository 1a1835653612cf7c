"""A view's exports read back: the CSV parsed with the csv module, the GeoJSON with json and
shapely, every column checked against reports made and moved through their life cycle here."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from pyproj import Transformer
from shapely.geometry import Point, box, shape
from sqlmodel import Session, select

from app import clock
from app.models import Status, Walk, Zone
from app.services import area, csvfile, lifecycle, planning_export, walks
from app.services.planning_filters import Filters
from app.services.walk_form import WalkFields
from tests.factories import insert_observation, make_staff

CENTRUM = (65.8253, 21.6880)
ELSEWHERE = (65.60, 21.20)  # in no demo district
T0 = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def read_csv(text: str) -> list[dict[str, str]]:
    assert text.startswith(csvfile.BOM)  # Excel then reads UTF-8
    reader = csv.DictReader(io.StringIO(text.removeprefix(csvfile.BOM), newline=""))
    assert tuple(reader.fieldnames or ()) == planning_export.COLUMNS
    return list(reader)


def export_csv(session: Session, scope: area.Scope, filters: Filters | None = None, lang="en"):  # type: ignore[no-untyped-def]
    text = "".join(
        planning_export.csv_chunks(
            session=session, scope=scope, filters=filters or Filters(), lang=lang
        )
    )
    return read_csv(text)


def export_geojson(session: Session, scope: area.Scope, filters: Filters | None = None):  # type: ignore[no-untyped-def]
    text = "".join(
        planning_export.geojson_chunks(
            session=session, scope=scope, filters=filters or Filters(), lang="en"
        )
    )
    return json.loads(text)


def centrum(session: Session) -> area.Scope:
    zone = session.exec(select(Zone).where(Zone.slug == "centrum")).one()
    return area.of_zone(zone)


def move(session: Session, obs, to: Status, when: datetime, actor, **more) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(when):
        lifecycle.transition(
            session=session, obs=obs, to=to, actor=lifecycle.Actor.staff(actor), **more
        )


def a_walk(session: Session, title: str = "Kvällsvandring i Centrum") -> Walk:
    leader = make_staff(session, "walk_leader")
    fields = WalkFields(
        title=title,
        description="",
        zone_id=None,
        area=None,
        route=None,
        meeting_point="",
        meeting_lat=None,
        meeting_lon=None,
        starts_at=at(0),
        organisations="",
        follow_up_of_id=None,
    )
    return walks.create(session=session, fields=fields, leader=leader)


@pytest.fixture
def triager(session: Session):  # type: ignore[no-untyped-def]
    return make_staff(session, "triager")


@pytest.fixture
def lived(session: Session, triager):  # type: ignore[no-untyped-def]
    """A report that went through a life: triaged, worked on, fixed, reopened, fixed again;
    a good place on a walk; an untouched report; one elsewhere."""
    walk = a_walk(session)
    fixed_twice = insert_observation(
        session,
        lat=CENTRUM[0],
        lon=CENTRUM[1],
        created_at=at(0),
        observed_at=at(-0.5),
        description="The lamp by the underpass is out.",
        unsafe_level=4,
        dark=True,
        supporters=2,
    )
    move(session, fixed_twice, Status.triaged, at(1), triager)
    move(session, fixed_twice, Status.in_progress, at(2), triager)
    move(session, fixed_twice, Status.fixed, at(5), triager)
    move(session, fixed_twice, Status.reopened, at(9), triager)
    move(session, fixed_twice, Status.triaged, at(10), triager)
    move(session, fixed_twice, Status.fixed, at(12), triager)
    good = insert_observation(
        session,
        lat=CENTRUM[0] + 0.0004,
        lon=CENTRUM[1] - 0.0007,
        category="good-place",
        created_at=at(3),
        description="Well-lit square, keep it.",
        walk_id=walk.id,
    )
    untouched = insert_observation(
        session, lat=CENTRUM[0] - 0.0003, lon=CENTRUM[1], created_at=at(4)
    )
    insert_observation(session, lat=ELSEWHERE[0], lon=ELSEWHERE[1], created_at=at(4))
    return {"fixed_twice": fixed_twice, "good": good, "untouched": untouched, "walk": walk}


def test_every_column_of_a_report_that_lived(session: Session, lived) -> None:
    rows = export_csv(session, centrum(session))

    obs, good, untouched = lived["fixed_twice"], lived["good"], lived["untouched"]
    assert [r["id"] for r in rows] == [str(obs.id), str(good.id), str(untouched.id)]
    first = rows[0]
    e, n = Transformer.from_crs(4326, 3006, always_xy=True).transform(CENTRUM[1], CENTRUM[0])
    assert abs(float(first["sweref99tm_e"]) - e) < 0.01
    assert abs(float(first["sweref99tm_n"]) - n) < 0.01
    assert (float(first["lat"]), float(first["lon"])) == CENTRUM  # as stored, not rounded
    assert {k: v for k, v in first.items() if k not in ("sweref99tm_e", "sweref99tm_n")} == {
        "id": str(obs.id),
        "category": "dark-spot",
        "category_name": "Dark spot / broken light",
        "kind": "problem",
        "status": "fixed",
        "reported_at": "2025-03-10T09:00:00+00:00",
        "observed_at": "2025-03-09T21:00:00+00:00",
        # The first time it reached each status: the second fix does not move the first.
        "first_triaged_at": "2025-03-11T09:00:00+00:00",
        "first_scheduled_at": "",
        "first_in_progress_at": "2025-03-12T09:00:00+00:00",
        "first_fixed_at": "2025-03-15T09:00:00+00:00",
        "first_verified_at": "",
        "first_reopened_at": "2025-03-19T09:00:00+00:00",
        "first_duplicate_at": "",
        "first_not_ours_at": "",
        "first_wont_fix_at": "",
        "zones": "Centrum",
        "address": "",  # none found (yet): the geocoder is off here
        "lat": "65.8253",
        "lon": "21.688",
        "unsafe_level": "4",
        "dark": "yes",
        "walk_id": "",
        "walk_title": "",
        "description": "The lamp by the underpass is out.",
        "supporters": "2",
    }
    second = rows[1]
    assert (second["category"], second["kind"], second["status"]) == ("good-place", "good", "new")
    assert (second["walk_id"], second["walk_title"]) == (
        str(lived["walk"].id),
        "Kvällsvandring i Centrum",
    )
    assert (second["dark"], second["unsafe_level"], second["description"]) == (
        "no",
        "",
        "Well-lit square, keep it.",
    )
    assert all(second[f"first_{s.value}_at"] == "" for s in planning_export.DATED)
    assert rows[2]["reported_at"] == "2025-03-14T09:00:00+00:00"


def test_the_category_is_named_in_the_readers_language(session: Session, lived) -> None:
    rows = export_csv(session, centrum(session), lang="sv")
    assert rows[0]["category_name"] == "Mörk plats / trasig belysning"
    assert rows[0]["category"] == "dark-spot"  # the slug stays for sorting and joining


def test_the_boden_check_point_in_sweref_99_tm(session: Session) -> None:
    insert_observation(session, lat=65.8253, lon=21.6889)
    (row,) = export_csv(session, centrum(session))
    assert abs(float(row["sweref99tm_e"]) - 805199.44) < 0.01
    assert abs(float(row["sweref99tm_n"]) - 7316715.06) < 0.01


def test_a_description_that_is_a_formula_stays_text(session: Session) -> None:
    insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1], description="=1+1")
    insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1], description="-2+3 @SUM(A1)")
    rows = export_csv(session, centrum(session))
    assert [r["description"] for r in rows] == ["'=1+1", "'-2+3 @SUM(A1)"]
    assert [csvfile.read_cell(r["description"]) for r in rows] == ["=1+1", "-2+3 @SUM(A1)"]


def test_rows_come_in_id_order_across_batches(
    session: Session, triager, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = []
    for i in range(7):
        # Created out of order: the export's order is the id's, not the date's.
        obs = insert_observation(
            session, lat=CENTRUM[0], lon=CENTRUM[1] + i * 0.0001, created_at=at(10 - i)
        )
        move(session, obs, Status.triaged, at(20 + i), triager)
        made.append(obs)
    whole = export_csv(session, centrum(session))
    monkeypatch.setattr(planning_export, "BATCH", 2)  # four batches of a cursor
    batched = export_csv(session, centrum(session))
    assert batched == whole
    assert [r["id"] for r in whole] == [str(o.id) for o in sorted(made, key=lambda o: o.id)]
    assert [r["first_triaged_at"][:10] for r in whole] == [
        (at(20 + i)).date().isoformat() for i in range(7)
    ]
    assert {r["zones"] for r in whole} == {"Centrum"}


FILTERED = {
    # filter -> the reports (by name below) it keeps
    "from": ({"from": "2025-06-01"}, {"june_dark_walk", "july_fixed"}),
    "to": ({"to": "2025-05-31"}, {"may_good"}),
    "category": ({"category": "good-place"}, {"may_good"}),
    "status": ({"status": "fixed"}, {"july_fixed"}),
    "status group": ({"status": "open"}, {"may_good", "june_dark_walk"}),
    "dark": ({"dark": "dark"}, {"june_dark_walk"}),
    "source": ({"source": "walk"}, {"june_dark_walk"}),
}


@pytest.mark.parametrize("name", sorted(FILTERED))
def test_each_filter_narrows_the_rows(session: Session, triager, name: str) -> None:
    walk = a_walk(session)
    made = {
        "may_good": insert_observation(
            session, lat=CENTRUM[0], lon=CENTRUM[1], category="good-place", created_at=at(60)
        ),
        "june_dark_walk": insert_observation(
            session, lat=CENTRUM[0], lon=CENTRUM[1], created_at=at(90), dark=True, walk_id=walk.id
        ),
        "july_fixed": insert_observation(
            session, lat=CENTRUM[0], lon=CENTRUM[1], created_at=at(120)
        ),
    }
    move(session, made["july_fixed"], Status.triaged, at(121), triager)
    move(session, made["july_fixed"], Status.fixed, at(122), triager)
    params, kept = FILTERED[name]
    rows = export_csv(session, centrum(session), Filters.parse(params))
    assert {r["id"] for r in rows} == {str(made[k].id) for k in kept}
    features = export_geojson(session, centrum(session), Filters.parse(params))["features"]
    assert {f["id"] for f in features} == {made[k].id for k in kept}


def test_the_geojson_is_points_at_the_stored_positions(session: Session, lived) -> None:
    collection = export_geojson(session, centrum(session))
    assert collection["type"] == "FeatureCollection"
    assert collection["name"] == "Centrum"
    assert "crs" not in collection  # RFC 7946: WGS 84 always
    features = collection["features"]
    by_id = {f["id"]: f for f in features}
    assert len(by_id) == 3
    for obs in (lived["fixed_twice"], lived["good"], lived["untouched"]):
        session.refresh(obs)
        point = shape(by_id[obs.id]["geometry"])
        assert point.geom_type == "Point" and point.is_valid
        assert (point.x, point.y) == (obs.lon, obs.lat)
    props = by_id[lived["fixed_twice"].id]["properties"]
    assert set(props) == set(planning_export.PROPERTIES)
    assert props["dark"] is True and props["unsafe_level"] == 4
    assert props["first_fixed_at"] == "2025-03-15T09:00:00+00:00"
    assert props["first_scheduled_at"] is None
    assert props["zones"] == "Centrum"
    assert by_id[lived["good"].id]["properties"]["walk_title"] == "Kvällsvandring i Centrum"


def test_an_area_exports_only_what_lies_inside(session: Session) -> None:
    lat, lon = CENTRUM
    inside = insert_observation(session, lat=lat, lon=lon)
    just_outside = insert_observation(session, lat=lat, lon=lon + 0.00102)
    far = insert_observation(session, lat=ELSEWHERE[0], lon=ELSEWHERE[1])
    drawn = area.of_polygon(box(lon - 0.001, lat - 0.001, lon + 0.001, lat + 0.001))
    rows = export_csv(session, drawn)
    assert [r["id"] for r in rows] == [str(inside.id)]
    features = export_geojson(session, drawn)["features"]
    assert [f["id"] for f in features] == [inside.id]
    assert drawn.geometry.covers(Point(features[0]["geometry"]["coordinates"]))
    assert just_outside.id != inside.id and far.id != inside.id


def test_no_personal_data_and_no_private_report(session: Session, triager) -> None:
    worker = make_staff(session, "unit_worker", unit="street-lighting")
    worker.name = "Assigned Person Name"
    session.add(worker)
    session.commit()
    shown = insert_observation(
        session,
        lat=CENTRUM[0],
        lon=CENTRUM[1],
        contact_email="resident.private@example.org",
        description="Broken lamp",
    )
    move(session, shown, Status.triaged, at(1), triager, internal_note="INTERNAL-NOTE-SECRET")
    from app.services import assignment

    shown.unit_id = worker.unit_id
    session.add(shown)
    session.commit()
    assignment.assign(session=session, obs=shown, assignee=worker, actor=triager)
    private = insert_observation(
        session,
        lat=CENTRUM[0],
        lon=CENTRUM[1],
        category="drug-dealing",
        description="PRIVATE-REPORT-TEXT",
    )
    scope = centrum(session)
    csv_text = "".join(
        planning_export.csv_chunks(session=session, scope=scope, filters=Filters(), lang="en")
    )
    geo_text = "".join(
        planning_export.geojson_chunks(session=session, scope=scope, filters=Filters(), lang="en")
    )
    for text in (csv_text, geo_text):
        assert "Broken lamp" in text  # the export is not empty
        for secret in (
            "resident.private@example.org",
            "INTERNAL-NOTE-SECRET",
            shown.token,
            private.token,
            "PRIVATE-REPORT-TEXT",
            "drug-dealing",
            "Assigned Person Name",
        ):
            assert secret not in text
    assert [r["id"] for r in read_csv(csv_text)] == [str(shown.id)]
    assert [f["id"] for f in json.loads(geo_text)["features"]] == [shown.id]


def test_an_empty_view_is_a_header_and_an_empty_collection(session: Session) -> None:
    assert export_csv(session, centrum(session)) == []
    assert export_geojson(session, centrum(session))["features"] == []


def test_file_names_say_the_place_and_the_local_date(session: Session) -> None:
    with clock.frozen(datetime(2026, 12, 1, 23, 30, tzinfo=UTC)):  # 00:30 on 2 Dec in Boden
        assert planning_export.file_name(centrum(session), "csv") == (
            "safetywalk-centrum-2026-12-02.csv"
        )
        key = area.save(session=session, geometry=box(21.68, 65.82, 21.69, 65.83))
        kept = area.by_key(session=session, key=key)
        assert kept is not None
        assert planning_export.file_name(kept, "geojson") == (
            f"safetywalk-area-{key}-2026-12-02.geojson"
        )


def test_a_report_names_every_zone_that_contains_it(session: Session) -> None:
    from app.models import ZoneKind
    from app.services import zones

    lat, lon = CENTRUM
    district = session.exec(select(Zone).where(Zone.slug == "centrum")).one()
    square = box(lon - 0.002, lat - 0.001, lon + 0.002, lat + 0.001)
    zones.upsert(
        session=session,
        slug="stationsomradet",
        name="Stationsområdet",
        geometry=dict(square.__geo_interface__),
        kind=ZoneKind.part_of_town,
        parent_id=district.id,
    )
    session.commit()
    inner = insert_observation(session, lat=lat, lon=lon)
    outer = insert_observation(session, lat=lat + 0.004, lon=lon)  # Centrum only
    rows = {r["id"]: r["zones"] for r in export_csv(session, centrum(session))}
    assert rows == {str(inner.id): "Centrum; Stationsområdet", str(outer.id): "Centrum"}
