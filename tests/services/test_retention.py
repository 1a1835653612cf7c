"""Retention with the settable clock: what the settings say must go is gone the moment its
time has come, and not a minute before; what must stay stays; public pages do not change."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from app import clock
from app.models import (
    ApiClient,
    ApiPost,
    AuditEntry,
    LoginThrottle,
    Observation,
    OutboxMail,
    Photo,
    Role,
    StaffSession,
    Status,
    Support,
    Walk,
    WalkParticipant,
    WalkStatus,
)
from app.services import lifecycle, media_store, outbox, retention
from tests.factories import CENTRUM, JSON, jpeg_bytes, make_staff, post_observation

DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)


@pytest.fixture
def admin(session):  # type: ignore[no-untyped-def]
    return lifecycle.Actor.staff(make_staff(session, Role.admin.value))


def report(client, session, *, email: str | None = "resident@example.org", **fields) -> Observation:  # type: ignore[no-untyped-def]
    answer = post_observation(client, headers=JSON, contact_email=email, **fields)
    assert answer.status_code in (200, 201), answer.text
    return session.exec(
        select(Observation).where(Observation.token == answer.json()["token"])
    ).one()


def move(session: Session, obs: Observation, to: Status, actor: lifecycle.Actor) -> None:
    session.refresh(obs)
    lifecycle.transition(session=session, obs=obs, to=to, actor=actor, note="Done.")


def run(session: Session, settings, **kw) -> dict[str, int]:  # type: ignore[no-untyped-def]
    session.expire_all()
    counts = retention.run_once(session=session, settings=settings, **kw).counts
    session.expire_all()
    return counts


def mails_to(session: Session, address: str) -> list[OutboxMail]:
    return list(session.exec(select(OutboxMail).where(OutboxMail.to_address == address)).all())


def test_a_closed_reports_email_and_the_mails_to_it_go_when_the_setting_says(
    client, session, settings, stopped_clock, admin
):
    closed = report(client, session, email="closed@example.org")
    still_open = report(client, session, email="open@example.org")
    move(session, closed, Status.wont_fix, admin)  # queues the resident's mail
    sent = mails_to(session, "closed@example.org")
    assert [m.kind for m in sent] == ["status_update"]
    sent[0].sent_at = clock.now()
    # A mail to staff about the same report is not the resident's: it stays.
    outbox.enqueue(
        session=session,
        to="staff@boden.example",
        subject="s",
        body="b",
        kind="assigned",
        observation_id=closed.id,
    )
    session.commit()

    clock.advance(settings.retention_reporter_email_days * DAY - MINUTE)
    assert run(session, settings)["reporter_emails"] == 0
    assert session.get(Observation, closed.id).contact_email == "closed@example.org"

    clock.advance(MINUTE)
    counts = run(session, settings)
    assert counts["reporter_emails"] == 1 and counts["resident_mails"] == 1
    assert session.get(Observation, closed.id).contact_email is None
    assert mails_to(session, "closed@example.org") == []
    assert len(mails_to(session, "staff@boden.example")) == 1
    assert session.get(Observation, still_open.id).contact_email == "open@example.org"
    # Done when: no reporter e-mail older than the setting is left, and a second pass finds none.
    assert run(session, settings)["reporter_emails"] == 0


def test_the_closing_time_is_when_it_was_closed_not_its_last_move_among_closed_states(
    client, session, settings, stopped_clock, admin
):
    fixed_then_verified = report(client, session, email="verified@example.org")
    reopened = report(client, session, email="reopened@example.org")
    for obs in (fixed_then_verified, reopened):
        move(session, obs, Status.triaged, admin)
        move(session, obs, Status.fixed, admin)
    clock.advance(20 * DAY)
    move(session, fixed_then_verified, Status.verified, admin)  # still the same closing
    move(session, reopened, Status.reopened, admin)
    move(session, reopened, Status.triaged, admin)
    move(session, reopened, Status.fixed, admin)  # closed anew: the clock starts again

    clock.advance((settings.retention_reporter_email_days - 20) * DAY)
    run(session, settings)
    assert session.get(Observation, fixed_then_verified.id).contact_email is None
    assert session.get(Observation, reopened.id).contact_email == "reopened@example.org"
    clock.advance(20 * DAY)
    run(session, settings)
    assert session.get(Observation, reopened.id).contact_email is None


def test_a_dry_run_counts_and_changes_nothing(client, session, settings, stopped_clock, admin):
    obs = report(client, session)
    move(session, obs, Status.wont_fix, admin)
    old = clock.now() - (settings.retention_audit_days + 1) * DAY
    session.add(AuditEntry(at=old, actor="cli", subject_kind="unit", action="unit.create"))
    session.commit()
    clock.advance((settings.retention_reporter_email_days + 1) * DAY)

    counts = run(session, settings, dry_run=True)
    assert counts["reporter_emails"] == 1 and counts["resident_mails"] == 1
    assert counts["audit_entries"] == 1
    assert session.get(Observation, obs.id).contact_email == "resident@example.org"
    assert len(session.exec(select(AuditEntry)).all()) == 1
    assert run(session, settings) == counts  # the real pass does what the dry run said


def test_public_pages_are_the_same_after_retention(client, session, settings, stopped_clock, admin):
    obs = report(client, session)
    move(session, obs, Status.wont_fix, admin)
    clock.advance((settings.retention_reporter_email_days + 1) * DAY)
    before = [client.get(f"/reports/{obs.id}").text, client.get("/observations").text]
    assert run(session, settings)["reporter_emails"] == 1
    after = [client.get(f"/reports/{obs.id}").text, client.get("/observations").text]
    assert before == after


def _walk(session: Session, leader_id: int, *, closed_at, code: str) -> Walk:  # type: ignore[no-untyped-def]
    status = WalkStatus.closed if closed_at else WalkStatus.active
    walk = Walk(
        title=code,
        starts_at=clock.now() - DAY,
        leader_id=leader_id,
        join_code=code,
        status=status,
        closed_at=closed_at,
    )
    session.add(walk)
    session.commit()
    return walk


def test_phone_ids_go_after_the_walk_and_after_the_report_closed_but_counts_stay(
    client, session, settings, stopped_clock, admin
):
    leader = make_staff(session, "walk_leader")
    closed_walk = _walk(session, leader.id, closed_at=clock.now(), code="CLOSED1")
    open_walk = _walk(session, leader.id, closed_at=None, code="OPEN123")
    for walk in (closed_walk, open_walk):
        for _n in range(3):
            session.add(WalkParticipant(walk_id=walk.id, device_id=uuid.uuid4()))
    session.commit()
    on_walk = report(client, session, email=None)
    closed_report, open_report = (
        report(client, session, email=None),
        report(client, session, email=None),
    )
    on_walk.walk_id = closed_walk.id
    session.add(on_walk)
    session.commit()
    phones = {}
    for obs in (on_walk, closed_report, open_report):
        phones[obs.id] = uuid.uuid4()
        session.add(Support(observation_id=obs.id, device_id=phones[obs.id], address_key="k" * 64))
    session.commit()
    move(session, closed_report, Status.wont_fix, admin)

    clock.advance(settings.retention_walk_device_days * DAY - MINUTE)
    counts = run(session, settings)
    assert counts["walk_devices"] == 0 and counts["supporter_devices"] == 0

    clock.advance(MINUTE)
    counts = run(session, settings)
    assert counts["walk_devices"] == 3 and counts["supporter_devices"] == 1

    def participants(walk: Walk) -> list[uuid.UUID]:
        rows = session.exec(select(WalkParticipant).where(WalkParticipant.walk_id == walk.id))
        return [row.device_id for row in rows]

    assert len(participants(closed_walk)) == 3  # still counted ...
    assert all(device.int < 2**64 for device in participants(closed_walk))  # ... not known
    assert all(device.version == 4 for device in participants(open_walk))
    supports = {s.observation_id: s for s in session.exec(select(Support)).all()}
    assert (
        supports[on_walk.id].device_id != phones[on_walk.id]
        and supports[on_walk.id].address_key == ""
    )
    assert supports[closed_report.id].device_id == phones[closed_report.id]

    clock.advance(
        (settings.retention_reporter_email_days - settings.retention_walk_device_days) * DAY
    )
    assert run(session, settings)["supporter_devices"] == 1  # the closed report's, now
    session.expire_all()
    supports = {s.observation_id: s for s in session.exec(select(Support)).all()}
    assert supports[closed_report.id].address_key == ""
    assert supports[open_report.id].device_id == phones[open_report.id]  # open: still needed
    assert run(session, settings)["supporter_devices"] == 0  # nothing twice


def test_login_records_staff_sessions_and_logs_go_after_their_settings(
    session, settings, stopped_clock
):
    now = clock.now()
    login_days, audit_days = settings.retention_login_address_days, settings.retention_audit_days
    session.add_all(
        [
            LoginThrottle(
                key="address:203.0.113.9", failures=3, last_failure_at=now - login_days * DAY
            ),
            LoginThrottle(
                key="account:old@boden.example",
                failures=1,
                last_failure_at=now - login_days * DAY + MINUTE,
            ),
            # An old failure that still makes someone wait is not the retention's to drop.
            LoginThrottle(
                key="address:198.51.100.7",
                failures=40,
                last_failure_at=now - 40 * DAY,
                next_allowed_at=now + DAY,
            ),
            AuditEntry(
                at=now - audit_days * DAY - MINUTE,
                actor="cli",
                subject_kind="unit",
                action="unit.create",
            ),
            AuditEntry(
                at=now - audit_days * DAY + MINUTE,
                actor="cli",
                subject_kind="unit",
                action="unit.update",
            ),
        ]
    )
    client_system = ApiClient(name="Work orders", key_hash="a" * 64, key_hint="abc")
    user = make_staff(session, "triager")
    session.add(client_system)
    session.commit()
    session.add_all(
        [
            ApiPost(
                client_id=client_system.id, at=now - audit_days * DAY - MINUTE, status_code=201
            ),
            ApiPost(client_id=client_system.id, at=now - DAY, status_code=201),
            StaffSession(id="e" * 64, user_id=user.id, csrf_token="x", expires_at=now - MINUTE),
            StaffSession(id="f" * 64, user_id=user.id, csrf_token="y", expires_at=now + DAY),
        ]
    )
    session.commit()

    counts = run(session, settings)
    assert (counts["login_records"], counts["audit_entries"], counts["api_posts"]) == (1, 1, 1)
    assert counts["staff_sessions"] == 1
    keys = set(session.exec(select(LoginThrottle.key)).all())
    assert keys == {"account:old@boden.example", "address:198.51.100.7"}
    assert session.exec(select(AuditEntry.action)).all() == ["unit.update"]
    assert len(session.exec(select(ApiPost)).all()) == 1
    assert session.exec(select(StaffSession.id)).all() == ["f" * 64]


def test_private_photos_go_with_their_files_unless_another_row_uses_them(
    client, session, settings, stopped_clock, admin
):
    shared, own = jpeg_bytes(400 + 10 * 1, 300), jpeg_bytes(400 + 10 * 2, 300)
    private = report(
        client,
        session,
        category="drug-dealing",
        photos=[("a.jpg", shared, "image/jpeg"), ("b.jpg", own, "image/jpeg")],
    )
    public = report(client, session, photos=[("a.jpg", shared, "image/jpeg")])
    private_open = report(
        client,
        session,
        category="drug-dealing",
        photos=[("c.jpg", jpeg_bytes(400 + 10 * 3, 300), "image/jpeg")],
    )
    move(session, private, Status.wont_fix, admin)
    move(session, public, Status.wont_fix, admin)
    rows = {p.observation_id: p for p in session.exec(select(Photo).order_by(col(Photo.position)))}
    private_hashes = sorted(
        p.sha256 for p in session.exec(select(Photo).where(Photo.observation_id == private.id))
    )
    own_sha = next(sha for sha in private_hashes if sha != rows[public.id].sha256)
    shared_sha = rows[public.id].sha256
    store = media_store.open_store(settings)
    assert store.exists(media_store.photo_key(own_sha)) and store.exists(
        media_store.photo_key(shared_sha)
    )

    clock.advance(settings.retention_private_photo_days * DAY - MINUTE)
    assert run(session, settings)["private_photos"] == 0
    clock.advance(MINUTE)
    counts = run(session, settings)
    assert (counts["private_photos"], counts["photo_files"]) == (2, 1)
    assert session.exec(select(Photo).where(Photo.observation_id == private.id)).all() == []
    assert not store.exists(media_store.photo_key(own_sha))
    assert not store.exists(media_store.photo_key(own_sha, thumb=True))
    # The public report's photo is the same file: it stays, and so does the open report's.
    assert store.exists(media_store.photo_key(shared_sha))
    assert store.exists(media_store.photo_key(shared_sha, thumb=True))
    assert (
        len(session.exec(select(Photo).where(Photo.observation_id == private_open.id)).all()) == 1
    )
    assert client.get(rows[public.id].url).status_code == 200


def test_a_file_named_as_another_photos_blurred_copy_stays(
    client, session, settings, stopped_clock, admin
):
    private = report(
        client,
        session,
        category="drug-dealing",
        photos=[("a.jpg", jpeg_bytes(400 + 10 * 4, 300), "image/jpeg")],
    )
    public = report(
        client, session, photos=[("b.jpg", jpeg_bytes(400 + 10 * 5, 300), "image/jpeg")]
    )
    private_photo = session.exec(select(Photo).where(Photo.observation_id == private.id)).one()
    public_photo = session.exec(select(Photo).where(Photo.observation_id == public.id)).one()
    public_photo.public_sha256 = private_photo.sha256
    session.add(public_photo)
    session.commit()
    move(session, private, Status.wont_fix, admin)
    clock.advance((settings.retention_private_photo_days + 1) * DAY)
    counts = run(session, settings)
    assert (counts["private_photos"], counts["photo_files"]) == (1, 0)
    assert media_store.open_store(settings).exists(media_store.photo_key(private_photo.sha256))


def test_the_position_of_a_report_is_not_personal_data_here(
    client, session, settings, stopped_clock, admin
):
    """Retention forgets people, not places: a closed report's place and text stay."""
    obs = report(client, session)
    move(session, obs, Status.wont_fix, admin)
    clock.advance(3 * 365 * DAY)
    run(session, settings)
    kept = session.get(Observation, obs.id)
    assert (round(kept.lat, 4), round(kept.lon, 4)) == (round(CENTRUM[0], 4), round(CENTRUM[1], 4))
    assert kept.description == "The lamp by the underpass is out."
