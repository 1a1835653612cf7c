"""Open311 GeoReport v2: the client systems that may post service requests, and a log line
for every post they make."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models._types import UTCDateTime, utcnow


class ApiClient(SQLModel, table=True):
    """One client system (a work-order system, FixMyStreet, a civic app) and its API key.

    Only a hash of the key is kept: the key is shown once, when an admin makes it. A revoked
    key stops at once (every request reads this row)."""

    __tablename__ = "api_client"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    # Whom to call about this client (its operator's e-mail); for admins only.
    contact: str = Field(default="", max_length=320)
    key_hash: str = Field(max_length=64, unique=True)  # sha256 hex of the key
    key_hint: str = Field(max_length=12)  # the key's first characters, to tell keys apart
    # Posts allowed per hour; None: the setting SAFETYWALK_OPEN311_POSTS_PER_HOUR.
    posts_per_hour: int | None = Field(default=None, ge=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by_id: int | None = Field(
        default=None, foreign_key="staff_user.id", ondelete="SET NULL"
    )
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ApiPost(SQLModel, table=True):
    """One POST of a service request with a known key: when, what it asked for and how it was
    answered. The rate limit counts these rows (one hour back)."""

    __tablename__ = "api_post"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="api_client.id", index=True, ondelete="CASCADE")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    service_code: str = Field(default="", max_length=64)
    # The HTTP status it was answered with; 0 while it is still being handled.
    status_code: int = Field(default=0)
    observation_id: int | None = Field(
        default=None, foreign_key="observation.id", index=True, ondelete="SET NULL"
    )
    # The spec error's description, when it was refused.
    error: str = Field(default="", max_length=300)
