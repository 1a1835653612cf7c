from datetime import datetime
from enum import StrEnum

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from app.models._types import UTCDateTime, text_enum, utcnow


class TargetDirection(StrEnum):
    at_least = "at_least"
    at_most = "at_most"


class Target(SQLModel, table=True):
    """A goal for one indicator in one year and scope. With `baseline_year`, `value` is the
    percent change from that year ("down 10 %" = at_most -10); shares are fractions 0..1."""

    id: int | None = Field(default=None, primary_key=True)
    indicator: str = Field(max_length=64)
    year: int = Field(index=True)
    zone_id: int | None = Field(default=None, foreign_key="zone.id", ondelete="CASCADE")
    category_id: int | None = Field(default=None, foreign_key="category.id", ondelete="CASCADE")
    direction: TargetDirection = Field(sa_type=text_enum(TargetDirection))
    value: float
    baseline_year: int | None = None
    within_days: int | None = None  # only for share_fixed_within
    note: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ExternalFigure(SQLModel, table=True):
    """A figure from outside, entered per year: police-reported crimes, the SCB survey's
    safety index, the school drug survey. One per (indicator, year, zone)."""

    __tablename__ = "external_figure"

    id: int | None = Field(default=None, primary_key=True)
    indicator: str = Field(max_length=64)
    year: int = Field(index=True)
    zone_id: int | None = Field(default=None, foreign_key="zone.id", ondelete="CASCADE")
    value: float
    source: str = Field(max_length=300)
    entered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    entered_by_id: int | None = Field(
        default=None, foreign_key="staff_user.id", ondelete="SET NULL"
    )


class CouncilReport(SQLModel, table=True):
    """A yearly report to the crime-prevention council as issued: frozen, so what the council
    saw can be shown again whatever arrives later."""

    __tablename__ = "council_report"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    first_year: int
    last_year: int
    language: str = Field(default="sv", max_length=8)
    content: str = Field(sa_type=Text)  # JSON: everything its page, PDF and CSV show
    issued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    issued_by_id: int | None = Field(default=None, foreign_key="staff_user.id", ondelete="SET NULL")
