"""The reference data an administrator keeps: units, categories and the routing rules between
them, edited one at a time in the admin pages or in bulk as CSV.

Every kind has one cleaner that turns the raw strings of a form or a CSV row into values, or
into a message per field; forms and imports share it, so both refuse the same things. CSV files
name rows by slug, never by id, so a file moves between installations: units and categories are
keyed by their slug, a rule by its (category, zone), where an empty cell means "any". An import
checks every row before it changes anything and then applies all of it or none of it; it
creates and updates, and never deletes what the file leaves out. Deleting a unit or category
that something still uses is refused with what uses it, not left to a foreign key to fail.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from app.i18n import gettext as _
from app.i18n import ngettext
from app.models import (
    OPEN_STATES,
    Category,
    CategoryKind,
    Observation,
    RoutingRule,
    StaffUser,
    Unit,
    Zone,
)
from app.services import csvfile, routing

Kind = Literal["units", "categories", "rules"]
KINDS: tuple[Kind, ...] = ("units", "categories", "rules")
COLUMNS: dict[str, tuple[str, ...]] = {
    "units": ("slug", "name_sv", "name_en", "department_sv", "department_en", "email"),
    "categories": (
        "slug",
        "name_sv",
        "name_en",
        "icon",
        "kind",
        "position",
        "active",
        "private",
        "default_unit",
    ),
    "rules": ("category", "zone", "unit"),
}
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ICONS_DIR = Path(__file__).resolve().parent.parent / "static" / "icons"
MAX_TEXT = 200
MAX_IMPORT_ROWS = 5000
TRUE = {"true", "yes", "1", "ja", "on"}
FALSE = {"false", "no", "0", "nej", "off", ""}


class Invalid(Exception):
    """Values that cannot be saved: a message per field. `conflict` when they clash with a row
    that exists (a slug taken), rather than being wrong in themselves."""

    def __init__(self, errors: dict[str, str], *, conflict: bool = False) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors
        self.conflict = conflict


class InUse(Exception):
    """A row that something still uses cannot be deleted; the message says what uses it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def icons() -> list[str]:
    """The icon names a category can have (the SVG files we ship)."""
    return sorted(p.stem for p in ICONS_DIR.glob("*.svg"))


# Cleaning: raw strings (a form, a CSV row) -> values, or a message per field.


def _text(raw: Mapping[str, str], key: str, errors: dict[str, str], *, required: bool) -> str:
    value = (raw.get(key) or "").strip()
    if required and not value:
        errors[key] = _("This field is required.")
    elif len(value) > MAX_TEXT:
        errors[key] = _("The text is too long: at most %(n)s characters.", n=MAX_TEXT)
    return value


def _slug(raw: Mapping[str, str], errors: dict[str, str]) -> str:
    slug = (raw.get("slug") or "").strip()
    if not slug:
        errors["slug"] = _("This field is required.")
    elif len(slug) > 64 or not SLUG.match(slug):
        errors["slug"] = _(
            "A short name uses only a-z, 0-9 and hyphens (e.g. street-lighting), "
            "at most 64 characters."
        )
    return slug


def _flag(raw: Mapping[str, str], key: str, errors: dict[str, str], default: bool) -> bool:
    value = (raw.get(key) or "").strip().lower()
    if key not in raw or raw.get(key) is None:
        return default
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    errors[key] = _("Write true or false.")
    return default


def _by_slug(session: Session, model: type[SQLModel], slug: str) -> Any:
    return session.exec(select(model).where(model.slug == slug)).first()  # type: ignore[attr-defined]


def clean_unit(
    *, session: Session, raw: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"slug": _slug(raw, errors)}
    for key in ("name_sv", "name_en"):
        values[key] = _text(raw, key, errors, required=True)
    for key in ("department_sv", "department_en"):
        values[key] = _text(raw, key, errors, required=False)
    email = (raw.get("email") or "").strip().lower()
    if email and (len(email) > 320 or not EMAIL.match(email)):
        errors["email"] = _("Write a valid e-mail address, or leave it empty.")
    values["email"] = email or None
    return values, errors


def clean_category(
    *, session: Session, raw: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"slug": _slug(raw, errors)}
    for key in ("name_sv", "name_en"):
        values[key] = _text(raw, key, errors, required=True)
    icon = (raw.get("icon") or "").strip()
    if icon not in icons():
        errors["icon"] = _("Choose an icon from the list.")
    values["icon"] = icon
    kind = (raw.get("kind") or "problem").strip()
    if kind not in {k.value for k in CategoryKind}:
        errors["kind"] = _("The kind is problem or good.")
    else:
        values["kind"] = CategoryKind(kind)
    position = (raw.get("position") or "0").strip()
    try:
        values["position"] = int(position)
        if not -10_000 <= values["position"] <= 10_000:
            raise ValueError
    except ValueError:
        errors["position"] = _("The position is a whole number between -10000 and 10000.")
    values["active"] = _flag(raw, "active", errors, default=True)
    values["private"] = _flag(raw, "private", errors, default=False)
    unit_slug = (raw.get("default_unit") or "").strip()
    values["default_unit_id"] = None
    if unit_slug:
        unit = _by_slug(session, Unit, unit_slug)
        if unit is None:
            errors["default_unit"] = _("There is no unit %(slug)s.", slug=unit_slug)
        else:
            values["default_unit_id"] = unit.id
    return values, errors


def clean_rule(
    *, session: Session, raw: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"category_id": None, "zone_id": None, "unit_id": None}
    for key, model, missing in (
        ("category", Category, _("There is no category %(slug)s.")),
        ("zone", Zone, _("There is no district %(slug)s.")),
        ("unit", Unit, _("There is no unit %(slug)s.")),
    ):
        slug = (raw.get(key) or "").strip()
        if not slug:
            if key == "unit":
                errors[key] = _("Choose the unit the rule routes to.")
            continue
        found = _by_slug(session, model, slug)
        if found is None:
            errors[key] = missing % {"slug": slug}
        else:
            values[f"{key}_id"] = found.id
    return values, errors


# One at a time: the admin forms.


def units(*, session: Session) -> Sequence[Unit]:
    return session.exec(select(Unit).order_by(Unit.slug)).all()


def categories(*, session: Session) -> Sequence[Category]:
    return session.exec(select(Category).order_by(Category.position, Category.slug)).all()


def zones(*, session: Session) -> Sequence[Zone]:
    return session.exec(select(Zone).order_by(Zone.name)).all()


@dataclass(frozen=True)
class RuleView:
    rule: RoutingRule
    category: Category | None
    zone: Zone | None
    unit: Unit


def rules(*, session: Session) -> list[RuleView]:
    """Every rule with its category, zone and unit, the most general first."""
    by_id = {
        Category: {c.id: c for c in session.exec(select(Category))},
        Zone: {z.id: z for z in session.exec(select(Zone))},
        Unit: {u.id: u for u in session.exec(select(Unit))},
    }
    views = [
        RuleView(
            rule=rule,
            category=by_id[Category].get(rule.category_id),
            zone=by_id[Zone].get(rule.zone_id),
            unit=by_id[Unit][rule.unit_id],
        )
        for rule in session.exec(select(RoutingRule))
    ]
    return sorted(views, key=_rule_order)


def _rule_order(view: RuleView) -> tuple[str, str]:
    return (view.category.slug if view.category else "", view.zone.slug if view.zone else "")


def _save(session: Session, row: SQLModel, values: dict[str, Any]) -> None:
    for key, value in values.items():
        setattr(row, key, value)
    session.add(row)
    try:
        session.commit()
    except IntegrityError as exc:  # a twin saved at the same moment
        session.rollback()
        raise Invalid({"slug": _("That already exists.")}, conflict=True) from exc
    session.refresh(row)


def _slug_taken(session: Session, model: type[SQLModel], slug: str, row: Any) -> bool:
    found = _by_slug(session, model, slug)
    return found is not None and (row is None or found.id != row.id)


def save_unit(*, session: Session, raw: Mapping[str, str], unit: Unit | None = None) -> Unit:
    """Create a unit (no `unit`) or change one."""
    values, errors = clean_unit(session=session, raw=raw)
    if errors:
        raise Invalid(errors)
    if _slug_taken(session, Unit, values["slug"], unit):
        raise Invalid({"slug": _("Another unit has that short name.")}, conflict=True)
    unit = unit or Unit(slug=values["slug"], name_sv="", name_en="")
    _save(session, unit, values)
    return unit


def save_category(
    *, session: Session, raw: Mapping[str, str], category: Category | None = None
) -> Category:
    """Create a category (no `category`) or change one."""
    values, errors = clean_category(session=session, raw=raw)
    if errors:
        raise Invalid(errors)
    if _slug_taken(session, Category, values["slug"], category):
        raise Invalid({"slug": _("Another category has that short name.")}, conflict=True)
    category = category or Category(slug=values["slug"], name_sv="", name_en="")
    _save(session, category, values)
    return category


def _rule_for(session: Session, category_id: int | None, zone_id: int | None) -> RoutingRule | None:
    # `==` never matches NULL in SQL, so "any" is looked up with IS NULL.
    cat = col(RoutingRule.category_id)
    zone = col(RoutingRule.zone_id)
    return session.exec(
        select(RoutingRule).where(
            cat.is_(None) if category_id is None else cat == category_id,
            zone.is_(None) if zone_id is None else zone == zone_id,
        )
    ).first()


def save_rule(
    *, session: Session, raw: Mapping[str, str], rule: RoutingRule | None = None
) -> RoutingRule:
    """Create a rule (no `rule`) or change one; one rule per (category, zone)."""
    values, errors = clean_rule(session=session, raw=raw)
    if errors:
        raise Invalid(errors)
    twin = _rule_for(session, values["category_id"], values["zone_id"])
    if twin is not None and (rule is None or twin.id != rule.id):
        raise Invalid(
            {"category": _("There is already a rule for this category and district: change it.")},
            conflict=True,
        )
    rule = rule or RoutingRule(unit_id=values["unit_id"])
    _save(session, rule, values)
    return rule


def _count(session: Session, model: type[SQLModel], *where: Any) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def unit_usage(*, session: Session, unit: Unit) -> list[str]:
    """What still uses the unit, in words (empty: it can go)."""
    uses = []
    n = _count(session, RoutingRule, col(RoutingRule.unit_id) == unit.id)
    if n:
        uses.append(ngettext("%(num)d rule", "%(num)d rules", n))
    n = _count(session, Category, col(Category.default_unit_id) == unit.id)
    if n:
        uses.append(ngettext("%(num)d category", "%(num)d categories", n))
    n = _count(session, StaffUser, col(StaffUser.unit_id) == unit.id)
    if n:
        uses.append(ngettext("%(num)d staff account", "%(num)d staff accounts", n))
    n = _count(
        session,
        Observation,
        col(Observation.unit_id) == unit.id,
        col(Observation.status).in_(OPEN_STATES),
    )
    if n:
        uses.append(ngettext("%(num)d open observation", "%(num)d open observations", n))
    n = _count(
        session,
        Observation,
        col(Observation.unit_id) == unit.id,
        col(Observation.status).not_in(OPEN_STATES),
    )
    if n:
        uses.append(ngettext("%(num)d closed observation", "%(num)d closed observations", n))
    return uses


def delete_unit(*, session: Session, unit: Unit) -> None:
    """Delete a unit nothing uses; otherwise say what uses it."""
    uses = unit_usage(session=session, unit=unit)
    if uses:
        raise InUse(
            _(
                "%(name)s cannot be deleted while these use it: %(uses)s.",
                name=unit.slug,
                uses=", ".join(uses),
            )
        )
    session.delete(unit)
    session.commit()


def delete_category(*, session: Session, category: Category) -> None:
    """Delete a category no observation and no rule uses; otherwise say so (deactivate it)."""
    uses = []
    n = _count(session, Observation, col(Observation.category_id) == category.id)
    if n:
        uses.append(ngettext("%(num)d observation", "%(num)d observations", n))
    n = _count(session, RoutingRule, col(RoutingRule.category_id) == category.id)
    if n:
        uses.append(ngettext("%(num)d rule", "%(num)d rules", n))
    if uses:
        raise InUse(
            _(
                "%(name)s cannot be deleted while these use it: %(uses)s. "
                "Make it inactive to take it off the report form.",
                name=category.slug,
                uses=", ".join(uses),
            )
        )
    session.delete(category)
    session.commit()


def delete_rule(*, session: Session, rule: RoutingRule) -> None:
    session.delete(rule)
    session.commit()


# What the rules do: every category in every district, routed now.

OUTSIDE = None  # an observation outside every district


@dataclass(frozen=True)
class EffectGroup:
    unit: Unit | None
    reason: str
    zones: list[Zone | None]
    everywhere: bool


@dataclass(frozen=True)
class Effect:
    category: Category
    groups: list[EffectGroup]


def effect(*, session: Session) -> list[Effect]:
    """For each problem category, which unit each district's reports go to now and why (from
    routing.route itself), districts with the same answer grouped, the largest group first."""
    all_zones: list[Zone | None] = [*zones(session=session), OUTSIDE]
    unit_by_id = {u.id: u for u in units(session=session)}
    result = []
    for category in categories(session=session):
        if category.kind != CategoryKind.problem:
            continue
        grouped: dict[tuple[int | None, str], list[Zone | None]] = {}
        for zone in all_zones:
            found = routing.route(session=session, category=category, zone=zone)
            grouped.setdefault((found.unit_id, found.reason), []).append(zone)
        groups = [
            EffectGroup(
                unit=unit_by_id.get(unit_id) if unit_id is not None else None,
                reason=reason,
                zones=in_zones,
                everywhere=len(in_zones) == len(all_zones),
            )
            for (unit_id, reason), in_zones in grouped.items()
        ]
        groups.sort(key=lambda g: -len(g.zones))
        result.append(Effect(category=category, groups=groups))
    return result


# In bulk: CSV.


def _flag_text(value: bool) -> str:
    return "true" if value else "false"


def _unit_values(u: Unit) -> dict[str, str]:
    return {
        "slug": u.slug,
        "name_sv": u.name_sv,
        "name_en": u.name_en,
        "department_sv": u.department_sv,
        "department_en": u.department_en,
        "email": u.email or "",
    }


def _category_values(c: Category, default_unit: Unit | None) -> dict[str, str]:
    return {
        "slug": c.slug,
        "name_sv": c.name_sv,
        "name_en": c.name_en,
        "icon": c.icon,
        "kind": str(c.kind),
        "position": str(c.position),
        "active": _flag_text(c.active),
        "private": _flag_text(c.private),
        "default_unit": default_unit.slug if default_unit else "",
    }


def _rule_values(view: RuleView) -> dict[str, str]:
    return {
        "category": view.category.slug if view.category else "",
        "zone": view.zone.slug if view.zone else "",
        "unit": view.unit.slug,
    }


def row_values(*, session: Session, kind: Kind, row: Any) -> dict[str, str]:
    """One row as the CSV has it (slugs, not ids); the admin's edit form shows the same."""
    if kind == "units":
        return _unit_values(row)
    if kind == "categories":
        unit = session.get(Unit, row.default_unit_id) if row.default_unit_id else None
        return _category_values(row, unit)
    return _rule_values(
        RuleView(
            rule=row,
            category=session.get(Category, row.category_id) if row.category_id else None,
            zone=session.get(Zone, row.zone_id) if row.zone_id else None,
            unit=session.get(Unit, row.unit_id),  # type: ignore[arg-type]
        )
    )


def export_rows(*, session: Session, kind: Kind) -> list[dict[str, str]]:
    """The rows of one kind as the CSV has them (slugs, not ids), in a stable order."""
    if kind == "units":
        return [_unit_values(u) for u in units(session=session)]
    if kind == "categories":
        by_id = {u.id: u for u in units(session=session)}
        return [
            _category_values(c, by_id.get(c.default_unit_id)) for c in categories(session=session)
        ]
    return [_rule_values(view) for view in rules(session=session)]


def export_csv(*, session: Session, kind: Kind) -> str:
    """One kind as CSV text: a header row, then one line per row."""
    return csvfile.text(COLUMNS[kind], export_rows(session=session, kind=kind))


@dataclass(frozen=True)
class RowError:
    row: int  # the line in the file; the header is line 1
    message: str


@dataclass
class ImportReport:
    kind: str
    dry_run: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


_CLEANERS = {"units": clean_unit, "categories": clean_category, "rules": clean_rule}


def _key(kind: str, values: dict[str, Any]) -> tuple[Any, ...]:
    if kind == "rules":
        return (values["category_id"], values["zone_id"])
    return (values["slug"],)


def _existing(session: Session, kind: str, values: dict[str, Any]) -> Any:
    if kind == "rules":
        return _rule_for(session, values["category_id"], values["zone_id"])
    return _by_slug(session, Unit if kind == "units" else Category, values["slug"])


def _read(data: bytes | str, kind: str, report: ImportReport) -> list[tuple[int, dict[str, str]]]:
    """The file's rows with their line numbers; problems with the file itself go to report."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            report.errors.append(
                RowError(1, _("The file is not UTF-8 text. Save it as CSV UTF-8."))
            )
            return []
    data = data.removeprefix("\ufeff")
    if not data.strip():
        report.errors.append(RowError(1, _("The file is empty.")))
        return []
    wanted = COLUMNS[kind]
    reader = csv.reader(io.StringIO(data, newline=""))
    rows = []
    try:
        header = [name.strip() for name in next(reader)]
        if sorted(header) != sorted(wanted):
            report.errors.append(
                RowError(
                    1,
                    _(
                        "The first line must name the columns: %(columns)s.",
                        columns=",".join(wanted),
                    ),
                )
            )
            return []
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_IMPORT_ROWS:
                report.errors.append(
                    RowError(line, _("At most %(n)s rows in one file.", n=MAX_IMPORT_ROWS))
                )
                return []
            if len(cells) != len(header):
                report.errors.append(
                    RowError(
                        line,
                        _(
                            "This row has %(found)s cells; the header has %(wanted)s.",
                            found=len(cells),
                            wanted=len(header),
                        ),
                    )
                )
                continue
            rows.append((line, dict(zip(header, map(csvfile.read_cell, cells), strict=True))))
    except csv.Error as exc:
        report.errors.append(
            RowError(
                reader.line_num or 1, _("The file is not valid CSV: %(error)s", error=str(exc))
            )
        )
        return []
    return rows


def import_csv(
    *, session: Session, kind: Kind, data: bytes | str, dry_run: bool = False
) -> ImportReport:
    """Check every row, then create and update them all in one transaction (or nothing, when a
    row is wrong or `dry_run`). The report counts created, updated and unchanged rows and lists
    each error with its line."""
    report = ImportReport(kind=kind, dry_run=dry_run)
    rows = _read(data, kind, report)
    seen: dict[tuple[Any, ...], int] = {}
    changes: list[tuple[Any, dict[str, Any]]] = []
    for line, raw in rows:
        values, errors = _CLEANERS[kind](session=session, raw=raw)
        if errors:
            for column, message in errors.items():
                report.errors.append(RowError(line, f"{column}: {message}"))
            continue
        key = _key(kind, values)
        if key in seen:
            report.errors.append(
                RowError(line, _("This row repeats line %(line)s.", line=seen[key]))
            )
            continue
        seen[key] = line
        row = _existing(session, kind, values)
        if row is None:
            report.created += 1
        elif all(getattr(row, k) == v for k, v in values.items()):
            report.unchanged += 1
            continue
        else:
            report.updated += 1
        changes.append((row, values))
    if report.errors or dry_run:
        session.rollback()
        return report
    new = {"units": Unit, "categories": Category, "rules": RoutingRule}[kind]
    for row, values in changes:
        target = row if row is not None else new(**values)
        for k, v in values.items():
            setattr(target, k, v)
        session.add(target)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        report.errors.append(RowError(1, _("Someone changed the same rows meanwhile. Try again.")))
        return report
    report.applied = True
    return report
