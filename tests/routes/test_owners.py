"""The admins' registry of outside owners: add, change, deactivate; bad input is refused with a
clear 4xx; other roles get 403."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.models import OutsideOwner, OutsideOwnerCategory
from tests.factories import count, csrf_token, login_as

GOOD = {"name": "Vattenfall Eldistribution", "email": "eldistribution@example.org"}


def add(client, **fields):  # type: ignore[no-untyped-def]
    data = {"csrf_token": csrf_token(client, "/admin/owners"), "language": "sv", **GOOD, **fields}
    return client.post("/admin/owners", data=data, follow_redirects=False)


def owner_named(session, name: str) -> OutsideOwner:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.exec(select(OutsideOwner).where(OutsideOwner.name == name)).one()


@pytest.fixture(autouse=True)
def _no_owners(session):  # type: ignore[no-untyped-def]
    for owner in session.exec(select(OutsideOwner)).all():  # the demo's, in a run's first test
        session.delete(owner)
    session.commit()


@pytest.fixture
def admin(client, session):  # type: ignore[no-untyped-def]
    login_as(client, session, "admin")


def test_an_admin_adds_an_owner_with_usual_categories_and_sees_it_listed(client, session, admin):
    answer = add(client, categories=["dark-spot", "signage"], note="Elnätet.", language="en")
    assert answer.status_code == 303
    page = client.get(answer.headers["location"]).text
    assert "Vattenfall Eldistribution" in page and "eldistribution@example.org" in page
    assert "Dark spot / broken light" in page and "Missing signage" in page
    owner = owner_named(session, "Vattenfall Eldistribution")
    assert owner.language == "en" and owner.note == "Elnätet." and owner.active
    assert count(session, OutsideOwnerCategory) == 2
    assert 'href="/admin/owners"' in client.get("/admin").text  # in the admin menu


def test_an_admin_changes_and_deactivates_an_owner(client, session, admin):
    add(client, categories=["dark-spot"])
    owner = owner_named(session, GOOD["name"])
    token = csrf_token(client, f"/admin/owners/{owner.id}")
    changed = client.post(
        f"/admin/owners/{owner.id}",
        data={
            "csrf_token": token,
            "name": "Vattenfall",
            "email": "Kundservice@Example.org",
            "language": "sv",
            "categories": ["vegetation"],
        },
        follow_redirects=False,
    )
    assert changed.status_code == 303
    owner = owner_named(session, "Vattenfall")
    assert owner.email == "kundservice@example.org"
    links = session.exec(select(OutsideOwnerCategory)).all()
    assert len(links) == 1
    off = client.post(
        f"/admin/owners/{owner.id}/active",
        data={"csrf_token": token, "active": "false"},
        follow_redirects=False,
    )
    assert off.status_code == 303
    assert "no longer offered" in client.get(off.headers["location"]).text
    assert owner_named(session, "Vattenfall").active is False


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"name": ""}, 422, "This field is required."),
        ({"email": "not-an-address"}, 422, "Write a valid e-mail address."),
        ({"email": "two@@example.org"}, 422, "Write a valid e-mail address."),
        ({"email": ""}, 422, "This field is required."),
        ({"language": "de"}, 422, "Choose a language from the list."),
        ({"categories": ["no-such-category"]}, 422, "Choose categories from the list."),
        ({"name": "x" * 201}, 422, "at most 200 characters"),
        ({"note": "x" * 1001}, 422, "at most 1000 characters"),
        ({"name": "Vatten\x00fall"}, 422, ""),
        ({"email": "a@example.org\x00"}, 422, ""),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(client, session, admin, fields, status, message):
    answer = add(client, **fields)
    assert answer.status_code == status
    assert message in answer.text
    assert count(session, OutsideOwner) == 0


def test_a_name_taken_in_any_case_is_a_conflict(client, session, admin):
    assert add(client).status_code == 303
    again = add(client, name="vattenfall eldistribution", email="other@example.org")
    assert again.status_code == 409 and "exists already" in again.text
    add(client, name="Polisen", email="polisen@example.org")
    polisen = owner_named(session, "Polisen")
    token = csrf_token(client, f"/admin/owners/{polisen.id}")
    renamed = client.post(
        f"/admin/owners/{polisen.id}",
        data={"csrf_token": token, **GOOD, "language": "sv"},
        follow_redirects=False,
    )
    assert renamed.status_code == 409
    assert owner_named(session, "Polisen").email == "polisen@example.org"


def test_an_unknown_owner_is_404(client, session, admin):
    assert client.get("/admin/owners/424242").status_code == 404
    assert client.get("/admin/owners/99999999999999999999").status_code == 422


@pytest.mark.parametrize("role", ["triager", "unit_worker", "planner", "coordinator"])
def test_other_roles_are_refused(client, session, role):
    login_as(client, session, role, unit="street-lighting")
    assert client.get("/admin/owners").status_code == 403
    token = csrf_token(client)
    data = {"csrf_token": token, **GOOD, "language": "sv"}
    assert client.post("/admin/owners", data=data).status_code == 403
    assert count(session, OutsideOwner) == 0


HOSTILE = ["a\x00b", "\x1b[31m", "\x85", "x" * 3000, "<script>alert(1)</script>", "' OR 1=1 --"]


@pytest.mark.parametrize("field", ["name", "email", "note", "language", "categories"])
def test_hostile_values_get_a_4xx_or_are_stored_harmlessly(client, session, admin, field):
    for value in HOSTILE:
        answer = add(client, **{field: value})
        assert answer.status_code < 500, (field, value, answer.status_code)
        if answer.status_code == 303:  # taken: shown escaped, never as markup
            assert "<script>alert" not in client.get("/admin/owners").text


def test_the_demo_brings_its_outside_owners_once(session):
    from app.services import demo

    demo.load(session=session)
    demo.load(session=session)
    names = {o.name for o in session.exec(select(OutsideOwner)).all()}
    assert {"Trafikverket", "Vattenfall Eldistribution", "Polisen, lokalpolisområde Boden"} <= names
    assert len(names) == 5
    assert all(o.email.endswith("example.org") for o in session.exec(select(OutsideOwner)))
    assert count(session, OutsideOwnerCategory) == 13
