from sqlalchemy import Text
from sqlmodel import Field, SQLModel


class Zone(SQLModel, table=True):
    """A district. The polygon is GeoJSON (portable across engines); the bounding box is indexed
    so that placing a point reads only the zones that can contain it."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    geometry: str = Field(sa_type=Text)  # GeoJSON Polygon or MultiPolygon, WGS84
    min_lat: float = Field(index=True)
    max_lat: float
    min_lon: float
    max_lon: float
