"""Bar charts drawn on the server as SVG, each shown with its table: no script, no CDN, the
same in print and in the PDF, and a screen reader reads the table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from babel.numbers import format_decimal, format_percent

from app import i18n
from app.i18n import gettext as _

Unit = Literal["count", "share", "days", "points"]
WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 8, 8, 24, 40  # room for the values above and the labels below


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    text: str  # the value as shown, or "no data"
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    title: str
    unit: Unit
    bars: list[Bar]
    row_heading: str = ""  # what a row is ("Year", "District"); the table's first column
    value_heading: str = ""  # what the value is (the indicator); the table's second column
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def baseline(self) -> float:
        return float(self.height - BOTTOM)

    @property
    def label_chars(self) -> int:
        """How many characters of a label fit under its bar (about 7.5 units each at the
        labels' 13 px): twelve categories' names would otherwise run into each other."""
        slot = (self.width - LEFT - RIGHT) / max(len(self.bars), 1)
        return max(3, min(14, int(slot / 7.5)))


def format_value(value: float | None, unit: Unit) -> str:
    """A figure as the pages show it, in the visitor's language."""
    if value is None:
        return _("no data")
    lang = i18n.current_language()
    if unit == "share":
        return format_percent(value, locale=lang)
    if unit == "count":
        return format_decimal(round(value), format="#,##0", locale=lang)
    return format_decimal(value, format="#,##0.#", locale=lang)


def bars(
    *,
    title: str,
    rows: list[tuple[str, float | None]],
    unit: Unit,
    row_heading: str = "",
    value_heading: str = "",
) -> Chart:
    """One bar per row, scaled to the largest value; a row without data has no bar."""
    top = max((abs(v) for _, v in rows if v is not None), default=0.0) or 1.0
    slot = (WIDTH - LEFT - RIGHT) / max(len(rows), 1)
    room = HEIGHT - TOP - BOTTOM
    drawn = []
    for i, (label, value) in enumerate(rows):
        height = room * (max(value, 0.0) / top) if value is not None else 0.0
        drawn.append(
            Bar(
                label=label,
                value=value,
                text=format_value(value, unit),
                x=LEFT + i * slot + slot * 0.15,
                y=HEIGHT - BOTTOM - height,
                width=slot * 0.7,
                height=height,
            )
        )
    return Chart(
        title=title,
        unit=unit,
        bars=drawn,
        row_heading=row_heading,
        value_heading=value_heading,
    )
