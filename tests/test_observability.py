"""Logs: JSON lines with the request's id, no e-mail address, no tracking token, no query
string, no client address. Read through the real formatter and filter on pytest's capture
handler (tests/test_serve.py reads the lines of a real `safetywalk serve`)."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from app import clock
from app.main import create_app
from app.observability import (
    EMAIL_MASK,
    JsonLines,
    PlainLines,
    RequestContext,
    RequestIdFilter,
    logging_config,
)
from tests.conftest import make_settings
from tests.factories import post_observation
from tests.routes.test_access import ROUTES

JSON = {"Accept": "application/json"}
RESIDENT = "resident.name+walks@example.org"


@pytest.fixture
def json_lines(caplog):  # type: ignore[no-untyped-def]
    """The log lines as the server writes them, parsed."""
    caplog.set_level(logging.INFO)
    caplog.handler.setFormatter(JsonLines())
    caplog.handler.addFilter(RequestIdFilter())

    def lines() -> list[dict]:
        parsed = [json.loads(line) for line in caplog.text.splitlines() if line.strip()]
        # The test's HTTP client logs its own requests, whole URLs: not the server's lines.
        return [line for line in parsed if not line["logger"].startswith("httpx")]

    lines.text = lambda: "\n".join(json.dumps(line) for line in lines())  # type: ignore[attr-defined]
    return lines


def access_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "safetywalk.access"]


def test_a_request_gets_an_id_echoed_in_the_answer_and_on_its_access_line(client, json_lines):
    answer = client.get("/healthz")
    request_id = answer.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert client.get("/healthz").headers["x-request-id"] != request_id  # one per request
    (line, _) = access_lines(json_lines())
    assert line["request_id"] == request_id
    assert line["level"] == "INFO" and line["message"] == "GET /healthz 200"
    assert (line["method"], line["route"], line["status"]) == ("GET", "/healthz", 200)
    assert line["duration_ms"] >= 0
    assert datetime.fromisoformat(line["time"]).tzinfo is not None


def test_a_proxys_request_id_is_kept_and_a_strange_one_replaced(client, json_lines):
    given = "3f2c9a7e-5b1d-4c8e-9f00-1a2b3c4d5e6f"
    assert client.get("/healthz", headers={"X-Request-ID": given}).headers["x-request-id"] == given
    for strange in (f"id {RESIDENT}", "x" * 65, "short"):
        echoed = client.get("/healthz", headers={"X-Request-ID": strange}).headers["x-request-id"]
        assert echoed != strange and re.fullmatch(r"[0-9a-f]{32}", echoed)
    assert RESIDENT not in json_lines.text()  # type: ignore[attr-defined]


def test_access_lines_name_the_route_not_the_token_query_or_address(client, json_lines):
    token = post_observation(client, contact_email=RESIDENT, headers=JSON).json()["token"]
    client.get(f"/observations/{token}?lang=sv&email={RESIDENT}")
    client.head(f"/observations/{token}")
    client.get(f"/observations/{token}/", follow_redirects=False)
    client.get("/open311/v2/services")  # served as .xml by a rewrite
    lines = json_lines()
    routes = [(line["method"], line["route"], line["status"]) for line in access_lines(lines)]
    assert routes == [
        ("POST", "/observations", 201),
        ("GET", "/observations/{token}", 200),
        ("HEAD", "/observations/{token}", 200),
        ("GET", "none", 307),  # Starlette's slash redirect names no route
        ("GET", "/open311/v2/services.{format}", 200),
    ]
    text = json_lines.text()  # type: ignore[attr-defined]
    assert token not in text
    assert RESIDENT not in text and "example.org" not in text
    assert "lang=sv" not in text
    assert "testclient" not in text  # the client's address, as TestClient gives it
    clients = {line["client"] for line in access_lines(lines)}
    assert len(clients) == 1 and re.fullmatch(r"[0-9a-f]{12}", clients.pop())


def test_no_route_ends_in_a_slash_so_such_a_name_is_a_raw_path():
    # observability.route_template and metrics rely on it.
    assert [path for _, path in ROUTES if path != "/" and path.endswith("/")] == []


def test_the_client_address_is_a_keyed_hash_that_changes_every_day(stopped_clock):
    context = RequestContext(app=None, secret_key="k" * 40)  # type: ignore[arg-type]
    other_key = RequestContext(app=None, secret_key="j" * 40)  # type: ignore[arg-type]
    scope = {"client": ("192.0.2.7", 5000)}
    today = context.pseudonym(scope)
    assert today == context.pseudonym({"client": ("192.0.2.7", 6000)})  # same address, same day
    assert today != context.pseudonym({"client": ("192.0.2.8", 5000)})
    assert today != other_key.pseudonym(scope)  # not a plain hash anyone can recompute
    assert "192.0.2" not in today
    clock.advance(timedelta(days=1))
    assert context.pseudonym(scope) != today
    assert context.pseudonym({}) is None


def test_an_unexpected_error_is_logged_under_the_requests_id_and_answered_with_it(
    settings, json_lines
):
    app = create_app(settings)

    def broken() -> None:
        raise RuntimeError(f"a bug that quotes {RESIDENT}")

    app.add_api_route("/broken-for-this-test", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/broken-for-this-test")
    app.state.engine.dispose()
    assert answer.status_code == 500
    request_id = answer.headers["x-request-id"]
    lines = json_lines()
    (error,) = [line for line in lines if line["level"] == "ERROR"]
    assert error["request_id"] == request_id and error["message"] == "unhandled error"
    assert "RuntimeError" in error["exc_info"] and EMAIL_MASK in error["exc_info"]
    (access,) = access_lines(lines)
    assert (access["request_id"], access["status"]) == (request_id, 500)
    assert RESIDENT not in json_lines.text()  # type: ignore[attr-defined]


def test_every_line_masks_e_mail_addresses_whoever_logs_them():
    record = logging.LogRecord(
        "safetywalk.anything", logging.WARNING, __file__, 1, "mail to %s failed", (RESIDENT,), None
    )
    record.recipient = f"<{RESIDENT}>"
    line = json.loads(JsonLines().format(record))
    assert line["message"] == f"mail to {EMAIL_MASK} failed"
    assert line["recipient"] == f"<{EMAIL_MASK}>"
    assert "request_id" not in line  # outside a request
    assert RESIDENT not in PlainLines().format(record)
    assert "[-]" in PlainLines().format(record)


def test_the_server_logging_config_applies_and_sends_uvicorns_lines_through_it(tmp_path):
    settings = make_settings("sqlite://", tmp_path, log_format="json", log_level="WARNING")
    config = logging_config(settings)
    assert config["root"]["level"] == "WARNING"
    assert config["loggers"]["uvicorn.access"] == {"handlers": [], "propagate": False}
    assert config["loggers"]["uvicorn.error"]["propagate"] is True
    text = make_settings("sqlite://", tmp_path, log_format="text")
    assert logging_config(text)["formatters"]["lines"]["()"] is PlainLines


def test_log_times_are_utc_iso_8601():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None)
    at = datetime.fromisoformat(json.loads(JsonLines().format(record))["time"])
    assert at.utcoffset() == timedelta(0)
    assert abs((at - datetime.now(UTC)).total_seconds()) < 60
