"""Staff accounts and their sessions.

Passwords are hashed with argon2 (pwdlib) and re-hashed when the parameters change. A login
makes a server-side session: the browser gets a random token in an HttpOnly cookie, the
database keeps only its SHA-256, an expiry and the session's CSRF token. Logout deletes the
row, so a stolen cookie stops working at once.

Guessing is slowed by `throttle`: a try from an unknown browser counts against the account and
the client address; past a limit, each further try waits longer. A browser that has logged in
to the account before carries a signed device cookie (OWASP's "device cookies") and has a budget
of its own, so an attack from elsewhere never keeps the owner out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from pwdlib import PasswordHash
from sqlalchemy import delete
from sqlmodel import Session, col, select

from app import clock
from app.config import Settings
from app.models import Role, StaffSession, StaffUser
from app.services import throttle

_hasher = PasswordHash.recommended()
# Verified when the e-mail is unknown, so a wrong e-mail costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password")
# The one minimum for every way an account gets a password (the CLI, the admin pages).
MIN_PASSWORD_LENGTH = 12


class LoginRefused(Exception):
    """Wrong e-mail or password, or the account is inactive."""


TooManyAttempts = throttle.Throttled  # too many failed logins lately; has `retry_after`


class InvalidAccount(ValueError):
    pass


@dataclass(frozen=True)
class Login:
    user: StaffUser
    token: str  # for the cookie; never stored
    csrf_token: str
    device_token: str  # for the device cookie: this browser is known to the account from now on


@dataclass(frozen=True)
class LoginLimits:
    """The thresholds from Settings, in the units the service works in."""

    per_account: int
    per_address: int
    window: timedelta
    max_delay: timedelta
    device_lifetime: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginLimits:
        return cls(
            per_account=settings.login_max_failures,
            per_address=settings.login_max_failures_per_address,
            window=timedelta(minutes=settings.login_window_minutes),
            max_delay=timedelta(seconds=settings.login_max_delay_seconds),
            device_lifetime=timedelta(days=settings.login_device_days),
        )


# Password checks run in this process, for the tests: a refused try must not run the hash.
_checks_lock = threading.Lock()
_checks = 0


def password_checks() -> int:
    """How many passwords this process has verified (each argon2 verification counts)."""
    return _checks


def _verify(password: str, password_hash: str) -> tuple[bool, str | None]:
    global _checks
    with _checks_lock:
        _checks += 1
    return _hasher.verify_and_update(password, password_hash)


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


_DEVICE_TOKEN = re.compile(r"([A-Za-z0-9_-]{22})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _device_signature(*, secret_key: str, email: str, device_id: str, issued: int) -> str:
    message = f"login-device|{email}|{device_id}|{issued}".encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def device_token(*, email: str, secret_key: str, now: datetime) -> str:
    """A device cookie's value: a random id, when it was issued and a signature binding both
    to the account's e-mail address (which the cookie does not reveal)."""
    device_id, issued = secrets.token_urlsafe(16), int(now.timestamp())
    signature = _device_signature(
        secret_key=secret_key, email=email, device_id=device_id, issued=issued
    )
    return f"{device_id}.{issued}.{signature}"


def known_device(
    *, token: str | None, email: str, secret_key: str, now: datetime, lifetime: timedelta
) -> str | None:
    """The device id if `token` is a valid, unexpired device cookie for this account."""
    found = _DEVICE_TOKEN.fullmatch(token or "")
    if not found:
        return None
    device_id, issued, signature = found[1], int(found[2]), found[3]
    expected = _device_signature(
        secret_key=secret_key, email=email, device_id=device_id, issued=issued
    )
    if not hmac.compare_digest(expected, signature):
        return None
    if issued <= (now - lifetime).timestamp():
        return None
    return device_id


def log_in(
    *,
    session: Session,
    email: str,
    password: str,
    client_ip: str,
    device: str | None,
    secret_key: str,
    limits: LoginLimits,
    session_lifetime: timedelta,
) -> Login:
    """Check the password and open a session, or raise LoginRefused / TooManyAttempts.

    `device` is the browser's device cookie, if any. A try is counted before the password is
    checked; a refused try never runs the hash."""
    now = clock.now()
    # Control characters never occur in an address; dropped, the key is safe for any database.
    email = _CONTROL.sub("", normalise_email(email))[:320]
    client_ip = client_ip[:64]
    device_id = known_device(
        token=device, email=email, secret_key=secret_key, now=now, lifetime=limits.device_lifetime
    )
    account = throttle.Budget(f"account:{email}", limits.per_account)
    address = throttle.Budget(f"address:{client_ip}", limits.per_address)
    own = throttle.Budget(f"device:{device_id}", limits.per_account) if device_id else None
    throttle.take(
        session=session,
        # A known device spends only its own budget: failures elsewhere never slow it down.
        budgets=[own] if own else [account, address],
        now=now,
        window=limits.window,
        max_delay=limits.max_delay,
    )
    user = session.exec(select(StaffUser).where(StaffUser.email == email)).first()
    valid, new_hash = _verify(password, user.password_hash if user else _DUMMY_HASH)
    if user is None or not valid or not user.active:
        raise LoginRefused  # the try stays counted
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
    # The owner is in: the account's failures are forgotten (and this device's); the address
    # only gets back this one try, so logging in to one's own account between guesses at
    # others does not wipe the address's count.
    if own:
        throttle.clear(session=session, keys=[account.key, own.key])
    else:
        throttle.clear(session=session, keys=[account.key])
        throttle.forgive(session=session, budget=address)
    session.exec(delete(StaffSession).where(col(StaffSession.expires_at) < now))  # type: ignore[call-overload]
    session.commit()
    throttle.forget_stale(session=session, now=now, window=limits.window)
    session.refresh(user)
    return Login(
        user=user,
        token=token,
        csrf_token=staff_session.csrf_token,
        device_token=device_token(email=email, secret_key=secret_key, now=now),
    )


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
