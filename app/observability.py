"""Logs an operator can search, with no resident in them.

Every line is one JSON object (or plain text, `log_format=text`, for a developer's terminal)
carrying the id of the request it belongs to: the `X-Request-ID` a proxy sent, or one made
here, echoed in the response so a resident's "it failed" can be found in the logs.

What stays out: e-mail addresses (masked in every line, tracebacks included, whatever logged
them), tracking tokens and query strings (the access line names the route's template,
`/observations/{token}`, never the path that was asked for), and client addresses (a keyed
hash that changes every day: one client's requests can be followed through a day, nobody can
be found from it). uvicorn's own access line would carry all three, so it is off and this
module writes the access line instead, in the same format as every other line.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import logging.config
import re
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from prometheus_fastapi_instrumentator import routing
from pythonjsonlogger.json import JsonFormatter
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import clock
from app.config import Settings

access_log = logging.getLogger("safetywalk.access")

REQUEST_ID_HEADER = "X-Request-ID"
# An id from outside is kept only when it looks like one (a proxy's UUID or hex): anything
# else could smuggle text, or someone's address, into every line of the request.
_USABLE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
EMAIL_MASK = "[e-mail]"
UNMATCHED = "none"  # the route of a path no route answers (the same word as the metrics')


@dataclass
class RequestRecord:
    """What the log lines of one request share."""

    request_id: str
    route: str = UNMATCHED


_current: ContextVar[RequestRecord | None] = ContextVar("safetywalk_request", default=None)


def current_request_id() -> str | None:
    record = _current.get()
    return record.request_id if record else None


def route_template(scope: Scope) -> str:
    """The template of the route that answers `scope` (`/observations/{token}`), never the path
    itself: paths carry tracking tokens, and unknown paths would be as many metric labels."""
    name = routing.get_route_name(HTTPConnection(scope), should_include_root_path=False)
    # Starlette redirects /x/ to /x; the library then names the raw path, token and all. No
    # route of ours ends in "/" (tests/test_observability.py checks), so such a name is a path.
    if name is None or (name != "/" and name.endswith("/")):
        return UNMATCHED
    return name


class RequestContext:
    """The outermost middleware: gives each request its id and writes its access line."""

    def __init__(self, app: ASGIApp, secret_key: str) -> None:
        self.app = app
        self.secret = secret_key.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        record = RequestRecord(request_id=_incoming_id(scope) or uuid.uuid4().hex)
        # Not reset afterwards: the handler of unexpected errors runs outside every middleware
        # (Starlette's ServerErrorMiddleware) and must still log under this id. Each request
        # runs in a task of its own, so the value ends with it.
        _current.set(record)
        status = 500  # unless an answer starts
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                header = (REQUEST_ID_HEADER.lower().encode(), record.request_id.encode())
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            method = scope["method"]
            access_log.info(
                "%s %s %s",
                method,
                record.route,
                status,
                extra={
                    "method": method,
                    "route": record.route,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "client": self.pseudonym(scope),
                },
            )

    def pseudonym(self, scope: Scope) -> str | None:
        """The client's address as a keyed hash that changes at midnight (UTC)."""
        client = scope.get("client")
        if not client:
            return None
        day = clock.now().date().isoformat()
        digest = hmac.new(self.secret, f"{day} {client[0]}".encode(), hashlib.sha256)
        return digest.hexdigest()[:12]


class RouteNote:
    """The innermost middleware: notes the route's template for the access line, from the
    request as the router sees it (after HEAD-as-GET and Open311's default extension)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        record = _current.get()
        if record is not None and scope["type"] == "http":
            record.route = route_template(scope)
        await self.app(scope, receive, send)


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _USABLE_REQUEST_ID.fullmatch(text) else None
    return None


def mask_emails(text: str) -> str:
    return _EMAIL.sub(EMAIL_MASK, text)


class RequestIdFilter(logging.Filter):
    """Adds the current request's id to every record logged while a request runs."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = current_request_id()
        if request_id is not None:
            record.request_id = request_id
        return True


class JsonLines(JsonFormatter):
    """One JSON object per line: time, level, logger, message, request_id, extras."""

    def __init__(self) -> None:
        super().__init__(
            ["levelname", "name", "message"],
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
        )

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        # Whatever logged it (a service's message, a database error quoting its parameters,
        # a traceback), no e-mail address reaches the log.
        return {
            key: mask_emails(value) if isinstance(value, str) else value
            for key, value in log_data.items()
            if key != "color_message"  # uvicorn's copy of the message with terminal colours
        }


class PlainLines(logging.Formatter):
    """Text for a developer's terminal, masked like the JSON lines."""

    def __init__(self) -> None:
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
            defaults={"request_id": "-"},
        )

    def format(self, record: logging.LogRecord) -> str:
        return mask_emails(super().format(record))


def logging_config(settings: Settings) -> dict[str, Any]:
    """The `logging.config.dictConfig` of a server process: everything, uvicorn's own lines
    included, through one handler on standard error in the chosen format."""
    formatter = {"json": JsonLines, "text": PlainLines}[settings.log_format]
    propagate = {"handlers": [], "propagate": True}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"lines": {"()": formatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "lines",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["stderr"], "level": settings.log_level},
        "loggers": {
            "uvicorn": propagate,
            "uvicorn.error": propagate,
            # Replaced by RequestContext's line (uvicorn's has the path and the address).
            "uvicorn.access": {"handlers": [], "propagate": False},
        },
    }


def configure_worker_logging(settings: Settings) -> None:
    """A worker process (`outbox --loop`, `geocode --loop`) logs as the servers do: one line per
    pass in the chosen format, so a log collector reads every process of a deployment alike."""
    logging.config.dictConfig(logging_config(settings))


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options for logging and shutdown (`safetywalk serve`)."""
    return {
        "log_config": logging_config(settings),
        "access_log": False,
        # On SIGTERM uvicorn stops accepting, lets requests in flight finish for at most this
        # long, then runs the app's shutdown (the background loops stop after their pass).
        "timeout_graceful_shutdown": settings.shutdown_timeout_seconds,
    }
