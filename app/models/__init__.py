"""Tables, one module per aggregate. Importing this package registers them all on the metadata."""

from sqlmodel import SQLModel

# Stable constraint names, so migrations can name what they alter on both engines.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

from app.models.agreement import (  # noqa: E402
    Agreement,
    FocusArea,
    Measure,
    MeasureLink,
    MeasureLinkKind,
)
from app.models.audit import AuditEntry  # noqa: E402
from app.models.category import Category, CategoryKind  # noqa: E402
from app.models.desk import (  # noqa: E402
    CannedReply,
    GeocodeCache,
    Handoff,
    HandoffAnswer,
    OutsideOwner,
    OutsideOwnerCategory,
    SavedFilter,
)
from app.models.indicator import (  # noqa: E402
    CouncilReport,
    ExternalFigure,
    Target,
    TargetDirection,
)
from app.models.observation import (  # noqa: E402
    CLOSED_STATES,
    OPEN_STATES,
    PRIORITY_RANK,
    EventKind,
    Observation,
    ObservationEvent,
    PositionSource,
    Priority,
    Status,
)
from app.models.open311 import ApiClient, ApiPost  # noqa: E402
from app.models.outbox import OutboxMail  # noqa: E402
from app.models.photo import Photo, PhotoKind, PhotoReview  # noqa: E402
from app.models.plan_case import (  # noqa: E402
    PlanCase,
    PlanChecklistLine,
    PlanDecision,
    PlanFollower,
    PlanStage,
    SafetyBasis,
)
from app.models.planning_area import PlanningArea  # noqa: E402
from app.models.routing import RoutingRule  # noqa: E402
from app.models.support import Support  # noqa: E402
from app.models.unit import Unit  # noqa: E402
from app.models.user import LoginThrottle, Role, StaffSession, StaffUser  # noqa: E402
from app.models.walk import Walk, WalkCheck, WalkParticipant, WalkStatus  # noqa: E402
from app.models.zone import (  # noqa: E402
    ObservationZone,
    PlacementState,
    Zone,
    ZoneKind,
    ZonePlacement,
)

__all__ = [
    "CLOSED_STATES",
    "OPEN_STATES",
    "PRIORITY_RANK",
    "Agreement",
    "ApiClient",
    "ApiPost",
    "AuditEntry",
    "CannedReply",
    "Category",
    "CategoryKind",
    "CouncilReport",
    "EventKind",
    "ExternalFigure",
    "FocusArea",
    "GeocodeCache",
    "Handoff",
    "HandoffAnswer",
    "LoginThrottle",
    "Measure",
    "MeasureLink",
    "MeasureLinkKind",
    "Observation",
    "ObservationEvent",
    "ObservationZone",
    "OutboxMail",
    "OutsideOwner",
    "OutsideOwnerCategory",
    "Photo",
    "PhotoKind",
    "PhotoReview",
    "PlacementState",
    "PlanCase",
    "PlanChecklistLine",
    "PlanDecision",
    "PlanFollower",
    "PlanStage",
    "PlanningArea",
    "PositionSource",
    "Priority",
    "Role",
    "RoutingRule",
    "SQLModel",
    "SafetyBasis",
    "SavedFilter",
    "StaffSession",
    "StaffUser",
    "Status",
    "Support",
    "Target",
    "TargetDirection",
    "Unit",
    "Walk",
    "WalkCheck",
    "WalkParticipant",
    "WalkStatus",
    "Zone",
    "ZoneKind",
    "ZonePlacement",
]
