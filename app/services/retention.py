"""Retention: personal data is kept only as long as the settings say (README: "Retention").

One pass (`run_once`: in the app every `retention_interval_seconds`, or `safetywalk
retention`) forgets, each by its own rule and its own setting:

- a closed report's reporter e-mail, and the mails to the reporter that carry it (sent or
  not), `retention_reporter_email_days` after the report was closed;
- the phone ids (and keyed address hashes) behind "me too"s on such closed reports, and on the
  reports of a walk whose protocol was closed `retention_walk_device_days` ago; the phone ids of
  that walk's participants;
- failed-login records (they name an e-mail address, a client address or a browser)
  `retention_login_address_days` after their last failure;
- photos of private categories `retention_private_photo_days` after their report was closed:
  the rows, then each file no remaining row names (after the rows are committed, so a crash
  leaves at worst a file no one can reach, never a row without its file);
- the admin audit log and the Open311 POST log after `retention_audit_days`;
- staff sessions that have expired;
- photo files no row names, an hour after they were written (media_sweep).

A phone id is not deleted but replaced by a stand-in made from the row's own number
(`_stand_in`), so counts of participants and supporters stay true and the unique constraints
hold. Every step is idempotent; a dry run counts without changing anything.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, or_, update
from sqlmodel import Session, col, select

from app import clock
from app.config import Settings
from app.i18n import gettext as _
from app.models import (
    CLOSED_STATES,
    ApiPost,
    AuditEntry,
    Category,
    EventKind,
    LoginThrottle,
    Observation,
    ObservationEvent,
    OutboxMail,
    Photo,
    StaffSession,
    Support,
    Walk,
    WalkParticipant,
    WalkStatus,
)
from app.services import lifecycle, media_store, media_sweep

log = logging.getLogger("safetywalk.retention")

# The mails that go to a report's reporter (notifications, handoff): they carry the address.
RESIDENT_MAIL_KINDS = ("status_update", "public_note", "owner_answer")
# Stand-ins are UUIDs with the row's number as their value: below 2**64, where no real phone id
# (a version-4 or -5 UUID, whose version bits lie above) can be. Both engines order UUIDs as
# their 128-bit value (SQLite stores 32 hex digits), so "not yet forgotten" is one comparison.
_LAST_STAND_IN = uuid.UUID(int=2**64 - 1)

KINDS = (
    "reporter_emails",
    "resident_mails",
    "supporter_devices",
    "walk_devices",
    "login_records",
    "private_photos",
    "photo_files",
    "orphan_files",
    "audit_entries",
    "api_posts",
    "staff_sessions",
)


@dataclass
class Outcome:
    """How many of each kind a pass forgot (or, in a dry run, would forget)."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    dry_run: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def closed_at() -> ColumnElement[datetime]:
    """When an observation was closed: its last move from an open state (or from nothing) into
    a closed one (fixed -> verified is still the same closing), else `status_changed_at`."""
    event = ObservationEvent
    last_closing = (
        select(func.max(event.at))
        .where(
            event.observation_id == Observation.id,
            event.kind == EventKind.status,
            col(event.to_status).in_(CLOSED_STATES),
            or_(col(event.from_status).is_(None), col(event.from_status).not_in(CLOSED_STATES)),
        )
        .scalar_subquery()
    )
    return func.coalesce(last_closing, Observation.status_changed_at)


def _closed_before(cutoff: datetime) -> ColumnElement[bool]:
    return col(Observation.status).in_(CLOSED_STATES) & (closed_at() <= cutoff)


def _stand_in(row_id: int) -> uuid.UUID:
    return uuid.UUID(int=row_id)


def run_once(*, session: Session, settings: Settings, dry_run: bool = False) -> Outcome:
    """Apply every retention setting once; log and return the counts."""
    now = clock.now()
    outcome = Outcome(dry_run=dry_run)
    counts = outcome.counts
    days = timedelta(days=1)
    email_cutoff = now - settings.retention_reporter_email_days * days
    counts["reporter_emails"], counts["resident_mails"] = _reporter_emails(
        session, email_cutoff, dry_run
    )
    counts["supporter_devices"] = _supporter_devices(
        session, email_cutoff, now - settings.retention_walk_device_days * days, dry_run
    )
    counts["walk_devices"] = _walk_devices(
        session, now - settings.retention_walk_device_days * days, dry_run
    )
    counts["login_records"] = _login_records(
        session, now, now - settings.retention_login_address_days * days, dry_run
    )
    audit_cutoff = now - settings.retention_audit_days * days
    counts["audit_entries"] = _delete_older(session, AuditEntry, audit_cutoff, dry_run)
    counts["api_posts"] = _delete_older(session, ApiPost, audit_cutoff, dry_run)
    counts["staff_sessions"] = _expired_sessions(session, now, dry_run)
    if not dry_run:
        session.commit()
    counts["private_photos"], counts["photo_files"] = _private_photos(
        session, settings, now - settings.retention_private_photo_days * days, dry_run
    )
    counts["orphan_files"] = media_sweep.sweep(
        session=session, store=media_store.open_store(settings), dry_run=dry_run
    )
    log.info(
        "retention %s: %s",
        "dry run" if dry_run else "pass",
        ", ".join(f"{kind}={n}" for kind, n in counts.items()),
    )
    return outcome


def _reporter_emails(session: Session, cutoff: datetime, dry_run: bool) -> tuple[int, int]:
    """Closed long enough: the reporter's address goes, with the mails to it."""
    ids = list(
        session.exec(
            select(Observation.id).where(
                col(Observation.contact_email).is_not(None), _closed_before(cutoff)
            )
        ).all()
    )
    mails = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        # A resident's mail names the report of the address it went to (notifications).
        to_them = (
            col(OutboxMail.observation_id).in_(chunk),
            col(OutboxMail.kind).in_(RESIDENT_MAIL_KINDS),
        )
        mails += _count(session, OutboxMail, *to_them)
        if not dry_run:
            session.exec(delete(OutboxMail).where(*to_them))  # type: ignore[call-overload]
            session.exec(
                update(Observation)  # type: ignore[call-overload]
                # Still closed long enough: a report reopened meanwhile keeps its address.
                .where(col(Observation.id).in_(chunk), _closed_before(cutoff))
                .values(contact_email=None)
            )
    # A report deleted since (the mail's observation_id set to NULL) leaves no one to ask.
    orphans = (
        col(OutboxMail.observation_id).is_(None),
        col(OutboxMail.kind).in_(RESIDENT_MAIL_KINDS),
        OutboxMail.created_at <= cutoff,
    )
    mails += _count(session, OutboxMail, *orphans)
    if not dry_run:
        session.exec(delete(OutboxMail).where(*orphans))  # type: ignore[call-overload]
    return len(ids), mails


def _resident_mails(session: Session, obs_id: int) -> None:
    session.exec(
        delete(OutboxMail).where(  # type: ignore[call-overload]
            OutboxMail.observation_id == obs_id, col(OutboxMail.kind).in_(RESIDENT_MAIL_KINDS)
        )
    )


def forget_email(*, session: Session, obs: Observation) -> bool:
    """The reporter's "forget my e-mail": the address and the mails to it go now, and a line
    in the history tells staff why no mail goes out. False when there was none (any more)."""
    if not obs.contact_email or obs.id is None:
        return False
    _resident_mails(session, obs.id)
    obs.contact_email = None
    session.add(obs)
    lifecycle.record(
        session=session,
        obs=obs,
        kind=EventKind.note,
        actor=lifecycle.RESIDENT,
        internal_note=_("The reporter asked us to forget their e-mail address."),
    )
    session.commit()
    return True


def forget_form_token(*, secret_key: str, tracking_token: str) -> str:
    """The "forget my e-mail" form's CSRF token: bound to the report, made only by the server,
    so another site cannot post the form, and no cookie is needed."""
    message = f"forget-email|{tracking_token}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def forget_offer(*, obs: Observation, secret_key: str) -> str | None:
    """The form token when the reporter's page may offer "forget my e-mail" (None: no address)."""
    if not obs.contact_email:
        return None
    return forget_form_token(secret_key=secret_key, tracking_token=obs.token)


def forget_form_token_matches(*, secret_key: str, tracking_token: str, given: str) -> bool:
    expected = forget_form_token(secret_key=secret_key, tracking_token=tracking_token)
    # Bytes: compare_digest refuses str with anything but ASCII, and a form may send anything.
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))


def _supporter_devices(
    session: Session, report_cutoff: datetime, walk_cutoff: datetime, dry_run: bool
) -> int:
    """ "Me too"s on reports closed as long as a reporter's address is kept, or on the reports
    of a walk closed long enough: their phone id and address hash are needed no more (they
    only stop a phone backing the same open report twice, or too often in an hour)."""
    walk_closed = (
        select(Walk.id)
        .where(Walk.status == WalkStatus.closed, col(Walk.closed_at) <= walk_cutoff)
        .scalar_subquery()
    )
    done = select(Observation.id).where(
        or_(_closed_before(report_cutoff), col(Observation.walk_id).in_(walk_closed))
    )
    rows = session.exec(
        select(Support).where(
            col(Support.observation_id).in_(done.scalar_subquery()),
            or_(col(Support.device_id) > _LAST_STAND_IN, Support.address_key != ""),
        )
    ).all()
    if not dry_run:
        for row in rows:
            row.device_id, row.address_key = _stand_in(row.id), ""  # type: ignore[arg-type]
            session.add(row)
    return len(rows)


def _walk_devices(session: Session, cutoff: datetime, dry_run: bool) -> int:
    """A walk's participants are counted, not known: their phone ids go once its protocol
    has been closed long enough."""
    rows = session.exec(
        select(WalkParticipant)
        .join(Walk, col(Walk.id) == WalkParticipant.walk_id)
        .where(
            Walk.status == WalkStatus.closed,
            col(Walk.closed_at) <= cutoff,
            col(WalkParticipant.device_id) > _LAST_STAND_IN,
        )
    ).all()
    if not dry_run:
        for row in rows:
            row.device_id = _stand_in(row.id)  # type: ignore[arg-type]
            session.add(row)
    return len(rows)


def _login_records(session: Session, now: datetime, cutoff: datetime, dry_run: bool) -> int:
    """Failed-login rows whose last failure is old and that make no one wait any more."""
    where = (
        or_(
            col(LoginThrottle.last_failure_at).is_(None),
            col(LoginThrottle.last_failure_at) <= cutoff,
        ),
        or_(
            col(LoginThrottle.next_allowed_at).is_(None),
            col(LoginThrottle.next_allowed_at) <= now,
        ),
    )
    n = _count(session, LoginThrottle, *where)
    if n and not dry_run:
        # Skips rows a login holds (PostgreSQL), as throttle.forget_stale does: never waits.
        stale = select(LoginThrottle.key).where(*where).with_for_update(skip_locked=True)
        session.exec(delete(LoginThrottle).where(col(LoginThrottle.key).in_(stale)))  # type: ignore[call-overload]
    return n


def _delete_older(
    session: Session, model: type[AuditEntry] | type[ApiPost], cutoff: datetime, dry_run: bool
) -> int:
    where = col(model.at) < cutoff
    n = _count(session, model, where)
    if n and not dry_run:
        session.exec(delete(model).where(where))  # type: ignore[call-overload]
    return n


def _expired_sessions(session: Session, now: datetime, dry_run: bool) -> int:
    where = col(StaffSession.expires_at) < now
    n = _count(session, StaffSession, where)
    if n and not dry_run:
        session.exec(delete(StaffSession).where(where))  # type: ignore[call-overload]
    return n


def _private_photos(
    session: Session, settings: Settings, cutoff: datetime, dry_run: bool
) -> tuple[int, int]:
    """Photos of private-category reports closed long enough; then the files no row names."""
    private = select(Category.id).where(col(Category.private).is_(True)).scalar_subquery()
    done = select(Observation.id).where(
        col(Observation.category_id).in_(private), _closed_before(cutoff)
    )
    photos = session.exec(
        select(Photo).where(col(Photo.observation_id).in_(done.scalar_subquery()))
    ).all()
    if not photos:
        return 0, 0
    ids = [photo.id for photo in photos]
    hashes = {photo.sha256 for photo in photos} | {
        photo.public_sha256 for photo in photos if photo.public_sha256
    }
    if not dry_run:
        session.exec(delete(Photo).where(col(Photo.id).in_(ids)))  # type: ignore[call-overload]
        session.commit()
    unused = hashes - _still_named(session, hashes, excluding=ids)
    if not dry_run:
        store = media_store.open_store(settings)
        for sha in sorted(unused):
            for thumb in (False, True):
                try:
                    store.delete(media_store.photo_key(sha, thumb=thumb))
                except media_store.MediaStoreError:
                    # The rows are gone: the file is unreachable, and the sweep of unnamed
                    # files (media_sweep) removes it in a later pass.
                    log.exception("retention could not delete photo file %s", sha)
    return len(photos), len(unused)


def _still_named(session: Session, hashes: set[str], *, excluding: list[int | None]) -> set[str]:
    """The hashes among `hashes` another photo row (not in `excluding`) still names."""
    wanted = sorted(hashes)
    named = session.exec(
        select(Photo.sha256, Photo.public_sha256).where(
            or_(col(Photo.sha256).in_(wanted), col(Photo.public_sha256).in_(wanted)),
            col(Photo.id).not_in(excluding),
        )
    ).all()
    return {sha for pair in named for sha in pair if sha in hashes}


def _count(session: Session, model: type, *where: object) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()  # type: ignore[arg-type]
