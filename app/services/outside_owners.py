"""The registry of outside owners: those who own places the municipality does not (the
Swedish Transport Administration's roads, the energy company's lines, the police's matters, a
housing company's yards). Admins keep it: a name, the address their mails go to, a note for
staff, the language of their mails and the categories they usually take. An owner is never
deleted once reports went to them (the history names them): it is deactivated, and is then no
longer offered on the report page. Every change is in the audit log with the fields before and
after, the address included: hand-offs and their photo links go to it, and it is an
organisation's address, not a resident's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from app import i18n
from app.i18n import gettext as _
from app.models import Category, Observation, OutsideOwner, OutsideOwnerCategory, StaffUser
from app.services import audit, text_input

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LANGUAGES = ("sv", "en")
MAX_NAME, MAX_EMAIL, MAX_NOTE = 200, 320, 1000


class Invalid(Exception):
    """Values that cannot be saved: a message per field; `conflict` when the name is taken."""

    def __init__(self, errors: dict[str, str], *, conflict: bool = False) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors
        self.conflict = conflict


@dataclass(frozen=True)
class Listed:
    """One owner as the admin list shows it."""

    owner: OutsideOwner
    categories: list[str]  # names in the visitor's language


def by_id(*, session: Session, owner_id: int) -> OutsideOwner | None:
    return session.get(OutsideOwner, owner_id)


def category_ids(*, session: Session, owner: OutsideOwner) -> set[int]:
    return set(
        session.exec(
            select(OutsideOwnerCategory.category_id).where(
                OutsideOwnerCategory.owner_id == owner.id
            )
        ).all()
    )


def listed(*, session: Session) -> list[Listed]:
    """Every owner, active first, by name, with the names of their usual categories."""
    lang = i18n.current_language()
    names = {c.id: c.name(lang) for c in session.exec(select(Category)).all()}
    links = session.exec(select(OutsideOwnerCategory)).all()
    owners = session.exec(
        select(OutsideOwner).order_by(col(OutsideOwner.active).desc(), col(OutsideOwner.name))
    ).all()
    return [
        Listed(
            owner=owner,
            categories=sorted(names[x.category_id] for x in links if x.owner_id == owner.id),
        )
        for owner in owners
    ]


def offered(*, session: Session, obs: Observation) -> list[tuple[OutsideOwner, bool]]:
    """The active owners a report can be handed to, with whether they usually take its
    category; those who do come first."""
    usual = set(
        session.exec(
            select(OutsideOwnerCategory.owner_id).where(
                OutsideOwnerCategory.category_id == obs.category_id
            )
        ).all()
    )
    owners = session.exec(
        select(OutsideOwner)
        .where(col(OutsideOwner.active).is_(True))
        .order_by(func.lower(OutsideOwner.name))
    ).all()
    return sorted(((o, o.id in usual) for o in owners), key=lambda pair: not pair[1])


def form_of(*, session: Session, owner: OutsideOwner) -> dict[str, Any]:
    """The edit form's values for an owner."""
    slugs = session.exec(
        select(Category.slug)
        .join(OutsideOwnerCategory, col(OutsideOwnerCategory.category_id) == Category.id)
        .where(OutsideOwnerCategory.owner_id == owner.id)
    ).all()
    return {
        "name": owner.name,
        "email": owner.email,
        "note": owner.note,
        "language": owner.language,
        "categories": list(slugs),
    }


def _audited(session: Session, owner: OutsideOwner) -> dict[str, Any]:
    """The owner's fields the audit log follows (the categories as their slugs, sorted)."""
    form = form_of(session=session, owner=owner)
    return {**form, "categories": ", ".join(sorted(form["categories"])), "active": owner.active}


def _clean(
    session: Session, raw: Mapping[str, str], slugs: Iterable[str]
) -> tuple[dict[str, Any], list[int]]:
    """The values of a form, or Invalid with a message per field."""
    errors: dict[str, str] = {}
    name = " ".join((raw.get("name") or "").split())
    if not name:
        errors["name"] = _("This field is required.")
    elif len(name) > MAX_NAME:
        errors["name"] = _("The text is too long: at most %(n)s characters.", n=MAX_NAME)
    email = (raw.get("email") or "").strip().lower()
    if not email:
        errors["email"] = _("This field is required.")
    elif len(email) > MAX_EMAIL or not EMAIL.match(email):
        errors["email"] = _("Write a valid e-mail address.")
    note = text_input.clean(raw.get("note") or "").strip()
    if len(note) > MAX_NOTE:
        errors["note"] = _("The text is too long: at most %(n)s characters.", n=MAX_NOTE)
    language = raw.get("language") or "sv"
    if language not in LANGUAGES:
        errors["language"] = _("Choose a language from the list.")
    wanted = set(slugs)
    found = session.exec(select(Category).where(col(Category.slug).in_(wanted))).all()
    if len(found) != len(wanted):
        errors["categories"] = _("Choose categories from the list.")
    if errors:
        raise Invalid(errors)
    values = {"name": name, "email": email, "note": note, "language": language}
    return values, [c.id for c in found if c.id is not None]


def _name_taken(session: Session, name: str, owner_id: int | None) -> bool:
    clash = session.exec(
        select(OutsideOwner.id).where(func.lower(OutsideOwner.name) == name.lower())
    ).first()
    return clash is not None and clash != owner_id


def _forget_categories(session: Session, owner: OutsideOwner) -> None:
    gone = delete(OutsideOwnerCategory).where(col(OutsideOwnerCategory.owner_id) == owner.id)
    session.exec(gone)  # type: ignore[call-overload]


def save(
    *,
    session: Session,
    raw: Mapping[str, str],
    categories: Iterable[str],
    owner: OutsideOwner | None = None,
    actor: StaffUser | None = None,
) -> OutsideOwner:
    """Create an owner (or change `owner`) from a form's strings and category slugs; Invalid
    when a value is wrong or the name is taken (names are unique, whatever the case). The
    audit log gets what changed."""
    values, category_ids = _clean(session, raw, categories)
    if _name_taken(session, values["name"], owner.id if owner else None):
        raise Invalid({"name": _("An owner with this name exists already.")}, conflict=True)
    before = _audited(session, owner) if owner is not None else {}
    action = "update" if owner is not None else "create"
    owner = owner or OutsideOwner(**values)
    for key, value in values.items():
        setattr(owner, key, value)
    session.add(owner)
    try:
        session.flush()
    except IntegrityError as exc:  # the same name saved by someone else a moment ago
        session.rollback()
        taken = {"name": _("An owner with this name exists already.")}
        raise Invalid(taken, conflict=True) from exc
    _forget_categories(session, owner)
    for category_id in category_ids:
        session.add(OutsideOwnerCategory(owner_id=owner.id, category_id=category_id))  # type: ignore[arg-type]
    changed = audit.diff(before, _audited(session, owner))
    if changed:
        audit.record(session, actor, action, owner, changed)
    session.commit()
    session.refresh(owner)
    return owner


def set_active(
    *, session: Session, owner: OutsideOwner, active: bool, actor: StaffUser | None = None
) -> None:
    """Deactivate an owner (no longer offered; their past hand-offs stay), or take them back."""
    if owner.active != active:
        verb = "activate" if active else "deactivate"
        audit.record(session, actor, verb, owner, {"active": (owner.active, active)})
    owner.active = active
    session.add(owner)
    session.commit()


def load_demo(*, session: Session, rows: Sequence[Mapping[str, Any]]) -> int:
    """Create or update the demo's owners by name, with their usual categories by slug (the
    caller commits)."""
    for row in rows:
        owner = session.exec(select(OutsideOwner).where(OutsideOwner.name == row["name"])).first()
        owner = owner or OutsideOwner(name=row["name"], email=row["email"])
        owner.email, owner.note = row["email"], row.get("note", "")
        owner.language = row.get("language", "sv")
        session.add(owner)
        session.flush()
        _forget_categories(session, owner)
        for category in session.exec(
            select(Category).where(col(Category.slug).in_(row.get("categories", [])))
        ).all():
            session.add(OutsideOwnerCategory(owner_id=owner.id, category_id=category.id))  # type: ignore[arg-type]
    return len(rows)
