"""Demo data for Boden: districts, the units that own fixes, the categories, a few fresh
reports and two years of history for the planners."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from sqlmodel import Session, select

from app import clock
from app.models import (
    CannedReply,
    Category,
    CategoryKind,
    Observation,
    Role,
    StaffUser,
    Status,
    Unit,
    Zone,
    ZoneKind,
)
from app.services import lifecycle, observations, outside_owners, photos, zones
from app.services.media_store import MediaStore

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
        category.damage = bool(row.get("damage", False))
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
    owners = json.loads((DEMO_DIR / "outside_owners.json").read_text(encoding="utf-8"))
    outside_owners.load_demo(session=session, rows=owners)
    session.commit()
    return {
        "units": len(units),
        "categories": len(categories),
        "zones": len(collection["features"]),
        "outside owners": len(owners),
    }


def load_observations(*, session: Session, store: MediaStore, limits: photos.PhotoLimits) -> int:
    """A few residents' reports around Boden, stored through the real capture pipeline (and
    the triagers' canned replies for them); returns how many reports were new."""
    _load_replies(session)
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
            store=store,
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


# Two years of Boden's history for the planners' pages and the follow-up: a seeded random town,
# the same on every machine (relative to today). A few places keep coming back month after month
# (the recurring spots a planner should find), good places are spread over the districts, and
# each report went through the life cycle as staff would have moved it, dated when they moved it.
# The year turns as it does in Boden: lamps are missed in the dark half-year and hardly at all
# under the midnight sun, winter evenings are dark (the capture judges the dark from the sun at
# the report's time and place), graffiti is a summer thing, and fixes wait for the snow to go.
HISTORY_SEED = 2026
HISTORY_SIZE = 400
HISTORY_DAYS = 730
STOCKHOLM = ZoneInfo("Europe/Stockholm")
DARK_HALF_YEAR = frozenset({10, 11, 12, 1, 2, 3})
SNOW_MONTHS = frozenset({12, 1, 2, 3})
# Reports by local hour: after work and on evening walks in the dark half-year (dark from about
# 15:00 in December and 19:00 in October and March), spread over the day in the light half.
DARK_HALF_HOURS = (8, 12, 15, 16, 16, 17, 17, 18, 18, 19, 19, 20, 21)
LIGHT_HALF_HOURS = (8, 10, 12, 14, 16, 17, 18, 19, 20, 21, 22)
# How many days a fix takes on average (exponential), in snow and out of it.
FIX_MEAN_DAYS = 14
FIX_MEAN_DAYS_IN_SNOW = 34
DAMAGE_SLUGS = ("vandalism", "graffiti")
# Damage reports in the current year against the earlier ones: the agreement's measure against
# graffiti and vandalism shows (the demo's target is "down 10 % against last year").
DAMAGE_THIS_YEAR = 0.6
# (lat, lon, categories): places reported again and again.
HOTSPOTS = [
    (65.82490, 21.68690, ("dark-spot", "isolated-place")),
    (65.82360, 21.69250, ("graffiti", "vandalism")),
    (65.82580, 21.72600, ("vegetation", "dark-spot")),
    (65.83950, 21.70050, ("traffic",)),
    (65.81150, 21.67350, ("damaged-path", "dark-spot")),
    (65.79850, 21.74400, ("isolated-place", "litter")),
]
DISTRICT_WEIGHTS = {"centrum": 5, "heden": 3, "svartbyn": 3, "bjorknas": 2}  # others: 1
PROBLEM_WEIGHTS = {
    "dark-spot": 9,
    "vegetation": 6,
    "damaged-path": 5,
    "vandalism": 3,
    "graffiti": 3,
    "litter": 4,
    "isolated-place": 3,
    "traffic": 3,
    "signage": 1,
    "drug-dealing": 1,
    "other": 1,
}


def _load_replies(session: Session) -> None:
    """The canned replies of the demo, once (matched by their English title)."""
    by_slug = {c.slug: c.id for c in session.exec(select(Category))}
    for position, row in enumerate(
        json.loads((DEMO_DIR / "replies.json").read_text(encoding="utf-8"))
    ):
        if session.exec(select(CannedReply).where(CannedReply.title_en == row["title_en"])).first():
            continue
        category = row.pop("category")
        session.add(
            CannedReply(
                **row, category_id=by_slug.get(category) if category else None, position=position
            )
        )
    session.commit()


def season_weight(slug: str, month: int) -> float:
    """How much more (or less) often a kind of problem is reported in this month."""
    if slug == "dark-spot":
        return 2.2 if month in DARK_HALF_YEAR else (0.25 if month in (5, 6, 7) else 0.8)
    if slug == "vegetation":
        return 1.8 if month in (6, 7, 8, 9) else (0.2 if month in SNOW_MONTHS else 0.8)
    if slug == "graffiti":
        return 1.6 if month in (5, 6, 7, 8, 9) else 0.5
    if slug == "damaged-path":
        return 1.5 if month in (3, 4, 5) else 1.0  # frost heave shows when the snow goes
    return 1.0


def local_time(day: datetime, hour: int) -> datetime:
    """`hour` o'clock in Boden on the local date of `day`, in UTC."""
    local_day = day.astimezone(STOCKHOLM).date()
    return datetime.combine(local_day, time(hour), STOCKHOLM).astimezone(UTC)


TEXTS = {
    "dark-spot": "Lampan är trasig, mörkt på gångvägen.",
    "vegetation": "Buskarna skymmer sikten längs vägen.",
    "damaged-path": "Hål i asfalten, lätt att snubbla.",
    "vandalism": "Krossat glas i busskuren.",
    "graffiti": "Klotter på väggen vid gångtunneln.",
    "litter": "Mycket skräp vid bänkarna.",
    "isolated-place": "Ingen annan väg ut, ingen ser en här.",
    "traffic": "Mopeder kör fort på gång- och cykelvägen.",
    "signage": "Ingen skylt som visar vägen till stationen.",
    "drug-dealing": "Misstänkt langning på kvällarna.",
    "other": "Otryggt att gå här ensam.",
    "good-place": "Välbelyst och mycket folk i rörelse, här känns det tryggt.",
}


def load_history(
    *,
    session: Session,
    store: MediaStore,
    limits: photos.PhotoLimits,
    size: int = HISTORY_SIZE,
) -> int:
    """About two years of reports over the districts, each moved through its life cycle;
    returns how many were new (loading twice stores them once)."""
    rng = random.Random(HISTORY_SEED)
    actor = municipality()
    today = clock.now().replace(minute=0, second=0, microsecond=0)
    districts = {z.slug: shape(json.loads(z.geometry)) for z in zones.listed(session=session)}
    created = 0
    for i in range(size):
        day = today - timedelta(days=rng.randint(1, HISTORY_DAYS))
        month = day.astimezone(STOCKHOLM).month
        hours = DARK_HALF_HOURS if month in DARK_HALF_YEAR else LIGHT_HALF_HOURS
        at = local_time(day, rng.choice(hours))
        if at >= today:  # late on the local date that began yesterday in UTC
            at -= timedelta(days=1)
        this_year = day.astimezone(STOCKHOLM).year == today.astimezone(STOCKHOLM).year
        lat, lon, category = _history_place(rng, i, districts, month, this_year)
        raw = {
            "client_id": str(uuid.uuid5(DEMO_NAMESPACE, f"history-{i}")),
            "category": category,
            "lat": f"{lat:.6f}",
            "lon": f"{lon:.6f}",
            "position_source": "map",
            "description": TEXTS[category],
            "unsafe_level": "" if category == "good-place" else str(rng.choice((2, 3, 3, 4, 4, 5))),
        }
        # Captured at its own time, so that the pipeline dates it, places it and judges the dark.
        with clock.frozen(at):
            result = observations.capture(
                session=session,
                raw=raw,
                uploads=[],
                store=store,
                limits=limits,
                max_photos=3,
                description_max=2000,
            )
        if result.created:
            if category != "good-place":
                live_through(session, result.observation, rng, today, actor)
            session.commit()
        created += result.created
    return created


def municipality() -> lifecycle.Actor:
    """Who moves the demo's reports: "the municipality", as an admin would (an account that is
    never stored, so nobody can log in with it)."""
    return lifecycle.Actor(
        label="Boden (demo)",
        user=StaffUser(name="Boden (demo)", email="", password_hash="", role=Role.admin),
    )


def random_point(rng: random.Random, outline: BaseGeometry) -> tuple[float, float]:
    """A (lat, lon) inside the outline."""
    min_x, min_y, max_x, max_y = outline.bounds
    while True:
        lon, lat = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
        if outline.contains(Point(lon, lat)):
            return lat, lon


def _history_place(
    rng: random.Random,
    i: int,
    districts: dict,  # type: ignore[type-arg]
    month: int,
    this_year: bool,
) -> tuple[float, float, str]:
    """Every seventh report at a hotspot, every eighth a good place, the rest anywhere, the
    kind of problem by the season."""
    if i % 7 == 0:
        lat, lon, kinds = HOTSPOTS[(i // 7) % len(HOTSPOTS)]
        # Within a few metres of the spot: the same place, reported again.
        return (
            lat + rng.uniform(-5e-5, 5e-5),
            lon + rng.uniform(-1e-4, 1e-4),
            rng.choice(kinds),
        )
    slugs = sorted(districts)
    slug = rng.choices(slugs, weights=[DISTRICT_WEIGHTS.get(s, 1) for s in slugs])[0]
    lat, lon = random_point(rng, districts[slug])
    if i % 8 == 1:
        return lat, lon, "good-place"
    kinds = sorted(PROBLEM_WEIGHTS)
    weights = [
        PROBLEM_WEIGHTS[k]
        * season_weight(k, month)
        * (DAMAGE_THIS_YEAR if this_year and k in DAMAGE_SLUGS else 1.0)
        for k in kinds
    ]
    return lat, lon, rng.choices(kinds, weights=weights)[0]


def live_through(
    session: Session, obs: Observation, rng: random.Random, today: datetime, actor: lifecycle.Actor
) -> None:
    """Move a report on as staff would have: triaged within days, most fixed within weeks (some
    checked; longer under snow), a few handed on or refused; nothing later than today."""
    roll = rng.random()
    in_snow = obs.created_at.astimezone(STOCKHOLM).month in SNOW_MONTHS
    fix_mean = FIX_MEAN_DAYS_IN_SNOW if in_snow else FIX_MEAN_DAYS
    steps: list[tuple[Status, int, dict[str, str]]] = [(Status.triaged, rng.randint(0, 3), {})]
    if roll < 0.62:
        if rng.random() < 0.4:
            steps.append((Status.in_progress, rng.randint(1, 10), {}))
        steps.append((Status.fixed, int(rng.expovariate(1 / fix_mean)) + 1, {}))
        if rng.random() < 0.5:
            steps.append((Status.verified, rng.randint(3, 20), {}))
    elif roll < 0.72:
        steps.append(
            (
                Status.wont_fix,
                rng.randint(5, 30),
                {"note": "Ingår i ombyggnaden av gatan nästa år."},
            )
        )
    elif roll < 0.78:
        steps.append((Status.not_ours, rng.randint(1, 7), {"handed_to": "Trafikverket"}))
    elif roll < 0.88:
        steps.append((Status.scheduled, rng.randint(3, 20), {}))
    at = obs.created_at
    for status, days, extra in steps:
        at = at + timedelta(days=days, hours=rng.randint(1, 6))
        if at >= today:
            return
        with clock.frozen(at):
            lifecycle.transition(
                session=session, obs=obs, to=status, actor=actor, commit=False, **extra
            )
