"""Who opens the follow-up: coordinators, admins, planners and triagers; nobody else."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import log_in, login_as, make_staff


@pytest.mark.parametrize("role", ["coordinator", "admin", "planner", "triager"])
def test_readers_open_the_follow_up(client: TestClient, session: Session, role: str) -> None:
    login_as(client, session, role)
    page = client.get("/follow-up")
    assert page.status_code == 200
    assert "Reports of problems" in page.text


@pytest.mark.parametrize("role", ["unit_worker", "walk_leader"])
def test_other_staff_may_not(client: TestClient, session: Session, role: str) -> None:
    login_as(client, session, role, unit="street-lighting" if role == "unit_worker" else None)
    assert client.get("/follow-up").status_code == 403


def test_a_visitor_is_sent_to_log_in(client: TestClient) -> None:
    page = client.get("/follow-up", follow_redirects=False)
    assert page.status_code in (302, 303)
    assert page.headers["location"].startswith("/login")


def test_a_coordinator_lands_on_the_follow_up(client: TestClient, session: Session) -> None:
    answer = log_in(client, make_staff(session, "coordinator").email)
    assert answer.headers["location"] == "/follow-up"
