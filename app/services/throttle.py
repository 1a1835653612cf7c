"""Slowing down password guessing without locking anyone out.

Every login attempt first takes one try from each of its budgets (a `LoginThrottle` row per
key: the account, the client address, or a device that has logged in before). Reading the
count and writing the new one happen in one transaction that holds the rows: on PostgreSQL a
`SELECT ... FOR UPDATE` on each row, on SQLite `BEGIN IMMEDIATE` (the database's write lock).
So forty parallel guesses are counted one after another and cannot all see "4 failures so
far" — reading the count and inserting a failure afterwards let 18 of 40 through. The try is
taken before the password is checked, so an attempt that is refused never runs the hash; a
successful login gives it back (`forgive`).

Past a budget's limit there is no lock, only a delay that doubles with every further failure
(1, 2, 4 ... seconds after the attempt, up to a cap); failures are forgotten once a window has
passed without one. Nobody can lock someone else out for long, and guessing becomes slow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, or_, select

from app.models import LoginThrottle

# 2**30 s is decades: beyond this the cap has long applied, and the power stays small.
_MAX_DOUBLINGS = 30


class Throttled(Exception):
    """A budget is waiting out its delay; try again in `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Budget:
    """Failures allowed for one key before each further try waits."""

    key: str
    limit: int


def delay_after(failures: int, limit: int, max_delay: timedelta) -> timedelta | None:
    """The wait after the `failures`-th failure: none below the limit, then 1 s, 2 s, 4 s ..."""
    if failures < limit:
        return None
    doublings = min(failures - limit, _MAX_DOUBLINGS)
    return min(timedelta(seconds=2**doublings), max_delay)


def _lock_rows(session: Session, keys: list[str]) -> dict[str, LoginThrottle]:
    """The rows for `keys`, created if missing, held until the transaction ends."""
    session.commit()  # nothing else of this session's may share the locked transaction
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "sqlite":
        # The write lock now, not at the first write: two readers of the same count would
        # otherwise both go on (and one would fail to upgrade its lock).
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        insert = sqlite_insert
    else:
        insert = pg_insert
    for key in keys:  # sorted by the caller: always the same order, so no deadlock
        # "Do update" (to the same value), not "do nothing": it locks a row that exists, so
        # no one can delete it between here and the select.
        session.exec(
            insert(LoginThrottle)  # type: ignore[call-overload]
            .values(key=key, failures=0)
            .on_conflict_do_update(
                index_elements=[col(LoginThrottle.key)],
                set_={"failures": col(LoginThrottle.failures)},
            )
        )
    rows = session.exec(
        select(LoginThrottle)
        .where(col(LoginThrottle.key).in_(keys))
        .order_by(col(LoginThrottle.key))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    return {row.key: row for row in rows}


def take(
    *,
    session: Session,
    budgets: list[Budget],
    now: datetime,
    window: timedelta,
    max_delay: timedelta,
) -> None:
    """Count one try against every budget, or raise Throttled (counting nothing) if any of
    them must still wait."""
    budgets = sorted(budgets, key=lambda budget: budget.key)
    rows = _lock_rows(session, [budget.key for budget in budgets])
    waits = [
        row.next_allowed_at
        for row in rows.values()
        if row.next_allowed_at is not None and row.next_allowed_at > now
    ]
    if waits:
        session.rollback()
        raise Throttled(max(1, math.ceil((max(waits) - now).total_seconds())))
    for budget in budgets:
        row = rows[budget.key]
        if row.last_failure_at is None or row.last_failure_at <= now - window:
            row.failures = 0  # a quiet window forgets
        row.failures += 1
        row.last_failure_at = now
        delay = delay_after(row.failures, budget.limit, max_delay)
        row.next_allowed_at = now + delay if delay else None
        session.add(row)
    session.commit()


def forgive(*, session: Session, budget: Budget) -> None:
    """Give back the try a successful login took (so colleagues behind one address are not
    slowed by each other's logins), without forgiving anyone's failures."""
    failures = col(LoginThrottle.failures)
    session.exec(
        update(LoginThrottle)  # type: ignore[call-overload]
        .where(col(LoginThrottle.key) == budget.key, failures > 0)
        .values(
            failures=failures - 1,
            # Below the limit again: the wait this try set no longer applies.
            next_allowed_at=case(
                (failures - 1 < budget.limit, None), else_=col(LoginThrottle.next_allowed_at)
            ),
        )
    )


def clear(*, session: Session, keys: list[str]) -> None:
    """Forget the failures of these keys (the account's owner has just logged in)."""
    session.exec(delete(LoginThrottle).where(col(LoginThrottle.key).in_(keys)))  # type: ignore[call-overload]


def forget_stale(*, session: Session, now: datetime, window: timedelta) -> None:
    """Drop rows that no longer slow anyone down (no failure within the window, no wait), in a
    transaction of its own that skips rows someone holds (PostgreSQL), so it never waits for,
    or deadlocks with, a login being counted."""
    session.commit()
    stale = (
        select(LoginThrottle.key)
        .where(
            or_(
                col(LoginThrottle.last_failure_at).is_(None),
                col(LoginThrottle.last_failure_at) <= now - window,
            ),
            or_(
                col(LoginThrottle.next_allowed_at).is_(None),
                col(LoginThrottle.next_allowed_at) <= now,
            ),
        )
        .with_for_update(skip_locked=True)
    )
    session.exec(delete(LoginThrottle).where(col(LoginThrottle.key).in_(stale)))  # type: ignore[call-overload]
    session.commit()
