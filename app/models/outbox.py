from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from app.models._types import UTCDateTime, utcnow


class OutboxMail(SQLModel, table=True):
    """An e-mail waiting to be sent. Written in the same transaction as the change it reports,
    so nothing is lost when the mail server is down; sent (and retried) by the outbox runner."""

    __tablename__ = "outbox_mail"

    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=320)
    subject: str = Field(max_length=300)
    body: str = Field(sa_type=Text)
    kind: str = Field(max_length=32)  # status_update, unit_digest, ...
    observation_id: int | None = Field(
        default=None, foreign_key="observation.id", index=True, ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    send_after: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    # A runner claims a mail until this time, so two runners never send it twice.
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Given with the first claim and kept: a retried mail is the same message, so a mail
    # system that already has it drops the copy.
    message_id: str | None = Field(default=None, max_length=255)
    attempts: int = Field(default=0)
    last_error: str = Field(default="", max_length=500)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
