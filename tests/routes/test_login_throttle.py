"""Password guessing is slowed, not turned into a lock-out: parallel guesses are counted one by
one, each try past the limit waits twice as long, one address guessing many accounts is slowed
too, and the account's owner still gets in from a browser that has logged in before."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import httpx2 as httpx  # starlette's test client ships httpx2; plain httpx is not installed
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app import clock
from app.db import make_engine
from app.models import LoginThrottle, StaffSession
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


@dataclass(frozen=True)
class Try:
    """One login try for `all_at_once`: from `address`, with a device cookie or none."""

    email: str
    password: str = WRONG
    address: str = ATTACKER
    device: str | None = None


def all_at_once(base_url: str, tries: list[Try]) -> list[httpx.Response]:
    """Each try on its own connection to the live server, all sent at the same moment; the
    answers in the order of the tries. The server trusts X-Forwarded-For from loopback, as it
    does from a reverse proxy, so each try comes from its own address."""
    start = threading.Barrier(len(tries), timeout=60)
    answers: list[httpx.Response | None] = [None] * len(tries)
    errors: list[BaseException] = []

    def send(index: int, attempt: Try) -> None:
        headers = {"Accept-Language": "en", "X-Forwarded-For": attempt.address}
        try:
            with httpx.Client(base_url=base_url, headers=headers, timeout=120) as client:
                if attempt.device:
                    client.cookies.set("sw_login_device", attempt.device)
                form = client.get("/login")
                token = form.text.split('name="login_csrf" value="')[1].split('"')[0]
                start.wait()  # all connected, then all at once
                answers[index] = client.post(
                    "/login",
                    data={
                        "email": attempt.email,
                        "password": attempt.password,
                        "login_csrf": token,
                    },
                )
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=send, args=pair) for pair in enumerate(tries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert errors == []
    return [answer for answer in answers if answer is not None]


@pytest.fixture
def live_db(database_url: str) -> Iterator[Session]:
    """A session on the database the live server uses."""
    engine = make_engine(database_url)
    with Session(engine) as session:
        yield session
    engine.dispose()


def test_forty_parallel_wrong_logins_make_at_most_five_password_checks(
    live_server, live_db, stopped_clock
):
    victim = make_staff(live_db, "admin")
    checks_before = auth.password_checks()

    answers = all_at_once(live_server.url, [Try(victim.email)] * 40)

    checks = auth.password_checks() - checks_before
    assert sorted(answer.status_code for answer in answers) == [401] * 5 + [429] * 35
    assert checks == 5  # each 401 checked a password; no refused try ran the hash
    assert all(a.headers["Retry-After"] == "1" for a in answers if a.status_code == 429)
    # Counted for the address too (taken from X-Forwarded-For), the refused tries not.
    address = live_db.get(LoginThrottle, f"address:{ATTACKER}")
    assert address is not None and address.failures == 5


def test_the_owner_gets_in_from_a_known_device_in_the_middle_of_a_parallel_attack(
    live_server, live_db, stopped_clock
):
    owner = make_staff(live_db, "triager")
    with httpx.Client(base_url=live_server.url, headers={"X-Forwarded-For": OFFICE}) as laptop:
        form = laptop.get("/login").text
        token = form.split('name="login_csrf" value="')[1].split('"')[0]
        first = laptop.post(
            "/login",
            data={"email": owner.email, "password": STAFF_PASSWORD, "login_csrf": token},
        )
        assert first.status_code == 303
        device = laptop.cookies.get("sw_login_device")
    assert device
    checks_before = auth.password_checks()

    answers = all_at_once(
        live_server.url,
        # Twenty guesses and, at the same moment, the owner on the laptop.
        [Try(owner.email)] * 20 + [Try(owner.email, STAFF_PASSWORD, OFFICE, device)],
    )

    attack, owners_laptop = answers[:20], answers[20]
    assert owners_laptop.status_code == 303
    # The owner's login forgets the account's failures, so guesses that arrive after it get
    # the account's five again: five before and at most five after, never more; every other
    # guess is refused without a password check.
    guessed = [a.status_code for a in attack].count(401)
    assert 5 <= guessed <= 10
    assert sorted(a.status_code for a in attack) == [401] * guessed + [429] * (20 - guessed)
    assert auth.password_checks() - checks_before == guessed + 1  # and the laptop's one


def test_the_owner_logs_in_from_a_known_device_during_an_attack(session, browser_at, stopped_clock):
    owner = make_staff(session, "triager")
    laptop = browser_at(OFFICE)
    assert log_in(laptop, owner.email).status_code == 303
    assert laptop.cookies.get("sw_login_device")  # this browser is known to the account now
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
    good = theirs.cookies.get("sw_login_device")
    assert good
    forged = browser_at(OFFICE)
    forged.cookies.set("sw_login_device", good[:-4] + "AAAA")

    assert statuses(browser_at(ATTACKER), owner.email, WRONG, 6) == [401] * 5 + [429]
    assert log_in(theirs, owner.email).status_code == 429
    assert log_in(forged, owner.email).status_code == 429
    junk = browser_at(OFFICE)
    junk.cookies.set("sw_login_device", "x." + "9" * 40 + "." + "y" * 3000)
    assert log_in(junk, owner.email).status_code == 429


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


def test_control_characters_in_the_email_are_refused_not_an_error(client, session):
    answer = log_in(client, "ab\x00cd@x.se", WRONG)
    assert answer.status_code == 422 and "email" in answer.text  # the one input rule


def test_a_device_cookie_expires(session, browser_at, stopped_clock):
    owner = make_staff(session, "triager")
    laptop = browser_at(OFFICE)
    assert log_in(laptop, owner.email).status_code == 303
    log_out(laptop)
    clock.advance(timedelta(days=366))

    assert statuses(browser_at(ATTACKER), owner.email, WRONG, 6) == [401] * 5 + [429]
    assert log_in(laptop, owner.email).status_code == 429


def test_counters_nobody_needs_any_more_are_cleared_away(session, browser_at, stopped_clock):
    user = make_staff(session, "triager")
    guesser = browser_at(ATTACKER)
    for n in range(3):
        log_in(guesser, f"gone-{n}@boden.example", WRONG)
    clock.advance(timedelta(minutes=16))

    assert log_in(browser_at(OFFICE), user.email).status_code == 303
    session.expire_all()
    keys = session.exec(select(LoginThrottle.key)).all()
    assert not [key for key in keys if "gone-" in key or ATTACKER in key]
