"""A real SMTP server on loopback (aiosmtpd) for the mail tests: an inbox that can hold a mail
before answering (to catch two runners at once), and STARTTLS with a private CA made per test."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message as EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.conftest import free_port


@dataclass
class Arrival:
    """What the server saw of one mail: the mail, and whether it came over TLS, logged in."""

    mail: EmailMessage
    tls: bool
    login: str | None


class Inbox(Message):
    """Keeps every mail that arrives. `hold()` makes the next mail wait, after it is received
    and before the server answers 250, until `release()`; `on_arrival` runs at the same point."""

    def __init__(self) -> None:
        super().__init__()
        self.mails: list[EmailMessage] = []
        self.arrivals: list[Arrival] = []
        self.on_arrival: Callable[[EmailMessage], None] | None = None
        self._hold_next = False
        self._released = threading.Event()
        self.holding = threading.Event()

    def handle_message(self, message: EmailMessage) -> None:
        self.mails.append(message)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = self.prepare_message(session, envelope)
        self.handle_message(message)
        login = session.auth_data.login.decode() if session.authenticated else None
        self.arrivals.append(Arrival(message, tls=session.ssl is not None, login=login))
        if self.on_arrival:
            self.on_arrival(message)
        if self._hold_next:
            self._hold_next = False
            self.holding.set()
            while not self._released.is_set():  # the server's loop keeps serving others
                await asyncio.sleep(0.01)
        return "250 OK"

    def hold(self) -> None:
        self._hold_next = True
        self._released.clear()

    def release(self) -> None:
        self._released.set()

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.mails]


class SmtpServer:
    """aiosmtpd on 127.0.0.1 in its own thread."""

    def __init__(self, inbox: Inbox | None = None, port: int | None = None, **smtp: Any) -> None:
        self.inbox = inbox or Inbox()
        self.port = port or free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **smtp)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.inbox.release()
        self.controller.stop()


@dataclass
class Certificates:
    """A private CA and a server certificate it signed, for 127.0.0.1 and localhost."""

    ca: Path
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context


def make_certificates(folder: Path) -> Certificates:
    """With `openssl` (the `cryptography` package is not installed here)."""

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=folder)

    openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Test CA",
        "-keyout", "ca.key", "-out", "ca.pem",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
        "-keyout", "server.key", "-out", "server.csr",
    )  # fmt: skip
    (folder / "server.ext").write_text(
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
        "authorityKeyIdentifier=keyid\n"
    )
    openssl(
        "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-extfile", "server.ext", "-out", "server.pem",
    )  # fmt: skip
    return Certificates(ca=folder / "ca.pem", cert=folder / "server.pem", key=folder / "server.key")


class Authenticator:
    """Accepts one user name and password (AUTH PLAIN or LOGIN)."""

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user.encode(), password.encode()

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and data.login == self.user
            and data.password == self.password
        )
        # handled=False: the server answers 535 itself (handled=True would leave it silent).
        return AuthResult(success=ok, handled=False, auth_data=data if ok else None)
