"""Open311 client systems and their API keys: made and revoked by admins, checked on every
POST (a revoked key stops at once: every request reads the row), each POST logged with its key
and counted against the key's hourly limit.

Only the key's SHA-256 is stored (a key is 32 random bytes, so a plain hash is enough: nothing
to guess); the key itself is shown once, when it is made.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app import clock
from app.i18n import gettext as _
from app.models import ApiClient, ApiPost, StaffUser
from app.services import audit, text_input
from app.services.open311_format import Open311Error

log = logging.getLogger("safetywalk.open311")

RATE_WINDOW = timedelta(hours=1)
KEY_PREFIX = "sw311_"  # tells a leaked key for what it is (secret scanners, logs)
HINT_CHARS = 10  # the prefix and four random characters: enough to tell keys apart
MAX_NAME, MAX_CONTACT = 200, 320
MAX_PER_HOUR = 1_000_000
RECENT = 50  # the posts a client's page lists
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def authenticate(*, session: Session, key: str | None) -> ApiClient:
    """The client system whose key this is, or a 403 Open311Error (missing, unknown, revoked)."""
    if not key or not key.strip():
        raise Open311Error(403, _("api_key is missing."))
    client = session.exec(
        select(ApiClient).where(ApiClient.key_hash == key_hash(key.strip()))
    ).first()
    if client is None or client.revoked_at is not None:
        raise Open311Error(403, _("api_key is not valid."))
    return client


def take_post(
    *, session: Session, client: ApiClient, default_per_hour: int, service_code: str, now: datetime
) -> int:
    """Log one POST for `client` and return the log row's id, or raise a 429 Open311Error when
    the key has used its posts for the last hour. Counting and logging hold the client's row
    (PostgreSQL: FOR UPDATE; SQLite: the write lock), so parallel posts cannot all pass."""
    session.commit()
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    held = session.exec(
        select(ApiClient)
        .where(ApiClient.id == client.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if held.revoked_at is not None:  # revoked while this request waited for the row
        session.rollback()
        raise Open311Error(403, _("api_key is not valid."))
    limit = held.posts_per_hour or default_per_hour
    since = now - RATE_WINDOW
    used, oldest = session.exec(
        select(func.count(), func.min(ApiPost.at)).where(
            ApiPost.client_id == held.id, col(ApiPost.at) > since
        )
    ).one()
    if used >= limit:
        session.rollback()
        wait = max(1, math.ceil(((oldest + RATE_WINDOW) - now).total_seconds())) if oldest else 60
        raise Open311Error(
            429,
            _("This api_key has sent %(n)s requests in the last hour, its limit.", n=limit),
            headers={"Retry-After": str(wait)},
        )
    post = ApiPost(client_id=held.id, at=now, service_code=service_code[:64])  # type: ignore[arg-type]
    session.add(post)
    held.last_used_at = now
    session.add(held)
    session.commit()
    return post.id  # type: ignore[return-value]


def finish_post(
    *,
    session: Session,
    post_id: int,
    status_code: int,
    observation_id: int | None = None,
    error: str = "",
) -> None:
    """Record how a logged POST was answered."""
    session.rollback()  # whatever the failed request left half done
    session.exec(
        update(ApiPost)  # type: ignore[call-overload]
        .where(col(ApiPost.id) == post_id)
        .values(status_code=status_code, observation_id=observation_id, error=error[:300])
    )
    session.commit()


# The registry of client systems (admins: the admin page and the CLI)


class Invalid(Exception):
    """Values that cannot be saved: a message per field; `conflict` when the name is taken."""

    def __init__(self, errors: dict[str, str], *, conflict: bool = False) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors
        self.conflict = conflict


@dataclass(frozen=True)
class Listed:
    """One client system as the admin list shows it."""

    client: ApiClient
    limit: int  # posts per hour: its own, or the setting
    own_limit: bool  # whether the limit is the client's own (not the setting)
    posts_24h: int  # POSTs logged with its key in the last 24 hours

    @property
    def active(self) -> bool:
        return self.client.revoked_at is None


def _text(field: str, value: str, limit: int, errors: dict[str, str]) -> str:
    """A one-line value under the input rule, with its whitespace collapsed."""
    refused = text_input.problem(field, value)
    if refused is not None:
        errors[field] = refused.message
        return ""
    value = " ".join(value.split())
    if len(value) > limit:
        errors[field] = _("The text is too long: at most %(n)s characters.", n=limit)
    return value


def _per_hour(value: int | str | None, errors: dict[str, str]) -> int | None:
    """The hourly limit: None (blank) for the setting, else a whole number from 1."""
    text = str(value).strip() if value is not None else ""
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_PER_HOUR:
        errors["posts_per_hour"] = _(
            "Write a whole number from 1 to %(n)s, or leave it empty for the setting.",
            n=MAX_PER_HOUR,
        )
        return None
    return int(text)


def _name_taken(session: Session, name: str) -> bool:
    clash = session.exec(
        select(ApiClient.id).where(func.lower(ApiClient.name) == name.lower())
    ).first()
    return clash is not None


def create(
    *,
    session: Session,
    name: str,
    contact: str = "",
    posts_per_hour: int | str | None = None,
    by: StaffUser | None = None,
) -> tuple[ApiClient, str]:
    """A new client system and its key. The key is returned this once: only its hash and its
    first characters are stored. Invalid when a value is wrong or the name is taken (names are
    unique, whatever the case)."""
    errors: dict[str, str] = {}
    name = _text("name", name, MAX_NAME, errors)
    if not name and "name" not in errors:
        errors["name"] = _("This field is required.")
    contact = _text("contact", contact, MAX_CONTACT, errors).lower()
    if contact and "contact" not in errors and not EMAIL.match(contact):
        errors["contact"] = _("Write a valid e-mail address.")
    limit = _per_hour(posts_per_hour, errors)
    if errors:
        raise Invalid(errors)
    taken = {"name": _("A client system with this name exists already.")}
    if _name_taken(session, name):
        raise Invalid(taken, conflict=True)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    client = ApiClient(
        name=name,
        contact=contact,
        key_hash=key_hash(key),
        key_hint=key[:HINT_CHARS],
        posts_per_hour=limit,
        created_by_id=by.id if by else None,
    )
    session.add(client)
    try:
        audited = {"name": name, "contact": contact, "posts_per_hour": limit}
        audit.record(session, by, "create", client, audit.diff({}, audited))
        session.commit()
    except IntegrityError as exc:  # the same name saved by someone else a moment ago
        session.rollback()
        raise Invalid(taken, conflict=True) from exc
    session.refresh(client)
    log.info("api key %s made for %r by %s", client.key_hint, name, _who(by))
    return client, key


def by_id(*, session: Session, client_id: int) -> ApiClient | None:
    return session.get(ApiClient, client_id)


def find(*, session: Session, name_or_id: str) -> ApiClient | None:
    """The client with this name (any case), else with this number."""
    found = session.exec(
        select(ApiClient).where(func.lower(ApiClient.name) == name_or_id.strip().lower())
    ).first()
    if found is None and name_or_id.strip().isdigit() and int(name_or_id) < 2**31:
        found = session.get(ApiClient, int(name_or_id))
    return found


def revoke(
    *, session: Session, client_id: int, by: StaffUser | None = None, now: datetime | None = None
) -> ApiClient | None:
    """Revoke a client's key: its next request is refused (every request reads the row).
    Revoking again changes nothing (the first time stays). None for an unknown client."""
    client = session.get(ApiClient, client_id)
    if client is None:
        return None
    if client.revoked_at is None:
        client.revoked_at = now or clock.now()
        session.add(client)
        audit.record(session, by, "revoke", client, {"revoked_at": (None, client.revoked_at)})
        session.commit()
        session.refresh(client)
        log.info("api key %s revoked by %s", client.key_hint, _who(by))
    return client


def clients(*, session: Session, now: datetime, default_per_hour: int) -> list[Listed]:
    """Every client system, active ones first, by name, with its limit (its own, else
    `default_per_hour`, the setting) and its POSTs of the last 24 hours (one query: the count
    is a correlated subquery)."""
    posts = (
        select(func.count(col(ApiPost.id)))
        .where(ApiPost.client_id == ApiClient.id, col(ApiPost.at) > now - timedelta(hours=24))
        .correlate(ApiClient)
        .scalar_subquery()
    )
    rows = session.exec(
        select(ApiClient, posts).order_by(
            col(ApiClient.revoked_at).is_not(None), func.lower(ApiClient.name), col(ApiClient.id)
        )
    ).all()
    return [
        Listed(
            client=client,
            limit=client.posts_per_hour or default_per_hour,
            own_limit=client.posts_per_hour is not None,
            posts_24h=int(count or 0),
        )
        for client, count in rows
    ]


def recent_posts(*, session: Session, client_id: int, limit: int = RECENT) -> Sequence[ApiPost]:
    """A client's latest POSTs, newest first."""
    return session.exec(
        select(ApiPost)
        .where(ApiPost.client_id == client_id)
        .order_by(col(ApiPost.at).desc(), col(ApiPost.id).desc())
        .limit(limit)
    ).all()


def name_of(*, session: Session, client_id: int | None) -> str | None:
    """The name of the client system that posted a report (None: posted otherwise, or the
    client is gone)."""
    if client_id is None:
        return None
    client = session.get(ApiClient, client_id)
    return client.name if client else None


def _who(by: StaffUser | None) -> str:
    """Who, for the log: the account's number, not its e-mail address (logs hold no names)."""
    return f"staff account {by.id}" if by else "the CLI"
