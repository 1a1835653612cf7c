"""Staff accounts and their sessions.

Passwords are hashed with argon2 (pwdlib) and re-hashed when the parameters change. A login
makes a server-side session: the browser gets a random token in an HttpOnly cookie, the
database keeps only its SHA-256, an expiry and the session's CSRF token. Logout deletes the
row, so a stolen cookie stops working at once. Failed logins are counted per e-mail and per
client address; past the limit further tries are refused until the window has passed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from pwdlib import PasswordHash
from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app import clock
from app.models import LoginAttempt, Role, StaffSession, StaffUser

_hasher = PasswordHash.recommended()
# Verified when the e-mail is unknown, so a wrong e-mail costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password")
# The one minimum for every way an account gets a password (the CLI, the admin pages).
MIN_PASSWORD_LENGTH = 12


class LoginRefused(Exception):
    """Wrong e-mail or password, or the account is inactive."""


class TooManyAttempts(Exception):
    """Too many failed logins lately; try again after the window."""


class InvalidAccount(ValueError):
    pass


@dataclass(frozen=True)
class Login:
    user: StaffUser
    token: str  # for the cookie; never stored
    csrf_token: str


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(
    *,
    session: Session,
    email: str,
    name: str,
    password: str,
    role: Role,
    unit_id: int | None = None,
) -> StaffUser:
    email = normalise_email(email)
    if "@" not in email or len(email) > 320:
        raise InvalidAccount("an e-mail address is needed")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidAccount(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if session.exec(select(StaffUser).where(StaffUser.email == email)).first():
        raise InvalidAccount("that e-mail address already has an account")
    user = StaffUser(
        email=email,
        name=name.strip() or email,
        password_hash=hash_password(password),
        role=role,
        unit_id=unit_id,
    )
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def _token_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _recent_failures(
    *, session: Session, email: str, client_ip: str, since: datetime
) -> tuple[int, int]:
    by_email = session.exec(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.email == email, col(LoginAttempt.at) >= since)
    ).one()
    by_ip = session.exec(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.client_ip == client_ip, col(LoginAttempt.at) >= since)
    ).one()
    return by_email, by_ip


def log_in(
    *,
    session: Session,
    email: str,
    password: str,
    client_ip: str,
    max_failures: int,
    window: timedelta,
    session_lifetime: timedelta,
) -> Login:
    """Check the password and open a session, or raise LoginRefused / TooManyAttempts."""
    now = clock.now()
    email = normalise_email(email)[:320]
    client_ip = client_ip[:64]
    by_email, by_ip = _recent_failures(
        session=session, email=email, client_ip=client_ip, since=now - window
    )
    if by_email >= max_failures or by_ip >= max_failures * 4:
        raise TooManyAttempts
    user = session.exec(select(StaffUser).where(StaffUser.email == email)).first()
    valid, new_hash = _hasher.verify_and_update(
        password, user.password_hash if user else _DUMMY_HASH
    )
    if user is None or not valid or not user.active:
        session.add(LoginAttempt(email=email, client_ip=client_ip, at=now))
        session.commit()
        raise LoginRefused
    if new_hash:
        user.password_hash = new_hash
    user.last_login_at = now
    token = secrets.token_urlsafe(32)
    staff_session = StaffSession(
        id=_token_id(token),
        user_id=user.id,  # type: ignore[arg-type]
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + session_lifetime,
    )
    session.add(staff_session)
    session.exec(delete(LoginAttempt).where(col(LoginAttempt.email) == email))  # type: ignore[call-overload]
    session.exec(delete(StaffSession).where(col(StaffSession.expires_at) < now))  # type: ignore[call-overload]
    session.commit()
    session.refresh(user)
    return Login(user=user, token=token, csrf_token=staff_session.csrf_token)


@dataclass(frozen=True)
class Visitor:
    """The signed-in staff member behind a request, with the session's CSRF token."""

    user: StaffUser
    session_id: str
    csrf_token: str


def visitor(*, session: Session, token: str | None) -> Visitor | None:
    """The staff member whose session the cookie's token opens, if it is valid."""
    if not token or len(token) > 128:
        return None
    row = session.get(StaffSession, _token_id(token))
    if row is None or row.expires_at <= clock.now():
        return None
    user = session.get(StaffUser, row.user_id)
    if user is None or not user.active:
        return None
    return Visitor(user=user, session_id=row.id, csrf_token=row.csrf_token)


def log_out(*, session: Session, token: str | None) -> None:
    if token:
        session.exec(delete(StaffSession).where(col(StaffSession.id) == _token_id(token)))  # type: ignore[call-overload]
        session.commit()


def csrf_matches(expected: str, given: str | None) -> bool:
    return bool(given) and secrets.compare_digest(expected, given or "")
