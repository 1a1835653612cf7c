"""Staff sign in and out: server-side sessions, hashed passwords, CSRF, slowed-down guessing."""

from __future__ import annotations

from sqlmodel import select

from app.models import StaffSession, StaffUser
from tests.factories import (
    STAFF_PASSWORD,
    count,
    csrf_token,
    log_in,
    login_as,
    login_form_token,
    make_staff,
)


def test_staff_log_in_and_land_on_their_page(client, session):
    user = make_staff(session, "triager")
    answer = log_in(client, user.email.upper())  # e-mail addresses are not case-sensitive
    assert answer.status_code == 303 and answer.headers["location"] == "/staff"
    cookie = answer.headers["set-cookie"]
    assert "sw_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    page = client.get("/staff")
    assert page.status_code == 200 and "Hello, Test triager" in page.text
    assert "triager (technical department)" in page.text


def test_passwords_are_stored_as_argon2_hashes_and_sessions_by_hash(client, session):
    user = make_staff(session, "planner")
    log_in(client, user.email)
    stored = session.exec(select(StaffUser).where(StaffUser.id == user.id)).one()
    assert stored.password_hash.startswith("$argon2id$")
    assert STAFF_PASSWORD not in stored.password_hash
    token = client.cookies.get("sw_session")
    assert token and session.exec(select(StaffSession)).one().id != token


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, session):
    user = make_staff(session, "triager")
    wrong = log_in(client, user.email, "not the password")
    unknown = log_in(client, "nobody@boden.example", "whatever it is")
    for answer in (wrong, unknown):
        assert answer.status_code == 401
        assert "Wrong e-mail address or password." in answer.text
    assert client.get("/staff", follow_redirects=False).status_code == 303


def test_the_login_form_needs_its_token(client, session):
    user = make_staff(session, "triager")
    answer = client.post(
        "/login", data={"email": user.email, "password": STAFF_PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 403
    assert "This form has expired" in answer.text
    assert count(session, StaffSession) == 0


def test_guessing_is_stopped_after_five_failures_even_with_the_right_password(client, session):
    user = make_staff(session, "admin")
    for _ in range(5):
        assert log_in(client, user.email, "guess-guess-guess").status_code == 401
    blocked = log_in(client, user.email)
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.text
    assert count(session, StaffSession) == 0


def test_logout_revokes_the_session_on_the_server(client, session):
    login_as(client, session, "triager")
    stolen = client.cookies.get("sw_session")
    answer = client.post("/logout", data={"csrf_token": csrf_token(client)}, follow_redirects=False)
    assert answer.status_code == 303
    assert count(session, StaffSession) == 0
    client.cookies.set("sw_session", stolen)  # a copy of the cookie is worthless now
    assert client.get("/staff", follow_redirects=False).status_code == 303


def test_logout_without_the_csrf_token_is_refused(client, session):
    login_as(client, session, "triager")
    answer = client.post("/logout", follow_redirects=False)
    assert answer.status_code == 403
    assert count(session, StaffSession) == 1


def test_an_expired_session_no_longer_opens_staff_pages(client, session):
    from datetime import timedelta

    from app import clock

    login_as(client, session, "triager")
    row = session.exec(select(StaffSession)).one()
    row.expires_at = clock.now() - timedelta(minutes=1)
    session.add(row)
    session.commit()
    assert client.get("/staff", follow_redirects=False).status_code == 303


def test_an_inactive_account_cannot_log_in(client, session):
    user = make_staff(session, "triager")
    user.active = False
    session.add(user)
    session.commit()
    assert log_in(client, user.email).status_code == 401


def test_login_redirects_only_within_the_site(client, session):
    user = make_staff(session, "triager")
    answer = client.post(
        "/login",
        data={
            "email": user.email,
            "password": STAFF_PASSWORD,
            "next": "https://evil.example/",
            "login_csrf": login_form_token(client),
        },
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/staff"


def test_a_staff_page_sends_an_anonymous_visitor_to_login_and_back(client):
    answer = client.get("/staff", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Fstaff"
    htmx = client.get("/staff", headers={"HX-Request": "true"}, follow_redirects=False)
    assert htmx.status_code == 401 and htmx.headers["HX-Redirect"].startswith("/login")
