from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models._types import UTCDateTime, text_enum, utcnow


class Agreement(SQLModel, table=True):
    """A cooperation agreement (samverkansöverenskommelse) between the municipality and the
    police for a period of years, with its parties and focus areas."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    first_year: int
    last_year: int
    parties: str = Field(default="", max_length=2000)  # one per line
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    def party_list(self) -> list[str]:
        return [line.strip() for line in self.parties.splitlines() if line.strip()]


class FocusArea(SQLModel, table=True):
    """A focus area (fokusområde) of an agreement; its measures belong to it."""

    __tablename__ = "focus_area"

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    position: int = Field(default=0)


class Measure(SQLModel, table=True):
    """A measure (insats) with the annex's headings and a named responsible. The headings:
    purpose = Syfte/metod, approach = Tillvägagångssätt, timetable = Tidsplan,
    partners = Samverkanspartners, expected_effect = Förväntad effekt / metod för uppföljning."""

    id: int | None = Field(default=None, primary_key=True)
    focus_area_id: int = Field(foreign_key="focus_area.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    purpose: str = Field(default="", max_length=4000)
    approach: str = Field(default="", max_length=4000)
    timetable: str = Field(default="", max_length=2000)
    partners: str = Field(default="", max_length=2000)
    expected_effect: str = Field(default="", max_length=4000)
    responsible: str = Field(default="", max_length=200)  # a named person (Ansvarig)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", ondelete="SET NULL")
    starts_on: date | None = None
    ends_on: date | None = None
    result: str = Field(default="", max_length=4000)  # what came of it, for the council
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MeasureLinkKind(StrEnum):
    category = "category"
    zone = "zone"
    plan_case = "plan_case"
    walk = "walk"


class MeasureLink(SQLModel, table=True):
    """What a measure covers: a category, a zone (district, part of town, plan area), a plan
    case or a walk, by id. No foreign key, as the target's table depends on the kind."""

    __tablename__ = "measure_link"

    measure_id: int = Field(foreign_key="measure.id", primary_key=True, ondelete="CASCADE")
    kind: MeasureLinkKind = Field(sa_type=text_enum(MeasureLinkKind), primary_key=True)
    target_id: int = Field(primary_key=True)
