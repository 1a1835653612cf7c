"""The fields of the administrator's rows, both ways: raw strings (a form, a CSV row) into
values or a message per field (the cleaners), and a row back into strings (the edit form and
the CSV show the same). Forms and imports share the cleaners, so both refuse the same things.

Other rows are named by slug, never by id, so a file moves between installations; a rule's
empty category or district means "any".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlmodel import Session, SQLModel, select

from app.i18n import gettext as _
from app.models import Category, CategoryKind, RoutingRule, Unit, Zone

Raw = Mapping[str, str]
Cleaned = tuple[dict[str, Any], dict[str, str]]

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Never meant in a name (and NUL breaks PostgreSQL): dropped, as the report form does.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ICONS_DIR = Path(__file__).resolve().parent.parent / "static" / "icons"
MAX_TEXT = 200
TRUE = {"true", "yes", "1", "ja", "on"}
FALSE = {"false", "no", "0", "nej", "off", ""}


def icons() -> list[str]:
    """The icon names a category can have (the SVG files we ship)."""
    return sorted(p.stem for p in ICONS_DIR.glob("*.svg"))


def by_slug(session: Session, model: type[SQLModel], slug: str) -> Any:
    """The unit, category or district with this slug, or None."""
    return session.exec(select(model).where(model.slug == slug)).first()  # type: ignore[attr-defined]


def _get(raw: Raw, key: str) -> str:
    return CONTROL_CHARS.sub("", raw.get(key) or "").strip()


def _text(raw: Raw, key: str, errors: dict[str, str], *, required: bool) -> str:
    value = _get(raw, key)
    if required and not value:
        errors[key] = _("This field is required.")
    elif len(value) > MAX_TEXT:
        errors[key] = _("The text is too long: at most %(n)s characters.", n=MAX_TEXT)
    return value


def _slug(raw: Raw, errors: dict[str, str]) -> str:
    slug = _get(raw, "slug")
    if not slug:
        errors["slug"] = _("This field is required.")
    elif len(slug) > 64 or not SLUG.match(slug):
        errors["slug"] = _(
            "A short name uses only a-z, 0-9 and hyphens (e.g. street-lighting), "
            "at most 64 characters."
        )
    return slug


def _flag(raw: Raw, key: str, errors: dict[str, str], default: bool) -> bool:
    if raw.get(key) is None:
        return default
    value = _get(raw, key).lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    errors[key] = _("Write true or false.")
    return default


def clean_unit(*, session: Session, raw: Raw) -> Cleaned:
    """A unit's values from raw strings, or a message per field."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"slug": _slug(raw, errors)}
    for key in ("name_sv", "name_en"):
        values[key] = _text(raw, key, errors, required=True)
    for key in ("department_sv", "department_en"):
        values[key] = _text(raw, key, errors, required=False)
    email = _get(raw, "email").lower()
    if email and (len(email) > 320 or not EMAIL.match(email)):
        errors["email"] = _("Write a valid e-mail address, or leave it empty.")
    values["email"] = email or None
    return values, errors


def clean_category(*, session: Session, raw: Raw) -> Cleaned:
    """A category's values from raw strings, or a message per field."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"slug": _slug(raw, errors)}
    for key in ("name_sv", "name_en"):
        values[key] = _text(raw, key, errors, required=True)
    icon = _get(raw, "icon")
    if icon not in icons():
        errors["icon"] = _("Choose an icon from the list.")
    values["icon"] = icon
    kind = _get(raw, "kind") or "problem"
    if kind not in {k.value for k in CategoryKind}:
        errors["kind"] = _("The kind is problem or good.")
    else:
        values["kind"] = CategoryKind(kind)
    try:
        values["position"] = int(_get(raw, "position") or "0")
        if not -10_000 <= values["position"] <= 10_000:
            raise ValueError
    except ValueError:
        errors["position"] = _("The position is a whole number between -10000 and 10000.")
    values["active"] = _flag(raw, "active", errors, default=True)
    values["private"] = _flag(raw, "private", errors, default=False)
    values["damage"] = _flag(raw, "damage", errors, default=False)
    unit_slug = _get(raw, "default_unit")
    values["default_unit_id"] = None
    if unit_slug:
        unit = by_slug(session, Unit, unit_slug)
        if unit is None:
            errors["default_unit"] = _("There is no unit %(slug)s.", slug=unit_slug)
        else:
            values["default_unit_id"] = unit.id
    return values, errors


def clean_rule(*, session: Session, raw: Raw) -> Cleaned:
    """A rule's values from the slugs of its category, district and unit ("" is any)."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"category_id": None, "zone_id": None, "unit_id": None}
    for key, model, missing in (
        ("category", Category, _("There is no category %(slug)s.")),
        ("zone", Zone, _("There is no district %(slug)s.")),
        ("unit", Unit, _("There is no unit %(slug)s.")),
    ):
        slug = _get(raw, key)
        if not slug:
            if key == "unit":
                errors[key] = _("Choose the unit the rule routes to.")
            continue
        found = by_slug(session, model, slug)
        if found is None:
            errors[key] = missing % {"slug": slug}
        else:
            values[f"{key}_id"] = found.id
    return values, errors


# A row as strings: slugs, not ids. The session's identity map keeps the look-ups cheap.


def _slug_of(session: Session, model: type[SQLModel], row_id: int | None) -> str:
    row = session.get(model, row_id) if row_id is not None else None
    return row.slug if row is not None else ""  # type: ignore[attr-defined]


def _flag_text(value: bool) -> str:
    return "true" if value else "false"


def unit_values(session: Session, unit: Unit) -> dict[str, str]:
    return {
        "slug": unit.slug,
        "name_sv": unit.name_sv,
        "name_en": unit.name_en,
        "department_sv": unit.department_sv,
        "department_en": unit.department_en,
        "email": unit.email or "",
    }


def category_values(session: Session, category: Category) -> dict[str, str]:
    return {
        "slug": category.slug,
        "name_sv": category.name_sv,
        "name_en": category.name_en,
        "icon": category.icon,
        "kind": str(category.kind),
        "position": str(category.position),
        "active": _flag_text(category.active),
        "private": _flag_text(category.private),
        "damage": _flag_text(category.damage),
        "default_unit": _slug_of(session, Unit, category.default_unit_id),
    }


def rule_values(session: Session, rule: RoutingRule) -> dict[str, str]:
    return {
        "category": _slug_of(session, Category, rule.category_id),
        "zone": _slug_of(session, Zone, rule.zone_id),
        "unit": _slug_of(session, Unit, rule.unit_id),
    }
