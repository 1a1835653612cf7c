"""The demo's follow-up of Boden's cooperation agreement, on top of its two years of history:
the walks (`demo_walks`), the agreement for this year and the next with the focus areas and
measures of the Boden agreement in the seed (`app/demo/agreement.json`: the annex's headings
filled in, a named responsible, links to districts, categories and walks), targets for this
year, external figures for last year and this one (invented: each source says "demo"), and
before/after photos of some fixes, most of them published by their unit.

Years are relative to today, like the history: run in 2026, the agreement is 2026 to 2027 and
the baseline year 2025. Everything is found again by a natural key (titles, indicator and
year, the photo's hash), so loading twice stores it once."""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlmodel import Session, col, select

from app import clock
from app.models import (
    Agreement,
    Category,
    ExternalFigure,
    FocusArea,
    Measure,
    MeasureLink,
    MeasureLinkKind,
    Observation,
    Photo,
    PhotoKind,
    Status,
    Target,
    TargetDirection,
    Unit,
    Walk,
    Zone,
)
from app.services import demo, demo_pictures, demo_walks, photos
from app.services.media_store import MediaStore

DEMO_SOURCE = "demo: påhittade siffror"
# (indicator, direction, value, baseline: years back or None, within_days, category slug, note)
TARGETS = (
    (
        "share_fixed_within",
        "at_least",
        0.8,
        None,
        14,
        "dark-spot",
        "80 % av belysningsfelen åtgärdade inom 14 dagar",
    ),
    ("damage_reports", "at_most", -10.0, 1, None, None, "Skadegörelse och klotter ned 10 %"),
    ("felt_unsafety", "at_most", -5.0, 1, None, None, "Upplevd otrygghet ned 5 %"),
    ("share_fixed_by_due", "at_least", 0.75, None, None, None, "Tre av fyra åtgärdade i tid"),
    ("walks_held", "at_least", 6.0, None, None, None, "Minst sex trygghetsvandringar"),
    (
        "follow_up_share_fixed",
        "at_least",
        0.8,
        None,
        None,
        None,
        "80 % åtgärdat till uppföljningen",
    ),
    ("scb_safety_index", "at_least", 2.0, 1, None, None, "Fler känner sig trygga"),
    ("police_reported_crimes", "at_most", -5.0, 1, None, None, "Brottsligheten ska minska"),
)
# External figures (invented) for last year and this year: the municipality, then districts.
EXTERNAL = {
    ("police_reported_crimes", None): (2410.0, 2285.0),
    ("police_reported_crimes", "centrum"): (812.0, 759.0),
    ("police_reported_crimes", "heden"): (236.0, 241.0),
    ("police_reported_crimes", "svartbyn"): (318.0, 296.0),
    ("scb_safety_index", None): (61.0, 63.0),
    ("school_drug_survey", None): (0.07, 0.06),
}
SOURCES = {
    "police_reported_crimes": f"Polisen, anmälda brott per område ({DEMO_SOURCE})",
    "scb_safety_index": f"SCB:s medborgarundersökning, trygghetsindex ({DEMO_SOURCE})",
    "school_drug_survey": f"Drogvaneundersökningen i skolår 9 ({DEMO_SOURCE})",
}
# Fixes given before/after photos: this many, most published (every fourth left unpublished,
# as a unit that chose not to).
PHOTO_FIXES = 12


def load(*, session: Session, store: MediaStore, limits: photos.PhotoLimits) -> dict[str, int]:
    """Everything above; returns what was new."""
    year = clock.now().astimezone(demo.STOCKHOLM).year
    counts = {"walks": demo_walks.load(session=session, store=store, limits=limits)}
    counts["measures"] = _agreement(session, year)
    counts["targets"] = _targets(session, year)
    counts["external figures"] = _external(session, year)
    counts["published fixes"] = _photos(session, store, limits)
    session.commit()
    return counts


def _agreement(session: Session, year: int) -> int:
    data = json.loads((demo.DEMO_DIR / "agreement.json").read_text(encoding="utf-8"))
    agreement = session.exec(
        select(Agreement).where(Agreement.title == data["title"], Agreement.first_year == year)
    ).first()
    if agreement is not None:
        return 0
    agreement = Agreement(
        title=data["title"], first_year=year, last_year=year + 1, parties="\n".join(data["parties"])
    )
    session.add(agreement)
    session.flush()
    made = 0
    for position, area_data in enumerate(data["focus_areas"]):
        area = FocusArea(
            agreement_id=agreement.id,  # type: ignore[arg-type]
            title=area_data["title"],
            description=area_data["description"],
            position=position,
        )
        session.add(area)
        session.flush()
        for row in area_data["measures"]:
            measure = Measure(
                focus_area_id=area.id,  # type: ignore[arg-type]
                unit_id=_id_by_slug(session, Unit, row["unit"]),
                starts_on=date(year, 1, 1),
                ends_on=date(year + 1, 12, 31),
                **{
                    key: row[key]
                    for key in (
                        "title",
                        "purpose",
                        "approach",
                        "timetable",
                        "partners",
                        "expected_effect",
                        "responsible",
                        "result",
                    )
                },
            )
            session.add(measure)
            session.flush()
            _link(session, measure, row["links"])
            made += 1
    return made


def _id_by_slug(session: Session, model: type, slug: str | None) -> int | None:
    if slug is None:
        return None
    return session.exec(select(model.id).where(model.slug == slug)).first()  # type: ignore[attr-defined]


def _link(session: Session, measure: Measure, links: dict[str, object]) -> None:
    """The measure's links: categories and zones by slug, walks all of them."""
    targets: set[tuple[MeasureLinkKind, int]] = set()
    for slug in links.get("category", []):  # type: ignore[attr-defined]
        targets.add((MeasureLinkKind.category, _id_by_slug(session, Category, slug)))  # type: ignore[arg-type]
    for slug in links.get("zone", []):  # type: ignore[attr-defined]
        targets.add((MeasureLinkKind.zone, _id_by_slug(session, Zone, slug)))  # type: ignore[arg-type]
    if links.get("walk") == "all":
        for walk_id in session.exec(select(Walk.id)).all():
            targets.add((MeasureLinkKind.walk, walk_id))  # type: ignore[arg-type]
    for kind, target_id in sorted(targets):
        if target_id is not None:
            session.add(MeasureLink(measure_id=measure.id, kind=kind, target_id=target_id))  # type: ignore[arg-type]


def _targets(session: Session, year: int) -> int:
    made = 0
    for indicator, direction, value, back, within, category, note in TARGETS:
        category_id = _id_by_slug(session, Category, category)
        exists = session.exec(
            select(Target.id).where(
                Target.indicator == indicator,
                Target.year == year,
                col(Target.zone_id).is_(None),
                col(Target.category_id).is_(None)
                if category_id is None
                else Target.category_id == category_id,
            )
        ).first()
        if exists is not None:
            continue
        session.add(
            Target(
                indicator=indicator,
                year=year,
                category_id=category_id,
                direction=TargetDirection(direction),
                value=value,
                baseline_year=year - back if back else None,
                within_days=within,
                note=note,
            )
        )
        made += 1
    return made


def _external(session: Session, year: int) -> int:
    made = 0
    for (indicator, zone_slug), values in EXTERNAL.items():
        zone_id = _id_by_slug(session, Zone, zone_slug)
        for figure_year, value in zip((year - 1, year), values, strict=True):
            exists = session.exec(
                select(ExternalFigure.id).where(
                    ExternalFigure.indicator == indicator,
                    ExternalFigure.year == figure_year,
                    col(ExternalFigure.zone_id).is_(None)
                    if zone_id is None
                    else ExternalFigure.zone_id == zone_id,
                )
            ).first()
            if exists is not None:
                continue
            session.add(
                ExternalFigure(
                    indicator=indicator,
                    year=figure_year,
                    zone_id=zone_id,
                    value=value,
                    source=SOURCES[indicator],
                    entered_at=clock.now(),
                )
            )
            made += 1
    return made


def _photos(session: Session, store: MediaStore, limits: photos.PhotoLimits) -> int:
    """Before/after photos for fixes of the past year that have none, spread over the year so
    that each recent quarter has a few; most published by their unit."""
    if session.exec(select(Photo.id).where(Photo.kind == PhotoKind.after)).first() is not None:
        return 0  # given once: a unit's own photos are never overwritten
    since = clock.now() - timedelta(days=365)
    slugs = dict(
        session.exec(
            select(Category.id, Category.slug).where(
                col(Category.slug).in_(demo_pictures.KINDS), col(Category.private).is_(False)
            )
        ).all()
    )
    candidates = session.exec(
        select(Observation)
        .where(
            col(Observation.status).in_((Status.fixed, Status.verified)),
            col(Observation.fixed_at) >= since,
            col(Observation.category_id).in_(slugs),
        )
        .order_by(col(Observation.fixed_at))
    ).all()
    if not candidates:
        return 0
    step = max(1, len(candidates) // PHOTO_FIXES)
    chosen = candidates[::step][:PHOTO_FIXES]
    published = 0
    stored_once: dict[tuple[str, bool], photos.StoredPhoto] = {}  # the same picture, one file
    for n, obs in enumerate(chosen):
        kind = slugs[obs.category_id]
        for photo_kind, after in ((PhotoKind.report, False), (PhotoKind.after, True)):
            if (kind, after) not in stored_once:
                stored_once[kind, after] = photos.ingest(
                    demo_pictures.picture(kind, after=after), store=store, limits=limits
                )
            stored = stored_once[kind, after]
            session.add(
                Photo(
                    observation_id=obs.id,  # type: ignore[arg-type]
                    sha256=stored.sha256,  # type: ignore[arg-type]
                    width=stored.width,
                    height=stored.height,
                    kind=photo_kind,
                    created_at=obs.fixed_at if after else obs.created_at,  # type: ignore[arg-type]
                )
            )
        obs.photos_published = n % 4 != 3
        published += obs.photos_published
        session.add(obs)
    return published
