from datetime import datetime
from uuid import UUID

from sqlmodel import Field, SQLModel

from app.models._types import UTCDateTime, utcnow


class Support(SQLModel, table=True):
    """A resident's "me too" on an open observation, instead of a new report. The device's
    id makes a repeated tap (or a re-sync) count once."""

    id: int | None = Field(default=None, primary_key=True)
    observation_id: int = Field(foreign_key="observation.id", index=True, ondelete="CASCADE")
    client_id: UUID = Field(unique=True)
    unsafe_level: int | None = Field(default=None, ge=1, le=5)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
