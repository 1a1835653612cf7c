"""Error pages render without the database: a request that fails after its session's rows have
expired still gets the site's styled page, also for a signed-in member of staff."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.deps import SessionDep, VisitorDep
from tests.factories import login_as


@pytest.fixture
def failing_app(app: FastAPI) -> FastAPI:
    """The test's own app with one more route, which fails after a commit (so every row the
    request loaded, the visitor's account too, is expired and then detached)."""

    @app.get("/test-only/fails")
    def fails(session: SessionDep, visitor: VisitorDep) -> None:
        session.commit()
        raise RuntimeError("a bug")

    return app


@pytest.fixture
def plain_client(failing_app: FastAPI):  # type: ignore[no-untyped-def]
    with TestClient(
        failing_app, raise_server_exceptions=False, headers={"Accept-Language": "en"}
    ) as test_client:
        yield test_client


@pytest.mark.parametrize("role", ["admin", "triager"])
def test_a_server_error_for_a_signed_in_person_is_the_styled_page(plain_client, session, role):
    login_as(plain_client, session, role)
    answer = plain_client.get("/test-only/fails")
    assert answer.status_code == 500
    assert "Something went wrong on our side" in answer.text
    assert '<link rel="stylesheet" href="/static/css/app.css">' in answer.text
    assert "Log out" in answer.text  # still signed in, and the header says so
    assert ('href="/admin"' in answer.text) == (role == "admin")


def test_htmx_and_api_callers_get_the_message_alone(plain_client, session):
    login_as(plain_client, session, "triager")
    htmx = plain_client.get("/test-only/fails", headers={"HX-Request": "true"})
    assert htmx.status_code == 500 and "<html" not in htmx.text
    assert "Something went wrong" in htmx.text
    api = plain_client.get("/test-only/fails", headers={"Accept": "application/json"})
    assert api.status_code == 500 and api.json()["error"].startswith("Something went wrong")
