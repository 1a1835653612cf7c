"""The queue's current filter as CSV: every row it matches (all pages), in the list's order.

Streamed: one query read `BATCH` rows at a time (a server-side cursor on PostgreSQL, SQLite's
stepping cursor), handed on in chunks, so 100,000 rows take as much memory as one batch. The
rows are exactly the list's: the same clauses (`queue.matching`, so who may see what comes
from `visibility`, and good places are left out) and the same sort (`queue.order_by`).

Cells are for a person with a spreadsheet: names and dates in the reader's language, and each
coded value also as its code in a column of its own (status, priority, category, unit), so a
filter in the spreadsheet does not depend on the language. Every cell goes through `csvfile`
(formula-safe). The reporter's e-mail address is personal data: see `CONTACT_ROLES`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app import clock
from app.config import Settings
from app.i18n import gettext as _
from app.labels import priority_label, status_label
from app.models import Category, Observation, Priority, Role, StaffUser, Status, Unit, Zone
from app.services import csvfile, deadlines, queue

BATCH = 1_000
CHUNK_CHARS = 64 * 1024  # handed to the web server at a time (one thread hop per chunk)
# The reporter's e-mail goes only to the triage desk and admins: they answer residents and
# judge what a report needs. A unit's staff see one reporter's address on that report's page,
# where they may need it for that one job; a file of every address of a filter is another
# thing (a copy that leaves the system, GDPR's data minimisation), so it is not theirs.
CONTACT_ROLES = frozenset({Role.triager, Role.admin})

COLUMNS = (
    "number",
    "public_link",
    "reported",
    "category_code",
    "category",
    "status_code",
    "status",
    "priority_code",
    "priority",
    "due",
    "overdue",
    "address",
    "district",
    "unit_code",
    "unit",
    "assignee",
    "supporters",
    "description",
    "lat",
    "lon",
)
CONTACT_COLUMN = "reporter_email"


def may_see_contact(user: StaffUser) -> bool:
    """Whether the export gives this person the reporters' e-mail addresses."""
    return user.role in CONTACT_ROLES


def columns_for(user: StaffUser) -> tuple[str, ...]:
    return (*COLUMNS, CONTACT_COLUMN) if may_see_contact(user) else COLUMNS


def _headers() -> dict[str, str]:
    return {
        "number": _("Number"),
        "public_link": _("Public link"),
        "reported": _("Reported"),
        "category_code": _("Category code"),
        "category": _("Category"),
        "status_code": _("Status code"),
        "status": _("Status"),
        "priority_code": _("Priority code"),
        "priority": _("Priority"),
        "due": _("Due"),
        "overdue": _("Overdue"),
        "address": _("Address"),
        "district": _("District"),
        "unit_code": _("Unit code"),
        "unit": _("Unit"),
        "assignee": _("Assigned to"),
        "supporters": _("Supporters"),
        "description": _("Description"),
        "lat": _("Latitude"),
        "lon": _("Longitude"),
        CONTACT_COLUMN: _("Reporter's e-mail"),
    }


def _local(at: datetime) -> str:
    return at.astimezone(queue.LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def _statement(  # type: ignore[no-untyped-def]
    session: Session, user: StaffUser, flt: queue.QueueFilter, settings: Settings, now: datetime
):
    assignee = aliased(StaffUser)
    # Every column by name: a new personal field on Observation cannot slip into the file.
    picked: list[Any] = [
        Observation.id,
        Observation.created_at,
        Observation.priority,
        Observation.status,
        Category.slug,
        Category.name_sv,
        Category.name_en,
        Category.private,
        Zone.name,
        Unit.slug,
        Unit.name_sv,
        Unit.name_en,
        assignee.name,
        Observation.supporters,
        Observation.description,
        Observation.address,
        Observation.lat,
        Observation.lon,
        deadlines.overdue_clause(settings, now),
    ]
    if may_see_contact(user):
        picked.append(Observation.contact_email)
    return (
        queue.joined(select(*picked).select_from(Observation))
        .outerjoin(assignee, col(assignee.id) == Observation.assignee_id)
        .where(*queue.matching(user=user, flt=flt, settings=settings, now=now))
        .order_by(*queue.order_by(flt, session=session, settings=settings))
    )


def rows(
    *,
    session: Session,
    user: StaffUser,
    flt: queue.QueueFilter,
    settings: Settings,
    lang: str,
    now: datetime | None = None,
) -> Iterator[list[Any]]:
    """The filter's rows as cells in `columns_for(user)` order, read a batch at a time. The
    words are fixed now, in the caller's language (the rows may be read on another thread)."""
    now = now or clock.now()
    statuses = {s: status_label(s) for s in Status}
    priorities = {p: priority_label(p) for p in Priority}
    yes, no = _("yes"), _("no")
    due_days = deadlines.due_days(settings)
    public_url = settings.public_url.rstrip("/")
    stmt = _statement(session, user, flt, settings, now).execution_options(
        stream_results=True, yield_per=BATCH
    )

    def read() -> Iterator[list[Any]]:
        connection = session.connection()
        if connection.dialect.name == "postgresql":
            # Every row will be read: plan for all of them, not for the first tenth that a
            # server-side cursor's plan favours (it walked the sort's index and filtered).
            connection.exec_driver_sql("SET LOCAL cursor_tuple_fraction = 1.0")
        result = connection.execute(stmt)
        try:
            for batch in result.partitions():
                for r in batch:
                    (obs_id, created, priority, status, cat_slug, cat_sv, cat_en, private) = r[:8]
                    zone, unit_slug, unit_sv, unit_en, assignee, supporters = r[8:14]
                    description, address, lat, lon, overdue, *contact = r[14:]
                    yield [
                        obs_id,
                        "" if private else f"{public_url}/reports/{obs_id}",  # none is public
                        _local(created),
                        cat_slug,
                        cat_sv if lang == "sv" else cat_en,
                        str(status),
                        statuses[Status(status)],
                        str(priority),
                        priorities[Priority(priority)],
                        _local(created + timedelta(days=due_days[Priority(priority)])),
                        yes if overdue else no,
                        address,
                        zone,
                        unit_slug,
                        (unit_sv if lang == "sv" else unit_en) if unit_slug else None,
                        assignee,
                        supporters,
                        description,
                        round(lat, 6),
                        round(lon, 6),
                        *contact,
                    ]
        finally:
            result.close()

    return read()


def _chunked(pieces: Iterable[str]) -> Iterator[str]:
    buffer: list[str] = []
    size = 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK_CHARS:
            yield "".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer)


def csv_chunks(
    *,
    session: Session,
    user: StaffUser,
    flt: queue.QueueFilter,
    settings: Settings,
    lang: str,
    now: datetime | None = None,
) -> Iterator[str]:
    """The filter as a CSV file (a BOM for Excel, headers in the reader's language), chunk by
    chunk."""
    columns = columns_for(user)
    titles = _headers()
    found = rows(session=session, user=user, flt=flt, settings=settings, lang=lang, now=now)
    return _chunked(csvfile.stream(columns, found, header=[titles[c] for c in columns], bom=True))


def file_name(now: datetime | None = None) -> str:
    """queue-<local date>.csv, safe in a header."""
    day = (now or clock.now()).astimezone(queue.LOCAL_TZ).date().isoformat()
    return re.sub(r"[^A-Za-z0-9_.-]", "-", f"queue-{day}.csv")
