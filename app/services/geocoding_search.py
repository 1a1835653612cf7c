"""Forward geocoding: a written address to a position, for a service request posted with an
`address_string` instead of lat and long.

It asks the same Nominatim-compatible server as the background address pass (geocoding.client),
within the same usage interval for the whole process, once (a client system is waiting, so no
retries with growing waits: it may retry itself), and only near the municipality: a viewbox
around the map's centre, bounded, so "Storgatan 12" is Boden's and not Stockholm's."""

from __future__ import annotations

import math

from geopy.exc import ConfigurationError, GeocoderRateLimited, GeocoderServiceError

from app.config import Settings
from app.services import geocoding, text_input

# Half the viewbox's height: about 55 km north and south of the map's centre, which holds a
# large Swedish municipality; east-west the same distance (degrees widen towards the pole).
VIEWBOX_HALF_LAT = 0.5
QUERY_MAX_CHARS = 300


class NoGeocoder(Exception):
    """No geocoder is configured (SAFETYWALK_GEOCODER_URL is empty)."""


class Unavailable(Exception):
    """The server gave no usable answer; `retry_after` is its hint in seconds, if it gave one."""

    def __init__(self, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def viewbox(settings: Settings) -> tuple[tuple[float, float], tuple[float, float]]:
    """Two opposite corners (lat, lon) of the area searched, around the map's centre."""
    lat, lon = settings.map_center_lat, settings.map_center_lon
    half_lon = min(VIEWBOX_HALF_LAT / max(math.cos(math.radians(lat)), 0.05), 180.0)
    return (
        (max(lat - VIEWBOX_HALF_LAT, -90.0), max(lon - half_lon, -180.0)),
        (min(lat + VIEWBOX_HALF_LAT, 90.0), min(lon + half_lon, 180.0)),
    )


def find(settings: Settings, address: str) -> tuple[float, float] | None:
    """The position of `address` near the municipality, None when the server knows none there.
    Raises NoGeocoder without a configured server, Unavailable when it does not answer."""
    if not settings.geocoder_url:
        raise NoGeocoder
    query = text_input.clean(address, multiline=False)[:QUERY_MAX_CHARS]
    if not query:
        return None
    try:
        server = geocoding.client(settings)
    except (ValueError, ConfigurationError) as exc:  # a mistyped setting: the operator's to fix
        raise Unavailable(str(exc)) from exc
    geocoding.wait_turn(settings.geocoder_min_interval_seconds, None)
    try:
        found = server.geocode(
            query,
            exactly_one=True,
            language=geocoding.LANGUAGE,
            viewbox=viewbox(settings),
            bounded=True,
        )
    except GeocoderRateLimited as exc:
        raise Unavailable(str(exc), int(exc.retry_after) if exc.retry_after else None) from exc
    except GeocoderServiceError as exc:
        raise Unavailable(f"{type(exc).__name__}: {exc}") from exc
    finally:
        geocoding.request_ended()
    if found is None:
        return None
    lat, lon = float(found.latitude), float(found.longitude)
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon
