"""Is it dark at a place and time? From the sun's elevation (astral)."""

from __future__ import annotations

from datetime import datetime

from astral import Observer
from astral.sun import elevation

# Below civil twilight (sun 6° under the horizon) it is dark enough that lighting matters.
DARK_BELOW_SUN_ELEVATION_DEG = -6.0


def is_dark(*, lat: float, lon: float, at: datetime) -> bool:
    return elevation(Observer(latitude=lat, longitude=lon), at) < DARK_BELOW_SUN_ELEVATION_DEG
