"""A map image of a plan area and its reports, drawn on the server with Pillow, without tiles
(a safety basis must print the same where no tile server is reachable, and years later).

Everything is projected to SWEREF 99 TM (metres, what Swedish municipal maps use), so a
distance on the image is true in every direction and the scale bar can be trusted. The image
holds no words, only numbers (the recurring spots' numbers, the scale) and "N": the legend is
the page's, in the reader's language. Grid north (up) and true north differ by a few degrees
in Norrbotten (meridian convergence), so the north arrow is turned to true north.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from io import BytesIO

from PIL import Image, ImageDraw, ImageFont
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from app.models import CLOSED_STATES, Status
from app.services.plan_area import to_sweref

SIZE = (1200, 900)
MARGIN = 0.12  # of the area's extent, on each side
BACKGROUND = (246, 246, 241)
AREA_FILL = (10, 74, 130, 28)
AREA_LINE = (10, 74, 130)
ZONE_LINE = (170, 170, 170)
# By status group; the same colours as the legend on the page (see GROUPS' labels there).
COLOURS: dict[str, tuple[int, int, int]] = {
    "open": (198, 40, 40),  # red: waiting for work
    "in_progress": (230, 110, 0),  # orange: scheduled or being fixed
    "fixed": (46, 125, 50),  # green
    "closed": (120, 120, 120),  # grey: merged, someone else's, will not be fixed
    "good": (21, 101, 192),  # blue: a good place to keep
}
DRAW_ORDER = ("closed", "fixed", "good", "in_progress", "open")  # open on top
POINT_RADIUS = 9
SPOT_RADIUS = 24
NICE_LENGTHS_M = (10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000)


def group_of(status: str, *, good: bool) -> str:
    """The colour group of a report."""
    if good:
        return "good"
    if status in (Status.fixed, Status.verified):
        return "fixed"
    if status in (Status.scheduled, Status.in_progress):
        return "in_progress"
    if status in CLOSED_STATES:
        return "closed"
    return "open"


@dataclass(frozen=True)
class Dot:
    lat: float
    lon: float
    group: str


@dataclass(frozen=True)
class Ring:
    lat: float
    lon: float
    number: int


@dataclass(frozen=True)
class Frame:
    """Where SWEREF 99 TM metres fall on the image: x grows east, y grows south."""

    west: float
    north: float
    metres_per_px: float
    width: int
    height: int

    def pixel(self, lon: float, lat: float) -> tuple[float, float]:
        easting, northing = to_sweref(lon, lat)
        return self.pixel_of_metres(easting, northing)

    def pixel_of_metres(self, easting: float, northing: float) -> tuple[float, float]:
        return (
            (easting - self.west) / self.metres_per_px,
            (self.north - northing) / self.metres_per_px,
        )


def _rings_of(shape: BaseGeometry) -> list[list[tuple[float, float]]]:
    polygons = shape.geoms if isinstance(shape, MultiPolygon) else [shape]
    out = []
    for polygon in polygons:
        if isinstance(polygon, Polygon):
            for ring in (polygon.exterior, *polygon.interiors):
                out.append([(float(x), float(y)) for x, y, *_ in ring.coords])
    return out


def frame_for(area: BaseGeometry, size: tuple[int, int] = SIZE) -> Frame:
    """The frame that shows `area` whole, centred, with a margin, at one scale both ways."""
    corners = [to_sweref(x, y) for ring in _rings_of(area) for x, y in ring]
    west = min(e for e, _n in corners)
    east = max(e for e, _n in corners)
    south = min(n for _e, n in corners)
    north = max(n for _e, n in corners)
    span_e = max(east - west, 50.0) * (1 + 2 * MARGIN)
    span_n = max(north - south, 50.0) * (1 + 2 * MARGIN)
    width, height = size
    scale = max(span_e / width, span_n / height)
    centre_e, centre_n = (west + east) / 2, (south + north) / 2
    return Frame(
        west=centre_e - scale * width / 2,
        north=centre_n + scale * height / 2,
        metres_per_px=scale,
        width=width,
        height=height,
    )


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _draw_outline(
    draw: ImageDraw.ImageDraw, frame: Frame, shape: BaseGeometry, colour, width: int
) -> None:  # type: ignore[no-untyped-def]
    for ring in _rings_of(shape):
        draw.line([frame.pixel(x, y) for x, y in ring], fill=colour, width=width, joint="curve")


def _scale_bar(draw: ImageDraw.ImageDraw, frame: Frame) -> None:
    """A bar of a round length, about a fifth of the image wide, bottom left."""
    wanted = frame.width * 0.22 * frame.metres_per_px
    length = max([n for n in NICE_LENGTHS_M if n <= wanted] or [NICE_LENGTHS_M[0]])
    px = length / frame.metres_per_px
    x0, y0 = 28, frame.height - 40
    draw.rectangle((x0 - 10, y0 - 36, x0 + px + 14, y0 + 22), fill=(255, 255, 255))
    half = px / 2
    draw.rectangle((x0, y0, x0 + half, y0 + 10), fill=(0, 0, 0))
    draw.rectangle((x0 + half, y0, x0 + px, y0 + 10), outline=(0, 0, 0), fill=(255, 255, 255))
    label = f"{length // 1000} km" if length >= 1000 and length % 1000 == 0 else f"{length} m"
    draw.text((x0, y0 - 30), label, fill=(0, 0, 0), font=_font(22))


def _true_north_degrees(frame: Frame) -> float:
    """How far true north is turned from up (grid north), clockwise, at the image's centre."""
    centre_e = frame.west + frame.width * frame.metres_per_px / 2
    centre_n = frame.north - frame.height * frame.metres_per_px / 2
    from app.services.plan_area import _to_wgs84  # the same cached transformer

    lon, lat = _to_wgs84().transform(centre_e, centre_n)
    e1, n1 = to_sweref(lon, lat)
    e2, n2 = to_sweref(lon, lat + 0.01)
    return math.degrees(math.atan2(e2 - e1, n2 - n1))


def _north_arrow(draw: ImageDraw.ImageDraw, frame: Frame) -> None:
    cx, cy, r = frame.width - 56, 70, 30
    angle = math.radians(_true_north_degrees(frame))

    def turned(dx: float, dy: float) -> tuple[float, float]:
        return (
            cx + dx * math.cos(angle) - dy * math.sin(angle),
            cy + dx * math.sin(angle) + dy * math.cos(angle),
        )

    draw.ellipse((cx - r - 8, cy - r - 30, cx + r + 8, cy + r + 8), fill=(255, 255, 255))
    draw.polygon([turned(0, -r), turned(-12, r * 0.6), turned(0, r * 0.25)], fill=(0, 0, 0))
    draw.polygon(
        [turned(0, -r), turned(12, r * 0.6), turned(0, r * 0.25)],
        fill=(255, 255, 255),
        outline=(0, 0, 0),
    )
    tip_x, tip_y = turned(0, -r - 16)
    draw.text((tip_x, tip_y), "N", fill=(0, 0, 0), font=_font(22), anchor="mm")


def render(
    *,
    area: BaseGeometry,
    dots: Iterable[Dot],
    rings: Sequence[Ring] = (),
    zones: Iterable[BaseGeometry] = (),
    size: tuple[int, int] = SIZE,
) -> bytes:
    """The map as PNG bytes: zone borders, the area, the reports by status, the numbered
    recurring spots, a scale bar and a north arrow. The same input gives the same bytes."""
    frame = frame_for(area, size)
    image = Image.new("RGB", size, BACKGROUND)
    draw = ImageDraw.Draw(image)
    for zone in zones:
        _draw_outline(draw, frame, zone, ZONE_LINE, 2)
    shade = Image.new("RGBA", size, (0, 0, 0, 0))
    shade_draw = ImageDraw.Draw(shade)
    for ring in _rings_of(area):
        shade_draw.polygon([frame.pixel(x, y) for x, y in ring], fill=AREA_FILL)
    image.paste(shade, (0, 0), shade)
    draw = ImageDraw.Draw(image)
    _draw_outline(draw, frame, area, AREA_LINE, 5)

    by_group: dict[str, list[Dot]] = {g: [] for g in DRAW_ORDER}
    for dot in dots:
        by_group.setdefault(dot.group, []).append(dot)
    for group in DRAW_ORDER:
        for dot in by_group[group]:
            x, y = frame.pixel(dot.lon, dot.lat)
            r = POINT_RADIUS
            draw.ellipse(
                (x - r, y - r, x + r, y + r),
                fill=COLOURS[group],
                outline=(255, 255, 255),
                width=2,
            )
    font = _font(20)
    for ring in rings:
        x, y = frame.pixel(ring.lon, ring.lat)
        r = SPOT_RADIUS
        draw.ellipse((x - r, y - r, x + r, y + r), outline=(0, 0, 0), width=4)
        label_x, label_y = x + r * 0.8, y - r * 1.3
        box = draw.textbbox((label_x, label_y), str(ring.number), font=font)
        draw.rectangle((box[0] - 4, box[1] - 3, box[2] + 4, box[3] + 3), fill=(0, 0, 0))
        draw.text((label_x, label_y), str(ring.number), fill=(255, 255, 255), font=font)
    _scale_bar(draw, frame)
    _north_arrow(draw, frame)
    out = BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
