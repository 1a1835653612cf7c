"""Two `safetywalk outbox --loop` workers, each a process of its own, against a real SMTP server
on loopback: both send at the same time, and every mail arrives exactly once (PostgreSQL: each
worker claims the next mail with FOR UPDATE SKIP LOCKED; SQLite: the atomic claim alone)."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from app.models import OutboxMail
from app.services import outbox
from tests.conftest import ENGINE, make_settings
from tests.mailserver import Inbox, SmtpServer

ROOT = Path(__file__).resolve().parents[2]
MAILS = 40
WAIT = 120.0  # seconds: two processes import the app on a shared machine


class SlowInbox(Inbox):
    """A mail server that takes a moment per mail (as real ones do), so that two workers'
    sending overlaps; the server goes on serving the other connection meanwhile."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(0.02)
        return await super().handle_DATA(server, session, envelope)


def wait_until(done: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not done():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {WAIT:.0f} s for {what}")
        time.sleep(0.05)


@pytest.fixture
def workers(database_url: str, tmp_path: Path) -> Iterator[Callable[[int], list[Path]]]:
    """Start `safetywalk outbox --loop` processes against an SMTP port; they stop after the
    test. Each one's output goes to its own file (returned)."""
    started: list[subprocess.Popen[bytes]] = []

    def start(smtp_port: int) -> list[Path]:
        env = {
            **os.environ,
            "SAFETYWALK_DATABASE_URL": database_url,
            "SAFETYWALK_DATA_DIR": str(tmp_path / "worker"),
            "SAFETYWALK_SECRET_KEY": "test-secret-key-that-is-long-enough-000000",
            "SAFETYWALK_SMTP_HOST": "127.0.0.1",
            "SAFETYWALK_SMTP_PORT": str(smtp_port),
            "SAFETYWALK_SMTP_STARTTLS": "false",
            "SAFETYWALK_PUBLIC_URL": "https://safetywalk.example.org",
            "PYTHONUNBUFFERED": "1",
        }
        outputs = [tmp_path / f"worker{i}.log" for i in (1, 2)]
        for output in outputs:
            with output.open("wb") as log:
                started.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "app.cli", "outbox", "--loop"],
                        cwd=ROOT,
                        env=env,
                        stdin=subprocess.DEVNULL,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
        return outputs

    yield start
    for process in started:
        process.terminate()  # between passes: the loop sleeps
    for process in started:
        process.wait(30)


def first_pass(output: Path) -> int | None:
    """How many mails a worker sent in its first pass, once it has said so."""
    found = re.search(r"\bsent (\d+), failed 0", output.read_text())
    return int(found[1]) if found else None


def test_two_workers_send_every_mail_exactly_once(session, workers):
    addresses = [f"resident{i}@example.org" for i in range(MAILS)]
    for to in addresses:
        outbox.enqueue(session=session, to=to, subject=f"Hej {to}", body="Text.", kind="test")
    session.commit()

    inbox = SlowInbox()
    with SmtpServer(inbox) as server:
        # The first mail to arrive is held before the server answers, until a mail from the
        # other worker has arrived too: then both are at work, and go on side by side.
        inbox.hold()
        outputs = workers(server.port)
        assert inbox.holding.wait(WAIT), [o.read_text() for o in outputs]
        wait_until(lambda: len(inbox.mails) >= 2, "the second worker's first mail")
        inbox.release()
        wait_until(lambda: all(first_pass(o) is not None for o in outputs), "both passes")

    sent = [first_pass(o) for o in outputs]
    assert all(sent) and sum(sent) == MAILS, sent  # type: ignore[arg-type]
    assert sorted(m["To"] for m in inbox.mails) == sorted(addresses)  # each one once
    assert len(set(inbox.message_ids())) == MAILS
    session.expire_all()
    rows = session.exec(select(OutboxMail)).all()
    assert len(rows) == MAILS
    assert all(r.sent_at and r.attempts == 1 and r.claimed_until is None for r in rows)
    assert {r.message_id for r in rows} == set(inbox.message_ids())


@pytest.mark.skipif(ENGINE != "postgresql", reason="row locks are PostgreSQL's")
def test_a_runner_skips_a_mail_another_runner_is_claiming_instead_of_waiting(
    session, engine, database_url, tmp_path
):
    """While another runner holds the lock on one mail (it is between its look and its claim),
    a runner passes that mail over and sends the rest at once, without waiting for the lock."""
    for to in ("a@example.org", "b@example.org", "c@example.org"):
        outbox.enqueue(session=session, to=to, subject=f"Hej {to}", body="Text.", kind="test")
    session.commit()
    first = session.exec(select(OutboxMail).where(OutboxMail.to_address == "a@example.org")).one()
    with SmtpServer() as server:
        settings = make_settings(
            database_url, tmp_path, smtp_host="127.0.0.1", smtp_port=server.port,
            smtp_starttls=False,
        )  # fmt: skip
        with engine.connect() as other_runner:
            locked = other_runner.begin()
            other_runner.execute(
                select(OutboxMail.id).where(OutboxMail.id == first.id).with_for_update()
            )
            result: dict[str, outbox.Delivery] = {}

            def run() -> None:
                with Session(engine) as own:
                    result["delivery"] = outbox.deliver_due(session=own, settings=settings)

            runner = threading.Thread(target=run)
            runner.start()
            runner.join(30)  # without SKIP LOCKED it would wait here for the lock
            finished_while_locked = not runner.is_alive()
            locked.rollback()
            runner.join(WAIT)
    assert finished_while_locked
    assert result["delivery"].sent == 2
    assert sorted(m["To"] for m in server.inbox.mails) == ["b@example.org", "c@example.org"]
