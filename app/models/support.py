from datetime import datetime
from uuid import UUID

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models._types import UTCDateTime, utcnow


class Support(SQLModel, table=True):
    """A resident's "me too" on an open observation, instead of a new report: one per device
    and observation, so a repeated tap (or a re-sync) counts once. The device and a keyed hash
    of the address it came from let the service limit how many a device or an address may
    give in an hour."""

    __table_args__ = (UniqueConstraint("observation_id", "device_id"),)

    id: int | None = Field(default=None, primary_key=True)
    observation_id: int = Field(foreign_key="observation.id", index=True, ondelete="CASCADE")
    # The phone's anonymous id: its device cookie, else the id of the form it sent.
    device_id: UUID = Field(index=True)
    # A keyed hash of the client's address (never the address itself); "" when unknown.
    address_key: str = Field(default="", max_length=64, index=True)
    unsafe_level: int | None = Field(default=None, ge=1, le=5)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
