"""Password guessing is slowed, not turned into a lock-out: parallel guesses are counted one by
one, each try past the limit waits twice as long, one address guessing many accounts is slowed
too, and the account's owner still gets in from a browser that has logged in before."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import httpx2 as httpx  # starlette's test client ships httpx2; plain httpx is not installed
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app import clock
from app.db import make_engine
from app.models import StaffSession
from app.services import auth, throttle
from tests.factories import STAFF_PASSWORD, count, csrf_token, log_in, make_staff

WRONG = "not the password at all"
ATTACKER = "203.0.113.66"  # documentation addresses (RFC 5737)
OFFICE = "198.51.100.10"


@pytest.fixture
def browser_at(app: FastAPI) -> Iterator:  # type: ignore[type-arg]
    """A new browser at an address: `browser_at(OFFICE)`; each has its own cookies."""
    opened: list[TestClient] = []

    def open_at(address: str) -> TestClient:
        client = TestClient(app, client=(address, 50000), headers={"Accept-Language": "en"})
        opened.append(client)
        return client

    yield open_at
    for client in opened:
        client.close()


def log_out(client: TestClient) -> None:
    answer = client.post("/logout", data={"csrf_token": csrf_token(client)}, follow_redirects=False)
    assert answer.status_code == 303


def statuses(client: TestClient, email: str, password: str, times: int) -> list[int]:
    return [log_in(client, email, password).status_code for _ in range(times)]


def test_forty_parallel_wrong_logins_make_at_most_five_password_checks(
    live_server, database_url, stopped_clock
):
    engine = make_engine(database_url)
    with Session(engine) as session:
        victim = make_staff(session, "admin")
    engine.dispose()
    start = threading.Barrier(40, timeout=60)
    answers: list[httpx.Response] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def guess() -> None:
        try:
            with httpx.Client(base_url=live_server.url, timeout=120) as client:
                form = client.get("/login", headers={"Accept-Language": "en"})
                token = form.text.split('name="login_csrf" value="')[1].split('"')[0]
                start.wait()  # all forty connected, then all at once
                answer = client.post(
                    "/login",
                    data={"email": victim.email, "password": WRONG, "login_csrf": token},
                    headers={"Accept-Language": "en"},
                )
            with lock:
                answers.append(answer)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    checks_before = auth.password_checks()
    threads = [threading.Thread(target=guess) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    checks = auth.password_checks() - checks_before

    assert errors == []
    codes = sorted(answer.status_code for answer in answers)
    assert codes == [401] * 5 + [429] * 35
    assert checks == 5  # each 401 checked a password; no refused try ran the hash
    assert all(a.headers["Retry-After"] == "1" for a in answers if a.status_code == 429)


def test_the_owner_logs_in_from_a_known_device_during_an_attack(session, browser_at, stopped_clock):
    owner = make_staff(session, "triager")
    laptop = browser_at(OFFICE)
    assert log_in(laptop, owner.email).status_code == 303
    assert laptop.cookies.get("sw_device")  # this browser is known to the account now
    log_out(laptop)

    attacker = browser_at(ATTACKER)
    assert statuses(attacker, owner.email, WRONG, 12) == [401] * 5 + [429] * 7
    # The account is slowed for every unknown browser, the attacker's and a new one of the owner's,
    assert log_in(browser_at(OFFICE), owner.email).status_code == 429
    assert log_in(attacker, owner.email).status_code == 429
    # ... but the owner's laptop has its own budget and gets in at once.
    assert log_in(laptop, owner.email).status_code == 303


def test_a_known_device_is_not_slowed_by_failures_from_its_own_address(
    app, session, browser_at, stopped_clock
):
    app.state.settings.login_max_failures_per_address = 3  # fewer slow hashes than 20
    owner = make_staff(session, "planner")
    laptop = browser_at(OFFICE)
    assert log_in(laptop, owner.email).status_code == 303
    log_out(laptop)
    intruder = browser_at(OFFICE)  # on the same network, e.g. behind the office's NAT
    for n in range(3):
        assert log_in(intruder, f"guess-{n}@boden.example", WRONG).status_code == 401
    assert log_in(intruder, owner.email, WRONG).status_code == 429

    assert log_in(laptop, owner.email).status_code == 303


def test_a_known_device_has_its_own_limit(session, browser_at, stopped_clock):
    owner = make_staff(session, "triager")
    laptop = browser_at(OFFICE)
    assert log_in(laptop, owner.email).status_code == 303
    log_out(laptop)

    assert statuses(laptop, owner.email, WRONG, 6) == [401] * 5 + [429]
    assert log_in(laptop, owner.email).status_code == 429
    # Its failures are its own: another browser is not slowed by them.
    assert log_in(browser_at(OFFICE), owner.email).status_code == 303


def test_a_device_cookie_of_another_account_or_a_forged_one_gives_no_own_budget(
    session, browser_at, stopped_clock
):
    owner = make_staff(session, "triager")
    other = make_staff(session, "planner")
    theirs = browser_at(OFFICE)
    assert log_in(theirs, other.email).status_code == 303
    log_out(theirs)
    good = theirs.cookies.get("sw_device")
    assert good
    forged = browser_at(OFFICE)
    forged.cookies.set("sw_device", good[:-4] + "AAAA")

    assert statuses(browser_at(ATTACKER), owner.email, WRONG, 6) == [401] * 5 + [429]
    assert log_in(theirs, owner.email).status_code == 429
    assert log_in(forged, owner.email).status_code == 429


def test_one_address_guessing_many_accounts_is_slowed(app, session, browser_at, stopped_clock):
    app.state.settings.login_max_failures_per_address = 3  # fewer slow hashes than 20
    user = make_staff(session, "triager")
    guesser = browser_at(ATTACKER)
    # One wrong guess at each of three accounts: no account reaches its own limit ...
    for n in range(3):
        assert log_in(guesser, f"person-{n}@boden.example", WRONG).status_code == 401
    # ... but the address has used its tries: even a right password waits.
    refused = log_in(guesser, user.email)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    # Another address is not affected.
    assert log_in(browser_at(OFFICE), user.email).status_code == 303


def test_colleagues_behind_one_address_do_not_slow_each_other(
    app, session, browser_at, stopped_clock
):
    app.state.settings.login_max_failures_per_address = 3
    for n in range(5):  # more successful first logins than the address's limit
        user = make_staff(session, "walk_leader", email=f"leader-{n}@boden.example")
        assert log_in(browser_at(OFFICE), user.email).status_code == 303


def test_the_wait_doubles_with_each_further_failure(session, browser_at, stopped_clock):
    user = make_staff(session, "admin")
    client = browser_at(ATTACKER)
    assert statuses(client, user.email, WRONG, 5) == [401] * 5
    waits = []
    for _ in range(4):
        refused = log_in(client, user.email, WRONG)
        assert refused.status_code == 429
        waits.append(int(refused.headers["Retry-After"]))
        clock.advance(timedelta(seconds=waits[-1]))
        assert log_in(client, user.email, WRONG).status_code == 401  # the next try is heard
    assert waits == [1, 2, 4, 8]


def test_the_wait_is_capped(app, session, browser_at, stopped_clock):
    app.state.settings.login_max_failures = 1
    app.state.settings.login_max_delay_seconds = 120
    user = make_staff(session, "admin")
    client = browser_at(ATTACKER)
    for n in range(8):  # waits 1, 2, 4 ... 64, then 128 s were there no cap
        if n:
            clock.advance(timedelta(seconds=120))
        assert log_in(client, user.email, WRONG).status_code == 401
    refused = log_in(client, user.email, WRONG)
    assert refused.headers["Retry-After"] == "120"
    assert "Try again in 2 minutes." in refused.text
    assert throttle.delay_after(10**9, 5, timedelta(seconds=600)) == timedelta(seconds=600)


def test_a_refused_try_runs_no_password_check(session, browser_at, stopped_clock):
    user = make_staff(session, "admin")
    client = browser_at(ATTACKER)
    before = auth.password_checks()
    statuses(client, user.email, WRONG, 5)
    assert auth.password_checks() - before == 5
    assert statuses(client, user.email, STAFF_PASSWORD, 3) == [429] * 3
    assert auth.password_checks() - before == 5
    assert count(session, StaffSession) == 0


def test_a_successful_login_forgets_the_accounts_failures(session, browser_at, stopped_clock):
    user = make_staff(session, "triager")
    client = browser_at(OFFICE)
    assert statuses(client, user.email, WRONG, 4) == [401] * 4
    assert log_in(client, user.email).status_code == 303
    log_out(client)
    stranger = browser_at(ATTACKER)  # an unknown browser: the account's count, from zero again
    assert statuses(stranger, user.email, WRONG, 6) == [401] * 5 + [429]


def test_failures_are_forgotten_after_a_quiet_window(session, browser_at, stopped_clock):
    user = make_staff(session, "triager")
    client = browser_at(OFFICE)
    assert statuses(client, user.email, WRONG, 5) == [401] * 5
    clock.advance(timedelta(minutes=15, seconds=1))
    assert statuses(client, user.email, WRONG, 6) == [401] * 5 + [429]


def test_the_wait_is_said_in_swedish(session, browser_at, stopped_clock):
    user = make_staff(session, "triager")
    client = browser_at(ATTACKER)
    client.headers["Accept-Language"] = "sv"
    statuses(client, user.email, WRONG, 5)
    refused = log_in(client, user.email)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert "För många misslyckade försök. Försök igen om 1 sekund." in refused.text


def test_control_characters_in_the_email_are_a_wrong_login_not_an_error(client, session):
    answer = log_in(client, "ab\x00cd@x.se", WRONG)
    assert answer.status_code == 401
