"""A planner's view of a zone or a kept area: the history's figures, the recurring spots, the
filter form's choices and the links (page, map points, exports) that reproduce the view.

A view lives at one path (`/planning/zones/{slug}`, `/planning/area/{key}`, or a plan case's
page); its map points and exports hang below that path and carry the same query string, so that
a shared link, the map and a download always show the same reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app.i18n import gettext as _
from app.labels import status_label
from app.models import Category, Status
from app.services import history, recurring
from app.services.area import Scope
from app.services.history import History
from app.services.planning_filters import Filters
from app.services.recurring import RecurringSpot

# The distances a planner may choose for "the same place" (metres); the default is the
# recurring module's own.
DISTANCES = (10, 25, 50, 100)
DEFAULT_DISTANCE = int(recurring.DEFAULT_DISTANCE_M)
MAP_LIMIT = 5000  # points drawn on one map; the figures always count them all


@dataclass(frozen=True)
class Choice:
    """One option of the filter form."""

    value: str
    label: str
    chosen: bool


@dataclass(frozen=True)
class View:
    scope: Scope
    filters: Filters
    distance_m: int
    history: History
    spots: list[RecurringSpot]
    base_path: str  # where this view lives; the filter form, points and exports hang below it
    category_names: dict[str, str]  # slug -> name in the page's language
    category_choices: list[Choice]
    status_choices: list[Choice]

    @property
    def status_names(self) -> dict[str, str]:
        return {s.value: status_label(s) for s in Status}

    @property
    def spot_points(self) -> list[dict[str, float | int]]:
        """The recurring spots for the map, numbered as in their list."""
        return [
            {"n": n, "lat": round(s.lat, 6), "lon": round(s.lon, 6), "count": s.count}
            for n, s in enumerate(self.spots, start=1)
        ]

    @property
    def query(self) -> str:
        """The view's query string: its filters, and the distance when not the default."""
        distance = str(self.distance_m) if self.distance_m != DEFAULT_DISTANCE else ""
        return self.filters.query(distance=distance)

    def _with_query(self, path: str, query: str | None = None) -> str:
        query = self.query if query is None else query
        return f"{path}?{query}" if query else path

    @property
    def page_url(self) -> str:
        return self._with_query(self.base_path)

    @property
    def points_url(self) -> str:
        return self._with_query(f"{self.base_path}/points.geojson", self.filters.query())

    @property
    def export_csv_url(self) -> str:
        return self._with_query(f"{self.base_path}/export.csv", self.filters.query())

    @property
    def export_geojson_url(self) -> str:
        return self._with_query(f"{self.base_path}/export.geojson", self.filters.query())

    @property
    def kind(self) -> str:
        """ "zone" or "area" (a drawn or uploaded one)."""
        return "zone" if self.scope.is_zone else "area"


def default_path(scope: Scope) -> str:
    if scope.zone_slug is not None:
        return f"/planning/zones/{scope.zone_slug}"
    return f"/planning/area/{scope.area_key}"


def build(
    *,
    session: Session,
    scope: Scope,
    filters: Filters,
    lang: str,
    distance_m: int = DEFAULT_DISTANCE,
    base_path: str | None = None,
) -> View:
    """Everything the history partial shows for `scope` narrowed by `filters`."""
    categories = session.exec(
        select(Category).order_by(col(Category.position), col(Category.id))
    ).all()
    names = {c.slug: c.name_sv if lang == "sv" else c.name_en for c in categories}
    status_values = ["open", "closed", *(s.value for s in Status)]
    group_labels = {"open": _("All open"), "closed": _("All closed")}
    return View(
        scope=scope,
        filters=filters,
        distance_m=distance_m,
        history=history.summary(session=session, scope=scope, filters=filters, lang=lang),
        spots=recurring.spots(
            session=session, scope=scope, filters=filters, distance_m=float(distance_m)
        ),
        base_path=base_path or default_path(scope),
        category_names=names,
        category_choices=[
            Choice(c.slug, names[c.slug], c.slug in filters.categories)
            for c in categories
            if c.active or c.slug in filters.categories
        ],
        status_choices=[
            Choice(v, group_labels.get(v) or status_label(v), v in filters.statuses)
            for v in status_values
        ],
    )


def points_geojson(*, session: Session, scope: Scope, filters: Filters) -> dict[str, Any]:
    """The view's reports as GeoJSON for the map: number, status, category, good place, dark,
    day reported; never a token, a contact, a description or a private category."""
    found, total = history.points(session=session, scope=scope, filters=filters, limit=MAP_LIMIT)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                "properties": {
                    "id": p.id,
                    "status": p.status,
                    "category": p.category,
                    "good": p.good,
                    "dark": p.dark,
                    "reported_on": p.reported_on.isoformat(),
                },
            }
            for p in found
        ],
        "total": total,
    }
