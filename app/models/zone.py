from datetime import datetime
from enum import StrEnum

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from app.models._types import UTCDateTime, text_enum, utcnow


class ZoneKind(StrEnum):
    district = "district"  # stadsdel / district: what routing and the queue think in
    part_of_town = "part_of_town"  # a smaller part inside a district
    plan_area = "plan_area"  # a detailed plan's area: counted, never routed by


class Zone(SQLModel, table=True):
    """A district, a part of town or a plan area. The polygon is GeoJSON in WGS 84 (portable
    across engines); the bounding box is indexed so that placing a point reads only the zones
    that can contain it. Zones nest through `parent_id`; `area_m2` (in SWEREF 99 TM) orders
    them from the innermost out."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    kind: ZoneKind = Field(default=ZoneKind.district, sa_type=text_enum(ZoneKind))
    parent_id: int | None = Field(
        default=None, foreign_key="zone.id", index=True, ondelete="SET NULL"
    )
    area_m2: float = 0.0
    geometry: str = Field(sa_type=Text)  # GeoJSON Polygon or MultiPolygon, WGS84
    min_lat: float = Field(index=True)
    max_lat: float
    min_lon: float
    max_lon: float


class ObservationZone(SQLModel, table=True):
    """An observation lies in this zone: one row for each zone that covers its stored point
    (a part of town and its district both). Written at capture and by a re-placement run."""

    __tablename__ = "observation_zone"

    zone_id: int = Field(foreign_key="zone.id", primary_key=True, ondelete="CASCADE")
    observation_id: int = Field(
        foreign_key="observation.id", primary_key=True, index=True, ondelete="CASCADE"
    )


class PlacementState(StrEnum):
    pending = "pending"
    running = "running"
    done = "done"
    superseded = "superseded"  # the zones changed again: a newer run starts over


class ZonePlacement(SQLModel, table=True):
    """One run that places every existing observation in the zones again, in batches by id.
    `last_observation_id` is committed with each batch, so a run that is stopped goes on
    from there."""

    __tablename__ = "zone_placement"

    id: int | None = Field(default=None, primary_key=True)
    state: PlacementState = Field(default=PlacementState.pending, sa_type=text_enum(PlacementState))
    total: int = 0
    placed: int = 0
    last_observation_id: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Written with each batch: a running run whose heartbeat is old was stopped.
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
