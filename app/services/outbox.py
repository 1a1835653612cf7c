"""The outbox: e-mail that survives a mail server being down.

Mails are rows, written in the same transaction as the change they report. A runner (inside
the app every `outbox_interval_seconds`, or `safetywalk outbox --loop` on its own) claims due
rows one at a time with an atomic update, so two runners never send the same mail, sends them
over SMTP, and on failure pushes `send_after` back (1, 5, 30 minutes, 2 and 12 hours, then
daily). Without SMTP settings nothing is sent and nothing is dropped: the mails wait.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from app import clock
from app.config import Settings
from app.models import OutboxMail

BACKOFF = [timedelta(minutes=m) for m in (1, 5, 30, 120, 720)]
CLAIM_FOR = timedelta(minutes=5)
MAX_PER_RUN = 100


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
        due = session.exec(
            select(OutboxMail.id)
            .where(col(OutboxMail.sent_at).is_(None), col(OutboxMail.send_after) <= now)
            .order_by(col(OutboxMail.send_after), col(OutboxMail.id))
            .limit(MAX_PER_RUN)
        ).all()
        for mail_id in due:
            if not _claim(session, mail_id, now):
                continue  # another runner has it
            mail = session.get(OutboxMail, mail_id)
            assert mail is not None
            try:
                _send(mail, settings)
            except (OSError, smtplib.SMTPException) as exc:
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


def _claim(session: Session, mail_id: int, now: datetime) -> bool:
    result = session.exec(  # type: ignore[call-overload]
        update(OutboxMail)
        .where(
            col(OutboxMail.id) == mail_id,
            col(OutboxMail.sent_at).is_(None),
            or_(col(OutboxMail.claimed_until).is_(None), col(OutboxMail.claimed_until) < now),
        )
        .values(claimed_until=now + CLAIM_FOR)
    )
    session.commit()
    return bool(result.rowcount == 1)


def _send(mail: OutboxMail, settings: Settings) -> None:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(domain="safetywalk")
    message.set_content(mail.body)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(message)


def run_once(*, session: Session, settings: Settings, now: datetime | None = None) -> Delivery:
    """One pass of the runner: queue unit digests and due-date reminders, then send."""
    from app.services import notifications

    notifications.unit_digests(
        session=session, every=timedelta(minutes=settings.digest_minutes), now=now
    )
    notifications.due_reminders(session=session, settings=settings, now=now)
    return deliver_due(session=session, settings=settings, now=now)
