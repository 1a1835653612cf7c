from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class RoutingRule(SQLModel, table=True):
    """Who owns what: category x zone -> unit. A rule without a zone holds for every zone; a
    rule without a category for every category; one with neither is the catch-all."""

    __tablename__ = "routing_rule"
    __table_args__ = (
        UniqueConstraint("category_id", "zone_id", name="uq_routing_rule_category_zone"),
    )

    id: int | None = Field(default=None, primary_key=True)
    category_id: int | None = Field(default=None, foreign_key="category.id", ondelete="CASCADE")
    zone_id: int | None = Field(default=None, foreign_key="zone.id", ondelete="CASCADE")
    unit_id: int = Field(foreign_key="unit.id", ondelete="CASCADE")
