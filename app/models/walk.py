import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models._types import UTCDateTime, text_enum, utcnow


class WalkStatus(StrEnum):
    planned = "planned"
    active = "active"  # the group is out walking: observations come in
    closed = "closed"  # the protocol is made; no new observations


class Walk(SQLModel, table=True):
    """A safety walk: a planned event where a group walks an area and notes what feels unsafe
    and what is worth keeping. Its observations are ordinary observations carrying walk_id."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=4000)
    status: WalkStatus = Field(default=WalkStatus.planned, sa_type=text_enum(WalkStatus))
    # The area: a zone, or a polygon drawn on the map (GeoJSON, WGS84), or both.
    zone_id: int | None = Field(default=None, foreign_key="zone.id", index=True)
    area: str | None = Field(default=None, sa_type=Text)
    route: str | None = Field(default=None, sa_type=Text)  # GeoJSON LineString, optional
    meeting_point: str = Field(default="", max_length=300)
    meeting_lat: float | None = None
    meeting_lon: float | None = None
    starts_at: datetime = Field(sa_type=UTCDateTime, index=True)
    leader_id: int = Field(foreign_key="staff_user.id", index=True)
    organisations: str = Field(default="", max_length=1000)  # one per line
    # What participants type or scan to join; short, unambiguous letters and digits.
    join_code: str = Field(max_length=16, unique=True)
    follow_up_of_id: int | None = Field(default=None, foreign_key="walk.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def organisation_list(self) -> list[str]:
        return [line.strip() for line in self.organisations.splitlines() if line.strip()]


class WalkParticipant(SQLModel, table=True):
    """A device that joined a walk (no account, no name): counted once per walk."""

    __tablename__ = "walk_participant"
    __table_args__ = (UniqueConstraint("walk_id", "device_id", name="uq_walk_participant_device"),)

    id: int | None = Field(default=None, primary_key=True)
    walk_id: int = Field(foreign_key="walk.id", index=True, ondelete="CASCADE")
    device_id: uuid.UUID
    joined_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WalkCheck(SQLModel, table=True):
    """On a follow-up walk, the leader's check of one item of the earlier walk on site:
    is it fixed, and how unsafe does the place feel now."""

    __tablename__ = "walk_check"
    __table_args__ = (
        UniqueConstraint("walk_id", "observation_id", name="uq_walk_check_observation"),
    )

    id: int | None = Field(default=None, primary_key=True)
    walk_id: int = Field(foreign_key="walk.id", index=True, ondelete="CASCADE")
    observation_id: int = Field(foreign_key="observation.id", index=True, ondelete="CASCADE")
    fixed: bool | None = None  # None: could not tell
    unsafe_level: int | None = Field(default=None, ge=1, le=5)
    note: str = Field(default="", max_length=2000)
    checked_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    checked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
