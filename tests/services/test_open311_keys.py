"""The Open311 client systems' keys: made with only their hash stored, checked on every POST,
revoked at once, and each key's posts counted against its hourly limit (also when posts race)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from app import clock
from app.models import ApiClient, ApiPost
from app.services import open311_keys
from app.services.open311_format import Open311Error
from tests.factories import insert_observation, make_staff


def _take(session: Session, client: ApiClient, *, now, default: int = 120, code: str = "dark-spot"):  # type: ignore[no-untyped-def]
    return open311_keys.take_post(
        session=session, client=client, default_per_hour=default, service_code=code, now=now
    )


def test_a_new_key_is_returned_once_and_only_its_hash_and_hint_are_stored(session):
    admin = make_staff(session, "admin")
    client, key = open311_keys.create(
        session=session,
        name="  FixMyStreet   (mySociety) ",
        contact="Ops@MySociety.example",
        posts_per_hour="30",
        by=admin,
    )
    assert key.startswith(open311_keys.KEY_PREFIX) and len(key) > 40
    assert client.name == "FixMyStreet (mySociety)" and client.contact == "ops@mysociety.example"
    assert client.posts_per_hour == 30 and client.created_by_id == admin.id
    assert client.key_hint == key[: open311_keys.HINT_CHARS]
    # Nothing in the table holds the key: its hash and its first characters only.
    row = session.exec(text("SELECT * FROM api_client")).mappings().one()
    assert key not in [str(v) for v in row.values()]
    assert row["key_hash"] == open311_keys.key_hash(key) != key
    assert open311_keys.authenticate(session=session, key=key).id == client.id
    assert open311_keys.authenticate(session=session, key=f"  {key}\n").id == client.id
    second = open311_keys.create(session=session, name="Other")[1]
    assert second != key


@pytest.mark.parametrize("key", [None, "", "   ", "sw311_unknown", "x" * 5000])
def test_a_missing_or_unknown_key_is_refused_with_403(session, key):
    open311_keys.create(session=session, name="Civic app")
    with pytest.raises(Open311Error) as refused:
        open311_keys.authenticate(session=session, key=key)
    assert refused.value.status_code == 403


def test_a_revoked_key_is_refused_at_once_and_revoking_again_keeps_the_first_time(
    session, stopped_clock
):
    client, key = open311_keys.create(session=session, name="Work orders")
    revoked = open311_keys.revoke(session=session, client_id=client.id)
    assert revoked is not None and revoked.revoked_at == stopped_clock
    with pytest.raises(Open311Error) as refused:
        open311_keys.authenticate(session=session, key=key)
    assert refused.value.status_code == 403
    clock.advance(timedelta(hours=2))
    again = open311_keys.revoke(session=session, client_id=client.id)
    assert again is not None and again.revoked_at == stopped_clock
    assert open311_keys.revoke(session=session, client_id=999_999) is None


def test_a_key_revoked_while_a_post_waits_is_refused_by_take_post(session, engine):
    client, key = open311_keys.create(session=session, name="Racing")
    held = open311_keys.authenticate(session=session, key=key)
    with Session(engine) as other:
        open311_keys.revoke(session=other, client_id=client.id)
    with pytest.raises(Open311Error) as refused:
        _take(session, held, now=clock.now())
    assert refused.value.status_code == 403


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": ""}, "name", "required"),
        ({"name": "   "}, "name", "required"),
        ({"name": "a" * 201}, "name", "at most 200"),
        ({"name": "bad\x00name"}, "name", "not allowed"),
        ({"name": "tab\tname"}, "name", "not allowed"),
        ({"name": "x\ud800"}, "name", "not allowed"),
        ({"contact": "not an address"}, "contact", "valid e-mail"),
        ({"contact": "ops@x.example\x00"}, "contact", "not allowed"),
        ({"posts_per_hour": "0"}, "posts_per_hour", "whole number"),
        ({"posts_per_hour": "-3"}, "posts_per_hour", "whole number"),
        ({"posts_per_hour": "ten"}, "posts_per_hour", "whole number"),
        ({"posts_per_hour": "١٢"}, "posts_per_hour", "whole number"),  # Arabic-Indic digits
        ({"posts_per_hour": "9999999"}, "posts_per_hour", "whole number"),
    ],
)
def test_wrong_values_are_refused_with_a_message_per_field(session, fields, field, message):
    values = {"name": "Civic app", **fields}
    with pytest.raises(open311_keys.Invalid) as refused:
        open311_keys.create(session=session, **values)
    assert message in refused.value.errors[field] and not refused.value.conflict
    assert session.exec(select(ApiClient)).all() == []


def test_names_are_unique_whatever_the_case(session):
    open311_keys.create(session=session, name="FixMyStreet")
    with pytest.raises(open311_keys.Invalid) as refused:
        open311_keys.create(session=session, name="fixmystreet")
    assert refused.value.conflict and "exists already" in refused.value.errors["name"]
    assert len(session.exec(select(ApiClient)).all()) == 1


def test_find_by_name_or_number(session):
    client, _ = open311_keys.create(session=session, name="Work orders")
    assert open311_keys.find(session=session, name_or_id="work ORDERS").id == client.id
    assert open311_keys.find(session=session, name_or_id=str(client.id)).id == client.id
    assert open311_keys.find(session=session, name_or_id="nobody") is None
    assert open311_keys.find(session=session, name_or_id="99999999999") is None


def test_the_limit_refuses_with_429_and_retry_after_until_the_window_slides(session, stopped_clock):
    client, _ = open311_keys.create(session=session, name="Busy")
    start = stopped_clock
    for minute in range(3):  # three posts, a minute apart
        _take(session, client, now=start + timedelta(minutes=minute), default=3)
    with pytest.raises(Open311Error) as refused:
        _take(session, client, now=start + timedelta(minutes=10), default=3)
    assert refused.value.status_code == 429
    # The oldest post leaves the window at start + 1 h: 50 minutes from the refused attempt.
    assert refused.value.headers == {"Retry-After": str(50 * 60)}
    assert len(session.exec(select(ApiPost)).all()) == 3  # the refused one is not counted
    # One second past the hour after the first post, one post is free again, and only one.
    later = start + timedelta(hours=1, seconds=1)
    _take(session, client, now=later, default=3)
    with pytest.raises(Open311Error):
        _take(session, client, now=later, default=3)


def test_a_clients_own_limit_overrides_the_setting(session, stopped_clock):
    own, _ = open311_keys.create(session=session, name="Own limit", posts_per_hour=2)
    other, _ = open311_keys.create(session=session, name="The setting")
    for _n in range(2):
        _take(session, own, now=stopped_clock, default=100)
    with pytest.raises(Open311Error) as refused:
        _take(session, own, now=stopped_clock, default=100)
    assert refused.value.status_code == 429
    for _n in range(3):  # the other client's posts count on their own, against the setting
        _take(session, other, now=stopped_clock, default=3)
    with pytest.raises(Open311Error):
        _take(session, other, now=stopped_clock, default=3)


def test_parallel_posts_cannot_pass_more_than_the_limit(session, engine, stopped_clock):
    client, _ = open311_keys.create(session=session, name="Flood", posts_per_hour=5)
    outcomes: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(12)

    def post() -> None:
        with Session(engine) as own:
            mine = own.get(ApiClient, client.id)
            start.wait()
            try:
                _take(own, mine, now=stopped_clock)
                result = 200
            except Open311Error as exc:
                result = exc.status_code
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=post) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == [200] * 5 + [429] * 7
    assert len(session.exec(select(ApiPost)).all()) == 5


def test_take_post_logs_the_post_and_finish_post_records_the_outcome(session, stopped_clock):
    client, _ = open311_keys.create(session=session, name="Logger")
    obs = insert_observation(session, lat=65.8253, lon=21.6880)
    post_id = _take(session, client, now=stopped_clock, code="x" * 80)
    logged = session.get(ApiPost, post_id)
    assert logged.status_code == 0 and logged.service_code == "x" * 64
    assert session.get(ApiClient, client.id).last_used_at == stopped_clock
    open311_keys.finish_post(
        session=session, post_id=post_id, status_code=200, observation_id=obs.id
    )
    refused_id = _take(session, client, now=stopped_clock + timedelta(seconds=1))
    open311_keys.finish_post(session=session, post_id=refused_id, status_code=400, error="e" * 500)
    session.expire_all()
    done, refused = session.get(ApiPost, post_id), session.get(ApiPost, refused_id)
    assert (done.status_code, done.observation_id, done.error) == (200, obs.id, "")
    assert (refused.status_code, refused.observation_id) == (400, None)
    assert refused.error == "e" * 300


def test_the_list_counts_the_last_24_hours_active_first(session, stopped_clock):
    busy, _ = open311_keys.create(session=session, name="b busy", posts_per_hour=50)
    idle, _ = open311_keys.create(session=session, name="C idle")
    gone, _ = open311_keys.create(session=session, name="a gone")
    open311_keys.revoke(session=session, client_id=gone.id)
    now = stopped_clock
    for at in (now - timedelta(hours=25), now - timedelta(hours=23), now - timedelta(minutes=1)):
        session.add(ApiPost(client_id=busy.id, at=at))
    session.add(ApiPost(client_id=gone.id, at=now - timedelta(hours=1)))
    session.commit()
    rows = open311_keys.clients(session=session, now=now, default_per_hour=120)
    assert [r.client.name for r in rows] == ["b busy", "C idle", "a gone"]
    assert [r.posts_24h for r in rows] == [2, 0, 1]
    assert [(r.limit, r.own_limit) for r in rows] == [(50, True), (120, False), (120, False)]
    assert [r.active for r in rows] == [True, True, False]
    assert idle.id in {r.client.id for r in rows}


def test_the_list_is_one_query_however_many_clients(session, engine, stopped_clock):
    from sqlalchemy import event

    for n in range(6):
        client, _ = open311_keys.create(session=session, name=f"Client {n}")
        session.add(ApiPost(client_id=client.id, at=stopped_clock))
    session.commit()
    session.expire_all()
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        rows = open311_keys.clients(session=session, now=stopped_clock, default_per_hour=9)
        assert [r.posts_24h for r in rows] == [1] * 6
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1


def test_recent_posts_newest_first_and_limited(session, stopped_clock):
    client, _ = open311_keys.create(session=session, name="Recent")
    other, _ = open311_keys.create(session=session, name="Other")
    for minute in range(5):
        session.add(ApiPost(client_id=client.id, at=stopped_clock + timedelta(minutes=minute)))
    session.add(ApiPost(client_id=other.id, at=stopped_clock + timedelta(hours=1)))
    session.commit()
    posts = open311_keys.recent_posts(session=session, client_id=client.id, limit=3)
    assert [p.at for p in posts] == [stopped_clock + timedelta(minutes=m) for m in (4, 3, 2)]
    assert len(open311_keys.recent_posts(session=session, client_id=client.id)) == 5
