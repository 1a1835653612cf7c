"""Pieces of the server-drawn SVG maps (no tiles): positions projected to SWEREF 99 TM so
distances are true, a frame that fits them, paths for areas and routes, numbered pins that stay
readable when crowded, a scale bar and a north arrow turned to true north. Elements are built
with ElementTree, which escapes every text and attribute value."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.errors import ShapelyError
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from app.services.map_image import NICE_LENGTHS_M
from app.services.plan_area import to_sweref

WIDTH, HEIGHT = 480, 320  # the viewBox; the SVG scales to its box's width
PIN_RADIUS = 12.0
PAD = 2.4 * PIN_RADIUS  # room around the content for the pins
MARGIN = 0.08  # of the content's extent, on each side
MIN_SPAN_M = 150.0  # one item alone is shown with its surroundings
INK = "#1a1a1a"


@dataclass(frozen=True)
class Frame:
    """Where SWEREF 99 TM metres fall in the viewBox: x grows east, y grows south."""

    west: float
    north: float
    metres_per_unit: float

    def of_metres(self, easting: float, northing: float) -> tuple[float, float]:
        return (
            (easting - self.west) / self.metres_per_unit,
            (self.north - northing) / self.metres_per_unit,
        )

    def of(self, lon: float, lat: float) -> tuple[float, float]:
        return self.of_metres(*to_sweref(lon, lat))


def projected(lon: object, lat: object) -> tuple[float, float] | None:
    """SWEREF 99 TM metres of a position, or None when it is missing or not a number."""
    try:
        lon_f, lat_f = float(lon), float(lat)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lon_f) and math.isfinite(lat_f)) or abs(lat_f) > 90 or abs(lon_f) > 180:
        return None
    easting, northing = to_sweref(lon_f, lat_f)
    if not (math.isfinite(easting) and math.isfinite(northing)):
        return None
    return easting, northing


def _to_metres(coords: np.ndarray) -> np.ndarray:
    easting, northing = to_sweref(coords[:, 0], coords[:, 1])  # type: ignore[arg-type]
    return np.column_stack([easting, northing])


def load_shape(text: str | None, kinds: tuple[str, ...]) -> BaseGeometry | None:
    """A stored GeoJSON geometry in SWEREF 99 TM metres, or None if absent or unreadable."""
    if not text:
        return None
    try:
        data = json.loads(text)
        if isinstance(data, dict) and data.get("type") == "Feature":
            data = data.get("geometry")
        if not isinstance(data, dict) or data.get("type") not in kinds:
            return None
        geometry = shapely.transform(shape(data), _to_metres)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError, ShapelyError):
        return None
    if geometry.is_empty or not all(math.isfinite(v) for v in geometry.bounds):
        return None
    return geometry


def frame_for(points: Sequence[tuple[float, float]]) -> Frame:
    """The frame that shows every point, centred, at one scale both ways, with room for pins."""
    west = min(e for e, _n in points)
    east = max(e for e, _n in points)
    south = min(n for _e, n in points)
    north = max(n for _e, n in points)
    span_e = max(east - west, MIN_SPAN_M) * (1 + 2 * MARGIN)
    span_n = max(north - south, MIN_SPAN_M) * (1 + 2 * MARGIN)
    scale = max(span_e / (WIDTH - 2 * PAD), span_n / (HEIGHT - 2 * PAD))
    centre_e, centre_n = (west + east) / 2, (south + north) / 2
    return Frame(
        west=centre_e - scale * WIDTH / 2,
        north=centre_n + scale * HEIGHT / 2,
        metres_per_unit=scale,
    )


def fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def path(rings: Iterable[Iterable[tuple[float, ...]]], frame: Frame, *, closed: bool) -> str:
    parts = []
    for ring in rings:
        points = [frame.of_metres(x, y) for x, y, *_z in ring]
        if len(points) < 2:
            continue
        parts.append(
            "M" + " L".join(f"{fmt(x)} {fmt(y)}" for x, y in points) + (" Z" if closed else "")
        )
    return " ".join(parts)


def rings(geometry: BaseGeometry) -> list[list[tuple[float, ...]]]:
    polygons = getattr(geometry, "geoms", [geometry])
    out = []
    for polygon in polygons:
        if polygon.geom_type == "Polygon":
            out.append(list(polygon.exterior.coords))
            out.extend(list(ring.coords) for ring in polygon.interiors)
    return out


def lines(geometry: BaseGeometry) -> list[list[tuple[float, ...]]]:
    return [list(line.coords) for line in getattr(geometry, "geoms", [geometry])]


def place(spots: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Where each pin's circle goes: on its spot, or the nearest free place around it (eight
    directions, two distances) when an earlier pin is there; if none is free, on its spot.
    Placed circles are kept in a grid of cells one pin wide, so a check looks at 9 cells."""
    placed: list[tuple[float, float]] = []
    gap = 2 * PIN_RADIUS - 1
    grid: dict[tuple[int, int], list[tuple[float, float]]] = {}

    def free(x: float, y: float) -> bool:
        if not (PIN_RADIUS <= x <= WIDTH - PIN_RADIUS and PIN_RADIUS <= y <= HEIGHT - PIN_RADIUS):
            return False
        col, row = int(x // gap), int(y // gap)
        return all(
            math.hypot(x - px, y - py) >= gap
            for dc in (-1, 0, 1)
            for dr in (-1, 0, 1)
            for px, py in grid.get((col + dc, row + dr), ())
        )

    for x, y in spots:
        choice = (x, y)
        if not free(x, y):
            for distance in (2.1 * PIN_RADIUS, 4.2 * PIN_RADIUS):
                around = [
                    (x + distance * math.cos(a), y - distance * math.sin(a))
                    for a in (math.radians(45 + 45 * k) for k in range(8))
                ]
                found = next(((cx, cy) for cx, cy in around if free(cx, cy)), None)
                if found:
                    choice = found
                    break
        placed.append(choice)
        grid.setdefault((int(choice[0] // gap), int(choice[1] // gap)), []).append(choice)
    return placed


def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: object) -> ET.Element:
    """A child element; `fill_opacity=` is written fill-opacity, `class_=` class."""
    names = {k: k.rstrip("_").replace("_", "-") for k in attrs}
    element = ET.SubElement(parent, tag, {names[k]: str(v) for k, v in attrs.items()})
    if text is not None:
        element.text = text
    return element


def scale_bar(svg: ET.Element, frame: Frame) -> None:
    """A bar of a round length, about a fifth of the map wide, bottom left."""
    wanted = WIDTH * 0.22 * frame.metres_per_unit
    length = max([n for n in NICE_LENGTHS_M if n <= wanted] or [NICE_LENGTHS_M[0]])
    units = length / frame.metres_per_unit
    x0, y0 = 12.0, HEIGHT - 14.0
    bar = sub(svg, "g", class_="scale-bar")
    sub(
        bar,
        "rect",
        x=fmt(x0 - 6),
        y=fmt(y0 - 20),
        width=fmt(units + 12),
        height="30",
        fill="#ffffff",
        fill_opacity="0.85",
    )
    sub(bar, "rect", x=fmt(x0), y=fmt(y0), width=fmt(units / 2), height="5", fill=INK)
    sub(
        bar,
        "rect",
        x=fmt(x0 + units / 2),
        y=fmt(y0),
        width=fmt(units / 2),
        height="5",
        fill="#ffffff",
        stroke=INK,
        stroke_width="1",
    )
    label = f"{length // 1000} km" if length >= 1000 and length % 1000 == 0 else f"{length} m"
    sub(bar, "text", label, x=fmt(x0), y=fmt(y0 - 5), font_size="11", fill=INK)


def north_arrow(svg: ET.Element, frame: Frame, centre: tuple[float, float]) -> None:
    """An arrow turned to true north (grid north differs by a few degrees in Norrbotten)."""
    lon, lat = centre
    e1, n1 = to_sweref(lon, lat)
    e2, n2 = to_sweref(lon, lat + 0.01)
    angle = math.degrees(math.atan2(e2 - e1, n2 - n1))
    cx, cy = WIDTH - 22.0, 30.0
    arrow = sub(svg, "g", class_="north-arrow")
    sub(arrow, "circle", cx=fmt(cx), cy=fmt(cy - 3), r="17", fill="#ffffff", fill_opacity="0.85")
    turned = sub(arrow, "g", transform=f"rotate({angle:.2f} {fmt(cx)} {fmt(cy)})")
    sub(
        turned,
        "path",
        d=f"M{fmt(cx)} {fmt(cy - 10)} L{fmt(cx - 6)} {fmt(cy + 8)} L{fmt(cx)} {fmt(cy + 4)} Z",
        fill=INK,
    )
    sub(
        turned,
        "path",
        d=f"M{fmt(cx)} {fmt(cy - 10)} L{fmt(cx + 6)} {fmt(cy + 8)} L{fmt(cx)} {fmt(cy + 4)} Z",
        fill="#ffffff",
        stroke=INK,
        stroke_width="1",
    )
    sub(
        turned,
        "text",
        "N",
        x=fmt(cx),
        y=fmt(cy - 12),
        font_size="10",
        font_weight="bold",
        fill=INK,
        text_anchor="middle",
    )
