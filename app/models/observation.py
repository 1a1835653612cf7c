import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, event
from sqlmodel import Field, SQLModel

from app.models._types import UTCDateTime, text_enum, utcnow


class Status(StrEnum):
    new = "new"
    triaged = "triaged"
    scheduled = "scheduled"
    in_progress = "in_progress"
    fixed = "fixed"
    verified = "verified"
    reopened = "reopened"
    duplicate = "duplicate"
    not_ours = "not_ours"
    wont_fix = "wont_fix"


# The states in which an observation still waits for work, and the ones in which it is done.
OPEN_STATES = frozenset(
    {Status.new, Status.triaged, Status.scheduled, Status.in_progress, Status.reopened}
)
CLOSED_STATES = frozenset(
    {Status.fixed, Status.verified, Status.duplicate, Status.not_ours, Status.wont_fix}
)


class Priority(StrEnum):
    low = "low"
    normal = "normal"
    high = "high"
    urgent = "urgent"


class EventKind(StrEnum):
    status = "status"  # a move in the life cycle
    route = "route"  # handed to another unit
    assign = "assign"  # given to a member of staff
    priority = "priority"
    merge = "merge"  # another report merged into this one
    support = "support"  # a resident said "me too"
    note = "note"
    handoff = "handoff"  # sent to an outside owner (app/models/desk.Handoff)
    owner_answer = "owner_answer"  # the outside owner answered through their link


# Sorting by priority reads this stored rank (most urgent first), so it can use an index.
PRIORITY_RANK = {Priority.urgent: 0, Priority.high: 1, Priority.normal: 2, Priority.low: 3}


class PositionSource(StrEnum):
    gps = "gps"  # the browser's geolocation
    map = "map"  # placed or moved by hand on the map
    photo = "photo"  # the photo's EXIF GPS, when the browser sent none


class Observation(SQLModel, table=True):
    """One thing a resident noticed at one place."""

    __table_args__ = (
        Index("ix_observation_lat_lon", "lat", "lon"),
        # The queue filters on status, works out "overdue" from priority and created_at, and
        # counts per category, zone and unit: this covers all of it (see bench/README.md).
        Index(
            "ix_observation_queue",
            "status",
            "priority",
            "created_at",
            "category_id",
            "zone_id",
            "unit_id",
        ),
        # The queue sorted by priority (most urgent, then oldest first) within its statuses.
        Index("ix_observation_rank", "status", "priority_rank", "created_at"),
        # The same without the status: the queue walks it for the due and priority sorts and
        # the map, and stops after a page (services/queue_order).
        Index("ix_observation_rank_age", "priority_rank", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Made on the device: a retried or re-synced submission is stored once.
    client_id: uuid.UUID = Field(unique=True)
    # The tracking link's secret: unguessable, the only public handle of an observation.
    token: str = Field(max_length=64, unique=True)
    status: Status = Field(default=Status.new, sa_type=text_enum(Status))
    category_id: int = Field(foreign_key="category.id", index=True)
    zone_id: int | None = Field(default=None, foreign_key="zone.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    lat: float
    lon: float
    accuracy_m: float | None = None
    position_source: PositionSource = Field(sa_type=text_enum(PositionSource))
    description: str = Field(default="", max_length=4000)
    unsafe_level: int | None = Field(default=None, ge=1, le=5)
    dark: bool
    # Personal data: staff only, never on a public page.
    contact_email: str | None = Field(default=None, max_length=320)
    # The code the resident's form carried, as sent; walk_id only when the walk took it.
    walk_code: str | None = Field(default=None, max_length=32)
    walk_id: int | None = Field(default=None, foreign_key="walk.id", index=True)
    # Why it feels unsafe, as codes (see app/services/factors.FACTORS), comma-separated.
    factors: str = Field(default="", max_length=200)
    # The reporter's language, for the e-mails they get.
    language: str = Field(default="sv", max_length=8)
    # When the server stored it (due dates count from here) and when the resident saw it (the
    # device's clock, which may be hours earlier for a report kept offline).
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    observed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    # Triage
    # The due date follows from the priority and created_at (days per priority are settings).
    priority: Priority = Field(default=Priority.normal, sa_type=text_enum(Priority), index=True)
    # PRIORITY_RANK[priority], kept in step on every insert and update (see below).
    priority_rank: int = Field(default=2)
    assignee_id: int | None = Field(default=None, foreign_key="staff_user.id", index=True)
    routing_reason: str = Field(default="", max_length=300)
    duplicate_of_id: int | None = Field(default=None, foreign_key="observation.id", index=True)
    handed_to: str | None = Field(default=None, max_length=200)
    supporters: int = Field(default=0)
    status_changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # When it was last marked fixed (kept when verified): planners' "days to fix" reads it.
    # Indexed: the follow-up counts the problems fixed in a period (indicator_sql.days_to_fix).
    fixed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    # The owning unit has been reminded that this is due soon / overdue (once each).
    # The unit chose to show its before/after photos on the public quarterly page.
    photos_published: bool = Field(default=False)
    reminded_due_soon: bool = Field(default=False)
    reminded_overdue: bool = Field(default=False)
    # The street address, found after capture in the background (services/geocoding); None
    # until then or when no geocoder is set. `geocoded_at`: when it was last tried.
    address: str | None = Field(default=None, max_length=300)
    geocoded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Handed to an outside owner from the registry (not one of the municipality's units).
    outside_owner_id: int | None = Field(
        default=None, foreign_key="outside_owner.id", index=True, ondelete="SET NULL"
    )
    # Posted through Open311 by this client system (None: the app's own form or API).
    api_client_id: int | None = Field(
        default=None, foreign_key="api_client.id", index=True, ondelete="SET NULL"
    )


class ObservationEvent(SQLModel, table=True):
    """One line of an observation's history: who changed what, when and why."""

    __tablename__ = "observation_event"

    id: int | None = Field(default=None, primary_key=True)
    observation_id: int = Field(foreign_key="observation.id", index=True, ondelete="CASCADE")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    kind: EventKind = Field(default=EventKind.status, sa_type=text_enum(EventKind))
    # Who: a member of staff (actor_id), or "resident" / "system" in `actor`.
    actor: str = Field(default="", max_length=200)
    actor_id: int | None = Field(default=None, foreign_key="staff_user.id")
    from_status: Status | None = Field(default=None, sa_type=text_enum(Status))
    to_status: Status = Field(sa_type=text_enum(Status))
    # `note` is shown on the public status page; `internal_note` only to staff.
    note: str = Field(default="", max_length=4000)
    internal_note: str = Field(default="", max_length=4000)
    # Whether the event shows on the public status page at all (status moves do; routing not).
    public: bool = Field(default=True)


@event.listens_for(Observation, "before_insert")
@event.listens_for(Observation, "before_update")
def _keep_rank(mapper, connection, target: Observation) -> None:  # type: ignore[no-untyped-def]
    """The stored rank follows the priority, whoever sets it."""
    target.priority_rank = PRIORITY_RANK[Priority(target.priority)]
