"""Canned replies: ready public notes for the report page's update form, per category (or for
every category), each in Swedish and English. Admins keep the list; triagers pick one and the
note is filled in the reporter's language. The audit log keeps each change, before and after."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.i18n import gettext as _
from app.models import CannedReply, Category, CategoryKind, StaffUser
from app.services import audit, text_input

TITLE_MAX = 120
BODY_MAX = 2000
POSITION_MAX = 9999
FIELDS = ("category", "title_sv", "title_en", "body_sv", "body_en", "position")


class Invalid(Exception):
    """Values that cannot be saved: a message per field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class Listed:
    """One reply as the admin list shows it: the reply and its category (None: every one)."""

    reply: CannedReply
    category: Category | None


def listed(*, session: Session) -> list[Listed]:
    """Every reply: those for every category first, then by category, by position."""
    rows = session.exec(
        select(CannedReply, Category)
        .outerjoin(Category, col(Category.id) == CannedReply.category_id)
        .order_by(
            col(CannedReply.category_id).is_not(None),
            col(Category.position),
            col(CannedReply.position),
            col(CannedReply.id),
        )
    ).all()
    return [Listed(reply, category) for reply, category in rows]


def get(*, session: Session, reply_id: int) -> CannedReply | None:
    return session.get(CannedReply, reply_id)


def for_category(*, session: Session, category_id: int) -> list[CannedReply]:
    """The replies a report of this category may use: its own first, then those for all."""
    return list(
        session.exec(
            select(CannedReply)
            .where(
                or_(
                    col(CannedReply.category_id) == category_id,
                    col(CannedReply.category_id).is_(None),
                )
            )
            .order_by(
                col(CannedReply.category_id).is_(None),
                col(CannedReply.position),
                col(CannedReply.id),
            )
        ).all()
    )


def usable(*, session: Session, reply_id: int, category_id: int) -> CannedReply | None:
    """The reply, when a report of this category may use it."""
    reply = session.get(CannedReply, reply_id)
    if reply is None or reply.category_id not in (None, category_id):
        return None
    return reply


def form_values(*, session: Session, reply: CannedReply) -> dict[str, str]:
    """A stored reply as the edit form's strings."""
    category = session.get(Category, reply.category_id) if reply.category_id else None
    return {
        "category": category.slug if category else "",
        "title_sv": reply.title_sv,
        "title_en": reply.title_en,
        "body_sv": reply.body_sv,
        "body_en": reply.body_en,
        "position": str(reply.position),
    }


def _audited(session: Session, reply: CannedReply) -> dict[str, object]:
    """The reply's fields the audit log follows (the category by its slug)."""
    return {**form_values(session=session, reply=reply), "position": reply.position}


def save(
    *,
    session: Session,
    raw: Mapping[str, str],
    reply: CannedReply | None = None,
    actor: StaffUser | None = None,
) -> CannedReply:
    """Create a reply (or change `reply`) from the form's strings; raises Invalid naming each
    field that is wrong, and then nothing is stored. The audit log gets what changed."""
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for name, limit in (
        ("title_sv", TITLE_MAX),
        ("title_en", TITLE_MAX),
        ("body_sv", BODY_MAX),
        ("body_en", BODY_MAX),
    ):
        value = text_input.clean(raw.get(name, ""), multiline=name.startswith("body"))
        if not value:
            errors[name] = _("Fill in this field.")
        elif len(value) > limit:
            errors[name] = _("At most %(n)s characters.", n=limit)
        values[name] = value
    category_id = None
    slug = raw.get("category", "").strip()
    if slug:
        category = session.exec(select(Category).where(Category.slug == slug)).first()
        if category is None or category.kind != CategoryKind.problem:
            errors["category"] = _("Choose a category from the list.")
        else:
            category_id = category.id
    position_text = raw.get("position", "").strip() or "0"
    position = 0
    if not (position_text.isascii() and position_text.isdigit()) or int(position_text) > (
        POSITION_MAX
    ):
        errors["position"] = _("A whole number from 0 to %(n)s.", n=POSITION_MAX)
    else:
        position = int(position_text)
    if errors:
        raise Invalid(errors)
    before = _audited(session, reply) if reply is not None else {}
    action = "update" if reply is not None else "create"
    reply = reply or CannedReply(title_sv="", title_en="", body_sv="", body_en="")
    for name, value in values.items():
        setattr(reply, name, value)
    reply.category_id = category_id
    reply.position = position
    session.add(reply)
    changed = audit.diff(before, _audited(session, reply))
    if changed:
        audit.record(session, actor, action, reply, changed)
    session.commit()
    session.refresh(reply)
    return reply


def delete(*, session: Session, reply: CannedReply, actor: StaffUser | None = None) -> None:
    """Delete a reply (notes already written with it keep their words)."""
    audit.record(session, actor, "delete", reply, audit.diff(_audited(session, reply), {}))
    session.delete(reply)
    session.commit()


def choices(*, session: Session) -> Sequence[Category]:
    """The categories a reply may be for: the problem categories, in their order."""
    return session.exec(
        select(Category)
        .where(Category.kind == CategoryKind.problem)
        .order_by(col(Category.position), col(Category.id))
    ).all()
