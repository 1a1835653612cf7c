"""Production's mail path: STARTTLS with the server's certificate checked, then AUTH with the
configured user and password, against a real SMTP server on loopback that insists on both. A
refused password or an untrusted certificate is a failed send that waits and retries."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app import clock
from app.config import Settings
from app.models import OutboxMail
from app.services import outbox
from tests.conftest import make_settings
from tests.mailserver import Authenticator, Certificates, SmtpServer, make_certificates

USER, PASSWORD = "safetywalk", "the right password"


@pytest.fixture
def certificates(tmp_path: Path) -> Certificates:
    folder = tmp_path / "tls"
    folder.mkdir()
    return make_certificates(folder)


@pytest.fixture
def server(certificates: Certificates):  # type: ignore[no-untyped-def]
    """Offers STARTTLS, takes no mail before it, and no login without TLS."""
    with SmtpServer(
        tls_context=certificates.server_context(),
        require_starttls=True,
        authenticator=Authenticator(USER, PASSWORD),
        auth_required=True,
        auth_require_tls=True,
    ) as running:
        yield running


def tls_settings(
    database_url: str, tmp_path: Path, port: int, *, ca_file: Path | None, password: str
) -> Settings:
    return make_settings(
        database_url,
        tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_username=USER,
        smtp_password=password,
        smtp_ca_file=str(ca_file) if ca_file else "",
        public_url="https://safetywalk.example.org",
    )  # smtp_starttls is on by default, as in production


def queue_one(session: Session) -> OutboxMail:
    mail = outbox.enqueue(
        session=session, to="resident@example.org", subject="Hej", body="Text.", kind="test"
    )
    session.commit()
    return mail


def test_the_sender_negotiates_starttls_checks_the_certificate_and_logs_in(
    session, server, certificates, database_url, tmp_path
):
    queue_one(session)
    settings = tls_settings(
        database_url, tmp_path, server.port, ca_file=certificates.ca, password=PASSWORD
    )
    result = outbox.deliver_due(session=session, settings=settings)
    assert (result.sent, result.failed, result.waiting) == (1, 0, 0)
    (arrival,) = server.inbox.arrivals
    assert arrival.tls and arrival.login == USER
    assert arrival.mail["To"] == "resident@example.org"


def test_a_wrong_password_is_a_failed_send_that_is_retried(
    session, server, certificates, database_url, tmp_path
):
    mail = queue_one(session)
    wrong = tls_settings(
        database_url, tmp_path, server.port, ca_file=certificates.ca, password="not it"
    )
    result = outbox.deliver_due(session=session, settings=wrong)
    assert (result.sent, result.failed, result.waiting) == (0, 1, 1)
    session.refresh(mail)
    assert mail.attempts == 1 and "SMTPAuthenticationError" in mail.last_error
    assert "not it" not in mail.last_error
    assert mail.send_after > clock.now() and mail.claimed_until is None
    assert server.inbox.mails == []

    fixed = tls_settings(
        database_url, tmp_path, server.port, ca_file=certificates.ca, password=PASSWORD
    )
    later = clock.now() + timedelta(minutes=2)
    assert outbox.deliver_due(session=session, settings=fixed, now=later).sent == 1
    assert len(server.inbox.mails) == 1


def test_a_certificate_the_sender_does_not_trust_is_a_failed_send(
    session, server, database_url, tmp_path
):
    queue_one(session)  # no CA file: the system's CAs do not know the test CA
    settings = tls_settings(database_url, tmp_path, server.port, ca_file=None, password=PASSWORD)
    result = outbox.deliver_due(session=session, settings=settings)
    assert (result.sent, result.failed) == (0, 1)
    session.expire_all()
    mail = session.exec(select(OutboxMail)).one()
    assert "CERTIFICATE_VERIFY_FAILED" in mail.last_error
    assert server.inbox.mails == []  # nothing went over a connection it could not trust
