"""The reference data an administrator keeps: units, categories and the routing rules between
them, edited one at a time in the admin pages or in bulk as CSV (`registry_csv`).

Each kind is one line in `KINDS`: its model, columns, cleaner, key, templates and messages.
The admin routes, the CSV import and export and the command line are written once over that
table, so a fourth kind is a new line, not a fourth copy. A unit or category is keyed by its
slug, a rule by its (category, zone), where None means "any". Deleting a row that something
still uses is refused with what uses it, not left to a foreign key to fail.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from app import i18n
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
from app.services import audit, routing
from app.services import registry_fields as fields


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


# The lists, in the order the pages and the CSV files show them.


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
    views = [
        RuleView(
            rule=rule,
            category=session.get(Category, rule.category_id) if rule.category_id else None,
            zone=session.get(Zone, rule.zone_id) if rule.zone_id else None,
            unit=session.get(Unit, rule.unit_id),  # type: ignore[arg-type]
        )
        for rule in session.exec(select(RoutingRule))
    ]
    return sorted(views, key=_rule_order)


def _rule_order(view: RuleView) -> tuple[str, str]:
    return (view.category.slug if view.category else "", view.zone.slug if view.zone else "")


def _rule_for(session: Session, values: Mapping[str, Any]) -> RoutingRule | None:
    # `==` never matches NULL in SQL, so "any" is looked up with IS NULL.
    category_id, zone_id = values["category_id"], values["zone_id"]
    cat = col(RoutingRule.category_id)
    zone = col(RoutingRule.zone_id)
    return session.exec(
        select(RoutingRule).where(
            cat.is_(None) if category_id is None else cat == category_id,
            zone.is_(None) if zone_id is None else zone == zone_id,
        )
    ).first()


def choices(*, session: Session) -> dict[str, Any]:
    """What the admin forms offer, as (value, label) pairs in the visitor's language."""
    lang = i18n.current_language()
    all_units = units(session=session)
    return {
        "unit_options": [(u.slug, u.name(lang)) for u in all_units],
        "unit_names": {u.id: u.name(lang) for u in all_units},
        "category_options": [(c.slug, c.name(lang)) for c in categories(session=session)],
        "zone_options": [(z.slug, z.name) for z in zones(session=session)],
        "kind_options": [
            (CategoryKind.problem.value, _("A problem to fix")),
            (CategoryKind.good.value, _("A good place to keep")),
        ],
        "icon_options": [(icon, icon) for icon in fields.icons()],
    }


# What still uses a row, in words (empty: it can go).


def _count(session: Session, model: type[SQLModel], *where: Any) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def unit_usage(*, session: Session, unit: Unit) -> list[str]:
    """The rules, categories, accounts and observations that still name the unit."""
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
    mine = col(Observation.unit_id) == unit.id
    n = _count(session, Observation, mine, col(Observation.status).in_(OPEN_STATES))
    if n:
        uses.append(ngettext("%(num)d open observation", "%(num)d open observations", n))
    n = _count(session, Observation, mine, col(Observation.status).not_in(OPEN_STATES))
    if n:
        uses.append(ngettext("%(num)d closed observation", "%(num)d closed observations", n))
    return uses


def category_usage(*, session: Session, category: Category) -> list[str]:
    """The observations and rules that still name the category."""
    uses = []
    n = _count(session, Observation, col(Observation.category_id) == category.id)
    if n:
        uses.append(ngettext("%(num)d observation", "%(num)d observations", n))
    n = _count(session, RoutingRule, col(RoutingRule.category_id) == category.id)
    if n:
        uses.append(ngettext("%(num)d rule", "%(num)d rules", n))
    return uses


# The table: one line per kind.


@dataclass(frozen=True)
class Kind:
    """Everything the generic admin pages, forms and CSV files need to know about one kind."""

    name: str  # in URLs (/admin/units) and file names
    model: type[SQLModel]
    columns: tuple[str, ...]  # the CSV's columns, which are also the form's fields
    clean: Callable[..., fields.Cleaned]  # raw strings -> values, or a message per field
    key: Callable[[Mapping[str, Any]], tuple[Any, ...]]  # what names a row in a file
    find: Callable[[Session, Mapping[str, Any]], Any]  # the row with that key, if any
    values: Callable[[Session, Any], dict[str, str]]  # a row as the CSV and the edit form show it
    listed: Callable[[Session], Sequence[Any]]  # every row, in the CSV's order
    page: Callable[[Session], dict[str, Any]]  # what the list page shows above its forms
    usage: Callable[[Session, Any], list[str]]  # what still uses a row
    taken: Callable[[], tuple[str, str]]  # (field, message) when another row has the key
    refusal: Callable[[Any, str], str]  # why a row in use cannot be deleted
    list_template: str
    edit_template: str
    form_defaults: Mapping[str, str]  # what an empty field means (an unticked box sends nothing)


def _by_slug_key(values: Mapping[str, Any]) -> tuple[Any, ...]:
    return (values["slug"],)


def _in_use(row: Any, uses: str) -> str:
    return _("%(name)s cannot be deleted while these use it: %(uses)s.", name=row.slug, uses=uses)


KINDS: dict[str, Kind] = {
    "units": Kind(
        name="units",
        model=Unit,
        columns=("slug", "name_sv", "name_en", "department_sv", "department_en", "email"),
        clean=fields.clean_unit,
        key=_by_slug_key,
        find=lambda session, values: fields.by_slug(session, Unit, values["slug"]),
        values=fields.unit_values,
        listed=lambda session: units(session=session),
        page=lambda session: {"rows": units(session=session)},
        usage=lambda session, row: unit_usage(session=session, unit=row),
        taken=lambda: ("slug", _("Another unit has that short name.")),
        refusal=_in_use,
        list_template="admin/units.html",
        edit_template="admin/unit.html",
        form_defaults={},
    ),
    "categories": Kind(
        name="categories",
        model=Category,
        columns=(
            "slug",
            "name_sv",
            "name_en",
            "icon",
            "kind",
            "position",
            "active",
            "private",
            "damage",
            "default_unit",
        ),
        clean=fields.clean_category,
        key=_by_slug_key,
        find=lambda session, values: fields.by_slug(session, Category, values["slug"]),
        values=fields.category_values,
        listed=lambda session: categories(session=session),
        page=lambda session: {"rows": categories(session=session)},
        usage=lambda session, row: category_usage(session=session, category=row),
        taken=lambda: ("slug", _("Another category has that short name.")),
        refusal=lambda row, uses: _(
            "%(name)s cannot be deleted while these use it: %(uses)s. "
            "Make it inactive to take it off the report form.",
            name=row.slug,
            uses=uses,
        ),
        list_template="admin/categories.html",
        edit_template="admin/category.html",
        form_defaults={
            "kind": "problem",
            "position": "0",
            "active": "false",
            "private": "false",
            "damage": "false",
        },
    ),
    "rules": Kind(
        name="rules",
        model=RoutingRule,
        columns=("category", "zone", "unit"),
        clean=fields.clean_rule,
        key=lambda values: (values["category_id"], values["zone_id"]),
        find=_rule_for,
        values=fields.rule_values,
        listed=lambda session: [view.rule for view in rules(session=session)],
        page=lambda session: {
            "rows": rules(session=session),
            "effect": routing.preview(session=session),
        },
        usage=lambda session, row: [],  # nothing points at a rule
        taken=lambda: (
            "category",
            _("There is already a rule for this category and district: change it."),
        ),
        refusal=lambda row, uses: "",
        list_template="admin/rules.html",
        edit_template="admin/rule.html",
        form_defaults={},
    ),
}


# One at a time: the admin forms.


def get(*, session: Session, kind: str, row_id: int) -> Any:
    """The row of `kind` with this id, or None."""
    return session.get(KINDS[kind].model, row_id)


def row_values(*, session: Session, kind: str, row: Any) -> dict[str, str]:
    """One row as the CSV has it (slugs, not ids); the admin's edit form shows the same."""
    return KINDS[kind].values(session, row)


def save(
    *,
    session: Session,
    kind: str,
    raw: Mapping[str, str],
    row: Any = None,
    actor: StaffUser | None = None,
) -> Any:
    """Create a row of `kind` (no `row`) or change one; refuse a key another row has. The
    audit log gets the change (`actor` None: the command line)."""
    spec = KINDS[kind]
    values, errors = spec.clean(session=session, raw=raw)
    if errors:
        raise Invalid(errors)
    twin = spec.find(session, values)
    field, message = spec.taken()
    if twin is not None and (row is None or twin.id != row.id):
        raise Invalid({field: message}, conflict=True)
    before = spec.values(session, row) if row is not None else {}
    action = "update" if row is not None else "create"
    row = row if row is not None else spec.model(**values)
    for key, value in values.items():
        setattr(row, key, value)
    session.add(row)
    try:
        changed = audit.diff(before, spec.values(session, row))
        if changed:
            audit.record(session, actor, action, row, changed)
        session.commit()
    except IntegrityError as exc:  # a twin saved at the same moment
        session.rollback()
        raise Invalid({field: message}, conflict=True) from exc
    session.refresh(row)
    return row


def delete(*, session: Session, kind: str, row: Any, actor: StaffUser | None = None) -> None:
    """Delete a row nothing uses; otherwise say what uses it."""
    spec = KINDS[kind]
    uses = spec.usage(session, row)
    if uses:
        raise InUse(spec.refusal(row, ", ".join(uses)))
    audit.record(session, actor, "delete", row, audit.diff(spec.values(session, row), {}))
    session.delete(row)
    session.commit()
