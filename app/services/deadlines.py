"""Due dates: an open observation is due a number of days after it was reported, by priority.

The days come from the settings (`due_days_*`). The due date is worked out, not stored, so a
change of priority or of the settings moves it at once; `overdue_clause` says the same in SQL
for the queue, the reminders and the counts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import col

from app.config import Settings
from app.models import OPEN_STATES, Observation, Priority


def due_days(settings: Settings) -> dict[Priority, int]:
    return {
        Priority.low: settings.due_days_low,
        Priority.normal: settings.due_days_normal,
        Priority.high: settings.due_days_high,
        Priority.urgent: settings.due_days_urgent,
    }


def due_at(obs: Observation, settings: Settings) -> datetime:
    return obs.created_at + timedelta(days=due_days(settings)[obs.priority])


def overdue_clause(settings: Settings, now: datetime) -> ColumnElement[bool]:
    """Open, and past its due date at `now` (pass a later `now` for "due by then")."""
    return and_(
        col(Observation.status).in_(list(OPEN_STATES)),
        or_(
            *[
                and_(
                    Observation.priority == p, col(Observation.created_at) < now - timedelta(days=d)
                )
                for p, d in due_days(settings).items()
            ]
        ),
    )
