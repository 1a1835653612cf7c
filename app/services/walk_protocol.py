"""A walk's protocol: its items grouped (to fix, to keep) with their current status read afresh
each time, a summary, the comparison with the earlier walk for a follow-up, and the same as CSV
(through `csvfile`, formula-safe) and GeoJSON for spreadsheets and GIS."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlmodel import Session

from app import clock
from app.config import Settings
from app.models import CategoryKind, Walk, Zone
from app.services import csvfile, follow_up, walk_form, walk_items, walks
from app.services.follow_up import CheckedItem, Comparison
from app.services.walk_items import Summary, WalkItem


@dataclass(frozen=True)
class Protocol:
    walk: Walk
    leader_name: str
    zone_name: str | None
    participants: int
    to_fix: list[WalkItem]
    to_keep: list[WalkItem]
    summary: Summary
    comparison: Comparison | None = None
    checked: list[CheckedItem] = field(default_factory=list)
    generated_at: datetime = field(default_factory=lambda: clock.now())
    zone_geometry: str | None = None  # the district's outline (GeoJSON), for the overview map

    @property
    def numbered(self) -> list[tuple[int, WalkItem]]:
        """Every item with its one number in the protocol (to fix first, then to keep): the
        list, the overview map's pins and the PDF all say "3" for the same place."""
        return list(enumerate(self.to_fix + self.to_keep, start=1))


def protocol(*, session: Session, walk: Walk, settings: Settings, lang: str) -> Protocol:
    """The walk's protocol, with every item's current status (read fresh each time)."""
    found = walk_items.items(session=session, walk_id=walk.id, settings=settings, lang=lang)  # type: ignore[arg-type]
    leader = walks.leader_of(session=session, walk=walk)
    zone = session.get(Zone, walk.zone_id) if walk.zone_id else None
    comparison = None
    checked: list[CheckedItem] = []
    if walk.follow_up_of_id is not None:
        earlier = session.get(Walk, walk.follow_up_of_id)
        checked = follow_up.earlier_items(session=session, walk=walk, settings=settings, lang=lang)
        comparison = follow_up.compare(earlier=earlier, checked=checked, own=found)  # type: ignore[arg-type]
    return Protocol(
        walk=walk,
        leader_name=leader.name if leader else "",
        zone_name=zone.name if zone else None,
        participants=walks.participant_count(session=session, walk=walk),
        to_fix=[i for i in found if i.kind == CategoryKind.problem],
        to_keep=[i for i in found if i.kind == CategoryKind.good],
        summary=walk_items.summarise(found),
        comparison=comparison,
        checked=checked,
        zone_geometry=zone.geometry if zone else None,
    )


CSV_COLUMNS = (
    "id",
    "group",
    "category",
    "status",
    "unit",
    "priority",
    "due_date",
    "unsafe_level",
    "felt_by",
    "dark",
    "factors",
    "description",
    "address",
    "lat",
    "lon",
    "reported_at",
    "status_url",
)


def protocol_rows(proto: Protocol, *, lang: str, base_url: str) -> list[dict[str, object]]:
    """One row per item, plain values (codes, ISO dates) so a spreadsheet can sort them."""
    rows = []
    for group, found in (("to_fix", proto.to_fix), ("to_keep", proto.to_keep)):
        for i in found:
            rows.append(
                {
                    "id": i.id,
                    "group": group,
                    "category": i.category.name(lang),
                    "status": i.status.value,
                    "unit": i.unit_name or "",
                    "priority": i.priority.value if group == "to_fix" else "",
                    "due_date": i.due_at.astimezone(walk_form.LOCAL_TZ).date().isoformat()
                    if i.due_at
                    else "",
                    "unsafe_level": i.unsafe_level or "",
                    "felt_by": i.felt_by,
                    "dark": "yes" if i.dark else "no",
                    "factors": " ".join(i.factors),
                    "description": i.description,
                    "address": i.address or "",
                    "lat": round(i.lat, 6),
                    "lon": round(i.lon, 6),
                    "reported_at": i.created_at.astimezone(UTC).isoformat(timespec="seconds"),
                    "status_url": "" if i.category.private else f"{base_url}/reports/{i.id}",
                }
            )
    return rows


def protocol_csv(proto: Protocol, *, lang: str, base_url: str) -> str:
    """The rows as CSV text (with a BOM, for Excel), every cell formula-safe."""
    return csvfile.text(CSV_COLUMNS, protocol_rows(proto, lang=lang, base_url=base_url), bom=True)


def protocol_geojson(proto: Protocol, *, lang: str, base_url: str) -> dict[str, object]:
    """The items as points, with the walk's area and route, for GIS."""
    features: list[dict[str, object]] = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
            "properties": {k: v for k, v in row.items() if k not in ("lat", "lon")},
        }
        for row in protocol_rows(proto, lang=lang, base_url=base_url)
    ]
    walk = proto.walk
    meeting = None
    if walk.meeting_lat is not None and walk.meeting_lon is not None:
        meeting = json.dumps({"type": "Point", "coordinates": [walk.meeting_lon, walk.meeting_lat]})
    for role, geometry in (("area", walk.area), ("route", walk.route), ("meeting", meeting)):
        if geometry:
            features.append(
                {
                    "type": "Feature",
                    "geometry": json.loads(geometry),
                    "properties": {"walk": walk.title, "role": role, "name": walk.meeting_point}
                    if role == "meeting"
                    else {"walk": walk.title, "role": role},
                }
            )
    return {
        "type": "FeatureCollection",
        "name": walk.title,
        "properties": {
            "walk": walk.title,
            "starts_at": walk.starts_at.isoformat(timespec="minutes"),
            "status": walk.status.value,
            "participants": proto.participants,
        },
        "features": features,
    }
