"""The one clock: code asks `clock.now()`, tests set it with `clock.frozen(at)`.

Nothing in the app reads the wall clock any other way, so no test depends on today's date.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

_fixed: datetime | None = None


def now() -> datetime:
    """The current time, timezone-aware in UTC (or the time a test has set)."""
    return _fixed if _fixed is not None else datetime.now(UTC)


def set_to(at: datetime | None) -> None:
    """Stop the clock at `at` (aware); None lets it run again."""
    global _fixed
    if at is not None and at.tzinfo is None:
        raise ValueError("the clock is set with an aware datetime")
    _fixed = at.astimezone(UTC) if at is not None else None


def advance(by: timedelta) -> None:
    """Move a stopped clock on."""
    if _fixed is None:
        raise RuntimeError("advance() needs a stopped clock")
    set_to(_fixed + by)


@contextmanager
def frozen(at: datetime) -> Iterator[None]:
    """The clock stands at `at` inside the block."""
    before = _fixed
    set_to(at)
    try:
        yield
    finally:
        set_to(before)
