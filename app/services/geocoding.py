"""Street addresses for reports, found in the background by reverse geocoding.

Capture never waits for this. A pass (`run_once`: inside the app every
`geocoder_interval_seconds`, in a worker thread, or `safetywalk geocode [--loop]`) takes the
newest reports that have no address and were not tried lately, a batch at a time. For each it
claims the row (an atomic update of `geocoded_at`, committed, as the outbox claims a mail), asks
the cache, and only on a miss asks the Nominatim-compatible server at `geocoder_url` with geopy:
Swedish names, street level, a timeout, at most one request per
`geocoder_min_interval_seconds` from the whole process (public Nominatim's usage policy allows
one a second, with a User-Agent that names the application), a few retries with growing waits
on timeouts, 5xx and 429. Then it stores a short address as people write it in Sweden,
"Storgatan 12, Boden", or "" when the server knows none there (so the row is not asked again).

The cache holds the answer for a position rounded to 4 decimals (about 11 m north-south, 5 m
east-west in Boden), and the server is asked for that rounded point, so an entry is the answer
for its key whichever report asked first. A found address is kept; "none here" expires after
NO_ADDRESS_FOR, as the map grows. When the server stays down or slow, the pass logs a warning
and stops; the row it was on is retried after RETRY_AFTER, the rest on the next pass, and the
runner waits longer between passes (`pause`). Nothing else depends on an address.

With several app processes two passes cannot take the same row while a claim holds; a claim
that outlives a crashed pass runs out after RETRY_AFTER. Should two still geocode one position,
the result is the same answer stored twice: harmless.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from geopy.adapters import URLLibAdapter
from geopy.exc import (
    ConfigurationError,
    GeocoderRateLimited,
    GeocoderServiceError,
    GeocoderTimedOut,
    GeocoderUnavailable,
)
from geopy.geocoders import Nominatim
from sqlalchemy import and_, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app import clock
from app.config import Settings
from app.models import GeocodeCache, Observation
from app.services import text_input

log = logging.getLogger("safetywalk.geocoding")

ZOOM = 18  # Nominatim's building level: the street and the house number
LANGUAGE = "sv"
ATTEMPTS = 3  # one request and two retries, then the server is given up until a later pass
MIN_RETRY_WAIT_SECONDS = (
    0.25  # the first retry waits max(this, the usage interval), then twice that
)
MAX_RETRY_WAIT_SECONDS = 30.0  # a 429's Retry-After is honoured up to this
RETRY_AFTER = timedelta(minutes=15)  # a row whose try failed waits this long
NO_ADDRESS_FOR = timedelta(days=30)  # "no address here" is cached this long
BATCH = 100  # rows per pass: at one request a second, under two minutes
MAX_PAUSE_SECONDS = 900.0  # the longest wait between passes while the server is down
ADDRESS_MAX_CHARS = 300  # Observation.address
STREET_KEYS = ("road", "pedestrian", "footway", "cycleway", "path", "square")
PLACE_KEYS = ("city", "town", "village", "municipality")


class Unavailable(Exception):
    """The server gave no usable answer after the retries (down, slow or refusing)."""


class Stopped(Exception):
    """The app is shutting down: the pass ends between requests."""


@dataclass
class Pass:
    """What one pass did."""

    found: int = 0  # reports given an address
    none: int = 0  # reports where the server knows no address
    cached: int = 0  # of those, answered from the cache without asking the server
    failed: int = 0  # reports left for a later pass
    more: bool = False  # the batch was full: more reports may be waiting
    error: str = ""  # why the server was given up, when it was

    @property
    def unavailable(self) -> bool:
        return bool(self.error)


def endpoint(url: str) -> tuple[str, str]:
    """geopy's (scheme, domain) for SAFETYWALK_GEOCODER_URL: the domain is host[:port] and any
    path prefix, e.g. https://maps.example.org/nominatim → ("https", "maps.example.org/nominatim");
    without a scheme, https."""
    url = url.strip()
    parts = urlsplit(url if "://" in url else f"https://{url}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"the geocoder URL must be an http(s) address, not {url!r}")
    return parts.scheme, (parts.netloc + parts.path).rstrip("/")


def client(settings: Settings) -> Nominatim:
    """A geopy Nominatim for the configured server (urllib: no extra HTTP library)."""
    scheme, domain = endpoint(settings.geocoder_url)
    if not settings.geocoder_user_agent.strip():  # geopy's own would be refused by public ones
        raise ValueError("the geocoder needs a User-Agent that names this installation")
    return Nominatim(
        domain=domain,
        scheme=scheme,
        user_agent=settings.geocoder_user_agent,
        timeout=settings.geocoder_timeout_seconds,
        adapter_factory=URLLibAdapter,
    )


def cache_key(lat: float, lon: float) -> str:
    """The position rounded to 4 decimals (about 10 m): "65.8253,21.6880"."""
    return f"{round(lat, 4) + 0.0:.4f},{round(lon, 4) + 0.0:.4f}"  # + 0.0: never "-0.0000"


def short_address(raw: Mapping[str, Any]) -> str | None:
    """The address as people write it in Sweden, "Storgatan 12, Boden", from Nominatim's
    `address` parts; without a street, the first two parts of `display_name`. None when
    there is nothing to show."""
    parts = raw.get("address")
    parts = parts if isinstance(parts, Mapping) else {}

    def first(keys: tuple[str, ...]) -> str:
        return next((str(parts[k]).strip() for k in keys if str(parts.get(k) or "").strip()), "")

    street = first(STREET_KEYS)
    if street:
        number = str(parts.get("house_number") or "").strip()
        street = f"{street} {number}" if number else street
        place = first(PLACE_KEYS)
        text = f"{street}, {place}" if place and place != street else street
    else:
        names = [p.strip() for p in str(raw.get("display_name") or "").split(",")]
        text = ", ".join([p for p in names if p][:2])
    text = text_input.clean(text, multiline=False)[:ADDRESS_MAX_CHARS].strip()
    return text or None


# The usage interval holds for the whole process: every pass and thread waits its turn here.
# A request starts `interval` after the one before it started and, when that one has ended,
# after it ended: the server sees them at least the interval apart, whatever the network did.
_turn = threading.Lock()  # one waiter at a time, in order
_times = threading.Lock()  # guards _last_request
_last_request = float("-inf")


def wait_turn(interval: float, stop: threading.Event | None) -> None:
    """Block until `interval` seconds have passed since this process's last request."""
    global _last_request
    with _turn:
        while True:
            with _times:
                wait = _last_request + interval - time.monotonic()
            if wait <= 0:
                break
            if _sleep(wait, stop):
                raise Stopped
        with _times:
            _last_request = time.monotonic()


def request_ended() -> None:
    global _last_request
    with _times:
        _last_request = max(_last_request, time.monotonic())


def _sleep(seconds: float, stop: threading.Event | None) -> bool:
    """Sleep; True when `stop` was set meanwhile."""
    if stop is None:
        time.sleep(seconds)
        return False
    return stop.wait(seconds)


def _retried(exc: GeocoderServiceError) -> bool:
    """Timeouts (and 503/504), a refused or reset connection, 429, and 5xx (geopy raises the
    plain GeocoderServiceError for 500, 502 and codes it does not know) are worth a retry;
    a 4xx such as 400 or 403, or an answer that is not JSON, is not."""
    retried = (GeocoderTimedOut, GeocoderUnavailable, GeocoderRateLimited)
    return isinstance(exc, retried) or type(exc) is GeocoderServiceError


def ask(
    server: Nominatim,
    *,
    settings: Settings,
    lat: float,
    lon: float,
    stop: threading.Event | None = None,
) -> str | None:
    """The server's short address for (lat, lon), None when it knows none there. Waits its
    turn (the usage interval), retries with growing waits; raises Unavailable in the end."""
    interval = settings.geocoder_min_interval_seconds
    problem: GeocoderServiceError | None = None
    for attempt in range(ATTEMPTS):
        if attempt:
            wait = max(interval, MIN_RETRY_WAIT_SECONDS) * 2 ** (attempt - 1)
            if isinstance(problem, GeocoderRateLimited) and problem.retry_after:
                wait = max(wait, float(problem.retry_after))
            if _sleep(min(wait, MAX_RETRY_WAIT_SECONDS), stop):
                raise Stopped
        wait_turn(interval, stop)
        try:
            found = server.reverse(
                (lat, lon), exactly_one=True, language=LANGUAGE, zoom=ZOOM, addressdetails=True
            )
        except GeocoderServiceError as exc:
            request_ended()
            problem = exc
            if not _retried(exc):
                break
            continue
        request_ended()
        return short_address(found.raw) if found is not None else None
    raise Unavailable(f"{type(problem).__name__}: {problem}")


def address_for(
    *,
    session: Session,
    settings: Settings,
    server: Nominatim,
    lat: float,
    lon: float,
    stop: threading.Event | None = None,
) -> tuple[str | None, bool]:
    """(address or None, whether it came from the cache): the cache first, the server only on a
    miss or an expired "none here"; the server's answer is cached. Raises Unavailable."""
    key = cache_key(lat, lon)
    now = clock.now()
    hit = session.exec(
        select(GeocodeCache.address, GeocodeCache.fetched_at).where(GeocodeCache.key == key)
    ).first()
    session.rollback()  # no transaction is held open while the server is asked
    if hit is not None and (hit[0] is not None or hit[1] > now - NO_ADDRESS_FOR):
        return hit[0], True
    rounded_lat, rounded_lon = (float(x) for x in key.split(","))
    address = ask(server, settings=settings, lat=rounded_lat, lon=rounded_lon, stop=stop)
    try:
        session.merge(GeocodeCache(key=key, address=address, fetched_at=clock.now()))
        session.commit()
    except IntegrityError:  # another process cached the same position meanwhile: same answer
        session.rollback()
    return address, False


def _due(now: datetime) -> Any:
    """No address yet, and never tried or the last try is older than RETRY_AFTER."""
    tried = col(Observation.geocoded_at)
    return and_(
        col(Observation.address).is_(None),
        or_(tried.is_(None), tried < now - RETRY_AFTER),
    )


def _claim(session: Session, obs_id: int, now: datetime) -> bool:
    """Take the row for this pass (committed), unless another pass has it or it is done.
    A plain UPDATE of these two columns: it neither reads nor writes anything a triager may
    be changing at the same moment."""
    result = session.exec(  # type: ignore[call-overload]
        update(Observation)
        .where(col(Observation.id) == obs_id, _due(now))
        .values(geocoded_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(result.rowcount == 1)


def _store(session: Session, obs_id: int, address: str) -> None:
    session.exec(  # type: ignore[call-overload]
        update(Observation)
        .where(col(Observation.id) == obs_id, col(Observation.address).is_(None))
        .values(address=address, geocoded_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    session.commit()


def waiting(*, session: Session) -> int:
    """Reports without an address yet (tried or not)."""
    stmt = select(func.count()).select_from(Observation).where(col(Observation.address).is_(None))
    return int(session.exec(stmt).one())


def run_once(
    *,
    session: Session,
    settings: Settings,
    limit: int = BATCH,
    stop: threading.Event | None = None,
) -> Pass:
    """One pass over up to `limit` reports that need an address, newest first. Does nothing
    when no geocoder is configured; stops at the first report the server fails on."""
    result = Pass()
    if not settings.geocoder_url:
        return result
    try:
        server = client(settings)
    except (ValueError, ConfigurationError) as exc:  # a mistyped setting: say so every pass
        result.error = str(exc)
        log.error("street addresses are not looked up: %s", exc)
        return result
    due = session.exec(
        select(Observation.id, Observation.lat, Observation.lon)
        .where(_due(clock.now()))
        .order_by(col(Observation.created_at).desc(), col(Observation.id).desc())
        .limit(limit)
    ).all()
    session.rollback()
    result.more = len(due) == limit
    for obs_id, lat, lon in due:
        if stop is not None and stop.is_set():
            break
        if not _claim(session, obs_id, clock.now()):  # type: ignore[arg-type]
            continue  # another pass has it, or finished it meanwhile
        try:
            address, cached = address_for(
                session=session, settings=settings, server=server, lat=lat, lon=lon, stop=stop
            )
        except Stopped:
            break  # the claim runs out; a later pass takes the row again
        except Unavailable as exc:
            result.failed += 1
            result.error = str(exc)
            log.warning(
                "the geocoder at %s gave no answer for report %s (%s); it and the rest wait "
                "for a later pass",
                settings.geocoder_url,
                obs_id,
                exc,
            )
            break
        _store(session, obs_id, address or "")  # type: ignore[arg-type]
        result.cached += cached
        if address:
            result.found += 1
        else:
            result.none += 1
    return result


def pause(*, result: Pass | None, failures: int, interval: float) -> float:
    """Seconds until the next pass: none when the batch was full, `interval` normally, doubled
    for each pass in a row that found the server down (up to MAX_PAUSE_SECONDS)."""
    if failures:
        return min(interval * 2**failures, max(MAX_PAUSE_SECONDS, interval))
    if result is not None and result.more:
        return 0.0
    return interval
