"""A walk's overview map for its protocol: an SVG drawn on the server, with no tiles, so the page
and the PDF show the same map where no tile server is reachable (and years later).

Everything is projected to SWEREF 99 TM (metres) like `map_image`, so distances are true in
every direction and the scale bar can be trusted. The map shows the walk's drawn area (or its
district's outline, clipped to the view), the route, the meeting point, and one numbered pin per
item with the protocol's number (`Protocol.numbered`), coloured by status group as on the plan
maps. The SVG holds no words, only numbers, "m"/"km" and "N": the legend is the page's, in the
reader's language. Pins that would cover each other are moved aside, with a line to the spot;
later numbers are drawn on top. Every text in the SVG goes through ElementTree, which escapes it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from app.i18n import gettext as _
from app.models import CategoryKind, Walk
from app.services import svg_map
from app.services.map_image import COLOURS, group_of
from app.services.svg_map import HEIGHT, INK, PIN_RADIUS, WIDTH, fmt, sub
from app.services.walk_items import WalkItem

BACKGROUND = "#f6f6f1"
AREA = "#0a4a82"
ROUTE = "#b34700"
LEGEND_ORDER = ("open", "in_progress", "fixed", "closed", "good")
TITLE_ID = "protocol-map-title"
CLIP_ID = "protocol-map-clip"


def hex_colour(group: str) -> str:
    red, green, blue = COLOURS[group]
    return f"#{red:02x}{green:02x}{blue:02x}"


def _text_colour(group: str) -> str:
    """White on the dark groups, black on orange (white on it is too faint to read)."""
    red, green, blue = COLOURS[group]
    light = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return INK if light > 100 else "#ffffff"


@dataclass(frozen=True)
class Pin:
    number: int
    item_id: int
    group: str
    label: str
    spot: tuple[float, float]  # where the item is, in viewBox units
    at: tuple[float, float]  # where its numbered circle is drawn (moved aside if crowded)


@dataclass(frozen=True)
class OverviewMap:
    svg: Markup
    pins: list[Pin]
    groups: list[tuple[str, str, int]]  # (group, colour, how many), in the legend's order
    area: bool
    route: bool
    meeting: bool
    unplaced: int  # items without a usable position (not on the map)
    frame: svg_map.Frame  # where metres fall in the viewBox (for the tests and the scale)


def overview(
    *,
    walk: Walk,
    numbered: Sequence[tuple[int, WalkItem]],
    lang: str,
    zone_geometry: str | None = None,
) -> OverviewMap | None:
    """The walk's overview map, or None when there is nothing to place (no item with a
    position, no area, route or meeting point)."""
    area = svg_map.load_shape(walk.area, ("Polygon", "MultiPolygon"))
    district = None if area else svg_map.load_shape(zone_geometry, ("Polygon", "MultiPolygon"))
    route = svg_map.load_shape(walk.route, ("LineString", "MultiLineString"))
    meeting = svg_map.projected(walk.meeting_lon, walk.meeting_lat)
    placed = [
        (n, item, at) for n, item in numbered if (at := svg_map.projected(item.lon, item.lat))
    ]
    points = [at for _num, _i, at in placed] + ([meeting] if meeting else [])
    for geometry in (area, route):
        if geometry is not None:
            west, south, east, north = geometry.bounds
            points += [(west, south), (east, north)]
    if not points and district is not None:
        west, south, east, north = district.bounds
        points = [(west, south), (east, north)]
    if not points:
        return None
    frame = svg_map.frame_for(points)

    count = len(placed)
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {WIDTH} {HEIGHT}",
            "width": "100%",
            "role": "img",
            "aria-labelledby": TITLE_ID,
            "class": "protocol-map-svg",
            "font-family": "DejaVu Sans, Verdana, sans-serif",
        },
    )
    title = _("Overview map of the walk with %(n)s numbered items", n=count)
    sub(svg, "title", title, id=TITLE_ID)
    clip = sub(sub(svg, "defs"), "clipPath", id=CLIP_ID)
    sub(clip, "rect", x="0", y="0", width=WIDTH, height=HEIGHT)
    sub(
        svg,
        "rect",
        x="0",
        y="0",
        width=WIDTH,
        height=HEIGHT,
        fill=BACKGROUND,
        stroke="#8a8a8a",
        stroke_width="1",
    )
    shapes = sub(svg, "g", clip_path=f"url(#{CLIP_ID})")
    outline = area or district
    if outline is not None:
        simple = outline.simplify(frame.metres_per_unit / 2)
        # The drawn area solid; a district's outline (the walk's zone) dashed.
        line = {"stroke_width": "2"} if area else {"stroke_width": "1.5", "stroke_dasharray": "6 3"}
        sub(
            shapes,
            "path",
            class_="area",
            d=svg_map.path(svg_map.rings(simple), frame, closed=True),
            fill=AREA,
            fill_opacity="0.08",
            fill_rule="evenodd",
            stroke=AREA,
            **line,
        )
    if route is not None:
        sub(
            shapes,
            "path",
            class_="route",
            d=svg_map.path(svg_map.lines(route), frame, closed=False),
            fill="none",
            stroke=ROUTE,
            stroke_width="3",
            stroke_dasharray="8 5",
            stroke_linecap="round",
            stroke_linejoin="round",
        )
    if meeting is not None:
        mx, my = frame.of_metres(*meeting)
        sub(
            svg,
            "rect",
            class_="meeting",
            x=fmt(mx - 7),
            y=fmt(my - 7),
            width="14",
            height="14",
            fill="#ffffff",
            stroke=INK,
            stroke_width="2",
            transform=f"rotate(45 {fmt(mx)} {fmt(my)})",
        )
        sub(svg, "circle", cx=fmt(mx), cy=fmt(my), r="3", fill=INK)
    svg_map.scale_bar(svg, frame)
    centre_lon, centre_lat = _centre_wgs84(walk, numbered)
    svg_map.north_arrow(svg, frame, (centre_lon, centre_lat))

    spots = [frame.of_metres(*at) for _num, _i, at in placed]
    pins = []
    for (number, item, _at), spot, at in zip(placed, spots, svg_map.place(spots), strict=True):
        group = group_of(item.status, good=item.kind == CategoryKind.good)
        pins.append(
            Pin(
                number=number,
                item_id=item.id,
                group=group,
                label=f"{number}: {item.category.name(lang)}",
                spot=spot,
                at=at,
            )
        )
    # The lines from moved pins to their spots first, under every pin; then the pins in number
    # order, so that a later number lies on top and no line or dot covers a number.
    leaders = sub(svg, "g", class_="leaders")
    for pin in pins:
        if pin.at != pin.spot:
            _draw_leader(leaders, pin)
    for pin in pins:
        _draw_pin(svg, pin)
    counts = {g: sum(1 for p in pins if p.group == g) for g in LEGEND_ORDER}
    return OverviewMap(
        svg=Markup(ET.tostring(svg, encoding="unicode", short_empty_elements=True)),
        pins=pins,
        groups=[(g, hex_colour(g), counts[g]) for g in LEGEND_ORDER if counts[g]],
        area=outline is not None,
        route=route is not None,
        meeting=meeting is not None,
        unplaced=len(numbered) - count,
        frame=frame,
    )


def _centre_wgs84(walk: Walk, numbered: Sequence[tuple[int, WalkItem]]) -> tuple[float, float]:
    """Roughly the map's middle, in degrees, for the north arrow's turn."""
    spots = [(i.lon, i.lat) for _num, i in numbered if svg_map.projected(i.lon, i.lat)]
    if walk.meeting_lat is not None and svg_map.projected(walk.meeting_lon, walk.meeting_lat):
        spots.append((walk.meeting_lon, walk.meeting_lat))  # type: ignore[arg-type]
    if not spots:
        return 21.69, 65.83  # Boden: the convergence there is what matters
    return (
        sum(float(lon) for lon, _lat in spots) / len(spots),
        sum(float(lat) for _lon, lat in spots) / len(spots),
    )


def _draw_leader(parent: ET.Element, pin: Pin) -> None:
    """A line from where the item is to its moved pin, with a dot on the spot."""
    (sx, sy), (x, y) = pin.spot, pin.at
    leader = sub(parent, "g", class_="leader", data_number=pin.number)
    sub(
        leader, "line", x1=fmt(sx), y1=fmt(sy), x2=fmt(x), y2=fmt(y), stroke=INK, stroke_width="1.2"
    )
    sub(leader, "circle", class_="spot", cx=fmt(sx), cy=fmt(sy), r="2.5", fill=INK)


def _draw_pin(svg: ET.Element, pin: Pin) -> None:
    x, y = pin.at
    group = sub(
        svg, "g", class_=f"pin pin-{pin.group}", data_number=pin.number, data_item=pin.item_id
    )
    sub(group, "title", pin.label)
    sub(
        group,
        "circle",
        class_="badge",
        cx=fmt(x),
        cy=fmt(y),
        r=fmt(PIN_RADIUS),
        fill=hex_colour(pin.group),
        stroke="#ffffff",
        stroke_width="2",
    )
    digits = len(str(pin.number))
    sub(
        group,
        "text",
        str(pin.number),
        x=fmt(x),
        y=fmt(y),
        font_size=str(13 if digits < 3 else 10),
        font_weight="bold",
        fill=_text_colour(pin.group),
        text_anchor="middle",
        dominant_baseline="central",
    )
