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
    # Runs the agreement's follow-up: measures, targets, figures, the council's report.
    coordinator = "coordinator"


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


class LoginThrottle(SQLModel, table=True):
    """Recent failed logins for one key: an account (`account:<e-mail>`), a client address
    (`address:<ip>`) or a device that has logged in before (`device:<id>`). Read and written
    under a row lock (SQLite: the database's write lock), so parallel guesses cannot all see the
    same count; past the limit, the next try is allowed only from `next_allowed_at`."""

    __tablename__ = "login_throttle"

    key: str = Field(primary_key=True, max_length=400)
    failures: int = Field(default=0)
    last_failure_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    next_allowed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
