from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models._types import text_enum


class CategoryKind(StrEnum):
    problem = "problem"
    # The method also asks what to keep: a good place is recorded, never "fixed".
    good = "good"


class Category(SQLModel, table=True):
    """What kind of thing was observed; data, not code."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True)
    name_sv: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    icon: str = Field(default="other", max_length=64)
    kind: CategoryKind = Field(default=CategoryKind.problem, sa_type=text_enum(CategoryKind))
    position: int = Field(default=0)
    active: bool = Field(default=True)
    # Matters for the police or social services (e.g. drug dealing): routed, never public.
    private: bool = Field(default=False)
    # Damage to municipal property (vandalism, graffiti): an indicator of the agreement.
    damage: bool = Field(default=False)
    default_unit_id: int | None = Field(default=None, foreign_key="unit.id", ondelete="SET NULL")

    def name(self, lang: str) -> str:
        return self.name_sv if lang == "sv" else self.name_en
