"""The protocol's overview map: one numbered pin per item at its projected place, the walk's
area, route and meeting point when it has them, crowded pins moved aside but still pointing at
their spot, true distances, and an SVG that stays well-formed whatever the names hold."""

from __future__ import annotations

import json
import math
import random
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from pyproj import Geod

from app.models import Category, CategoryKind, Priority, Status, Walk
from app.services import protocol_map
from app.services.svg_map import HEIGHT, PIN_RADIUS, WIDTH
from app.services.walk_items import WalkItem

SVG = "{http://www.w3.org/2000/svg}"
CENTRUM = (65.8253, 21.6880)
LAMP = Category(id=1, slug="dark-spot", name_sv="Mörk plats", name_en="Dark spot")
SQUARE = Category(
    id=2, slug="good-place", name_sv="Bra plats", name_en="Good place", kind=CategoryKind.good
)


def item(n: int, lat: float, lon: float, **fields: object) -> WalkItem:
    category = fields.pop("category", LAMP)
    values: dict[str, object] = {
        "id": 100 + n,
        "token": f"token-{n}",
        "status": Status.new,
        "category": category,
        "kind": category.kind,  # type: ignore[attr-defined]
        "unit_name": None,
        "priority": Priority.normal,
        "due_at": None,
        "lat": lat,
        "lon": lon,
        "description": "",
        "unsafe_level": 3,
        "dark": False,
        "factors": [],
        "felt_by": 1,
        "created_at": datetime(2026, 12, 1, 17, tzinfo=UTC),
        "photos": [],
        "after_photos": [],
    }
    values.update(fields)
    return WalkItem(**values)  # type: ignore[arg-type]


def walk(**fields: object) -> Walk:
    return Walk(
        id=1,
        title="Evening walk",
        starts_at=datetime(2026, 12, 1, 17, tzinfo=UTC),
        leader_id=1,
        join_code="ABC234",
        **fields,
    )


def numbered(*items: WalkItem) -> list[tuple[int, WalkItem]]:
    return list(enumerate(items, start=1))


def draw(w: Walk, items: list[tuple[int, WalkItem]], **kw: object) -> protocol_map.OverviewMap:
    found = protocol_map.overview(walk=w, numbered=items, lang="en", **kw)  # type: ignore[arg-type]
    assert found is not None
    return found


def pins(svg: str) -> dict[int, dict[str, object]]:
    """Each pin's number, drawn circle, spot (its leader's dot when it was moved aside, else
    the circle's centre), text, title and colour, read back from the SVG."""
    root = ET.fromstring(svg)
    spots = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "leader":
            dot = g.find(f"{SVG}circle[@class='spot']")
            line = g.find(f"{SVG}line")
            assert dot is not None and line is not None
            spot = (float(dot.get("cx")), float(dot.get("cy")))  # type: ignore[arg-type]
            assert spot == (float(line.get("x1")), float(line.get("y1")))  # type: ignore[arg-type]
            spots[int(g.get("data-number"))] = spot  # type: ignore[arg-type]
    out = {}
    for g in root.iter(f"{SVG}g"):
        if "pin" not in (g.get("class") or "").split():
            continue
        badge = g.find(f"{SVG}circle[@class='badge']")
        assert badge is not None
        number = int(g.get("data-number"))  # type: ignore[arg-type]
        at = (float(badge.get("cx")), float(badge.get("cy")))  # type: ignore[arg-type]
        out[number] = {
            "at": at,
            "spot": spots.get(number, at),
            "text": g.find(f"{SVG}text").text,  # type: ignore[union-attr]
            "title": g.find(f"{SVG}title").text,  # type: ignore[union-attr]
            "line": number in spots,
            "fill": badge.get("fill"),
        }
    return out


SPREAD = [  # (lat, lon) far enough apart that no pin covers another
    (CENTRUM[0], CENTRUM[1]),
    (CENTRUM[0] + 0.002, CENTRUM[1] + 0.001),  # north
    (CENTRUM[0] - 0.0005, CENTRUM[1] + 0.006),  # east
    (CENTRUM[0] - 0.0025, CENTRUM[1] - 0.004),  # south-west
    (CENTRUM[0] + 0.0012, CENTRUM[1] - 0.0065),  # north-west
]


def test_one_numbered_pin_per_item_at_its_projected_place() -> None:
    items = numbered(*(item(n, lat, lon) for n, (lat, lon) in enumerate(SPREAD)))
    drawn = draw(walk(), items)
    found = pins(drawn.svg)
    assert sorted(found) == [1, 2, 3, 4, 5]
    for number, it in items:
        x, y = drawn.frame.of(it.lon, it.lat)
        pin = found[number]
        assert pin["text"] == str(number)
        assert pin["title"] == f"{number}: Dark spot"
        assert pin["at"] == pytest.approx((x, y), abs=0.06)  # the SVG keeps one decimal
        assert pin["spot"] == pytest.approx((x, y), abs=0.06)
        assert not pin["line"]
        assert 0 < x < WIDTH and 0 < y < HEIGHT
    # Relative order, whatever the frame: further east is further right, north is higher up.
    by_lon = sorted(items, key=lambda ni: ni[1].lon)
    assert [found[n]["at"][0] for n, _i in by_lon] == sorted(found[n]["at"][0] for n in found)  # type: ignore[index]
    by_lat = sorted(items, key=lambda ni: -ni[1].lat)
    assert [found[n]["at"][1] for n, _i in by_lat] == sorted(found[n]["at"][1] for n in found)  # type: ignore[index]
    assert drawn.groups == [("open", "#c62828", 5)]
    assert drawn.unplaced == 0


def test_distances_on_the_map_are_true_and_the_scale_bar_says_so() -> None:
    (lat1, lon1), (lat2, lon2) = SPREAD[3], SPREAD[2]
    drawn = draw(walk(), numbered(item(1, lat1, lon1), item(2, lat2, lon2)))
    found = pins(drawn.svg)
    (x1, y1), (x2, y2) = found[1]["at"], found[2]["at"]  # type: ignore[misc]
    on_map = math.hypot(x2 - x1, y2 - y1) * drawn.frame.metres_per_unit
    _az, _back, on_ground = Geod(ellps="GRS80").inv(lon1, lat1, lon2, lat2)
    assert on_map == pytest.approx(on_ground, rel=0.003)  # SWEREF 99 TM's scale in Boden
    root = ET.fromstring(drawn.svg)
    bar = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "scale-bar")
    label = bar.find(f"{SVG}text").text  # type: ignore[union-attr]
    metres = int(label.split()[0]) * (1000 if label.endswith("km") else 1)  # type: ignore[union-attr]
    black, white = bar.findall(f"{SVG}rect")[1:3]
    units = float(black.get("width")) + float(white.get("width"))  # type: ignore[arg-type]
    assert units * drawn.frame.metres_per_unit == pytest.approx(metres, rel=0.01)


def test_pins_take_the_status_groups_colours_and_good_places_are_blue() -> None:
    items = numbered(
        item(1, *SPREAD[0]),
        item(2, *SPREAD[1], status=Status.fixed),
        item(3, *SPREAD[2], status=Status.in_progress),
        item(4, *SPREAD[3], category=SQUARE),
    )
    drawn = draw(walk(), items)
    found = pins(drawn.svg)
    assert [found[n]["fill"] for n in (1, 2, 3, 4)] == ["#c62828", "#2e7d32", "#e66e00", "#1565c0"]
    assert found[4]["title"] == "4: Good place"
    assert [g for g, _c, _n in drawn.groups] == ["open", "in_progress", "fixed", "good"]


AREA = {
    "type": "Polygon",
    "coordinates": [
        [[21.680, 65.822], [21.695, 65.822], [21.695, 65.829], [21.680, 65.829], [21.680, 65.822]]
    ],
}
ROUTE = {
    "type": "LineString",
    "coordinates": [[21.682, 65.823], [21.688, 65.826], [21.693, 65.828]],
}


def shapes(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {
        e.get("class"): e for e in root.iter() if e.get("class") in ("area", "route", "meeting")
    }  # type: ignore[misc]


def test_area_route_and_meeting_point_are_drawn_when_the_walk_has_them() -> None:
    w = walk(
        area=json.dumps(AREA),
        route=json.dumps(ROUTE),
        meeting_lat=65.8235,
        meeting_lon=21.6835,
    )
    drawn = draw(w, numbered(item(1, *CENTRUM)))
    found = shapes(drawn.svg)
    assert set(found) == {"area", "route", "meeting"}
    assert drawn.area and drawn.route and drawn.meeting
    # The area's corners are where the frame puts them, and the whole area is in view.
    first = found["area"].get("d").split(" L")[0].lstrip("M")  # type: ignore[union-attr]
    x, y = (float(v) for v in first.split())
    assert (x, y) == pytest.approx(drawn.frame.of(21.680, 65.822), abs=0.06)
    numbers = [
        float(v)
        for v in found["area"]
        .get("d")
        .replace("M", " ")
        .replace("L", " ")
        .replace("Z", " ")
        .split()
    ]  # type: ignore[union-attr]
    assert all(0 <= v <= WIDTH for v in numbers[0::2]) and all(
        0 <= v <= HEIGHT for v in numbers[1::2]
    )
    assert found["route"].get("fill") == "none"
    mx, my = drawn.frame.of(21.6835, 65.8235)
    meeting = found["meeting"]
    assert float(meeting.get("x")) + 7 == pytest.approx(mx, abs=0.06)  # type: ignore[arg-type]
    assert float(meeting.get("y")) + 7 == pytest.approx(my, abs=0.06)  # type: ignore[arg-type]


def test_nothing_of_the_kind_when_the_walk_has_none() -> None:
    drawn = draw(walk(), numbered(item(1, *CENTRUM)))
    assert shapes(drawn.svg) == {}
    assert not (drawn.area or drawn.route or drawn.meeting)


def test_a_district_outline_stands_in_for_a_drawn_area_dashed() -> None:
    drawn = draw(walk(), numbered(item(1, *CENTRUM)), zone_geometry=json.dumps(AREA))
    area = shapes(drawn.svg)["area"]
    assert area.get("stroke-dasharray")
    drawn = draw(walk(area=json.dumps(AREA)), numbered(item(1, *CENTRUM)))
    assert shapes(drawn.svg)["area"].get("stroke-dasharray") is None


def test_no_items_an_area_alone_is_still_a_map() -> None:
    drawn = draw(walk(area=json.dumps(AREA)), [])
    assert pins(drawn.svg) == {}
    assert "area" in shapes(drawn.svg)
    root = ET.fromstring(drawn.svg)
    assert root.find(f"{SVG}title").text == "Overview map of the walk with 0 numbered items"  # type: ignore[union-attr]


def test_nothing_to_place_is_no_map() -> None:
    assert protocol_map.overview(walk=walk(), numbered=[], lang="en") is None
    missing = numbered(item(1, math.nan, 21.68), item(2, 65.82, math.inf))
    assert protocol_map.overview(walk=walk(), numbered=missing, lang="en") is None
    broken = walk(area="{not json", route='{"type": "Point", "coordinates": [21.6, 65.8]}')
    assert protocol_map.overview(walk=broken, numbered=[], lang="en") is None


def test_one_item_is_centred_and_items_without_a_position_are_counted_not_drawn() -> None:
    items = numbered(item(1, *CENTRUM), item(2, math.nan, math.nan), item(3, None, 21.6))  # type: ignore[arg-type]
    drawn = draw(walk(), items)
    found = pins(drawn.svg)
    assert list(found) == [1]
    assert found[1]["at"] == pytest.approx((WIDTH / 2, HEIGHT / 2), abs=0.06)
    assert drawn.unplaced == 2


def test_crowded_pins_are_moved_aside_with_a_line_to_their_spot_later_on_top() -> None:
    same = [item(n, *CENTRUM) for n in range(4)]
    drawn = draw(walk(), numbered(*same))
    found = pins(drawn.svg)
    centre = drawn.frame.of(CENTRUM[1], CENTRUM[0])
    for pin in found.values():
        assert pin["spot"] == pytest.approx(centre, abs=0.06)
    assert not found[1]["line"] and all(found[n]["line"] for n in (2, 3, 4))
    circles = [found[n]["at"] for n in (1, 2, 3, 4)]
    for a in range(4):
        for b in range(a + 1, 4):
            (xa, ya), (xb, yb) = circles[a], circles[b]  # type: ignore[misc]
            assert math.hypot(xa - xb, ya - yb) >= 2 * PIN_RADIUS - 1.1
    # In number order in the document, after every leader line and dot: a later number is
    # painted over an earlier one, and nothing covers a number.
    root = ET.fromstring(drawn.svg)
    drawn_order = [
        (g.get("class"), int(g.get("data-number")))  # type: ignore[arg-type]
        for g in root.iter(f"{SVG}g")
        if g.get("data-number")
    ]
    assert drawn_order == [("leader", 2), ("leader", 3), ("leader", 4)] + [
        ("pin pin-open", n) for n in (1, 2, 3, 4)
    ]


def test_names_with_markup_stay_text_and_the_svg_stays_well_formed() -> None:
    nasty = Category(
        id=3, slug="nasty", name_sv="x", name_en='<script>alert("x")</script> & <b>Co</b>'
    )
    drawn = draw(walk(), numbered(item(1, *CENTRUM, category=nasty, description="<script>&")))
    assert "<script>" not in drawn.svg and "<b>" not in drawn.svg
    assert pins(drawn.svg)[1]["title"] == '1: <script>alert("x")</script> & <b>Co</b>'


def test_the_svg_is_an_image_with_a_name_and_scales_to_its_box() -> None:
    drawn = draw(walk(), numbered(item(1, *CENTRUM)))
    root = ET.fromstring(drawn.svg)
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None and root.get("aria-labelledby") == title.get("id")
    assert root.get("viewBox") == f"0 0 {WIDTH} {HEIGHT}" and root.get("width") == "100%"
    assert "style" not in drawn.svg  # the page's CSP allows no inline styles


def test_the_most_items_a_protocol_holds_are_all_drawn_and_the_svg_parses() -> None:
    """2,000 items (walk_items' limit) crowded in a few hundred metres: every one gets its pin
    (the placement looks at nearby pins only, so this takes a fraction of a second)."""
    rng = random.Random(2000)
    many = numbered(
        *(
            item(
                n, CENTRUM[0] + rng.uniform(-0.002, 0.002), CENTRUM[1] + rng.uniform(-0.004, 0.004)
            )
            for n in range(2000)
        )
    )
    drawn = draw(walk(), many)
    assert len(pins(drawn.svg)) == 2000
    assert drawn.pins[-1].number == 2000
