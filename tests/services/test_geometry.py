"""One check for geometry from any form or file: what shapely would crash on, or store as
nonsense, is refused with a reason; what is fine comes back as shapely."""

from __future__ import annotations

import json

import pytest

from app.services import geometry

SQUARE = [[21.6, 65.8], [21.7, 65.8], [21.7, 65.9], [21.6, 65.9], [21.6, 65.8]]
BOW_TIE = [[21.6, 65.8], [21.7, 65.9], [21.7, 65.8], [21.6, 65.9], [21.6, 65.8]]


def polygon(ring: list) -> dict:  # type: ignore[type-arg]
    return {"type": "Polygon", "coordinates": [ring]}


def test_a_drawn_square_and_route_are_read():
    area = geometry.check(polygon(SQUARE), kinds=("Polygon",))
    assert area.geom_type == "Polygon" and area.area > 0
    route = geometry.loads(
        '{"type":"Feature","geometry":{"type":"LineString","coordinates":[[21.6,65.8],[21.7,65.9]]}}',
        kinds=("LineString",),
    )
    assert route.geom_type == "LineString"
    assert json.loads(geometry.dumps(area))["type"] == "Polygon"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            '{"type":"Polygon","coordinates":[[[NaN,65.8],[21.7,65.8],[21.7,65.9],[NaN,65.8]]]}',
            "finite",
        ),
        (
            '{"type":"Polygon","coordinates":[[[Infinity,65.8],[21.7,65.8],[21.7,65.9],[Infinity,65.8]]]}',
            "finite",
        ),
        ('{"type":"LineString","coordinates":[[21.6,-Infinity],[21.7,65.9]]}', "finite"),
        ('{"type":"LineString","coordinates":[[21.6,1e400],[21.7,65.9]]}', "finite"),
        ('{"type":"LineString","coordinates":[[21.6,65.8]]}', "two different points"),
        ('{"type":"LineString","coordinates":[[21.6,65.8],[21.6,65.8]]}', "two different points"),
        ('{"type":"LineString","coordinates":[]}', "two different points"),
        (
            '{"type":"Polygon","coordinates":[[[21.6,65.8],[21.7,65.8],[21.7,65.9],[21.6,65.9]]]}',
            "end where it starts",
        ),
        (
            '{"type":"Polygon","coordinates":[[[21.6,65.8],[21.7,65.8],[21.6,65.8]]]}',
            "three corners",
        ),
        ('{"type":"Polygon","coordinates":[]}', "outline"),
        ('{"type":"Polygon","coordinates":[[[500,0],[501,0],[501,1],[500,0]]]}', "off the map"),
        ('{"type":"LineString","coordinates":[[true,65.8],[21.7,65.9]]}', "numbers"),
        ('{"type":"LineString","coordinates":[["21.6",65.8],[21.7,65.9]]}', "numbers"),
        ('{"type":"LineString","coordinates":[[21.6],[21.7,65.9]]}', "longitude and a latitude"),
        ('{"type":"LineString","coordinates":5}', "list of points"),
        ('{"type":"Point","coordinates":[21.6,65.8]}', "Expected"),
        ('{"type":"GeometryCollection","geometries":[]}', "Expected"),
        ('{"type":"Feature","geometry":null}', "not a GeoJSON geometry"),
        ("[1, 2]", "not a GeoJSON geometry"),
        ("not json", "not a GeoJSON geometry"),
        ("[" * 100_000, "not a GeoJSON geometry"),
    ],
)
def test_what_is_refused_and_why(text, reason):
    kinds = ("Polygon", "LineString")
    with pytest.raises(geometry.InvalidGeometry) as refused:
        geometry.loads(text, kinds=kinds)
    assert reason in refused.value.message


def test_a_self_crossing_outline_is_repaired_only_into_an_allowed_type():
    with pytest.raises(geometry.InvalidGeometry) as refused:
        geometry.check(polygon(BOW_TIE), kinds=("Polygon",))
    assert "crosses itself" in refused.value.message
    # A file whose zones may be MultiPolygons keeps the repaired bow tie: two triangles.
    repaired = geometry.check(polygon(BOW_TIE), kinds=("Polygon", "MultiPolygon"))
    assert repaired.geom_type == "MultiPolygon" and repaired.is_valid
    assert len(repaired.geoms) == 2


def test_too_many_points_or_characters_are_refused_before_any_work():
    many = {"type": "LineString", "coordinates": [[21.6, 65.8]] * (geometry.MAX_POINTS + 1)}
    with pytest.raises(geometry.InvalidGeometry, match="Too many points"):
        geometry.check(many)
    with pytest.raises(geometry.InvalidGeometry, match="too large"):
        geometry.loads(" " * (geometry.MAX_CHARS + 1))


def test_coordinates_nested_thousands_deep_are_refused_not_a_crash():
    deep: list = []  # type: ignore[type-arg]
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(geometry.InvalidGeometry):
        geometry.check({"type": "MultiPolygon", "coordinates": deep})
