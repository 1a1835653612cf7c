"""Production mode: the settings refuse what is unsafe there (a short secret key, a missing or
loopback public address), the API description and docs are hidden, and every cookie that
identifies someone is Secure."""

from __future__ import annotations

from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app import clock
from app.config import Settings
from app.main import create_app
from tests.conftest import make_settings
from tests.factories import csrf_token, log_in, make_staff

PUBLIC = "https://safetywalk.example.org"
LONG_SECRET = "a-production-secret-that-is-long-enough-0123456789"


def production(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": "production",
        "secret_key": LONG_SECRET,
        "public_url": PUBLIC,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def test_a_production_configuration_with_a_real_address_and_a_long_key_is_accepted():
    settings = production()
    assert settings.public_url == PUBLIC and settings.secure_cookies


def test_a_short_secret_key_is_refused_in_production_only():
    with pytest.raises(ValidationError, match="SAFETYWALK_SECRET_KEY must be at least 32"):
        production(secret_key="too-short")
    assert Settings(environment="development", secret_key="too-short").secret_key == "too-short"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000",  # the development default
        "http://127.1.2.3",
        "https://localhost",
        "http://LOCALHOST.:8000/",
        "http://app.localhost",
        "http://[::1]:8000",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0:8000",
        "http://[::]/",
    ],
)
def test_a_loopback_public_address_is_refused_in_production(url):
    with pytest.raises(ValidationError, match="SAFETYWALK_PUBLIC_URL must not be a loopback"):
        production(public_url=url)


@pytest.mark.parametrize(
    "url", ["", "   ", "safetywalk.example.org", "ftp://example.org", "http://[::1", "https://"]
)
def test_a_missing_or_unusable_public_address_is_refused_in_production(url):
    with pytest.raises(ValidationError, match="SAFETYWALK_PUBLIC_URL must"):
        production(public_url=url)


def test_the_default_public_address_is_refused_in_production_and_fine_in_development(
    monkeypatch,
):
    monkeypatch.delenv("SAFETYWALK_PUBLIC_URL", raising=False)
    with pytest.raises(ValidationError, match="SAFETYWALK_PUBLIC_URL"):
        Settings(environment="production", secret_key=LONG_SECRET)
    assert Settings(environment="development").public_url == "http://127.0.0.1:8000"


@pytest.mark.parametrize("url", [PUBLIC, "https://10.0.0.5", "http://trygghet.boden.se/sw"])
def test_a_reachable_public_address_is_accepted(url):
    assert production(public_url=url).public_url == url


@pytest.fixture
def prod_client(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    settings = make_settings(database_url, tmp_path, environment="production", public_url=PUBLIC)
    app = create_app(settings)
    # Production sits behind TLS: the browser sends Secure cookies back over https only.
    with TestClient(app, base_url="https://testserver", headers={"Accept-Language": "en"}) as c:
        yield c
    app.state.engine.dispose()


def set_cookies(answer) -> dict[str, SimpleCookie]:  # type: ignore[no-untyped-def]
    found: dict[str, SimpleCookie] = {}
    for header in answer.headers.get_list("set-cookie"):
        cookie = SimpleCookie()
        cookie.load(header)
        for name in cookie:
            found[name] = cookie
    return found


def test_production_hides_the_api_description_and_the_docs(prod_client, client):
    for path in ("/openapi.json", "/docs", "/redoc"):
        assert prod_client.get(path).status_code == 404, path
    assert client.get("/openapi.json").status_code == 200  # development keeps it


def test_in_production_the_login_and_session_cookies_are_secure(prod_client, session):
    login_page = prod_client.get("/login")
    form_cookie = set_cookies(login_page)["sw_login_csrf"]["sw_login_csrf"]
    assert form_cookie["secure"] and form_cookie["httponly"]

    user = make_staff(session, "triager")
    answer = log_in(prod_client, user.email)
    assert answer.status_code == 303
    session_cookie = set_cookies(answer)["sw_session"]["sw_session"]
    assert session_cookie["secure"] and session_cookie["httponly"]
    assert session_cookie["samesite"].lower() == "lax"
    assert prod_client.get("/triage").status_code == 200  # and it works over https


def test_in_production_a_walk_participants_device_cookie_is_secure(
    prod_client, session, stopped_clock
):
    leader = make_staff(session, "walk_leader")
    assert log_in(prod_client, leader.email).status_code == 303
    planned = prod_client.post(
        "/walks/new",
        data={
            "csrf_token": csrf_token(prod_client),
            "title": "Evening walk in Centrum",
            "date": (clock.now() + timedelta(days=1)).date().isoformat(),
            "time": "19:00",
            "zone": "centrum",
            "meeting_point": "The library's entrance",
            "organisations": "Boden municipality",
            "description": "",
        },
        follow_redirects=False,
    )
    assert planned.status_code == 303, planned.text
    live = prod_client.get(planned.headers["location"]).text
    code = live.split("/w/")[1].split('"')[0].split("<")[0]

    prod_client.cookies.clear()  # a resident's phone
    joined = prod_client.get(f"/w/{code}")
    assert joined.status_code == 200, joined.text
    device = set_cookies(joined)["sw_device"]["sw_device"]
    assert device["secure"] and device["httponly"]
