"""The map image of a safety basis: drawn without tiles, in SWEREF 99 TM, read back with
Pillow: its size, the colour of each status at the pixel a known report projects to, the
numbered recurring spots, the scale bar's true length and the north arrow."""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image
from shapely.geometry import Polygon

from app.services import map_image
from app.services.plan_area import to_sweref

AREA = Polygon([(21.680, 65.822), (21.698, 65.822), (21.698, 65.830), (21.680, 65.830)])
REPORTS = {
    "open": (65.8250, 21.6890),
    "in_progress": (65.8240, 21.6930),
    "fixed": (65.8260, 21.6900),
    "good": (65.8270, 21.6850),
    "closed": (65.8230, 21.6850),
}


def read(png: bytes) -> Image.Image:
    image = Image.open(BytesIO(png))
    image.load()
    return image.convert("RGB")


def test_group_of_a_report():
    assert map_image.group_of("new", good=False) == "open"
    assert map_image.group_of("reopened", good=False) == "open"
    assert map_image.group_of("scheduled", good=False) == "in_progress"
    assert map_image.group_of("verified", good=False) == "fixed"
    assert map_image.group_of("wont_fix", good=False) == "closed"
    assert map_image.group_of("new", good=True) == "good"


def test_each_status_has_its_colour_at_the_reports_pixel():
    dots = [map_image.Dot(lat, lon, group) for group, (lat, lon) in REPORTS.items()]
    png = map_image.render(area=AREA, dots=dots, size=(800, 600))
    image = read(png)
    assert image.size == (800, 600)
    frame = map_image.frame_for(AREA, (800, 600))
    for group, (lat, lon) in REPORTS.items():
        x, y = frame.pixel(lon, lat)
        assert image.getpixel((round(x), round(y))) == map_image.COLOURS[group], group
    # Outside every dot and the area: the plain background.
    assert image.getpixel((5, 300)) == map_image.BACKGROUND


def test_the_same_input_gives_the_same_bytes():
    dots = [map_image.Dot(65.825, 21.689, "open")]
    assert map_image.render(area=AREA, dots=dots) == map_image.render(area=AREA, dots=dots)


def test_a_recurring_spot_is_a_ring_around_its_place():
    lat, lon = REPORTS["open"]
    png = map_image.render(area=AREA, dots=[], rings=[map_image.Ring(lat, lon, 1)])
    image = read(png)
    frame = map_image.frame_for(AREA)
    x, y = frame.pixel(lon, lat)
    r = map_image.SPOT_RADIUS - 2  # inside the 4 px line
    assert image.getpixel((round(x - r), round(y))) == (0, 0, 0)
    assert image.getpixel((round(x), round(y))) != (0, 0, 0)  # a ring, not a disc


def test_distances_are_true_in_sweref_99_tm():
    frame = map_image.frame_for(AREA)
    west = frame.pixel(21.680, 65.822)
    east = frame.pixel(21.698, 65.822)
    e1, n1 = to_sweref(21.680, 65.822)
    e2, n2 = to_sweref(21.698, 65.822)
    metres = ((e2 - e1) ** 2 + (n2 - n1) ** 2) ** 0.5
    pixels = ((east[0] - west[0]) ** 2 + (east[1] - west[1]) ** 2) ** 0.5
    assert pixels * frame.metres_per_px == pytest.approx(metres, rel=1e-9)
    # The whole area is on the image, inside its margin.
    for x, y in AREA.exterior.coords:
        px, py = frame.pixel(x, y)
        assert 0 < px < frame.width and 0 < py < frame.height


def test_the_scale_bar_is_a_round_length_in_true_metres():
    image = read(map_image.render(area=AREA, dots=[]))
    frame = map_image.frame_for(AREA)
    row = frame.height - 35  # through the bar's black first half
    black = [x for x in range(frame.width // 2) if image.getpixel((x, row)) == (0, 0, 0)]
    half_px = black[-1] - black[0] + 1
    metres = 2 * half_px * frame.metres_per_px
    assert min(abs(metres - n) / n for n in map_image.NICE_LENGTHS_M) < 0.02


def test_the_north_arrow_points_to_true_north():
    # Boden lies 6.7 degrees east of SWEREF 99 TM's central meridian (15 E): true north is
    # turned about 6 degrees anticlockwise from grid north there.
    angle = map_image._true_north_degrees(map_image.frame_for(AREA))
    assert -6.5 < angle < -5.5
