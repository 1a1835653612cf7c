"""The queue's filter as points for its map view, compact: the points as short arrays, the
words (status, priority, category) in tables sent once. Capped, the most urgent first, so that
a capped map still shows what matters; `total` says how many matched."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from app import clock
from app.config import Settings
from app.i18n import current_language
from app.labels import priority_label, status_label
from app.models import PRIORITY_RANK, Category, Observation, Priority, StaffUser, Status
from app.services import deadlines, queue

STATUS_CODES = tuple(Status)  # a map point's status is its place in this tuple
PRIORITY_CODES = tuple(Priority)


@dataclass(frozen=True)
class MapPoints:
    """The filter as map points, compact: each point is [id, lat, lon, status, priority,
    overdue (0/1), category], where status, priority and category are places in the tables
    sent once (`statuses`, `priorities`, `categories`)."""

    points: list[list[object]]
    total: int  # how many match; more than len(points) when the map was capped
    categories: list[dict[str, str]] = field(default_factory=list)  # name and icon
    # Status and priority in words, once for the whole map rather than once per point.
    labels: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def features(self) -> list[dict[str, object]]:
        """The same points as GeoJSON features (for /triage/map.geojson)."""
        return [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "id": obs_id,
                    "category": self.categories[cat]["name"],  # type: ignore[index]
                    "icon": self.categories[cat]["icon"],  # type: ignore[index]
                    "status": str(STATUS_CODES[s]),  # type: ignore[index]
                    "priority": str(PRIORITY_CODES[p]),  # type: ignore[index]
                    "overdue": bool(late),
                },
            }
            for obs_id, lat, lon, s, p, late, cat in self.points
        ]


def map_points(
    *,
    session: Session,
    user: StaffUser,
    flt: queue.QueueFilter,
    settings: Settings,
    limit: int = 10_000,
    now: datetime | None = None,
) -> MapPoints:
    """The same filter as the list, as points for a map (all pages, up to `limit`, the most
    urgent first so that a capped map still shows what matters)."""
    now = now or clock.now()
    total = session.exec(
        queue._joined(select(func.count()).select_from(Observation)).where(
            *queue._where(user, flt, settings, now)
        )
    ).one()
    where = queue._where(user, flt, settings, now, walk=queue._walks(session, "priority"))
    found = session.exec(
        queue._joined(
            select(
                Observation.id,
                Observation.lat,
                Observation.lon,
                Observation.status,
                Observation.priority_rank,
                Observation.category_id,
                deadlines.overdue_clause(settings, now),
            )
        )
        .where(*where)
        .order_by(
            col(Observation.priority_rank).asc(),
            col(Observation.created_at).asc(),
            col(Observation.id),
        )
        .limit(limit)
    ).all()
    lang = current_language()
    status_code = {s: i for i, s in enumerate(STATUS_CODES)}
    priority_code = {PRIORITY_RANK[p]: i for i, p in enumerate(PRIORITY_CODES)}
    category_code: dict[int, int] = {}
    for category_id in sorted({r[5] for r in found}):
        category_code[category_id] = len(category_code)
    named = {
        c.id: {"name": c.name(lang), "icon": c.icon}
        for c in session.exec(
            select(Category).where(col(Category.id).in_(list(category_code)))
        ).all()
    }
    return MapPoints(
        points=[
            [
                obs_id,
                round(lat, 6),
                round(lon, 6),
                status_code[Status(status)],
                priority_code[rank],
                1 if is_overdue else 0,
                category_code[category_id],
            ]
            for obs_id, lat, lon, status, rank, category_id, is_overdue in found
        ],
        total=total,
        categories=[named[category_id] for category_id in category_code],
        labels={
            "status": {str(s): status_label(s) for s in Status},
            "priority": {str(p): priority_label(p) for p in Priority},
        },
    )
