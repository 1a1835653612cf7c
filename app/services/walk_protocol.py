"""A walk's protocol: its items grouped (to fix, to keep) with their current status read afresh
each time, a summary, the comparison with the earlier walk for a follow-up, and the same as CSV
(through `csvfile`, formula-safe; in the reader's language with the codes beside the words)
and GeoJSON (codes only) for spreadsheets and GIS."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlmodel import Session

from app import clock
from app.config import Settings
from app.i18n import gettext as _
from app.i18n import using
from app.labels import factor_label, priority_label, status_label
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


# The CSV is for a person with a spreadsheet, as the queue's file is (`queue_export`): headers
# and words in the reader's language, and each coded value also as its code in a column of its
# own, so that a filter or a sort in the spreadsheet does not depend on the language.
CSV_COLUMNS = (
    "item",
    "number",
    "group_code",
    "group",
    "category_code",
    "category",
    "status_code",
    "status",
    "unit",
    "priority_code",
    "priority",
    "due_date",
    "unsafe_level",
    "felt_by",
    "dark",
    "factor_codes",
    "factors",
    "description",
    "address",
    "district",
    "lat",
    "lon",
    "reported",
    "public_link",
)


def csv_headers() -> dict[str, str]:
    """The CSV's column titles in the current language (the same words as the queue's file
    where a column is the same)."""
    return {
        "item": _("Item"),
        "number": _("Number"),
        "group_code": _("Group code"),
        "group": _("Group"),
        "category_code": _("Category code"),
        "category": _("Category"),
        "status_code": _("Status code"),
        "status": _("Status"),
        "unit": _("Responsible"),
        "priority_code": _("Priority code"),
        "priority": _("Priority"),
        "due_date": _("Due"),
        "unsafe_level": _("Felt unsafe (1 to 5)"),
        "felt_by": _("Felt by (people)"),
        "dark": _("In the dark"),
        "factor_codes": _("Reason codes"),
        "factors": _("Why"),
        "description": _("Description"),
        "address": _("Address"),
        "district": _("District"),
        "lat": _("Latitude"),
        "lon": _("Longitude"),
        "reported": _("Reported"),
        "public_link": _("Public link"),
    }


def _group(item: WalkItem) -> str:
    return "to_fix" if item.kind == CategoryKind.problem else "to_keep"


def _due(item: WalkItem) -> str:
    return item.due_at.astimezone(walk_form.LOCAL_TZ).date().isoformat() if item.due_at else ""


def _local(at: datetime) -> str:
    return at.astimezone(walk_form.LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def _public_link(item: WalkItem, base_url: str) -> str:
    """The item's public page; none for a private category (it has no public page)."""
    return "" if item.category.private else f"{base_url}/reports/{item.id}"


def protocol_rows(proto: Protocol, *, lang: str, base_url: str) -> list[dict[str, object]]:
    """One row per item in the protocol's order and numbering: words in `lang`, codes beside
    them, local dates and times as YYYY-MM-DD (HH:MM)."""
    with using(lang):
        return _rows(proto, lang=lang, base_url=base_url)


def _rows(proto: Protocol, *, lang: str, base_url: str) -> list[dict[str, object]]:
    groups = {"to_fix": _("To fix"), "to_keep": _("To keep")}
    yes, no = _("yes"), _("no")
    rows: list[dict[str, object]] = []
    for number, i in proto.numbered:
        group = _group(i)
        to_fix = group == "to_fix"
        rows.append(
            {
                "item": number,
                "number": i.id,
                "group_code": group,
                "group": groups[group],
                "category_code": i.category.slug,
                "category": i.category.name(lang),
                "status_code": i.status.value,
                "status": status_label(i.status),
                "unit": i.unit_name or "",
                "priority_code": i.priority.value if to_fix else "",
                "priority": priority_label(i.priority) if to_fix else "",
                "due_date": _due(i),
                "unsafe_level": i.unsafe_level or "",
                "felt_by": i.felt_by,
                "dark": yes if i.dark else no,
                "factor_codes": " ".join(i.factors),
                "factors": "; ".join(factor_label(f) for f in i.factors),
                "description": i.description,
                "address": i.address or "",
                "district": i.district or "",
                "lat": round(i.lat, 6),
                "lon": round(i.lon, 6),
                "reported": _local(i.created_at),
                "public_link": _public_link(i, base_url),
            }
        )
    return rows


def protocol_csv(proto: Protocol, *, lang: str, base_url: str) -> str:
    """The rows as CSV text in one language, `lang`, headers too (with a BOM, for Excel),
    every cell formula-safe."""
    with using(lang):
        titles = csv_headers()
    return csvfile.text(
        CSV_COLUMNS,
        protocol_rows(proto, lang=lang, base_url=base_url),
        header=[titles[c] for c in CSV_COLUMNS],
        bom=True,
    )


def _properties(number: int, i: WalkItem, *, lang: str, base_url: str) -> dict[str, object]:
    """An item's GeoJSON properties: codes, not words (a GIS layer's filters and styles must
    not change with the language of whoever downloaded it); the category's name is there as
    a label to show."""
    group = _group(i)
    return {
        "number": number,
        "id": i.id,
        "group": group,
        "category": i.category.name(lang),
        "category_code": i.category.slug,
        "status": i.status.value,
        "unit": i.unit_name or "",
        "priority": i.priority.value if group == "to_fix" else "",
        "due_date": _due(i),
        "unsafe_level": i.unsafe_level or "",
        "felt_by": i.felt_by,
        "dark": "yes" if i.dark else "no",
        "factors": " ".join(i.factors),
        "description": i.description,
        "address": i.address or "",
        "district": i.district or "",
        "reported_at": i.created_at.astimezone(UTC).isoformat(timespec="seconds"),
        "status_url": _public_link(i, base_url),
    }


def protocol_geojson(proto: Protocol, *, lang: str, base_url: str) -> dict[str, object]:
    """The items as points, with the walk's area and route, for GIS."""
    features: list[dict[str, object]] = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(i.lon, 6), round(i.lat, 6)]},
            "properties": _properties(number, i, lang=lang, base_url=base_url),
        }
        for number, i in proto.numbered
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
