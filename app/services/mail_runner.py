"""The mail runner: one pass writes the mails that are due by time, then sends the outbox.

The app runs a pass every `outbox_interval_seconds` (or `safetywalk outbox --loop` does, in its
own process). A pass queues each unit's digest of newly routed reports and the due-date
reminders (`notifications`), then sends what is due (`outbox`). It lives here, above both, so
the outbox, which only sends, never needs to know what the mails say.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from app.config import Settings
from app.services import notifications, outbox


def run_once(
    *, session: Session, settings: Settings, now: datetime | None = None
) -> outbox.Delivery:
    """One pass: queue unit digests and due-date reminders, then send what is due."""
    notifications.unit_digests(session=session, settings=settings, now=now)
    notifications.due_reminders(session=session, settings=settings, now=now)
    return outbox.deliver_due(session=session, settings=settings, now=now)
