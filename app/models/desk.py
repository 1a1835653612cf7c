"""The technical department's desk: outside owners and hand-offs to them, canned replies,
saved queue filters, and the geocoder's cache."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models._types import UTCDateTime, text_enum, utcnow


class OutsideOwner(SQLModel, table=True):
    """Someone who owns places the municipality does not: the Swedish Transport Administration,
    a property owner, the police, the energy company. Told by e-mail when a report is theirs."""

    __tablename__ = "outside_owner"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    email: str = Field(max_length=320)
    note: str = Field(default="", max_length=1000)  # for staff: what they own, whom to call
    language: str = Field(default="sv", max_length=8)  # of the mails they get
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OutsideOwnerCategory(SQLModel, table=True):
    """The categories an outside owner usually takes (offered first on "not ours")."""

    __tablename__ = "outside_owner_category"

    owner_id: int = Field(foreign_key="outside_owner.id", primary_key=True, ondelete="CASCADE")
    category_id: int = Field(foreign_key="category.id", primary_key=True, ondelete="CASCADE")


class HandoffAnswer(StrEnum):
    will_fix = "will_fix"
    fixed = "fixed"
    not_ours = "not_ours"  # "not ours either": back to the municipality's triagers


class Handoff(SQLModel, table=True):
    """One report sent to one outside owner. The owner answers once through a link that
    carries a secret; only its hash is stored."""

    id: int | None = Field(default=None, primary_key=True)
    observation_id: int = Field(foreign_key="observation.id", index=True, ondelete="CASCADE")
    owner_id: int = Field(foreign_key="outside_owner.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)  # sha256 hex of the link's secret
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    answer: HandoffAnswer | None = Field(default=None, sa_type=text_enum(HandoffAnswer))
    answer_note: str = Field(default="", max_length=2000)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CannedReply(SQLModel, table=True):
    """A ready public note for the update form, per category (or for all when None), in both
    languages; admins manage them."""

    __tablename__ = "canned_reply"

    id: int | None = Field(default=None, primary_key=True)
    category_id: int | None = Field(
        default=None, foreign_key="category.id", index=True, ondelete="CASCADE"
    )
    title_sv: str = Field(max_length=120)
    title_en: str = Field(max_length=120)
    body_sv: str = Field(max_length=2000)
    body_en: str = Field(max_length=2000)
    position: int = Field(default=0)

    def title(self, lang: str) -> str:
        return self.title_sv if lang == "sv" else self.title_en

    def body(self, lang: str) -> str:
        return self.body_sv if lang == "sv" else self.body_en


class SavedFilter(SQLModel, table=True):
    """A named queue filter of one member of staff: the queue's query string."""

    __tablename__ = "saved_filter"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="staff_user.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=80)
    query: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class GeocodeCache(SQLModel, table=True):
    """What the geocoder said for a position rounded to about 10 m, so that nearby reports
    and retries do not ask again (the public servers' usage policies ask for a cache)."""

    __tablename__ = "geocode_cache"

    key: str = Field(primary_key=True, max_length=40)  # "65.82530,21.68800"
    address: str | None = Field(default=None, max_length=300)  # None: the server found none
    fetched_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
