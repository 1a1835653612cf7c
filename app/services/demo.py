"""Demo data for Boden: districts, the units that own fixes, and the categories."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, select

from app import clock
from app.models import Category, CategoryKind, Unit, Zone, ZoneKind
from app.services import observations, photos, zones

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"
# Demo observations get ids derived from this, so loading them twice stores them once.
DEMO_NAMESPACE = uuid.UUID("6f1c2a52-5a0e-4c55-9d0b-6a7d2e1f0b01")


def is_loaded(*, session: Session) -> bool:
    return session.exec(select(Zone.id).limit(1)).first() is not None


def load(*, session: Session) -> dict[str, int]:
    """Create or update the demo rows by slug; running it twice changes nothing."""
    units: dict[str, Unit] = {}
    for row in json.loads((DEMO_DIR / "units.json").read_text(encoding="utf-8")):
        unit = session.exec(select(Unit).where(Unit.slug == row["slug"])).first() or Unit(
            slug=row["slug"], name_sv="", name_en=""
        )
        for key in ("name_sv", "name_en", "department_sv", "department_en", "email"):
            setattr(unit, key, row.get(key))
        session.add(unit)
        units[unit.slug] = unit
    session.flush()

    categories = json.loads((DEMO_DIR / "categories.json").read_text(encoding="utf-8"))
    for position, row in enumerate(categories):
        category = session.exec(
            select(Category).where(Category.slug == row["slug"])
        ).first() or Category(slug=row["slug"], name_sv="", name_en="")
        category.name_sv, category.name_en = row["name_sv"], row["name_en"]
        category.icon = row["icon"]
        category.kind = CategoryKind(row["kind"])
        category.position = position
        category.private = bool(row.get("private", False))
        default = row.get("default_unit")
        category.default_unit_id = units[default].id if default else None
        session.add(category)

    collection = json.loads((DEMO_DIR / "zones.geojson").read_text(encoding="utf-8"))
    for feature in collection["features"]:
        props = feature["properties"]
        zones.upsert(
            session=session,
            slug=props["slug"],
            name=props["name"],
            geometry=feature["geometry"],
            kind=ZoneKind(props.get("kind", ZoneKind.district)),
        )
    session.commit()
    return {
        "units": len(units),
        "categories": len(categories),
        "zones": len(collection["features"]),
    }


def load_observations(*, session: Session, media_dir: Path, limits: photos.PhotoLimits) -> int:
    """A few residents' reports around Boden, stored through the real capture pipeline;
    returns how many were new."""
    rows = json.loads((DEMO_DIR / "observations.json").read_text(encoding="utf-8"))
    today = clock.now().replace(minute=0, second=0, microsecond=0)
    created = 0
    for i, row in enumerate(rows):
        at = (today - timedelta(days=row["days_ago"])).replace(hour=row["hour_utc"])
        raw = {
            "client_id": str(uuid.uuid5(DEMO_NAMESPACE, str(i))),
            "category": row["category"],
            "lat": str(row["lat"]),
            "lon": str(row["lon"]),
            "position_source": "map",
            "description": row["description"],
            "unsafe_level": str(row.get("unsafe_level", "")),
            "observed_at": at.isoformat(),
        }
        result = observations.capture(
            session=session,
            raw=raw,
            uploads=[],
            media_dir=media_dir,
            limits=limits,
            max_photos=3,
            description_max=2000,
        )
        if result.created:
            # Demo reports pretend to have arrived when they were seen, so some are overdue.
            result.observation.created_at = result.observation.observed_at
            session.add(result.observation)
            session.commit()
        created += result.created
    return created
