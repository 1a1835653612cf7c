from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models._types import UTCDateTime


class Unit(SQLModel, table=True):
    """A unit that owns fixes: a part of the technical department, the police, property owners."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True)
    name_sv: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    department_sv: str = Field(default="", max_length=200)
    department_en: str = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=320)
    # The unit's digest of new observations: the last one it covered, and when it was sent.
    digest_last_observation_id: int = Field(default=0)
    digest_sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    def name(self, lang: str) -> str:
        return self.name_sv if lang == "sv" else self.name_en
