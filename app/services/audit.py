"""The audit log: every change an administrator makes to how the app is set up.

The admin services (accounts, registry and its CSV import, zone_import, open311_keys,
outside_owners, canned_replies) call
`record` for each row they create, change or delete, in the same transaction as the change, so
an entry exists exactly when the change committed. The web pages and the command line go through
the same services: the actor is the signed-in admin, or None for the command line. An entry
keeps the changed fields as old → new, never a password hash, an API key or a token (`SECRET`
drops them whatever the caller passes). Retention deletes entries older than
`retention_audit_days`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select

from app.models import (
    ApiClient,
    AuditEntry,
    CannedReply,
    Category,
    OutsideOwner,
    RoutingRule,
    StaffUser,
    Unit,
    Zone,
)

CLI = "cli"  # the actor of a change made on the command line
PER_PAGE = 50
# Fields that never reach the log, whatever the caller passes.
SECRET = frozenset({"password", "password_hash", "key", "key_hash", "key_hint", "token", "secret"})
MAX_VALUE = 500  # characters of one old or new value; the column holds 8000 in all

# What a row is in the log, by its model.
KIND_OF: dict[type[SQLModel], str] = {
    StaffUser: "account",
    Unit: "unit",
    Category: "category",
    RoutingRule: "routing_rule",
    Zone: "zone",
    ApiClient: "api_key",
    OutsideOwner: "outside_owner",
    CannedReply: "canned_reply",
}
KINDS = tuple(KIND_OF.values())
# Every action the services record, for the page's filter.
ACTIONS = (
    "account.create",
    "account.update",
    "account.activate",
    "account.deactivate",
    "account.password",
    "unit.create",
    "unit.update",
    "unit.delete",
    "category.create",
    "category.update",
    "category.delete",
    "routing_rule.create",
    "routing_rule.update",
    "routing_rule.delete",
    "zone.create",
    "zone.update",
    "api_key.create",
    "api_key.revoke",
    "outside_owner.create",
    "outside_owner.update",
    "outside_owner.activate",
    "outside_owner.deactivate",
    "canned_reply.create",
    "canned_reply.update",
    "canned_reply.delete",
)

Changes = Mapping[str, tuple[Any, Any]]


def _plain(value: Any) -> Any:
    """A value as JSON can hold it, short."""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float):
        return value
    text = str(value)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The fields whose value differs, as (old, new); a field missing on one side is None,
    and an empty text is the same as none."""
    return {
        name: (before.get(name), after.get(name))
        for name in dict.fromkeys([*before, *after])
        if _plain(before.get(name)) != _plain(after.get(name))
        and not (before.get(name) in (None, "") and after.get(name) in (None, ""))
    }


def record(
    session: Session,
    actor: StaffUser | None,
    action: str,
    subject: SQLModel,
    changes: Changes | None = None,
) -> AuditEntry:
    """Add the entry for `action` ("create", "update" ...) on `subject`; the caller commits it
    with the change. `actor` None is the command line."""
    kind = KIND_OF[type(subject)]
    if getattr(subject, "id", None) is None:
        session.flush()  # a new row: its id is what the entry points at
    clean = {
        name: [_plain(old), _plain(new)]
        for name, (old, new) in (changes or {}).items()
        if name not in SECRET
    }
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        actor=(actor.email if actor else CLI)[:200],
        subject_kind=kind,
        subject_id=getattr(subject, "id", None),
        action=f"{kind}.{action}",
        changes=json.dumps(clean, ensure_ascii=False, sort_keys=True)[:8000],
    )
    session.add(entry)
    return entry


def changes_of(entry: AuditEntry) -> dict[str, tuple[Any, Any]]:
    """An entry's changes back as {field: (old, new)}."""
    try:
        loaded = json.loads(entry.changes or "{}")
    except ValueError:  # cut at the column's length: show nothing rather than fail
        return {}
    return {name: (pair[0], pair[1]) for name, pair in loaded.items() if len(pair) == 2}


@dataclass(frozen=True)
class Filter:
    kind: str = ""  # one of KINDS, or "" for all
    action: str = ""  # one of ACTIONS, or ""
    actor: str = ""  # an account's id, CLI, or ""


@dataclass(frozen=True)
class Page:
    entries: Sequence[AuditEntry]
    total: int
    page: int
    pages: int


def entries(*, session: Session, flt: Filter, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """The entries the filter keeps, newest first, one page of them."""
    where: list[Any] = []
    if flt.kind:
        where.append(col(AuditEntry.subject_kind) == flt.kind)
    if flt.action:
        where.append(col(AuditEntry.action) == flt.action)
    if flt.actor == CLI:
        where.append(col(AuditEntry.actor_id).is_(None))
        where.append(col(AuditEntry.actor) == CLI)
    elif flt.actor:
        where.append(col(AuditEntry.actor_id) == int(flt.actor))
    total = session.exec(select(func.count()).select_from(AuditEntry).where(*where)).one()
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    rows = session.exec(
        select(AuditEntry)
        .where(*where)
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return Page(entries=rows, total=total, page=page, pages=pages)


def actors(*, session: Session) -> list[tuple[str, str]]:
    """The accounts that have entries, as (id, e-mail) for the filter; the command line first
    when it has any."""
    found = session.exec(
        select(StaffUser.id, StaffUser.email)
        .where(col(StaffUser.id).in_(select(AuditEntry.actor_id).distinct()))
        .order_by(StaffUser.email)
    ).all()
    listed = [(str(user_id), email) for user_id, email in found]
    by_cli = session.exec(
        select(AuditEntry.id).where(col(AuditEntry.actor_id).is_(None), AuditEntry.actor == CLI)
    ).first()
    return ([(CLI, CLI)] if by_cli is not None else []) + listed
