"""A planner's filters: read from a query string, refused with the field named, and written
back to the same query string (so that a narrowed view is a link)."""

from __future__ import annotations

from datetime import date

import pytest
from starlette.datastructures import QueryParams

from app.models import CLOSED_STATES, Status
from app.services.planning_filters import Filters, InvalidFilter


def test_a_query_string_round_trips() -> None:
    query = (
        "from=2025-01-01&to=2025-12-31&category=dark-spot&category=vegetation"
        "&status=open&dark=dark&source=walk"
    )
    filters = Filters.parse(QueryParams(query))
    assert filters.date_from == date(2025, 1, 1) and filters.date_to == date(2025, 12, 31)
    assert filters.categories == ("dark-spot", "vegetation")
    assert Filters.parse(QueryParams(filters.query())) == filters
    assert filters.query() == query
    assert Filters.parse(QueryParams("")).active is False


def test_status_groups_expand() -> None:
    assert Filters.parse({"status": ["closed"]}).status_set() == CLOSED_STATES
    assert Filters.parse({"status": ["fixed", "new"]}).status_set() == {Status.fixed, Status.new}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-13-01", "from"),
        ("to=yesterday", "to"),
        ("from=2026-02-01&to=2026-01-01", "to"),
        ("from=1900-01-01", "from"),
        ("status=lost", "status"),
        ("dark=maybe", "dark"),
        ("source=police", "source"),
        ("source=walk&source=own", "source"),
        ("category=" + "x" * 65, "category"),
        ("category=a;drop", "category"),
    ],
)
def test_bad_values_name_their_field(query: str, field: str) -> None:
    with pytest.raises(InvalidFilter) as refused:
        Filters.parse(QueryParams(query))
    assert refused.value.field == field
