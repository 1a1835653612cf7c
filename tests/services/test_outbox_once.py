"""Mail sent once in practice, against a real SMTP server on loopback: while one runner's claim
holds, a second runner leaves the mail alone; a claim that has run out is taken again; a mail
sent again (after a failure, or after a runner died once the server had it) is the same message,
with the same Message-ID, so mail systems drop the copy."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app import clock
from app.config import Settings
from app.models import OutboxMail
from app.services import outbox
from tests.conftest import free_port, make_settings
from tests.mailserver import SmtpServer

ROOT = Path(__file__).resolve().parents[2]
SITE = "https://safetywalk.example.org"


def mail_settings(database_url: str, tmp_path: Path, port: int) -> Settings:
    return make_settings(
        database_url,
        tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        public_url=SITE,
    )


def queue(session: Session, *addresses: str) -> None:
    for to in addresses:
        outbox.enqueue(session=session, to=to, subject=f"Hej {to}", body="Text.", kind="test")
    session.commit()


def runner_in_thread(engine: Engine, settings: Settings) -> tuple[threading.Thread, dict]:
    """A runner with its own connection, as a second process would have."""
    result: dict[str, Any] = {}

    def run() -> None:
        with Session(engine) as own:
            result["delivery"] = outbox.deliver_due(session=own, settings=settings)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def rows(session: Session) -> list[OutboxMail]:
    session.expire_all()
    return list(session.exec(select(OutboxMail).order_by(OutboxMail.id)).all())


def test_while_a_runners_claim_holds_a_second_runner_leaves_that_mail_alone(
    engine, session, database_url, tmp_path
):
    queue(session, "a@example.org", "b@example.org", "c@example.org")
    with SmtpServer() as server:
        settings = mail_settings(database_url, tmp_path, server.port)
        server.inbox.hold()  # the first mail arrives; its runner waits for the server's answer
        first, first_result = runner_in_thread(engine, settings)
        assert server.inbox.holding.wait(60)
        with Session(engine) as other:
            second = outbox.deliver_due(session=other, settings=settings)
        assert second.sent == 2  # the two the first runner had not claimed yet
        server.inbox.release()
        first.join(60)
    assert first_result["delivery"].sent == 1
    assert sorted(m["To"] for m in server.inbox.mails) == [
        "a@example.org",
        "b@example.org",
        "c@example.org",
    ]  # each mail arrived once
    assert len(set(server.inbox.message_ids())) == 3
    assert all(row.sent_at is not None and row.attempts == 1 for row in rows(session))


def test_a_claim_that_has_run_out_is_taken_again_and_sent_as_the_same_message(
    engine, session, database_url, tmp_path
):
    queue(session, "a@example.org")
    with SmtpServer() as server:
        settings = mail_settings(database_url, tmp_path, server.port)
        server.inbox.hold()
        first, _result = runner_in_thread(engine, settings)
        assert server.inbox.holding.wait(60)
        later = clock.now() + outbox.CLAIM_FOR + timedelta(seconds=1)
        with Session(engine) as other:
            assert outbox.deliver_due(session=other, settings=settings, now=later).sent == 1
        server.inbox.release()
        first.join(60)
    (row,) = rows(session)
    assert server.inbox.message_ids() == [row.message_id, row.message_id]


def test_a_runner_killed_after_the_server_took_the_mail_resends_it_with_the_same_message_id(
    session, database_url, tmp_path
):
    queue(session, "resident@example.org")
    with SmtpServer() as server:
        env = {
            **os.environ,
            "SAFETYWALK_DATABASE_URL": database_url,
            "SAFETYWALK_DATA_DIR": str(tmp_path / "runner"),
            "SAFETYWALK_SMTP_HOST": "127.0.0.1",
            "SAFETYWALK_SMTP_PORT": str(server.port),
            "SAFETYWALK_SMTP_STARTTLS": "false",
            "SAFETYWALK_PUBLIC_URL": SITE,
        }
        runner: subprocess.Popen[bytes] | None = None

        def die(_mail: object) -> None:
            # The server has the mail; the runner dies before it hears "250 OK", so before it
            # can write down that the mail went.
            assert runner is not None
            runner.kill()

        server.inbox.on_arrival = die
        runner = subprocess.Popen(  # `safetywalk outbox`, a process of its own
            [sys.executable, "-m", "app.cli", "outbox"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        _out, err = runner.communicate(timeout=120)
        assert runner.returncode == -signal.SIGKILL, err.decode()
        server.inbox.on_arrival = None

        (row,) = rows(session)
        # The claim and the Message-ID were written before sending; the sending was not.
        assert row.sent_at is None and row.claimed_until is not None
        assert row.message_id and row.message_id.endswith("@safetywalk.example.org>")
        settings = mail_settings(database_url, tmp_path, server.port)
        # The dead runner's claim still holds: nobody sends it at once ...
        assert outbox.deliver_due(session=session, settings=settings).sent == 0
        # ... and once it has run out, the next runner sends it again, as the same message.
        later = clock.now() + outbox.CLAIM_FOR + timedelta(seconds=1)
        assert outbox.deliver_due(session=session, settings=settings, now=later).sent == 1
    (row,) = rows(session)
    assert row.sent_at is not None
    assert server.inbox.message_ids() == [row.message_id, row.message_id]


def test_a_mail_that_failed_is_retried_as_the_same_message(session, database_url, tmp_path):
    queue(session, "resident@example.org")
    port = free_port()  # nothing listens here yet
    settings = mail_settings(database_url, tmp_path, port)
    assert outbox.deliver_due(session=session, settings=settings).failed == 1
    (row,) = rows(session)
    first_id = row.message_id
    assert first_id and first_id.startswith(f"<outbox-{row.id}.")
    with SmtpServer(port=port) as server:
        later = clock.now() + timedelta(minutes=2)
        assert outbox.deliver_due(session=session, settings=settings, now=later).sent == 1
    assert server.inbox.message_ids() == [first_id]
    (row,) = rows(session)
    assert row.message_id == first_id and row.attempts == 2
