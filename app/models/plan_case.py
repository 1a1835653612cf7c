from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models._types import UTCDateTime, text_enum, utcnow


class PlanStage(StrEnum):
    """The stages of a detailed development plan (detaljplan), in order."""

    planning_start = "planning_start"  # planuppdrag / start
    consultation = "consultation"  # samråd
    review = "review"  # granskning
    adopted = "adopted"  # antagen


class PlanDecision(StrEnum):
    """What the plan does about one line of its safety checklist."""

    addressed = "addressed"  # addressed in the plan
    not_relevant = "not_relevant"
    outside_plan = "outside_plan"  # to handle outside the plan (operations, maintenance)


class PlanCase(SQLModel, table=True):
    """A detailed plan a planner follows: its area's history, a safety checklist and a frozen
    safety basis (trygghetsunderlag) for each stage."""

    __tablename__ = "plan_case"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    # The municipality's diary number (diarienummer), e.g. "PLAN 2026-123"; stored upper-case.
    diary_number: str = Field(max_length=64, unique=True)
    stage: PlanStage = Field(default=PlanStage.planning_start, sa_type=text_enum(PlanStage))
    area: str = Field(sa_type=Text)  # GeoJSON Polygon or MultiPolygon, WGS 84
    # The kept area with this outline: its whole history is /planning/area/{area_key}.
    area_key: str = Field(max_length=16, foreign_key="planning_area.key", index=True)
    created_by_id: int | None = Field(default=None, foreign_key="staff_user.id", index=True)
    walk_leaders_may_follow: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PlanChecklistLine(SQLModel, table=True):
    """One line of a plan's safety checklist: a recurring spot or an open problem in the area,
    and what the plan does about it. A line whose subject has left the area (fixed, or no
    longer recurring) is kept with its decision, marked `in_area = False`."""

    __tablename__ = "plan_checklist_line"
    __table_args__ = (
        UniqueConstraint("plan_case_id", "subject_key", name="uq_plan_checklist_line_subject"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_case_id: int = Field(foreign_key="plan_case.id", index=True, ondelete="CASCADE")
    # "spot-<oldest report id>" (recurring.RecurringSpot.key) or "obs-<id>" for an open problem.
    subject_key: str = Field(max_length=40)
    kind: str = Field(max_length=16)  # "spot" or "problem"
    observation_id: int | None = Field(
        default=None, foreign_key="observation.id", index=True, ondelete="SET NULL"
    )
    lat: float
    lon: float
    count: int = Field(default=1)  # reports at the spot (1 for a problem)
    months: int = Field(default=1)
    first_on: date | None = None
    last_on: date | None = None
    categories: str = Field(default="", max_length=400)  # slugs, comma-separated
    status: str = Field(default="", max_length=16)  # a problem's status at the last sync
    description: str = Field(default="", max_length=300)  # the start of a problem's text
    in_area: bool = Field(default=True)
    decision: PlanDecision | None = Field(default=None, sa_type=text_enum(PlanDecision))
    note: str = Field(default="", max_length=2000)
    decided_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    synced_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SafetyBasis(SQLModel, table=True):
    """A frozen safety basis: everything its page and PDF show, as JSON, and its map image.
    Rendered only from these, so that it reads the same however the area changes later."""

    __tablename__ = "safety_basis"

    id: int | None = Field(default=None, primary_key=True)
    plan_case_id: int = Field(foreign_key="plan_case.id", index=True, ondelete="CASCADE")
    stage: PlanStage = Field(sa_type=text_enum(PlanStage))
    made_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    made_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    snapshot: str = Field(sa_type=Text)
    map_png: bytes = Field(sa_type=LargeBinary)
    content_hash: str = Field(max_length=64)  # SHA-256 of the snapshot and the map


class PlanFollower(SQLModel, table=True):
    """A member of staff who follows a plan case."""

    __tablename__ = "plan_follower"
    __table_args__ = (UniqueConstraint("plan_case_id", "user_id", name="uq_plan_follower_user"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_case_id: int = Field(foreign_key="plan_case.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="staff_user.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
