"""Staff accounts as an administrator manages them: create, change role, unit and the language
of the account's e-mails, deactivate, reset a password.

A unit's staff belong to exactly one unit and nobody else belongs to one. Deactivating an
account or resetting its password deletes its sessions, so whoever holds an old cookie is out at
once. An administrator cannot deactivate or demote themself: that is how an organisation loses
its last administrator.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.config import LANGUAGES
from app.i18n import gettext as _
from app.models import Role, StaffSession, StaffUser, Unit
from app.services import audit, auth
from app.services.auth import MIN_PASSWORD_LENGTH

MAX_NAME = 200
MAX_EMAIL = 320


class AccountRefused(Exception):
    """A change that is not allowed, with the reason in words (and the form field it is about)."""

    def __init__(self, message: str, *, field: str = "", conflict: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.conflict = conflict  # the data is fine but clashes with what exists (409)


def listed(*, session: Session) -> Sequence[StaffUser]:
    """Every account: active ones first, then by name."""
    return session.exec(
        select(StaffUser).order_by(col(StaffUser.active).desc(), StaffUser.name, StaffUser.id)
    ).all()


def get(*, session: Session, user_id: int) -> StaffUser | None:
    return session.get(StaffUser, user_id)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountRefused(
            _("The password needs at least %(n)s characters.", n=MIN_PASSWORD_LENGTH),
            field="password",
        )
    if len(password) > 1024:
        raise AccountRefused(_("The password is too long."), field="password")


def _check_unit(*, session: Session, role: Role, unit_id: int | None) -> None:
    if role == Role.unit_worker:
        if unit_id is None:
            raise AccountRefused(_("Unit staff need a unit."), field="unit")
        if session.get(Unit, unit_id) is None:
            raise AccountRefused(_("Choose a unit from the list."), field="unit")
    elif unit_id is not None:
        raise AccountRefused(
            _("Only unit staff belong to a unit: choose no unit, or the role unit staff."),
            field="unit",
        )


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise AccountRefused(_("Choose a language from the list."), field="language")


def _clean_name(name: str, fallback: str) -> str:
    name = name.strip()
    if len(name) > MAX_NAME:
        raise AccountRefused(
            _("The text is too long: at most %(n)s characters.", n=MAX_NAME), field="name"
        )
    return name or fallback


def create(
    *,
    session: Session,
    email: str,
    name: str,
    role: Role,
    password: str,
    unit_id: int | None = None,
    language: str = "sv",
    actor: StaffUser | None = None,
) -> StaffUser:
    """A new active account; the e-mail is stored lower-case and must be new. `language` is
    the language of the e-mails the account gets; `actor` None is the command line."""
    email = auth.normalise_email(email)
    local, at, domain = email.partition("@")
    if not (local and at and "." in domain) or len(email) > MAX_EMAIL or " " in email:
        raise AccountRefused(_("Write a valid e-mail address."), field="email")
    _check_password(password)
    _check_unit(session=session, role=role, unit_id=unit_id)
    _check_language(language)
    name = _clean_name(name, email)
    if session.exec(select(StaffUser.id).where(StaffUser.email == email)).first() is not None:
        raise AccountRefused(
            _("That e-mail address already has an account."), field="email", conflict=True
        )
    user = StaffUser(
        email=email,
        name=name,
        password_hash=auth.hash_password(password),
        role=role,
        unit_id=unit_id,
        language=language,
    )
    session.add(user)
    audit.record(session, actor, "create", user, audit.diff({}, _audited(session, user)))
    session.commit()
    session.refresh(user)
    return user


def update(
    *,
    session: Session,
    user: StaffUser,
    actor: StaffUser,
    name: str,
    role: Role,
    unit_id: int | None,
    language: str | None = None,
) -> StaffUser:
    """Change name, role, unit and (when given) the e-mails' language; an administrator may not
    take their own role away."""
    if user.id == actor.id and user.role == Role.admin and role != Role.admin:
        raise AccountRefused(
            _("You cannot take away your own administrator role. Ask another administrator."),
            field="role",
            conflict=True,
        )
    _check_unit(session=session, role=role, unit_id=unit_id)
    before = _audited(session, user)
    if language is not None:
        _check_language(language)
        user.language = language
    user.name = _clean_name(name, user.email)
    user.role = role
    user.unit_id = unit_id
    session.add(user)
    changed = audit.diff(before, _audited(session, user))
    if changed:
        audit.record(session, actor, "update", user, changed)
    session.commit()
    session.refresh(user)
    return user


def _audited(session: Session, user: StaffUser) -> dict[str, object]:
    """The account's fields the audit log follows (the unit by its slug; never the password)."""
    unit = session.get(Unit, user.unit_id) if user.unit_id else None
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "unit": unit.slug if unit else None,
        "language": user.language,
        "active": user.active,
    }


def revoke_sessions(*, session: Session, user: StaffUser, keep: str | None = None) -> None:
    """Delete the user's sessions (all but `keep`); the caller commits."""
    query = delete(StaffSession).where(col(StaffSession.user_id) == user.id)
    if keep:
        query = query.where(col(StaffSession.id) != keep)
    session.exec(query)  # type: ignore[call-overload]


def set_active(*, session: Session, user: StaffUser, actor: StaffUser, active: bool) -> StaffUser:
    """Deactivate (and log out everywhere) or reactivate an account; never one's own."""
    if user.id == actor.id and not active:
        raise AccountRefused(
            _("You cannot deactivate your own account. Ask another administrator."),
            field="active",
            conflict=True,
        )
    if user.active != active:
        audit.record(
            session,
            actor,
            "activate" if active else "deactivate",
            user,
            {"active": (user.active, active)},
        )
    user.active = active
    if not active:
        revoke_sessions(session=session, user=user)
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def reset_password(
    *,
    session: Session,
    user: StaffUser,
    password: str,
    keep_session: str | None = None,
    actor: StaffUser | None = None,
) -> StaffUser:
    """A new password; every session of the account ends (but `keep_session`, one's own).
    The audit log says that it changed, never what to."""
    _check_password(password)
    user.password_hash = auth.hash_password(password)
    revoke_sessions(session=session, user=user, keep=keep_session)
    session.add(user)
    audit.record(session, actor, "password", user)
    session.commit()
    session.refresh(user)
    return user


def counts(*, session: Session) -> dict[str, int]:
    """Active accounts per role (for the overview)."""
    found = {role.value: 0 for role in Role}
    for role in session.exec(select(StaffUser.role).where(col(StaffUser.active).is_(True))):
        found[str(role)] += 1
    return found
