import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
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


class PositionSource(StrEnum):
    gps = "gps"  # the browser's geolocation
    map = "map"  # placed or moved by hand on the map
    photo = "photo"  # the photo's EXIF GPS, when the browser sent none


class Observation(SQLModel, table=True):
    """One thing a resident noticed at one place."""

    __table_args__ = (Index("ix_observation_lat_lon", "lat", "lon"),)

    id: int | None = Field(default=None, primary_key=True)
    # Made on the device: a retried or re-synced submission is stored once.
    client_id: uuid.UUID = Field(unique=True)
    # The tracking link's secret: unguessable, the only public handle of an observation.
    token: str = Field(max_length=64, unique=True)
    status: Status = Field(default=Status.new, sa_type=text_enum(Status), index=True)
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
    walk_code: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class ObservationEvent(SQLModel, table=True):
    """One line of an observation's history: who changed what, when and why."""

    __tablename__ = "observation_event"

    id: int | None = Field(default=None, primary_key=True)
    observation_id: int = Field(foreign_key="observation.id", index=True, ondelete="CASCADE")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor: str = Field(default="", max_length=200)
    from_status: Status | None = Field(default=None, sa_type=text_enum(Status))
    to_status: Status = Field(sa_type=text_enum(Status))
    note: str = Field(default="", max_length=4000)
    # Internal notes stay with staff; only public ones reach the status page.
    public: bool = Field(default=True)
