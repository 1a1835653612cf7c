"""What a measure covers: categories, zones (districts, parts of town, plan areas), plan cases
and walks, one `MeasureLink` row each. The form sends the picked ids under the field names of
`FIELDS`; an id that is no row of its kind is refused (never stored, never silently dropped).
Each link is shown with where staff read more: the zone's planning history, the plan case, the
walk."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, delete, select

from app.i18n import gettext as _
from app.models import Category, MeasureLink, MeasureLinkKind, PlanCase, Walk, Zone, ZoneKind
from app.services import measure_form, walk_form

# The form's field name for each kind (one value per picked row).
FIELDS: dict[str, MeasureLinkKind] = {kind.value: kind for kind in MeasureLinkKind}
# A measure covers a handful of things; a form with more is not a person's.
MOST_PER_KIND = 200


@dataclass(frozen=True)
class Linked:
    """One thing a measure covers, as a page shows it."""

    kind: MeasureLinkKind
    target_id: int
    label: str
    detail: str  # the zone's kind, the plan's diary number, the walk's date
    href: str | None  # where staff read more (a category has no page of its own)


@dataclass(frozen=True)
class Option:
    """One row a measure's form offers to link."""

    id: int
    label: str
    detail: str


def kind_label(kind: MeasureLinkKind | str) -> str:
    labels = {
        MeasureLinkKind.category: _("Categories"),
        MeasureLinkKind.zone: _("Districts and areas"),
        MeasureLinkKind.plan_case: _("Plan cases"),
        MeasureLinkKind.walk: _("Safety walks"),
    }
    return labels.get(MeasureLinkKind(kind), str(kind))


def zone_kind_label(kind: ZoneKind | str) -> str:
    labels = {
        ZoneKind.district: _("District"),
        ZoneKind.part_of_town: _("Part of town"),
        ZoneKind.plan_area: _("Plan area"),
    }
    return labels.get(ZoneKind(kind), str(kind))


def _walk_day(walk: Walk) -> str:
    """The walk's day in the municipality's calendar."""
    return walk.starts_at.astimezone(walk_form.LOCAL_TZ).date().isoformat()


def options(*, session: Session, lang: str) -> dict[MeasureLinkKind, list[Option]]:
    """Everything a measure may be linked to, by kind, in the order a person looks for it."""
    categories = session.exec(select(Category).order_by(col(Category.position), Category.id))
    zones = session.exec(select(Zone).order_by(Zone.name))
    plans = session.exec(select(PlanCase).order_by(PlanCase.name))
    walks = session.exec(select(Walk).order_by(col(Walk.starts_at).desc()))
    return {
        MeasureLinkKind.category: [
            Option(c.id or 0, c.name(lang), _("private") if c.private else "") for c in categories
        ],
        MeasureLinkKind.zone: [Option(z.id or 0, z.name, zone_kind_label(z.kind)) for z in zones],
        MeasureLinkKind.plan_case: [Option(p.id or 0, p.name, p.diary_number) for p in plans],
        MeasureLinkKind.walk: [Option(w.id or 0, w.title, _walk_day(w)) for w in walks],
    }


def picked(
    items: Iterable[tuple[str, str]], errors: dict[str, str]
) -> dict[MeasureLinkKind, set[int]]:
    """The ids the form picked, by kind; a value that is no id is refused under "links"."""
    found: dict[MeasureLinkKind, set[int]] = {kind: set() for kind in MeasureLinkKind}
    for name, value in items:
        kind = FIELDS.get(name)
        if kind is None:
            continue
        target = measure_form.number({name: value}, name)
        if target is None:
            errors["links"] = _("“%(value)s” is not one of the choices.", value=value[:40])
            continue
        found[kind].add(target)
    if any(len(ids) > MOST_PER_KIND for ids in found.values()):
        errors["links"] = _("Too many links: at most %(n)s of each kind.", n=MOST_PER_KIND)
    return found


_MODELS: dict[MeasureLinkKind, type[Category] | type[Zone] | type[PlanCase] | type[Walk]] = {
    MeasureLinkKind.category: Category,
    MeasureLinkKind.zone: Zone,
    MeasureLinkKind.plan_case: PlanCase,
    MeasureLinkKind.walk: Walk,
}


def check_known(
    *, session: Session, links: dict[MeasureLinkKind, set[int]], errors: dict[str, str]
) -> None:
    """Refuse an id that is no row of its kind (deleted meanwhile, or made up)."""
    for kind, ids in links.items():
        if not ids:
            continue
        model = _MODELS[kind]
        known = set(session.exec(select(model.id).where(col(model.id).in_(ids))))
        unknown = sorted(ids - known)
        if unknown:
            errors["links"] = _(
                "%(kind)s: no row has the number %(ids)s.",
                kind=kind_label(kind),
                ids=", ".join(str(i) for i in unknown[:5]),
            )


def replace(*, session: Session, measure_id: int, links: dict[MeasureLinkKind, set[int]]) -> None:
    """The measure covers exactly `links` from now on (the caller commits)."""
    session.exec(delete(MeasureLink).where(col(MeasureLink.measure_id) == measure_id))  # type: ignore[call-overload]
    for kind, ids in links.items():
        for target in sorted(ids):
            session.add(MeasureLink(measure_id=measure_id, kind=kind, target_id=target))


def ids_of(*, session: Session, measure_id: int) -> dict[MeasureLinkKind, set[int]]:
    """What the measure covers now, by kind (to tick the form's boxes)."""
    found: dict[MeasureLinkKind, set[int]] = {kind: set() for kind in MeasureLinkKind}
    for row in session.exec(select(MeasureLink).where(MeasureLink.measure_id == measure_id)):
        found[MeasureLinkKind(row.kind)].add(row.target_id)
    return found


def of_measures(
    *, session: Session, measure_ids: Sequence[int], lang: str
) -> dict[int, list[Linked]]:
    """What each measure covers, read in one query per kind; a link whose row has gone is left
    out (a walk or plan case deleted after the measure was written)."""
    result: dict[int, list[Linked]] = {mid: [] for mid in measure_ids}
    if not measure_ids:
        return result
    rows = list(
        session.exec(select(MeasureLink).where(col(MeasureLink.measure_id).in_(measure_ids)))
    )
    shown: dict[tuple[MeasureLinkKind, int], Linked] = {}
    for kind, model in _MODELS.items():
        ids = {r.target_id for r in rows if r.kind == kind}
        if not ids:
            continue
        for row in session.exec(select(model).where(col(model.id).in_(ids))):
            shown[(kind, row.id or 0)] = _linked(kind, row, lang)
    order = list(MeasureLinkKind)
    for row in sorted(rows, key=lambda r: (order.index(MeasureLinkKind(r.kind)), r.target_id)):
        found = shown.get((MeasureLinkKind(row.kind), row.target_id))
        if found is not None:
            result[row.measure_id].append(found)
    for links in result.values():
        links.sort(key=lambda link: (order.index(link.kind), link.label.casefold()))
    return result


def _linked(kind: MeasureLinkKind, row: object, lang: str) -> Linked:
    if isinstance(row, Category):
        return Linked(kind, row.id or 0, row.name(lang), "", None)
    if isinstance(row, Zone):
        href = f"/planning/zones/{row.slug}"
        return Linked(kind, row.id or 0, row.name, zone_kind_label(row.kind), href)
    if isinstance(row, PlanCase):
        return Linked(kind, row.id or 0, row.name, row.diary_number, f"/planning/plans/{row.id}")
    assert isinstance(row, Walk)
    return Linked(kind, row.id or 0, row.title, _walk_day(row), f"/walks/{row.id}")
