"""Importing zones from a GIS file: all features or none.

A file (`zone_files` reads GeoJSON or a zipped shapefile) holds Polygon or MultiPolygon
features in WGS 84 or SWEREF 99 TM; its CRS comes from the file (a GeoJSON `crs` member, a
shapefile's .prj) unless the person importing names one, and a file that names none is WGS 84,
as RFC 7946 says. Each feature's properties give the zone: `slug` (else made from the name),
`name` (or `namn`), `kind` (district, part_of_town or plan_area; district when absent) and
`parent`: a slug in the file or already stored. When a feature has no `parent` property at
all, its parent is the smallest district or part of town that contains it (99.9 % of its area
or more); an empty `parent` means none.

Every feature is checked before anything is written: the geometry's shape and validity (in the
file's own coordinates, so the reason points at what the file holds), that it lies in Sweden
after transformation to WGS 84, the text rule on names, duplicate slugs, unknown parents and
parent cycles. Each problem names the feature by its number and slug or name. The import
creates and updates zones by slug and never deletes one (routing rules and observations point
at zones). When an outline or a kind changed, it creates a re-placement run
(`zone_placement`) in the same transaction, which the caller then runs.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shapely import STRtree
from shapely.geometry.base import BaseGeometry
from sqlmodel import Session

from app.i18n import gettext as _
from app.models import StaffUser, Zone, ZoneKind
from app.services import audit, text_input, zone_files, zone_outline, zone_placement, zones

MAX_POINTS = 1_000_000  # corners in the whole file
MAX_PROBLEMS = 100  # listed; the count says how many more
CONTAINED = 0.999  # share of a zone's area inside another that makes it its parent
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
AUTO = object()  # the feature says nothing about its parent: find it
_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "æ": "ae", "ø": "o", "ß": "ss"})


@dataclass(frozen=True)
class Problem:
    feature: int | None  # counted from 1; None for the file as a whole
    label: str  # the feature's slug or name as far as it could be read
    message: str

    def __str__(self) -> str:
        if self.feature is None:
            return self.message
        if self.label:
            return _(
                "Feature %(n)s (%(label)s): %(reason)s",
                n=self.feature,
                label=self.label,
                reason=self.message,
            )
        return _("Feature %(n)s: %(reason)s", n=self.feature, reason=self.message)


@dataclass(frozen=True)
class Change:
    slug: str
    name: str
    kind: ZoneKind
    parent: str | None  # the parent's slug
    action: str  # "create", "update" or "unchanged"
    changed: tuple[str, ...]  # of an update: "name", "kind", "parent", "outline"
    area_m2: float


@dataclass
class Report:
    dry_run: bool
    crs: str = ""  # the coordinate system the file was read in, as a person knows it
    format: str = ""
    problems: list[Problem] = field(default_factory=list)
    more_problems: int = 0
    changes: list[Change] = field(default_factory=list)
    placement_id: int | None = None  # the re-placement run the import made

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)


@dataclass
class _Zone:
    index: int
    slug: str
    name: str
    kind: ZoneKind
    parent: Any  # a slug, None, or AUTO
    geometry: BaseGeometry  # WGS 84, rounded
    area_m2: float


def run(
    *,
    session: Session,
    data: bytes,
    crs: str | None = None,
    dry_run: bool,
    actor: StaffUser | None = None,
) -> Report:
    """Check a zone file and, unless `dry_run` or anything is wrong, apply all of it; the
    audit log gets an entry per zone created or changed (`actor` None: the command line)."""
    report = Report(dry_run=dry_run)
    if len(data) <= zone_files.MAX_BYTES and not data.strip():
        message = _("The file is empty. Choose a GeoJSON file or a zipped shapefile.")
        report.problems.append(Problem(None, "", message))
        return report
    try:
        raw = zone_files.read(data)
        source = _source_crs(raw, crs)
    except zone_files.Unreadable as exc:
        report.problems.append(Problem(None, "", exc.message))
        return report
    report.crs, report.format = zone_files.crs_name(source), raw.format
    problems: list[Problem] = []
    read: list[_Zone] = []
    corners = 0
    for feature in raw.features:
        label = _label(feature.properties)
        try:
            corners += zone_outline.corners(feature.geometry)
            if corners > MAX_POINTS:
                raise zone_files.Unreadable(_("Too many corners: at most %(n)s.", n=MAX_POINTS))
            read.append(_zone(feature, source))
        except zone_outline.Refused as exc:
            problems.append(Problem(feature.index, label, str(exc)))
        except zone_files.Unreadable as exc:
            problems.append(Problem(None, "", exc.message))
            break
    if not raw.features:
        problems.append(Problem(None, "", _("The file holds no features.")))
    stored = zones.by_slug(session=session)
    parents: dict[str, str | None] = {}
    if not problems:
        problems.extend(_check_names(read, stored))
    if not problems:
        parents = _parents(read, stored)
        problems.extend(_cycles(read, stored, parents))
    report.problems = problems[:MAX_PROBLEMS]
    report.more_problems = max(0, len(problems) - MAX_PROBLEMS)
    if problems:
        return report
    report.changes = [_change(z, stored.get(z.slug), parents[z.slug], stored) for z in read]
    if not dry_run:
        report.placement_id = _apply(session, read, parents, stored, report.changes, actor)
    return report


def _source_crs(raw: zone_files.RawFile, named: str | None) -> int:
    """The CRS the coordinates are in: the one named on import, else the file's, else WGS 84."""
    if named:
        code = zone_files.crs_code(named)
        if code is None:
            raise zone_files.unknown_crs(named)
        return code
    if raw.crs_error is not None:
        raise raw.crs_error
    return raw.crs or zone_files.WGS84


def _label(properties: Mapping[str, Any]) -> str:
    for key in ("slug", "name", "namn"):
        value = properties.get(key)
        if isinstance(value, str | int) and str(value).strip():
            return text_input.clean(str(value), multiline=False)[:64]
    return ""


def _text(properties: Mapping[str, Any], *keys: str) -> str | None:
    """A property as text (a number is read as text), checked by the one input rule."""
    for key in keys:
        value = properties.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise zone_outline.Refused(_("“%(field)s” must be text.", field=key))
        value = str(value).strip()
        refused = text_input.problem(key, value)
        if refused is not None:
            raise zone_outline.Refused(refused.message)
        if value:
            return value
    return None


def slugify(name: str) -> str:
    """A slug made from a name: "Björknäs södra" -> "bjorknas-sodra"."""
    folded = unicodedata.normalize("NFKD", name.lower().translate(_FOLD))
    ascii_only = folded.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")[:64].strip("-")


def _zone(feature: zone_files.RawFeature, source: int) -> _Zone:
    props = feature.properties
    name = _text(props, "name", "namn")
    slug = _text(props, "slug")
    if slug is None:
        if name is None:
            raise zone_outline.Refused(_("it needs a “slug” or a “name” property."))
        slug = slugify(name)
    slug = slug.lower()
    if not SLUG_RE.match(slug) or len(slug) > 64:
        raise zone_outline.Refused(
            _(
                "the slug “%(slug)s” may hold only a-z, 0-9 and hyphens (at most 64).",
                slug=slug[:64],
            )
        )
    name = name or slug
    if len(name) > 200:
        raise zone_outline.Refused(_("the name is too long: at most 200 characters."))
    kind_text = (_text(props, "kind") or ZoneKind.district.value).lower()
    kind_text = re.sub(r"[\s-]+", "_", kind_text)
    if kind_text not in {k.value for k in ZoneKind}:
        raise zone_outline.Refused(
            _(
                "the kind “%(kind)s” is unknown: use district, part_of_town or plan_area.",
                kind=kind_text[:40],
            )
        )
    parent: Any = AUTO
    if "parent" in props:
        given = _text(props, "parent")
        parent = given.lower() if given else None
    geometry = zone_outline.outline(feature.geometry, source)
    return _Zone(
        index=feature.index,
        slug=slug,
        name=name,
        kind=ZoneKind(kind_text),
        parent=parent,
        geometry=geometry,
        area_m2=zones.area_m2(geometry),
    )


def _check_names(read: list[_Zone], stored: dict[str, Zone]) -> list[Problem]:
    """Duplicate slugs, unknown parents, a zone its own parent."""
    problems: list[Problem] = []
    first: dict[str, int] = {}
    for z in read:
        if z.slug in first:
            problems.append(
                Problem(
                    z.index,
                    z.slug,
                    _("the slug “%(slug)s” is also feature %(n)s's.", slug=z.slug, n=first[z.slug]),
                )
            )
        first.setdefault(z.slug, z.index)
    if problems:
        return problems
    in_file = {z.slug for z in read}
    for z in read:
        if isinstance(z.parent, str) and z.parent not in in_file and z.parent not in stored:
            problems.append(
                Problem(z.index, z.slug, _("its parent “%(slug)s” is unknown.", slug=z.parent))
            )
        elif z.parent == z.slug:
            problems.append(Problem(z.index, z.slug, _("it cannot be its own parent.")))
    return problems


def _cycles(
    read: list[_Zone], stored: dict[str, Zone], parents: dict[str, str | None]
) -> list[Problem]:
    """Parents that lead back to the zone itself."""
    problems: list[Problem] = []
    for z in read:
        path = [z.slug]
        up = parents[z.slug]
        while up is not None and up not in path:
            path.append(up)
            up = parents.get(up, _stored_parent(stored, up))
        if up == z.slug:
            cycle = " → ".join([*path, z.slug])
            problems.append(
                Problem(
                    z.index, z.slug, _("its parents go round in a circle: %(cycle)s.", cycle=cycle)
                )
            )
    return problems


def _stored_parent(stored: dict[str, Zone], slug: str) -> str | None:
    zone = stored.get(slug)
    if zone is None or zone.parent_id is None:
        return None
    return next((s for s, z in stored.items() if z.id == zone.parent_id), None)


def _parents(read: list[_Zone], stored: dict[str, Zone]) -> dict[str, str | None]:
    """Each feature's parent slug: as the file says, else the smallest district or part of
    town (from the file, or stored and not in it) that contains it."""
    in_file = {z.slug for z in read}
    candidates = [(z.slug, z.kind, z.area_m2, z.geometry) for z in read] + [
        (s, z.kind, z.area_m2, zones.shape_of(z)) for s, z in stored.items() if s not in in_file
    ]
    candidates = sorted((c for c in candidates if c[1] != ZoneKind.plan_area), key=lambda c: c[2])
    # Only the zones whose box meets the feature's are measured (thousands of zones stay fast).
    tree = STRtree([c[3] for c in candidates])
    found: dict[str, str | None] = {}
    for z in read:
        if z.parent is not AUTO:
            found[z.slug] = z.parent
            continue
        found[z.slug] = next(
            (
                slug
                for i in sorted(tree.query(z.geometry))
                for slug, _kind, area, geometry in [candidates[i]]
                if slug != z.slug
                and area > z.area_m2
                and geometry.intersection(z.geometry).area >= CONTAINED * z.geometry.area
            ),
            None,
        )
    return found


def _change(z: _Zone, before: Zone | None, parent: str | None, stored: dict[str, Zone]) -> Change:
    if before is None:
        action, changed = "create", ()
    else:
        differs = {
            "name": before.name != z.name,
            "kind": before.kind != z.kind,
            "parent": _stored_parent(stored, z.slug) != parent,
            "outline": before.geometry != zones.dumps(z.geometry),
        }
        changed = tuple(k for k, v in differs.items() if v)
        action = "update" if changed else "unchanged"
    return Change(z.slug, z.name, z.kind, parent, action, changed, z.area_m2)


def _audited(zone: Zone, parent: str | None) -> dict[str, object]:
    """A zone as the audit log shows it: the outline by its area and a short hash, not its
    corners."""
    return {
        "name": zone.name,
        "kind": zone.kind,
        "parent": parent,
        "area_m2": round(zone.area_m2),
        "outline": hashlib.sha256(zone.geometry.encode()).hexdigest()[:12],
    }


def _apply(
    session: Session,
    read: list[_Zone],
    parents: dict[str, str | None],
    stored: dict[str, Zone],
    changes: list[Change],
    actor: StaffUser | None,
) -> int | None:
    """Write every zone (parents after all exist), its audit entry, and a re-placement run
    when an outline or a kind changed; one commit."""
    rows = dict(stored)
    slug_of = {zone.id: slug for slug, zone in stored.items()}
    before = {slug: _audited(zone, slug_of.get(zone.parent_id)) for slug, zone in stored.items()}
    for z in read:
        zone = rows.get(z.slug) or Zone(slug=z.slug, name=z.name, geometry="")
        zone.name, zone.kind = z.name, z.kind
        zones.set_outline(zone, z.geometry)
        session.add(zone)
        rows[z.slug] = zone
    session.flush()
    for z in read:
        parent = parents[z.slug]
        rows[z.slug].parent_id = rows[parent].id if parent else None
    for z, change in zip(read, changes, strict=True):
        if change.action != "unchanged":
            after = _audited(rows[z.slug], parents[z.slug])
            changed = audit.diff(before.get(z.slug, {}), after)
            audit.record(session, actor, change.action, rows[z.slug], changed)
    placement_id = None
    if any(c.action == "create" or {"outline", "kind"} & set(c.changed) for c in changes):
        placement_id = zone_placement.create(session=session).id
    session.commit()
    return placement_id
