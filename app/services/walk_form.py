"""The walk form: what a leader types and draws when planning or editing a walk, checked field
by field (the drawn area and route through `geometry`), and the values that fill the form."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from app import clock
from app.i18n import gettext as _
from app.models import Walk, WalkStatus, Zone
from app.services import area, geometry, text_input

LOCAL_TZ = ZoneInfo("Europe/Stockholm")


class InvalidWalk(Exception):
    """What is wrong with a walk's form, field by field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class WalkFields:
    title: str
    description: str
    zone_id: int | None
    area: str | None
    route: str | None
    meeting_point: str
    meeting_lat: float | None
    meeting_lon: float | None
    starts_at: datetime
    organisations: str
    follow_up_of_id: int | None


def validate(
    raw: Mapping[str, str], *, session: Session, now: datetime | None = None
) -> WalkFields:
    """The walk form's fields, or InvalidWalk with a message for each bad one."""
    now = now or clock.now()
    errors: dict[str, str] = {}

    def text(name: str, limit: int) -> str:
        value = text_input.clean(raw.get(name) or "")
        if len(value) > limit:
            errors[name] = _("Too long: at most %(n)s characters.", n=limit)
        return value[:limit]

    title = text("title", 200)
    if not title:
        errors["title"] = _("Give the walk a title.")
    description = text("description", 4000)
    meeting_point = text("meeting_point", 300)
    organisations = "\n".join(
        line.strip() for line in text("organisations", 1000).splitlines() if line.strip()
    )

    zone_id: int | None = None
    if raw.get("zone"):
        zone = session.exec(select(Zone).where(Zone.slug == raw["zone"])).first()
        if zone is None:
            errors["zone"] = _("Choose a district from the list.")
        else:
            zone_id = zone.id
    area = None
    if (raw.get("area") or "").strip():
        try:
            area = geometry.dumps(geometry.loads(raw["area"], kinds=("Polygon",)))
        except geometry.InvalidGeometry as exc:
            errors["area"] = _(
                "The drawn area is not a valid polygon. %(reason)s Draw it again.",
                reason=exc.message,
            )
    if zone_id is None and area is None and "zone" not in errors and "area" not in errors:
        errors["zone"] = _("Choose the district, or draw the area on the map.")
    route = None
    if (raw.get("route") or "").strip():
        try:
            route = geometry.dumps(geometry.loads(raw["route"], kinds=("LineString",)))
        except geometry.InvalidGeometry as exc:
            errors["route"] = _(
                "The drawn route is not a valid line. %(reason)s Draw it again.",
                reason=exc.message,
            )

    meeting_lat = meeting_lon = None
    if (raw.get("meeting_lat") or "").strip() or (raw.get("meeting_lon") or "").strip():
        try:
            meeting_lat = float(raw.get("meeting_lat") or "")
            meeting_lon = float(raw.get("meeting_lon") or "")
            if not (-90 <= meeting_lat <= 90 and -180 <= meeting_lon <= 180):
                raise ValueError
        except ValueError:
            errors["meeting_point"] = _("The meeting point's position is not valid.")
            meeting_lat = meeting_lon = None

    starts_at = now
    try:
        local = datetime.fromisoformat(f"{raw.get('date', '')}T{raw.get('time', '')}")
        if abs(local.year - now.year) > 3:
            raise OverflowError  # also keeps year 1 away from the time-zone arithmetic
        starts_at = local.replace(tzinfo=LOCAL_TZ).astimezone(UTC)
        if starts_at < now - timedelta(days=365) or starts_at > now + timedelta(days=3 * 365):
            errors["starts_at"] = _("Choose a date within three years.")
    except OverflowError:
        errors["starts_at"] = _("Choose a date within three years.")
    except ValueError:
        errors["starts_at"] = _("Give the date and time the walk starts.")

    follow_up_of_id: int | None = None
    if (raw.get("follow_up_of") or "").strip():
        earlier = None
        if re.fullmatch(r"[0-9]{1,9}", raw["follow_up_of"]):
            earlier = session.get(Walk, int(raw["follow_up_of"]))
        if earlier is None or earlier.status != WalkStatus.closed:
            errors["follow_up_of"] = _("A follow-up is of an earlier, closed walk.")
        else:
            follow_up_of_id = earlier.id

    if errors:
        raise InvalidWalk(errors)
    return WalkFields(
        title=title,
        description=description,
        zone_id=zone_id,
        area=area,
        route=route,
        meeting_point=meeting_point,
        meeting_lat=meeting_lat,
        meeting_lon=meeting_lon,
        starts_at=starts_at,
        organisations=organisations,
        follow_up_of_id=follow_up_of_id,
    )


def values_of(walk: Walk, zone: Zone | None) -> dict[str, str]:
    """The edit form filled in with the walk as it is (times in local time)."""
    local = walk.starts_at.astimezone(LOCAL_TZ)
    return {
        "title": walk.title,
        "description": walk.description,
        "zone": zone.slug if zone else "",
        "area": walk.area or "",
        "route": walk.route or "",
        "meeting_point": walk.meeting_point,
        "meeting_lat": "" if walk.meeting_lat is None else str(walk.meeting_lat),
        "meeting_lon": "" if walk.meeting_lon is None else str(walk.meeting_lon),
        "date": local.date().isoformat(),
        "time": local.strftime("%H:%M"),
        "organisations": walk.organisations,
        "follow_up_of": str(walk.follow_up_of_id or ""),
    }


def follow_up_values(earlier: Walk | None, zone: Zone | None, follow_up_of: str) -> dict[str, str]:
    """A new walk's form; a follow-up walks the same area again, so it starts from the earlier."""
    values = {"follow_up_of": follow_up_of}
    if earlier is not None:
        values.update(
            title=_("Follow-up: %(title)s", title=earlier.title),
            zone=zone.slug if zone else "",
            area=earlier.area or "",
            route=earlier.route or "",
            meeting_point=earlier.meeting_point,
            organisations=earlier.organisations,
        )
    return values


def area_values(*, session: Session, key: str) -> dict[str, str]:
    """A new walk's form starting from a kept planning area (a plan case's area, say); {} when
    no area has this key. A walk's area is one polygon: a plan of several parts is walked
    within their outline (convex hull)."""
    scope = area.by_key(session=session, key=key)
    if scope is None:
        return {}
    shape = scope.geometry if scope.geometry.geom_type == "Polygon" else scope.geometry.convex_hull
    return {"area": geometry.dumps(shape)}
