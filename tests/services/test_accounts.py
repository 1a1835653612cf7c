"""Staff accounts as an administrator manages them."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.models import Role, StaffSession, Unit
from app.services import accounts, auth
from tests.factories import STAFF_PASSWORD, make_staff

PASSWORD = "twelve chars ok"


def unit_id(session, slug: str = "parks") -> int:  # type: ignore[no-untyped-def]
    return session.exec(select(Unit.id).where(Unit.slug == slug)).one()


def sessions_of(session, user) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return len(session.exec(select(StaffSession).where(StaffSession.user_id == user.id)).all())


def open_session(session, user, password: str = STAFF_PASSWORD):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    return auth.log_in(
        session=session,
        email=user.email,
        password=password,
        client_ip="127.0.0.1",
        device=None,
        secret_key="test-secret-key-that-is-long-enough-000000",
        limits=auth.LoginLimits(
            per_account=5,
            per_address=20,
            window=timedelta(minutes=15),
            max_delay=timedelta(minutes=10),
            device_lifetime=timedelta(days=365),
        ),
        session_lifetime=timedelta(hours=1),
    )


def test_a_new_account_has_a_lower_case_email_and_a_hashed_password(session):
    user = accounts.create(
        session=session,
        email="  Anna.Berg@Boden.Example ",
        name="Anna Berg",
        role=Role.unit_worker,
        unit_id=unit_id(session),
        password=PASSWORD,
    )
    assert user.email == "anna.berg@boden.example"
    assert user.password_hash != PASSWORD and user.active
    assert open_session(session, user, PASSWORD).user.id == user.id


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"password": "x" * (auth.MIN_PASSWORD_LENGTH - 1)}, "password"),
        ({"role": Role.unit_worker, "unit": None}, "unit"),
        ({"role": Role.planner, "unit": "parks"}, "unit"),
        ({"name": "n" * 201}, "name"),
    ],
)
def test_wrong_account_data_is_refused_with_the_field(session, changes, field):
    values = {"email": "new@boden.example", "name": "", "role": Role.triager, "unit": None}
    values["password"] = PASSWORD
    values.update(changes)
    unit = values.pop("unit")
    with pytest.raises(accounts.AccountRefused) as refused:
        accounts.create(session=session, unit_id=unit_id(session, unit) if unit else None, **values)
    assert refused.value.field == field and refused.value.message


def test_the_minimum_password_length_is_twelve_everywhere():
    assert auth.MIN_PASSWORD_LENGTH == accounts.MIN_PASSWORD_LENGTH == 12


def test_an_email_has_one_account_whatever_its_case(session):
    accounts.create(
        session=session, email="twin@boden.example", name="", role=Role.planner, password=PASSWORD
    )
    with pytest.raises(accounts.AccountRefused) as refused:
        accounts.create(
            session=session,
            email="TWIN@boden.example",
            name="",
            role=Role.planner,
            password=PASSWORD,
        )
    assert refused.value.conflict and "already has an account" in refused.value.message


def test_role_and_unit_change_together(session):
    admin = make_staff(session, "admin")
    user = make_staff(session, "triager")
    accounts.update(
        session=session,
        user=user,
        actor=admin,
        name="Lamp crew",
        role=Role.unit_worker,
        unit_id=unit_id(session, "street-lighting"),
    )
    assert (user.name, user.role) == ("Lamp crew", Role.unit_worker)
    with pytest.raises(accounts.AccountRefused):
        accounts.update(
            session=session,
            user=user,
            actor=admin,
            name="",
            role=Role.triager,
            unit_id=user.unit_id,
        )
    accounts.update(
        session=session, user=user, actor=admin, name="", role=Role.triager, unit_id=None
    )
    assert user.unit_id is None and user.name == user.email


def test_deactivating_ends_every_session_and_login(session):
    admin = make_staff(session, "admin")
    user = make_staff(session, "planner")
    open_session(session, user)
    open_session(session, user)
    assert sessions_of(session, user) == 2
    accounts.set_active(session=session, user=user, actor=admin, active=False)
    assert sessions_of(session, user) == 0
    with pytest.raises(auth.LoginRefused):
        open_session(session, user)
    accounts.set_active(session=session, user=user, actor=admin, active=True)
    assert open_session(session, user).user.id == user.id


def test_an_admin_cannot_deactivate_or_demote_themself(session):
    admin = make_staff(session, "admin")
    with pytest.raises(accounts.AccountRefused) as refused:
        accounts.set_active(session=session, user=admin, actor=admin, active=False)
    assert "your own account" in refused.value.message
    with pytest.raises(accounts.AccountRefused) as refused:
        accounts.update(
            session=session, user=admin, actor=admin, name="", role=Role.planner, unit_id=None
        )
    assert "your own administrator role" in refused.value.message
    session.refresh(admin)
    assert admin.active and admin.role == Role.admin


def test_a_password_reset_ends_the_old_sessions(session):
    user = make_staff(session, "triager")
    open_session(session, user)
    kept = open_session(session, user)
    with pytest.raises(accounts.AccountRefused):
        accounts.reset_password(session=session, user=user, password="short")
    from app.services.auth import _token_id

    accounts.reset_password(
        session=session,
        user=user,
        password="a brand new secret",
        keep_session=_token_id(kept.token),
    )
    assert sessions_of(session, user) == 1
    with pytest.raises(auth.LoginRefused):
        open_session(session, user, STAFF_PASSWORD)
    assert open_session(session, user, "a brand new secret").user.id == user.id
