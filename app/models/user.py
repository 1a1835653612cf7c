from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models._types import UTCDateTime, text_enum, utcnow


class Role(StrEnum):
    admin = "admin"
    triager = "triager"  # the technical department's triage desk
    unit_worker = "unit_worker"  # a unit's field staff
    walk_leader = "walk_leader"
    planner = "planner"


class StaffUser(SQLModel, table=True):
    """A member of staff; residents never need an account."""

    __tablename__ = "staff_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)  # stored lower-case
    name: str = Field(max_length=200)
    password_hash: str = Field(max_length=255)
    role: Role = Field(sa_type=text_enum(Role))
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    active: bool = Field(default=True)
    # The language of the e-mails this person gets ("sv" or "en").
    language: str = Field(default="sv", max_length=8)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class StaffSession(SQLModel, table=True):
    """A server-side login session. The cookie holds a random token; only its SHA-256 is
    stored, so a copy of the database opens no sessions. Logout deletes the row."""

    __tablename__ = "staff_session"

    id: str = Field(primary_key=True, max_length=64)  # sha256 hex of the cookie's token
    user_id: int = Field(foreign_key="staff_user.id", index=True, ondelete="CASCADE")
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


class LoginAttempt(SQLModel, table=True):
    """A failed login, kept for a while to slow down password guessing."""

    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, index=True)
    client_ip: str = Field(max_length=64, index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
