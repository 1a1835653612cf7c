"""A planner's area in SQL: a polygon tested on the stored positions gives the same answer as
shapely, with holes and multipolygons, right up to the border."""

from __future__ import annotations

import random

import pytest
from shapely.geometry import MultiPolygon, Point, Polygon
from sqlmodel import Session, col, select

from app.models import Observation, Zone
from app.services import area
from tests.factories import insert_observation

# Around Boden's centre: a square with a square hole, and a triangle beside it.
SQUARE = [(21.680, 65.820), (21.700, 65.820), (21.700, 65.830), (21.680, 65.830), (21.680, 65.820)]
HOLE = [(21.688, 65.824), (21.692, 65.824), (21.692, 65.826), (21.688, 65.826), (21.688, 65.824)]
TRIANGLE = [(21.710, 65.820), (21.730, 65.820), (21.720, 65.835), (21.710, 65.820)]
SHAPE = MultiPolygon([Polygon(SQUARE, [HOLE]), Polygon(TRIANGLE)])


def inside_ids(session: Session, scope: area.Scope) -> set[int]:
    return set(session.exec(select(Observation.id).where(scope.clause())).all())


def test_polygon_clause_agrees_with_shapely_off_the_border(session: Session) -> None:
    rng = random.Random(13)
    expected: set[int] = set()
    for _ in range(400):
        lon, lat = rng.uniform(21.675, 21.735), rng.uniform(65.815, 65.840)
        obs = insert_observation(session, lat=lat, lon=lon, commit=False)
        session.flush()
        if SHAPE.covers(Point(lon, lat)):
            expected.add(obs.id)
    session.commit()
    assert 50 < len(expected) < 350  # the data does test both sides
    assert inside_ids(session, area.of_polygon(SHAPE)) == expected


def test_a_point_a_hair_inside_counts_and_a_hair_outside_does_not(session: Session) -> None:
    # 1e-9 degrees is 0.1 mm: a rounded position would put both on the same side.
    just_in = insert_observation(session, lat=65.8250, lon=21.680 + 1e-9)
    just_out = insert_observation(session, lat=65.8250, lon=21.680 - 1e-9)
    in_hole = insert_observation(session, lat=65.8250, lon=21.688 + 1e-9)
    beside_hole = insert_observation(session, lat=65.8250, lon=21.688 - 1e-9)
    found = inside_ids(session, area.of_polygon(SHAPE))
    assert just_in.id in found and beside_hole.id in found
    assert just_out.id not in found and in_hole.id not in found


def test_a_corner_shared_by_two_edges_is_counted_once(session: Session) -> None:
    # A point due west of the triangle's apex: the ray passes through the corner, which the
    # half-open rule counts once (so: outside), and one due west of a vertex of the square.
    west_of_apex = insert_observation(session, lat=65.835, lon=21.705)
    assert west_of_apex.id not in inside_ids(session, area.of_polygon(SHAPE))


def test_a_zone_scope_is_the_zones_observations(session: Session) -> None:
    centrum = session.exec(select(Zone).where(Zone.slug == "centrum")).one()
    inside = insert_observation(session, lat=65.8253, lon=21.6880)
    outside = insert_observation(session, lat=65.60, lon=21.20)
    found = inside_ids(session, area.of_zone(centrum))
    assert inside.id in found and outside.id not in found
    assert found == set(
        session.exec(select(Observation.id).where(col(Observation.zone_id) == centrum.id))
    )


def test_a_report_in_a_part_of_town_counts_in_its_district_too(session: Session) -> None:
    from shapely.geometry import box, mapping

    from app.models import ZoneKind
    from app.services import zones

    centrum = session.exec(select(Zone).where(Zone.slug == "centrum")).one()
    part = zones.upsert(
        session=session,
        slug="centrum-torget",
        name="Torget",
        geometry=dict(mapping(box(21.687, 65.825, 21.689, 65.826))),
        kind=ZoneKind.part_of_town,
        parent_id=centrum.id,
    )
    session.commit()
    on_the_square = insert_observation(session, lat=65.8255, lon=21.688)
    elsewhere = insert_observation(session, lat=65.8230, lon=21.690)
    assert on_the_square.zone_id == part.id  # its own zone is the innermost one
    assert inside_ids(session, area.of_zone(part)) == {on_the_square.id}
    in_centrum = inside_ids(session, area.of_zone(centrum))
    assert {on_the_square.id, elsewhere.id} <= in_centrum


def test_an_area_with_too_many_edges_or_no_surface_is_refused() -> None:
    many = Point(21.7, 65.8).buffer(0.01, quad_segs=area.MAX_EDGES)
    with pytest.raises(ValueError):
        area.of_polygon(many)
    with pytest.raises(ValueError):
        area.of_polygon(Point(21.7, 65.8))  # type: ignore[arg-type]


def test_a_big_outline_stays_within_sqlite_expression_depth(session: Session) -> None:
    outline = Point(21.69, 65.825).buffer(0.02, quad_segs=400)  # 1,600 edges
    inside = insert_observation(session, lat=65.825, lon=21.69)
    assert inside.id in inside_ids(session, area.of_polygon(outline))


def test_a_kept_area_has_one_key_per_outline_and_unknown_keys_find_none(session: Session) -> None:
    outline = Polygon(SQUARE)
    key = area.save(session=session, geometry=outline, name="Detaljplan Kv. Svalan")
    assert area.save(session=session, geometry=Polygon(SQUARE)) == key
    found = area.by_key(session=session, key=key)
    assert found is not None and found.area_key == key and found.geometry.equals(outline)
    assert area.by_key(session=session, key="0" * 16) is None
    assert area.by_key(session=session, key="not-a-key") is None
