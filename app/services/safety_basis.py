"""The frozen safety basis (trygghetsunderlag) of a plan case, one per stage when asked.

Freezing reads the plan area once: its figures (history.summary), recurring spots, walks, the
checklist with its decisions and notes, and a map image drawn on the server. All of it is
stored as plain JSON (`snapshot`) beside the PNG, with a SHA-256 of both. The basis page and
its PDF are rendered from these alone, so they read the same every time they are opened,
whatever is reported, fixed or decided afterwards. Labels (statuses, stages, decisions,
category names in both languages) are looked up when rendering, from the stored keys.

Planners see no personal data: the snapshot holds no contact, no note of staff, no token, and
a private category only as a count.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape
from sqlmodel import Session, col, select

from app import clock
from app.models import Category, PlanCase, SafetyBasis, StaffUser
from app.services import history, map_image, plan_cases, plan_checklist, recurring, zones
from app.services.media_store import LocalStore
from app.services.plan_area import to_sweref
from app.services.planning_filters import Filters

VERSION = 1
MAP_POINTS = 5000  # the newest reports on the map; the figures count every one


@dataclass(frozen=True)
class Basis:
    """A frozen basis as its page reads it: the row's plain values and the snapshot."""

    id: int
    plan_case_id: int
    stage: str
    made_at: datetime
    content_hash: str
    data: dict[str, Any]

    def category_name(self, slug: str, lang: str) -> str:
        names = self.data["category_names"].get(slug)
        if not names:
            return slug
        return names[0] if lang == "sv" else names[1]

    def months_by_year(self) -> list[tuple[str, list[int | None]]]:
        """The timeline as rows of twelve months (None before the first and after the last)."""
        rows: dict[str, list[int | None]] = {}
        for key, count in self.data["figures"]["months"]:
            rows.setdefault(key[:4], [None] * 12)[int(key[5:7]) - 1] = count
        return list(rows.items())


def _hectares(geometry) -> float:  # type: ignore[no-untyped-def]
    """The area's size in SWEREF 99 TM (true metres), in hectares."""

    def project(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(to_sweref(xy[:, 0], xy[:, 1]))  # type: ignore[arg-type]

    return round(float(shapely.transform(geometry, project).area) / 10_000, 2)


def _figures(found: history.History) -> dict[str, Any]:
    return {
        "total": found.total,
        "problems": found.problems,
        "good_places": found.good_places,
        "open": found.open,
        "fixed": found.fixed,
        "share_fixed": None if found.share_fixed is None else round(found.share_fixed, 4),
        "median_days_to_fix": found.median_days_to_fix,
        "dark": found.dark,
        "daylight": found.daylight,
        "statuses": [[c.key, c.count] for c in found.statuses],
        "categories": [[c.key, c.count, c.private] for c in found.categories],
        "months": [[c.key, c.count] for c in found.months],
        "unsafety_by_year": [
            [y.year, y.average, y.answers, y.change] for y in found.unsafety_by_year
        ],
    }


def _line(line, numbers: dict[str, int]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {
        "key": line.subject_key,
        "kind": line.kind,
        "spot_number": numbers.get(line.subject_key),
        "observation_id": line.observation_id,
        "in_area": line.in_area,
        "lat": round(line.lat, 6),
        "lon": round(line.lon, 6),
        "count": line.count,
        "months": line.months,
        "first_on": line.first_on.isoformat() if line.first_on else None,
        "last_on": line.last_on.isoformat() if line.last_on else None,
        "categories": [c for c in line.categories.split(",") if c],
        "status": line.status,
        "description": line.description,
        "decision": line.decision.value if line.decision else None,
        "note": line.note,
        "decided_at": line.decided_at.isoformat() if line.decided_at else None,
    }


def snapshot(*, session: Session, case: PlanCase, actor: StaffUser) -> tuple[dict[str, Any], bytes]:
    """Everything the basis shows, read now, and its map image."""
    scope = plan_cases.scope_of(session=session, case=case)
    everything = Filters()
    lines = plan_checklist.sync(session=session, case=case)
    found = history.summary(session=session, scope=scope, filters=everything, lang="en")
    spots = recurring.spots(session=session, scope=scope, filters=everything)
    numbers = {spot.key: n for n, spot in enumerate(spots, start=1)}
    points, on_map_total = history.points(
        session=session, scope=scope, filters=everything, limit=MAP_POINTS
    )
    dots = [map_image.Dot(p.lat, p.lon, map_image.group_of(p.status, good=p.good)) for p in points]
    groups = {g: 0 for g in map_image.DRAW_ORDER}
    for dot in dots:
        groups[dot.group] += 1
    png = map_image.render(
        area=scope.geometry,
        dots=dots,
        rings=[map_image.Ring(s.lat, s.lon, numbers[s.key]) for s in spots],
        zones=[shape(json.loads(z.geometry)) for z in zones.listed(session=session)],
    )
    slugs = {c[0] for c in _figures(found)["categories"]} | {
        slug for line in lines for slug in line.categories.split(",") if slug
    }
    slugs |= {slug for s in spots for slug in s.categories}
    names = {
        c.slug: [c.name_sv, c.name_en]
        for c in session.exec(select(Category).where(col(Category.slug).in_(sorted(slugs))))
    }
    data = {
        "version": VERSION,
        "plan": {
            "id": case.id,
            "name": case.name,
            "diary_number": case.diary_number,
            "stage": case.stage.value,
        },
        "made_at": clock.now().isoformat(),
        "made_by": actor.name,
        "area": {
            "geojson": scope.geojson(),
            "key": case.area_key,
            "hectares": _hectares(scope.geometry),
        },
        "figures": _figures(found),
        "category_names": names,
        "walks": [
            {
                "id": w.id,
                "title": w.title,
                "starts_at": w.starts_at,
                "status": w.status,
                "observations": w.observations,
            }
            for w in found.walks
        ],
        "spots": [
            {
                "number": numbers[s.key],
                "key": s.key,
                "lat": round(s.lat, 6),
                "lon": round(s.lon, 6),
                "count": s.count,
                "months": s.months,
                "first": s.first.isoformat(),
                "last": s.last.isoformat(),
                "categories": list(s.categories),
            }
            for s in spots
        ],
        "checklist": [_line(line, numbers) for line in lines],
        "map": {"groups": groups, "shown": len(dots), "total": on_map_total},
    }
    return data, png


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_hash(snapshot_text: str, png: bytes) -> str:
    digest = hashlib.sha256(snapshot_text.encode())
    digest.update(png)
    return digest.hexdigest()


def freeze(*, session: Session, case: PlanCase, actor: StaffUser) -> SafetyBasis:
    """Freeze the basis for the plan's current stage (an earlier one stays as it was)."""
    data, png = snapshot(session=session, case=case, actor=actor)
    text = _dumps(data)
    basis = SafetyBasis(
        plan_case_id=case.id,  # type: ignore[arg-type]
        stage=case.stage,
        made_at=clock.now(),
        made_by_id=actor.id,
        snapshot=text,
        map_png=png,
        content_hash=content_hash(text, png),
    )
    session.add(basis)
    session.commit()
    session.refresh(basis)
    return basis


def by_id(*, session: Session, case: PlanCase, basis_id: int) -> SafetyBasis | None:
    basis = session.get(SafetyBasis, basis_id)
    return basis if basis is not None and basis.plan_case_id == case.id else None


def view(basis: SafetyBasis) -> Basis:
    """The basis as its page and PDF read it: only from what was frozen."""
    return Basis(
        id=basis.id,  # type: ignore[arg-type]
        plan_case_id=basis.plan_case_id,
        stage=basis.stage.value,
        made_at=basis.made_at,
        content_hash=basis.content_hash,
        data=json.loads(basis.snapshot),
    )


def pdf(*, html: str, png: bytes, base_url: str) -> bytes:
    """The basis page's PDF: its map is read as /media/map.png from a store of its own (a
    temporary folder), so the PDF needs nothing from the network nor from the photo store."""
    from app.services.protocol_pdf import render_pdf  # WeasyPrint loads only when asked

    with tempfile.TemporaryDirectory(prefix="basis-") as folder:
        store = LocalStore(Path(folder))
        store.put("map.png", png)
        return render_pdf(html, store=store, base_url=base_url)
