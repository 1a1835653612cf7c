"""A planner's area from a drawing or a file: what becomes one area, and what is refused with
its reason."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import MultiPolygon, Polygon
from sqlmodel import Session

from app.services import area, area_input
from app.services.geometry import InvalidGeometry


def square(lon: float, lat: float, d: float = 0.001) -> dict:
    ring = [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def test_a_polygon_a_feature_and_a_multipolygon_are_read_as_they_are() -> None:
    shape = area_input.read(json.dumps(square(21.68, 65.82)))
    assert isinstance(shape, Polygon) and shape.area == pytest.approx(4e-6)
    feature = {"type": "Feature", "properties": {"name": "x"}, "geometry": square(21.68, 65.82)}
    assert area_input.read(json.dumps(feature)).equals(shape)
    parts = {
        "type": "MultiPolygon",
        "coordinates": [square(21.68, 65.82)["coordinates"], square(21.70, 65.83)["coordinates"]],
    }
    assert isinstance(area_input.read(json.dumps(parts)), MultiPolygon)


def test_a_collection_of_polygons_becomes_one_shape_overlaps_merged() -> None:
    apart = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": square(21.68, 65.82)},
            {"type": "Feature", "geometry": square(21.70, 65.83)},
        ],
    }
    shape = area_input.read(json.dumps(apart))
    assert isinstance(shape, MultiPolygon) and len(shape.geoms) == 2
    overlapping = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": square(21.680, 65.82)},
            {"type": "Feature", "geometry": square(21.681, 65.82)},
        ],
    }
    merged = area_input.read(json.dumps(overlapping))
    assert isinstance(merged, Polygon) and merged.area == pytest.approx(6e-6)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{", "could not be read as JSON"),
        ("[]", "not a GeoJSON geometry"),
        ('{"type": "FeatureCollection", "features": []}', "holds no area"),
        ('{"type": "Point", "coordinates": [21.6, 65.8]}', "This is a Point, not an area"),
        (
            '{"type": "Polygon", "coordinates": [[[21.6, 65.8], [Infinity, 65.8], [21.7, 65.9], '
            "[21.6, 65.8]]]}",
            "no NaN or Infinity",
        ),
        (
            json.dumps(
                {
                    "type": "Polygon",
                    "crs": {"type": "name", "properties": {"name": "EPSG:3006"}},
                    "coordinates": square(21.68, 65.82)["coordinates"],
                }
            ),
            "another coordinate system (EPSG:3006)",
        ),
    ],
)
def test_what_is_not_an_area_is_refused_with_its_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidGeometry) as refused:
        area_input.read(text)
    assert reason in refused.value.message


def test_a_wgs84_crs_member_is_accepted() -> None:
    named = {
        **square(21.68, 65.82),
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
    }
    assert isinstance(area_input.read(json.dumps(named)), Polygon)


def test_an_outline_with_too_many_corners_is_refused() -> None:
    import math

    ring = [
        [
            21.68 + 0.01 * math.cos(2 * math.pi * i / 2500),
            65.82 + 0.005 * math.sin(2 * math.pi * i / 2500),
        ]
        for i in range(2500)
    ]
    text = json.dumps({"type": "Polygon", "coordinates": [[*ring, ring[0]]]})
    with pytest.raises(InvalidGeometry) as refused:
        area_input.read(text)
    assert "too many corners" in refused.value.message


def test_keep_prefers_the_file_and_gives_the_same_key_for_the_same_outline(
    session: Session,
) -> None:
    drawn = json.dumps(square(21.68, 65.82))
    uploaded = json.dumps({"type": "Feature", "geometry": square(21.70, 65.83)}).encode()
    key = area_input.keep(session=session, drawn=drawn, upload=uploaded, name="Plan")
    kept = area.by_key(session=session, key=key)
    assert kept is not None and kept.label == "Plan"
    assert kept.geometry.centroid.x == pytest.approx(21.70)
    assert area_input.keep(session=session, upload=uploaded) == key
    with pytest.raises(InvalidGeometry):
        area_input.keep(session=session)
