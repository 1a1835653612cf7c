"""GET requests' arguments read as the spec has them (no database: pure parsing)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.models import CLOSED_STATES, OPEN_STATES
from app.services.open311_format import Open311Error
from app.services.open311_query import LOCAL, RequestQuery

NOW = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)


def parse(**given: str | None) -> RequestQuery:
    fields: dict[str, str | None] = dict.fromkeys(
        ("service_request_id", "service_code", "start_date", "end_date", "status", "page")
    )
    fields["page_size"] = None
    fields.update(given)
    return RequestQuery.parse(**fields, now=NOW, max_requests=1000)  # type: ignore[arg-type]


def refused(**given: str | None) -> str:
    """The 400 these arguments get; its description."""
    with pytest.raises(Open311Error) as caught:
        parse(**given)
    assert caught.value.status_code == 400
    return caught.value.description


def test_nothing_given_is_the_last_90_days_every_status_page_one() -> None:
    for nothing in (None, "", " "):
        query = parse(start_date=nothing, end_date=nothing, status=nothing, page=nothing)
        assert (query.start, query.end) == (NOW - timedelta(days=90), NOW)
        assert query.ids is None and query.codes == () and query.statuses == frozenset()
        assert (query.page, query.page_size) == (1, 1000)


def test_one_end_of_the_window_gives_the_other() -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    assert parse(start_date="2026-03-01T00:00:00Z").end == start + timedelta(days=90)
    assert parse(end_date="2026-03-01T00:00:00Z").start == start - timedelta(days=90)
    exactly = parse(start_date="2026-03-01T00:00:00Z", end_date="2026-05-30T00:00:00Z")
    assert exactly.end - exactly.start == timedelta(days=90)  # type: ignore[operator]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2026-03-01T10:00:00Z", datetime(2026, 3, 1, 10, tzinfo=UTC)),
        ("2026-03-01T10:00Z", datetime(2026, 3, 1, 10, tzinfo=UTC)),
        ("2026-03-01T10:00:00.250Z", datetime(2026, 3, 1, 10, 0, 0, 250000, tzinfo=UTC)),
        ("2026-03-01T11:00:00+01:00", datetime(2026, 3, 1, 10, tzinfo=UTC)),
        ("2026-03-01T05:00:00-05:00", datetime(2026, 3, 1, 10, tzinfo=UTC)),
        ("2026-03-01T11:00:00 01:00", datetime(2026, 3, 1, 10, tzinfo=UTC)),  # "+" unencoded
    ],
)
def test_w3c_dates_with_their_zone(text: str, expected: datetime) -> None:
    assert parse(start_date=text).start == expected


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-01T10:00:00",  # no time zone
        "2026-03-01",
        "2026-03-01 10:00:00Z",
        "2026-13-01T10:00:00Z",
        "2026-02-30T10:00:00Z",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
        "tomorrow",
        "2026-03-01T10:00:00+1:00",
    ],
)
def test_other_dates_are_refused_by_name(text: str) -> None:
    assert "start_date" in refused(start_date=text)
    assert "end_date" in refused(end_date=text)


def test_the_window_may_not_run_backwards_or_span_more_than_90_days() -> None:
    assert "90 days" in refused(start_date="2026-03-01T00:00:00Z", end_date="2026-05-30T00:00:01Z")
    assert "start_date" in refused(
        start_date="2026-03-02T00:00:00Z", end_date="2026-03-01T00:00:00Z"
    )


def test_the_window_is_applied_to_whole_local_days() -> None:
    """A request is in the window when its published day (local midnight) is."""
    query = parse(start_date="2026-03-01T10:00:00Z", end_date="2026-03-05T10:00:00Z")
    assert query.since == datetime(2026, 3, 2, tzinfo=LOCAL)
    assert query.before == datetime(2026, 3, 6, tzinfo=LOCAL)
    on_midnight = parse(start_date="2026-02-28T23:00:00Z")  # 1 March 00:00 in Sweden
    assert on_midnight.since == datetime(2026, 3, 1, tzinfo=LOCAL)
    # Across the change to summer time (29 March 2026): a day is 23 hours.
    summer = parse(end_date="2026-03-29T12:00:00+02:00")
    assert summer.before == datetime(2026, 3, 30, tzinfo=LOCAL)
    assert summer.before.utcoffset() == timedelta(hours=2)


def test_service_request_id_overrides_the_rest() -> None:
    query = parse(
        service_request_id=" 12, 7,12,,",
        status="nonsense",
        start_date="not a date",
        page="0",
        service_code="x",
    )
    assert query.ids == (12, 7) and query.codes == () and query.start is None
    assert query.page_size == 1000
    # Numbers past the id column's range name no request.
    assert parse(service_request_id="0,5,2147483648,99999999999999999999").ids == (5,)
    for junk in ("a", "1;2", "-3", "1.0", "0x10", "\u0661"):
        assert "service_request_id" in refused(service_request_id=junk)
    assert "1000" in refused(service_request_id=",".join(["1"] * 1001))
    assert parse(service_request_id=",,").ids is None  # nothing in it: absent


def test_codes_and_statuses() -> None:
    query = parse(service_code="dark-spot, litter,,dark-spot", status="open")
    assert query.codes == ("dark-spot", "litter") and query.statuses == OPEN_STATES
    assert parse(status="closed").statuses == CLOSED_STATES
    assert parse(status="OPEN,closed").statuses == OPEN_STATES | CLOSED_STATES
    for bad in ("pending", "open;closed", "new"):
        assert "status" in refused(status=bad)


def test_paging_within_the_limit() -> None:
    query = parse(page="3", page_size="50")
    assert (query.page, query.page_size) == (3, 50)
    assert parse(page_size="1000").page_size == 1000
    for name, bad in (
        ("page", "0"),
        ("page", "-1"),
        ("page", "1.5"),
        ("page", "99999999999"),
        ("page_size", "0"),
        ("page_size", "1001"),
        ("page_size", "ten"),
    ):
        assert name in refused(**{name: bad})
