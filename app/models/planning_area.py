from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from app.models._types import UTCDateTime, utcnow


class PlanningArea(SQLModel, table=True):
    """An area a planner drew or uploaded, kept so that its view is a short link that can be
    shared. The key is made from the geometry itself: the same outline is always the same link."""

    __tablename__ = "planning_area"

    key: str = Field(primary_key=True, max_length=16)
    geometry: str = Field(sa_type=Text)  # GeoJSON Polygon or MultiPolygon, WGS 84
    name: str = Field(default="", max_length=200)  # the uploaded file's name, if any
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
