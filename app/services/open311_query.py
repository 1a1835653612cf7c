"""The arguments of Open311's GET requests, read as the spec has them.

Every argument is optional, and an empty one counts as absent. `service_request_id` (a comma
list) overrides all others. `start_date`/`end_date` filter on requested_datetime: W3C with a
time zone, at most 90 days apart, the most recent 90 days when neither is given. `status` is
open and/or closed. Paging is the extensions page's `page` (from 1) and `page_size` (up to the
spec's default limit, `open311_max_requests`).

A request's dates are published to the day (see open311_requests), so the window is applied to
the day too: a request is in it when its published day (local midnight) is. Filtering on the
exact minute would let a client find the minute again by narrowing the window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.i18n import gettext as _
from app.models import CLOSED_STATES, OPEN_STATES, Status
from app.services.open311_format import Open311Error

# Where a published day begins (the municipality's calendar, as the public pages show it).
LOCAL = ZoneInfo("Europe/Stockholm")
WINDOW = timedelta(days=90)
STATUSES: dict[str, frozenset[Status]] = {"open": OPEN_STATES, "closed": CLOSED_STATES}
MAX_ID = 2**31 - 1  # the id column's range: a larger number names no request
MAX_PAGE = 1_000_000
# The W3C note's date-times that carry a time: minutes at least, seconds and their fractions
# optional, the zone required.
_W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$")
# "+01:00" sent unencoded in a query string arrives as " 01:00": nothing else can be meant.
_PLUS_AS_SPACE = re.compile(r" (\d{2}:\d{2})$")


def local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL).date()


def midnight(day: date) -> datetime:
    """The local midnight that begins `day` (Sweden changes its clocks at 02:00 or 03:00)."""
    return datetime.combine(day, time(), LOCAL)


@dataclass(frozen=True)
class RequestQuery:
    """What GET requests asked for: `ids` alone, or the window, services and statuses."""

    ids: tuple[int, ...] | None = None
    codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: frozenset[Status] = frozenset()
    page: int = 1
    page_size: int = 1000

    @classmethod
    def parse(
        cls,
        *,
        service_request_id: str | None,
        service_code: str | None,
        start_date: str | None,
        end_date: str | None,
        status: str | None,
        page: str | None,
        page_size: str | None,
        now: datetime,
        max_requests: int,
    ) -> RequestQuery:
        """The query, or a 400 Open311Error naming the argument that cannot be read."""
        if _items(service_request_id):
            return cls(ids=_ids(service_request_id, max_requests), page_size=max_requests)
        start, end = _window(_moment("start_date", start_date), _moment("end_date", end_date), now)
        statuses: set[Status] = set()
        for word in _items(status):
            if word.lower() not in STATUSES:
                raise Open311Error(400, _("status must be open or closed, or both with a comma."))
            statuses |= STATUSES[word.lower()]
        return cls(
            codes=tuple(dict.fromkeys(_items(service_code))),
            start=start,
            end=end,
            statuses=frozenset(statuses),
            page=_whole("page", page, 1, MAX_PAGE),
            page_size=_whole("page_size", page_size, max_requests, max_requests),
        )

    @property
    def since(self) -> datetime:
        """The first created_at in the window: the first midnight at or after its start."""
        assert self.start is not None
        first = midnight(local_day(self.start))
        return first if first >= self.start else midnight(local_day(self.start) + timedelta(1))

    @property
    def before(self) -> datetime:
        """The created_at the window stops before: the midnight after its end's day."""
        assert self.end is not None
        return midnight(local_day(self.end) + timedelta(days=1))


def _items(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def _ids(value: str, max_requests: int) -> tuple[int, ...]:
    items = _items(value)
    if not all(item.isascii() and item.isdigit() for item in items):
        raise Open311Error(400, _("service_request_id must be request numbers, comma-separated."))
    if len(items) > max_requests:
        raise Open311Error(
            400, _("At most %(n)s service_request_id values at once.", n=max_requests)
        )
    # A number past the column's range names no request (and would upset PostgreSQL).
    return tuple(dict.fromkeys(n for n in map(int, items) if 0 < n <= MAX_ID))


def _moment(name: str, value: str | None) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    value = _PLUS_AS_SPACE.sub(r"+\1", value)
    problem = Open311Error(
        400,
        _(
            "%(name)s must be a date and time with its time zone, e.g. 2026-12-01T00:00:00Z.",
            name=name,
        ),
    )
    if not _W3C.match(value):
        raise problem
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise problem from None
    # Far enough from year 1 and 9999 that a window or a midnight never overflows.
    if not 1900 <= moment.year <= 9000:
        raise Open311Error(400, _("%(name)s is out of range.", name=name))
    return moment


def _window(
    start: datetime | None, end: datetime | None, now: datetime
) -> tuple[datetime, datetime]:
    """The spec's range: at most 90 days; the most recent 90 when none is given."""
    if start is None and end is None:
        return now - WINDOW, now
    if end is None:
        assert start is not None
        return start, start + WINDOW
    if start is None:
        return end - WINDOW, end
    if start > end:
        raise Open311Error(400, _("start_date must not be after end_date."))
    if end - start > WINDOW:
        raise Open311Error(400, _("start_date and end_date may not span more than 90 days."))
    return start, end


def _whole(name: str, value: str | None, default: int, most: int) -> int:
    value = (value or "").strip()
    if not value:
        return default
    if not (value.isascii() and value.isdigit() and len(value) <= 9 and 1 <= int(value) <= most):
        raise Open311Error(
            400, _("%(name)s must be a whole number from 1 to %(most)s.", name=name, most=most)
        )
    return int(value)
