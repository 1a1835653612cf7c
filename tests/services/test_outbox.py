"""E-mail through a real SMTP server on loopback (aiosmtpd): delivered, or kept and retried."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from sqlmodel import select

from app.models import Observation, OutboxMail, Status
from app.services import lifecycle, mail_runner, notifications, outbox
from tests.conftest import free_port, make_settings
from tests.factories import JSON, make_staff, post_observation


class Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.mails: list = []

    def handle_message(self, message) -> None:  # type: ignore[no-untyped-def]
        self.mails.append(message)


@pytest.fixture
def smtp():  # type: ignore[no-untyped-def]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def mail_settings(database_url, tmp_path, port: int):  # type: ignore[no-untyped-def]
    return make_settings(
        database_url,
        tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        public_url="https://safetywalk.example.org",
    )


def reported(client, session, headers=None, **fields) -> Observation:  # type: ignore[no-untyped-def]
    token = post_observation(client, headers=headers or JSON, **fields).json()["token"]
    return session.exec(select(Observation).where(Observation.token == token)).one()


def test_a_reporter_hears_of_a_status_change_with_the_tracking_link(
    client, session, smtp, database_url, tmp_path
):
    controller, inbox = smtp
    notifications.configure("https://safetywalk.example.org")
    obs = reported(client, session, contact_email="resident@example.org")
    lifecycle.transition(
        session=session,
        obs=obs,
        to=Status.triaged,
        actor=lifecycle.Actor.staff(make_staff(session, "triager")),
        note="We will look at it this week.",
    )
    settings = mail_settings(database_url, tmp_path, controller.port)
    result = outbox.deliver_due(session=session, settings=settings)
    assert (result.sent, result.failed, result.waiting) == (1, 0, 0)
    mail = inbox.mails[0]
    assert mail["To"] == "resident@example.org"
    assert "Being looked at" in mail["Subject"]
    body = mail.get_payload(decode=True).decode()
    assert "We will look at it this week." in body
    assert f"https://safetywalk.example.org/observations/{obs.token}" in body


def test_mail_waits_while_the_server_is_down_and_goes_when_it_is_back(
    client, session, database_url, tmp_path
):
    obs = reported(client, session, contact_email="resident@example.org")
    lifecycle.transition(
        session=session,
        obs=obs,
        to=Status.triaged,
        actor=lifecycle.Actor.staff(make_staff(session, "triager")),
    )
    port = free_port()  # nothing listens here yet
    settings = mail_settings(database_url, tmp_path, port)
    down = outbox.deliver_due(session=session, settings=settings)
    assert (down.sent, down.failed, down.waiting) == (1 - 1, 1, 1)
    mail = session.exec(select(OutboxMail)).one()
    assert mail.attempts == 1 and "Connection" in mail.last_error
    assert mail.send_after > datetime.now(UTC)  # backed off: not retried at once
    assert outbox.deliver_due(session=session, settings=settings).failed == 0

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        later = datetime.now(UTC) + timedelta(minutes=2)
        up = outbox.deliver_due(session=session, settings=settings, now=later)
    finally:
        controller.stop()
    assert (up.sent, up.waiting) == (1, 0)
    assert len(inbox.mails) == 1
    session.refresh(mail)
    assert mail.sent_at is not None and mail.attempts == 2


def test_without_smtp_settings_mails_stay_in_the_outbox(client, session, settings):
    obs = reported(client, session, contact_email="resident@example.org")
    lifecycle.transition(
        session=session,
        obs=obs,
        to=Status.triaged,
        actor=lifecycle.Actor.staff(make_staff(session, "triager")),
    )
    result = outbox.deliver_due(session=session, settings=settings)
    assert (result.sent, result.waiting) == (0, 1)


def test_no_address_no_mail_and_merged_reporters_follow_the_survivor(client, session):
    survivor = reported(client, session)
    merged = reported(client, session, contact_email="second@example.org", lat="65.82540")
    actor = lifecycle.Actor.staff(make_staff(session, "triager"))
    lifecycle.transition(
        session=session, obs=merged, to=Status.duplicate, actor=actor, duplicate_of=survivor
    )
    lifecycle.transition(session=session, obs=survivor, to=Status.triaged, actor=actor)
    mails = session.exec(select(OutboxMail).order_by(OutboxMail.id)).all()
    assert [m.to_address for m in mails] == ["second@example.org", "second@example.org"]
    # Told which report it joined and where to follow it now: that report's public page,
    # never its reporter's own tracking link.
    assert f"#{survivor.id}" in mails[0].body
    assert f"/reports/{survivor.id}" in mails[0].body and f"/reports/{survivor.id}" in mails[1].body
    assert survivor.token not in mails[0].body + mails[1].body


def test_a_reporter_gets_mail_in_the_language_of_the_report(client, session):
    obs = reported(
        client,
        session,
        contact_email="boende@example.org",
        headers={**JSON, "Accept-Language": "sv"},
    )
    lifecycle.transition(
        session=session,
        obs=obs,
        to=Status.triaged,
        actor=lifecycle.Actor.staff(make_staff(session, "triager")),
    )
    mail = session.exec(select(OutboxMail)).one()
    assert mail.subject == "Din rapport: Granskas"


def test_units_get_one_digest_at_most_every_n_minutes(
    client, session, smtp, database_url, tmp_path
):
    controller, inbox = smtp
    settings = mail_settings(database_url, tmp_path, controller.port)
    first, second = reported(client, session), reported(client, session)
    mail_runner.run_once(session=session, settings=settings)
    digests = [m for m in inbox.mails if m["To"] == "gatubelysning@boden.example"]
    assert len(digests) == 1
    body = digests[0].get_payload(decode=True).decode()
    assert f"#{first.id}" in body and f"#{second.id}" in body
    reported(client, session)  # a third, right after: waits for the next digest
    mail_runner.run_once(session=session, settings=settings)
    assert len([m for m in inbox.mails if m["To"] == "gatubelysning@boden.example"]) == 1
    later = datetime.now(UTC) + timedelta(minutes=settings.digest_minutes + 1)
    mail_runner.run_once(session=session, settings=settings, now=later)
    assert len([m for m in inbox.mails if m["To"] == "gatubelysning@boden.example"]) == 2


def test_units_are_reminded_once_before_the_due_date_and_once_when_overdue(
    client, session, settings
):
    soon = reported(client, session)  # normal priority: due after 14 days
    late = reported(client, session)
    fresh = reported(client, session)
    now = datetime.now(UTC)
    soon.created_at = now - timedelta(days=13)  # due tomorrow
    late.created_at = now - timedelta(days=20)  # overdue
    for obs in (soon, late):
        session.add(obs)
    session.commit()
    assert notifications.due_reminders(session=session, settings=settings) == 1
    mail = session.exec(select(OutboxMail).where(OutboxMail.kind == "unit_reminder")).one()
    assert mail.to_address == "gatubelysning@boden.example"
    overdue_part, soon_part = mail.body.split("due soon")
    assert f"#{late.id}:" in overdue_part and f"#{soon.id}:" in soon_part
    assert f"#{fresh.id}:" not in mail.body
    assert notifications.due_reminders(session=session, settings=settings) == 0  # once each
    in_two_days = now + timedelta(days=2)
    assert notifications.due_reminders(session=session, settings=settings, now=in_two_days) == 1
    second = session.exec(
        select(OutboxMail).where(OutboxMail.kind == "unit_reminder").order_by(OutboxMail.id.desc())
    ).first()
    assert f"#{soon.id}:" in second.body.split("due soon")[0]  # now overdue itself
