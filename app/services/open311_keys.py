"""Open311 client systems and their API keys: made and revoked by admins, checked on every
POST (a revoked key stops at once: every request reads the row), each POST logged with its key
and counted against the key's hourly limit.

Only the key's SHA-256 is stored (a key is 32 random bytes, so a plain hash is enough: nothing
to guess); the key itself is shown once, when it is made.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from app.i18n import gettext as _
from app.models import ApiClient, ApiPost
from app.services.open311_format import Open311Error

RATE_WINDOW = timedelta(hours=1)


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
