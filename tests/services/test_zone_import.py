"""Importing zones: good files create and update zones, every bad file names the feature and
the reason and writes nothing, SWEREF 99 TM and WGS 84 give the same zone, shapefiles too."""

from __future__ import annotations

import json

import pytest
from pyproj import Geod, Transformer
from shapely.geometry import shape
from sqlmodel import Session, func, select

from app.models import Zone, ZoneKind, ZonePlacement
from app.services import zone_import, zone_placement, zones
from tests.zonedata import (
    EAST,
    SWEREF,
    WEST,
    add_observations,
    box,
    collection,
    feature,
    polygon,
    ring,
    shapefile_zip,
    to_sweref,
    zone_links,
)

TO_SWEREF = Transformer.from_crs(4326, 3006, always_xy=True)


def zone(session: Session, slug: str) -> Zone:
    session.expire_all()
    return session.exec(select(Zone).where(Zone.slug == slug)).one()


def zone_count(session: Session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(Zone)).one()


def imported(session: Session, data: bytes, **kw) -> zone_import.Report:  # type: ignore[no-untyped-def]
    report = zone_import.run(session=session, data=data, dry_run=kw.pop("dry_run", False), **kw)
    assert report.ok, [str(p) for p in report.problems]
    return report


def test_a_file_creates_zones_with_kind_parent_and_area_in_square_metres(session):
    data = collection(
        feature(box(WEST), "west", "Väst", kind="district"),
        feature(box((21.605, 65.772, 21.610, 65.775)), None, "Lilla torget", kind="part of town"),
    )
    report = imported(session, data)
    assert [(c.slug, c.action, c.parent) for c in report.changes] == [
        ("west", "create", None),
        ("lilla-torget", "create", "west"),  # no parent property: the zone that contains it
    ]
    west, part = zone(session, "west"), zone(session, "lilla-torget")
    assert (west.kind, part.kind, part.parent_id, west.parent_id) == (
        ZoneKind.district,
        ZoneKind.part_of_town,
        west.id,
        None,
    )
    assert part.name == "Lilla torget"
    # The area in m², within 0.5 % of the geodesic area on the ellipsoid.
    lons, lats = zip(*ring(*WEST), strict=True)
    geodesic = abs(Geod(ellps="GRS80").polygon_area_perimeter(lons, lats)[0])
    assert abs(west.area_m2 - geodesic) / geodesic < 0.005
    assert 1_000_000 < west.area_m2 < 1_050_000  # 0.92 km by 1.11 km at this latitude
    # A new zone makes a re-placement run, in the same transaction.
    assert session.get(ZonePlacement, report.placement_id).state == "pending"


def test_a_dry_run_reports_what_would_change_and_writes_nothing(session):
    before = zone_count(session)
    centrum = json.loads(zone(session, "centrum").geometry)
    data = collection(
        feature(centrum, "centrum", "Centrum (ny)", kind="district"),
        feature(box(WEST), "west", "Väst"),
    )
    report = imported(session, data, dry_run=True)
    assert [(c.slug, c.action, c.changed) for c in report.changes] == [
        ("centrum", "update", ("name",)),
        ("west", "create", ()),
    ]
    assert zone_count(session) == before and zone(session, "centrum").name == "Centrum"
    assert report.placement_id is None and session.exec(select(ZonePlacement)).all() == []


def test_a_name_only_change_needs_no_re_placement_but_a_moved_border_does(session):
    imported(session, collection(feature(box(WEST), "west", "Väst")))
    renamed = imported(session, collection(feature(box(WEST), "west", "Västra")))
    assert renamed.placement_id is None and zone(session, "west").name == "Västra"
    moved = imported(session, collection(feature(box((21.60, 65.770, 21.63, 65.780)), "west")))
    assert moved.changes[0].changed == ("name", "outline") and moved.placement_id is not None


NAN_FILE = (
    b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
    b'{"slug": "nan"}, "geometry": {"type": "Polygon", "coordinates": '
    b"[[[21.6, 65.77], [NaN, 65.77], [21.62, 65.78], [21.6, 65.77]]]}}]}"
)
BOW_TIE = polygon([[21.60, 65.77], [21.62, 65.78], [21.62, 65.77], [21.60, 65.78], [21.60, 65.77]])
GOOD = feature(box(WEST), "west", "Väst")


@pytest.mark.parametrize(
    ("data", "crs", "named", "reason"),
    [
        (collection(GOOD, feature(BOW_TIE, "bow", "Fluga")), None, "Feature 2 (bow)", "crosses"),
        (NAN_FILE, None, "Feature 1 (nan)", "finite numbers"),
        (
            collection(feature(polygon([[21.6, 65.77], [21.62, 65.78], [21.6, 65.77]]), "thin")),
            None,
            "Feature 1 (thin)",
            "too few points",
        ),
        (
            collection(
                feature(
                    {"type": "LineString", "coordinates": [[21.6, 65.77], [21.62, 65.78]]}, "road"
                )
            ),
            None,
            "Feature 1 (road)",
            "LineString; a zone is a Polygon or MultiPolygon",
        ),
        (
            collection(
                feature(
                    polygon([[21.6, 65.77], [21.62, 65.77], [21.62, 65.78], [21.6, 65.78]]), "open"
                )
            ),
            None,
            "Feature 1 (open)",
            "does not end where it starts",
        ),
        (collection(GOOD, crs="EPSG:2154"), None, "EPSG:2154", "not one SafetyWalk reads"),
        (collection(GOOD), "EPSG:9999", "EPSG:9999", "not one SafetyWalk reads"),
        (
            collection(GOOD, feature(box((2.3, 48.8, 2.4, 48.9)), "paris", "Paris")),
            None,
            "Feature 2 (paris)",
            "outside Sweden",
        ),
        (
            collection(feature(to_sweref(box(WEST)), "west")),
            None,
            "Feature 1 (west)",
            "not longitude and latitude",
        ),
        (
            collection(feature(box(WEST), "west"), crs=SWEREF),
            None,
            "Feature 1 (west)",
            "outside Sweden (read as SWEREF 99 TM (EPSG:3006))",
        ),
        (b"slug,name\nwest,West\n", None, "", "not a GeoJSON file"),
        (b'{"type": "Polygon", "coordinates": []}', None, "", "not a GeoJSON FeatureCollection"),
        (b"PK\x03\x04 this is no zip", None, "", "zip file is broken"),
        (
            collection(GOOD, feature(box(EAST), "west", "Öst")),
            None,
            "Feature 2 (west)",
            "also feature 1's",
        ),
        (
            collection(feature(box(WEST), "west", parent="nowhere")),
            None,
            "Feature 1 (west)",
            "“nowhere” is unknown",
        ),
        (
            collection(
                feature(box(WEST), "west", parent="east"), feature(box(EAST), "east", parent="west")
            ),
            None,
            "Feature 1 (west)",
            "west → east → west",
        ),
        (
            collection(feature(box(WEST), "west", parent="west")),
            None,
            "Feature 1 (west)",
            "its own parent",
        ),
        (
            collection(feature(box(WEST), "west", "Väst\x00")),
            None,
            "Feature 1 (west)",
            "control character",
        ),
        (
            collection(feature(box(WEST), "Bad Slug!")),
            None,
            "Feature 1 (Bad Slug!)",
            "may hold only",
        ),
        (
            collection(feature(box(WEST), "west", kind="county")),
            None,
            "Feature 1 (west)",
            "“county” is unknown",
        ),
        (collection(feature(box(WEST))), None, "Feature 1", "needs a “slug” or a “name”"),
        (collection(feature(None, "west")), None, "Feature 1 (west)", "has no geometry"),
        (collection(), None, "", "holds no features"),
        (b"", None, "", "The file is empty"),
    ],
)
def test_a_bad_file_names_the_feature_and_the_reason_and_writes_nothing(
    session, data, crs, named, reason
):
    before = zone_count(session)
    report = zone_import.run(session=session, data=data, crs=crs, dry_run=False)
    assert not report.ok
    said = " / ".join(str(p) for p in report.problems)
    assert named in said and reason in said, said
    assert zone_count(session) == before
    assert session.exec(select(ZonePlacement)).all() == []


def test_all_problems_are_listed_not_just_the_first(session):
    data = collection(feature(BOW_TIE, "a"), GOOD, feature(box((2.3, 48.8, 2.4, 48.9)), "c"))
    report = zone_import.run(session=session, data=data, dry_run=True)
    assert [(p.feature, p.label) for p in report.problems] == [(1, "a"), (3, "c")]


def test_the_same_district_in_sweref_and_in_wgs84_is_the_same_zone(session):
    outline = polygon(
        [
            [21.601, 65.771],
            [21.618, 65.7705],
            [21.6195, 65.779],
            [21.6023, 65.7791],
            [21.601, 65.771],
        ]
    )
    imported(session, collection(feature(outline, "twin-wgs", "Tvilling")))
    imported(
        session, collection(feature(to_sweref(outline), "twin-sweref", "Tvilling"), crs=SWEREF)
    )
    wgs, sweref = zone(session, "twin-wgs"), zone(session, "twin-sweref")
    a = shape(json.loads(wgs.geometry)).exterior.coords
    b = shape(json.loads(sweref.geometry)).exterior.coords
    assert len(a) == len(b)
    for (lon1, lat1), (lon2, lat2) in zip(a, b, strict=True):
        x1, y1 = TO_SWEREF.transform(lon1, lat1)
        x2, y2 = TO_SWEREF.transform(lon2, lat2)
        assert ((x1 - x2) ** 2 + (y1 - y2) ** 2) ** 0.5 < 0.5
    assert abs(wgs.area_m2 - sweref.area_m2) < 1
    # The same observations fall in each: placed by a re-placement run.
    grid = [(65.7700 + i * 0.001, 21.600 + j * 0.002) for i in range(11) for j in range(11)]
    ids = add_observations(session, grid)
    run = zone_placement.create(session=session)
    session.commit()
    zone_placement.run(session=session, placement_id=run.id)
    links = zone_links(session)
    in_wgs = {o for o, z in links if z == wgs.id}
    in_sweref = {o for o, z in links if z == sweref.id}
    assert in_wgs == in_sweref and 0 < len(in_wgs) < len(ids)


def test_the_crs_given_on_import_overrides_the_file(session):
    sweref_without_crs = collection(feature(to_sweref(box(WEST)), "west"))
    imported(session, sweref_without_crs, crs="EPSG:3006")
    wrongly_labelled = collection(feature(to_sweref(box(EAST)), "east"), crs="EPSG:4326")
    imported(session, wrongly_labelled, crs="urn:ogc:def:crs:EPSG::3006")
    unknown_in_file = collection(feature(to_sweref(box(EAST)), "east"), crs="EPSG:2154")
    imported(session, unknown_in_file, crs="EPSG:3006")
    west = shape(json.loads(zone(session, "west").geometry))
    assert [round(v, 5) for v in west.bounds] == [21.6, 65.77, 21.62, 65.78]


def test_crs84_and_epsg_4326_in_the_file_are_wgs84(session):
    for name, slug in (("urn:ogc:def:crs:OGC:1.3:CRS84", "a"), ("EPSG:4326", "b")):
        report = imported(session, collection(feature(box(WEST), slug), crs=name))
        assert report.crs == "WGS 84 (EPSG:4326)"


def test_stored_coordinates_are_rounded_to_about_a_centimetre(session):
    fine = polygon(
        [
            [21.600000049, 65.77],
            [21.62, 65.770000051],
            [21.62, 65.78],
            [21.6, 65.78],
            [21.600000049, 65.77],
        ]
    )
    imported(session, collection(feature(fine, "fine")))
    coordinates = json.loads(zone(session, "fine").geometry)["coordinates"][0]
    assert coordinates[0] == [21.6, 65.77] and coordinates[1] == [21.62, 65.7700001]


def test_a_multipolygon_with_a_hole_is_kept_whole(session):
    hole = ring(21.605, 65.772, 21.610, 65.775)[::-1]
    islands = {
        "type": "MultiPolygon",
        "coordinates": [[ring(*WEST), hole], [ring(21.63, 65.771, 21.64, 65.772)]],
    }
    imported(session, collection(feature(islands, "islands", kind="plan_area")))
    stored = shape(json.loads(zone(session, "islands").geometry))
    assert stored.geom_type == "MultiPolygon" and len(stored.geoms[0].interiors) == 1
    assert zone(session, "islands").kind == ZoneKind.plan_area


def test_a_zipped_shapefile_with_a_prj_in_sweref(session):
    rings = [[[x, y] for x, y in to_sweref(box(WEST))["coordinates"][0]]]
    data = shapefile_zip(
        [(rings, {"SLUG": "shp-west", "NAMN": "Väst från Shape", "KIND": "district"})]
    )
    report = imported(session, data)
    assert (report.format, report.crs) == ("Shapefile", "SWEREF 99 TM (EPSG:3006)")
    west = zone(session, "shp-west")
    assert west.name == "Väst från Shape"
    bounds = shape(json.loads(west.geometry)).bounds
    assert all(abs(a - b) < 1e-5 for a, b in zip(bounds, (21.60, 65.77, 21.62, 65.78), strict=True))


def test_shapefile_problems_name_the_feature(session):
    rings = [[[x, y] for x, y in to_sweref(box(WEST))["coordinates"][0]]]
    no_prj = shapefile_zip([(rings, {"SLUG": "west"})], epsg=None)
    report = zone_import.run(session=session, data=no_prj, dry_run=True)
    assert "Feature 1 (west)" in str(report.problems[0])
    assert "not longitude and latitude" in str(report.problems[0])
    assert zone_import.run(session=session, data=no_prj, crs="EPSG:3006", dry_run=True).ok
    points = shapefile_zip([([[[805000.0, 7316000.0]]], {"SLUG": "spot"})], shape_type=1)
    said = str(zone_import.run(session=session, data=points, dry_run=True).problems[0])
    assert "Feature 1 (spot)" in said and "Point" in said
    foreign = shapefile_zip([(rings, {"SLUG": "west"})], epsg=2154)
    said = str(zone_import.run(session=session, data=foreign, dry_run=True).problems[0])
    assert "not one SafetyWalk reads" in said
    assert zone_import.run(session=session, data=foreign, crs="EPSG:3006", dry_run=True).ok


def test_export_then_import_changes_nothing(session):
    imported(
        session,
        collection(
            feature(box(WEST), "west", "Väst"),
            feature(
                box((21.605, 65.772, 21.610, 65.775)), "torget", kind="part_of_town", parent="west"
            ),
            feature(box(EAST), "east", "Öst", parent=None),
        ),
    )
    exported = json.dumps(zones.feature_collection(session=session)).encode()
    again = imported(session, exported)
    assert {c.action for c in again.changes} == {"unchanged"}
    assert again.placement_id is None
    assert len(again.changes) == zone_count(session)


def test_an_explicit_empty_parent_means_none_and_a_missing_one_is_found(session):
    imported(
        session,
        collection(
            feature(box(WEST), "west"),
            feature(box((21.605, 65.772, 21.610, 65.775)), "inside-auto"),
            feature(box((21.611, 65.772, 21.615, 65.775)), "inside-top", parent=""),
        ),
    )
    assert zone(session, "inside-auto").parent_id == zone(session, "west").id
    assert zone(session, "inside-top").parent_id is None


def test_the_found_parent_is_the_smallest_district_or_part_never_a_plan_area(session):
    imported(
        session,
        collection(
            feature(box((21.604, 65.771, 21.616, 65.779)), "plan", kind="plan_area"),
            feature(box((21.606, 65.772, 21.612, 65.776)), "inner"),
            feature(box((21.607, 65.773, 21.609, 65.774)), "innermost"),
            feature(box(WEST), "west"),
        ),
    )
    assert zone(session, "innermost").parent_id == zone(session, "inner").id
    assert zone(session, "inner").parent_id == zone(session, "west").id
    assert zone(session, "plan").parent_id == zone(session, "west").id


def test_the_sweref_check_point_of_boden_centre():
    from shapely.geometry import Point

    moved = zones.reproject(Point(21.6889, 65.8253), source=4326, target=3006)
    assert (round(moved.x, 2), round(moved.y, 2)) == (805199.44, 7316715.06)
    back = zones.reproject(moved, source=3006, target=4326)
    assert abs(back.x - 21.6889) < 1e-9 and abs(back.y - 65.8253) < 1e-9
