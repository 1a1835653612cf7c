"""The outbox: e-mail that survives a mail server being down, and is sent once in practice.

Mails are rows, written in the same transaction as the change they report. A runner
(`mail_runner.run_once`: inside the app every `outbox_interval_seconds`, or
`safetywalk outbox --loop` on its own) claims due rows one at a time with an atomic update and
commits the claim before it sends, so two runners never send the same mail while a claim holds.
On PostgreSQL the claim first takes the next due row with `FOR UPDATE SKIP LOCKED`, so runners
in several processes each take a different mail instead of queueing for the same one; SQLite
ignores the lock clause (it has one writer) and relies on the atomic update alone.
The first claim also gives the row its `Message-ID`, kept for every retry: when a runner dies
after the mail server accepted a mail but before the row says so, the claim runs out, the mail
is sent again as the same message, and mail systems drop the copy. A failure pushes
`send_after` back (1, 5, 30 minutes, 2 and 12 hours, then daily). Without SMTP settings
nothing is sent and nothing is dropped: the mails wait. This module knows nothing of what the
mails say (that is `notifications`).
"""

from __future__ import annotations

import secrets
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, func, or_, update
from sqlmodel import Session, col, select

from app import clock
from app.config import Settings
from app.models import OutboxMail

BACKOFF = [timedelta(minutes=m) for m in (1, 5, 30, 120, 720)]
CLAIM_FOR = timedelta(minutes=5)
MAX_PER_RUN = 100  # claims per pass


def enqueue(
    *,
    session: Session,
    to: str,
    subject: str,
    body: str,
    kind: str,
    observation_id: int | None = None,
) -> OutboxMail:
    """Add a mail to the outbox (the caller commits, together with what the mail is about)."""
    mail = OutboxMail(
        to_address=to, subject=subject[:300], body=body, kind=kind, observation_id=observation_id
    )
    session.add(mail)
    return mail


def retry_delay(attempts: int) -> timedelta:
    return BACKOFF[attempts - 1] if attempts <= len(BACKOFF) else timedelta(days=1)


@dataclass(frozen=True)
class Delivery:
    sent: int
    failed: int
    waiting: int


def waiting(*, session: Session) -> int:
    return session.exec(
        select(func.count()).select_from(OutboxMail).where(col(OutboxMail.sent_at).is_(None))
    ).one()


@dataclass(frozen=True)
class Status:
    """What the overview says about mail: can it go out, and what is waiting since when."""

    smtp_configured: bool
    waiting: int
    oldest_waiting_at: datetime | None
    failing: int  # waiting mails that have failed at least once


def status(*, session: Session, settings: Settings) -> Status:
    unsent = col(OutboxMail.sent_at).is_(None)
    count, oldest = session.exec(
        select(func.count(), func.min(OutboxMail.created_at)).where(unsent)
    ).one()
    failing = session.exec(
        select(func.count()).select_from(OutboxMail).where(unsent, col(OutboxMail.attempts) > 0)
    ).one()
    return Status(
        smtp_configured=bool(settings.smtp_host),
        waiting=count,
        oldest_waiting_at=oldest,
        failing=failing,
    )


def deliver_due(*, session: Session, settings: Settings, now: datetime | None = None) -> Delivery:
    """Send what is due; a failure is recorded and retried later. No SMTP host: send nothing."""
    now = now or clock.now()
    sent = failed = 0
    if settings.smtp_host:
        for _ in range(MAX_PER_RUN):
            mail_id = _next_due(session, now)
            if mail_id is None:
                break
            if not _claim(session, mail_id, now, new_message_id(mail_id, settings)):
                continue  # another runner took it between our look and our claim (SQLite)
            mail = session.get(OutboxMail, mail_id)
            assert mail is not None
            try:
                _send(mail, settings)
            # ValueError: an address or header that cannot be encoded; kept and shown, not lost.
            except (OSError, smtplib.SMTPException, ValueError) as exc:
                mail.attempts += 1
                mail.last_error = f"{type(exc).__name__}: {exc}"[:500]
                mail.send_after = now + retry_delay(mail.attempts)
                failed += 1
            else:
                mail.sent_at = clock.now()
                mail.attempts += 1
                sent += 1
            mail.claimed_until = None
            session.add(mail)
            session.commit()
    return Delivery(sent=sent, failed=failed, waiting=waiting(session=session))


def new_message_id(mail_id: int, settings: Settings) -> str:
    """A Message-ID for the row, on the site's own host name (RFC 5322: unique worldwide)."""
    host = urlsplit(settings.public_url).hostname or "safetywalk.invalid"
    return f"<outbox-{mail_id}.{secrets.token_hex(8)}@{host}>"


def _unclaimed(now: datetime) -> ColumnElement[bool]:
    return or_(col(OutboxMail.claimed_until).is_(None), col(OutboxMail.claimed_until) < now)


def _next_due(session: Session, now: datetime) -> int | None:
    """The next due mail nobody holds. On PostgreSQL the row stays locked until the claim
    commits, and rows other runners have locked are skipped, not waited for."""
    return session.exec(
        select(OutboxMail.id)
        .where(
            col(OutboxMail.sent_at).is_(None),
            col(OutboxMail.send_after) <= now,
            _unclaimed(now),
        )
        .order_by(col(OutboxMail.send_after), col(OutboxMail.id))
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()


def _claim(session: Session, mail_id: int, now: datetime, message_id: str) -> bool:
    """Take the mail for CLAIM_FOR unless another runner holds an unexpired claim; the first
    claim stores `message_id`, later ones keep the stored one. Committed before sending."""
    result = session.exec(  # type: ignore[call-overload]
        update(OutboxMail)
        .where(
            col(OutboxMail.id) == mail_id,
            col(OutboxMail.sent_at).is_(None),
            _unclaimed(now),
        )
        .values(
            claimed_until=now + CLAIM_FOR,
            message_id=func.coalesce(col(OutboxMail.message_id), message_id),
        )
    )
    session.commit()
    return bool(result.rowcount == 1)


def _send(mail: OutboxMail, settings: Settings) -> None:
    """Hand the mail to the SMTP server: STARTTLS (verified against the system's CAs or
    `smtp_ca_file`) and login when configured."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Message-ID"] = mail.message_id
    message["Date"] = format_datetime(clock.now())
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
    message.set_content(mail.body)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context(cafile=settings.smtp_ca_file or None))
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(message)
