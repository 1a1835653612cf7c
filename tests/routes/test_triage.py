"""The technical department's queue and actions through HTTP."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from app import clock
from app.models import Observation, ObservationEvent, Priority, Unit
from tests.factories import JSON, csrf_token, login_as, post_observation


def report(client, session: Session, **fields) -> Observation:  # type: ignore[no-untyped-def]
    token = post_observation(client, headers=JSON, **fields).json()["token"]
    return session.exec(select(Observation).where(Observation.token == token)).one()


def test_a_new_report_is_in_the_queue_within_one_request(client, session):
    obs = report(client, session, contact_email="resident@example.org")
    login_as(client, session, "triager")
    queue = client.get("/triage")
    assert queue.status_code == 200
    row = queue.text.split(f'id="row-{obs.id}"')[1].split("</tr>")[0]
    assert f">#{obs.id}<" in row and "Dark spot / broken light" in row
    assert "Street lighting" in queue.text and "Received: 1" in queue.text
    detail = client.get(f"/triage/{obs.id}")
    assert "resident@example.org" in detail.text  # staff see the contact
    assert "the category&#39;s default unit" in detail.text


def test_unit_staff_see_only_their_units_work(client, session):
    lamp = report(client, session, category="dark-spot")
    bush = report(client, session, category="vegetation")
    login_as(client, session, "unit_worker", unit="parks")
    queue = client.get("/triage").text
    assert f"#{bush.id} " in queue and f"#{lamp.id} " not in queue
    assert client.get(f"/triage/{lamp.id}").status_code == 403
    assert client.get(f"/triage/{bush.id}").status_code == 200


def test_good_places_do_not_clutter_the_queue(client, session):
    good = report(client, session, category="good-place")
    login_as(client, session, "triager")
    assert f"#{good.id} " not in client.get("/triage").text


def test_filters_narrow_the_queue_and_count_per_status(client, session):
    lamp = report(client, session, category="dark-spot")
    bush = report(client, session, category="vegetation")
    far = report(client, session, category="dark-spot", lat="65.845", lon="21.633")  # Heden
    login_as(client, session, "triager")
    only_lamps = client.get("/triage?category=dark-spot").text
    assert f"#{lamp.id} " in only_lamps and f"#{far.id} " in only_lamps
    assert f"#{bush.id} " not in only_lamps
    in_heden = client.get("/triage?zone=heden").text
    assert f"#{far.id} " in in_heden and f"#{lamp.id} " not in in_heden
    by_unit = client.get("/triage?unit=parks").text
    assert f"#{bush.id} " in by_unit and f"#{lamp.id} " not in by_unit
    htmx = client.get("/triage?category=vegetation", headers={"HX-Request": "true"})
    assert "<html" not in htmx.text and f"#{bush.id} " in htmx.text
    assert client.get("/triage?status=nonsense").status_code == 422
    assert client.get("/triage?page=0").status_code == 422


def test_overdue_items_are_flagged_and_filterable(client, session):
    old = report(client, session)
    fresh = report(client, session)
    old.created_at = clock.now() - timedelta(days=20)  # normal priority: due in 14 days
    session.add(old)
    session.commit()
    login_as(client, session, "triager")
    overdue = client.get("/triage?overdue=true").text
    assert f"#{old.id} " in overdue and f"#{fresh.id} " not in overdue
    assert "Overdue: 1" in overdue
    assert "Overdue since" in client.get(f"/triage/{old.id}").text


def test_an_inline_status_change_answers_with_the_new_row(client, session):
    obs = report(client, session)
    login_as(client, session, "triager")
    token = csrf_token(client, "/triage")
    answer = client.post(
        f"/triage/{obs.id}/status",
        data={"to": "triaged", "view": "row", "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith(f'<tr id="row-{obs.id}"')
    assert "Being looked at" in answer.text
    session.refresh(obs)
    assert obs.status == "triaged"


def test_a_refused_move_is_a_409_with_the_reason_and_changes_nothing(client, session):
    obs = report(client, session)
    login_as(client, session, "triager")
    token = csrf_token(client, "/triage")
    for data in ({"to": "verified"}, {"to": "wont_fix"}):
        answer = client.post(
            f"/triage/{obs.id}/status",
            data={**data, "view": "row", "csrf_token": token},
            headers={"HX-Request": "true"},
        )
        assert answer.status_code == 409
    assert "Say why it will not be fixed" in answer.text
    session.refresh(obs)
    assert obs.status == "new"


def test_from_new_to_verified_with_the_roles_that_may(client, session):
    obs = report(client, session)
    login_as(client, session, "triager")
    token = csrf_token(client)
    client.post(f"/triage/{obs.id}/status", data={"to": "triaged", "csrf_token": token})
    client.cookies.clear()
    login_as(client, session, "unit_worker", unit="street-lighting")
    token = csrf_token(client)
    for to in ("scheduled", "in_progress", "fixed"):
        answer = client.post(
            f"/triage/{obs.id}/status",
            data={
                "to": to,
                "note": "New lamp fitted." if to == "fixed" else "",
                "csrf_token": token,
            },
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
    assert (
        client.post(
            f"/triage/{obs.id}/status", data={"to": "verified", "csrf_token": token}
        ).status_code
        == 409
    )
    client.cookies.clear()
    login_as(client, session, "triager")
    client.post(
        f"/triage/{obs.id}/status", data={"to": "verified", "csrf_token": csrf_token(client)}
    )
    session.refresh(obs)
    assert obs.status == "verified"
    history = session.exec(
        select(ObservationEvent)
        .where(ObservationEvent.observation_id == obs.id, ObservationEvent.kind == "status")
        .order_by(ObservationEvent.id)
    ).all()
    assert [e.to_status for e in history] == [
        "new",
        "triaged",
        "scheduled",
        "in_progress",
        "fixed",
        "verified",
    ]
    public = client.get(f"/observations/{obs.token}").text
    assert "Fixed and checked" in public and "New lamp fitted." in public


def test_internal_notes_never_reach_the_public_page(client, session):
    obs = report(client, session, contact_email="resident@example.org")
    login_as(client, session, "triager")
    client.post(
        f"/triage/{obs.id}/status",
        data={
            "to": "triaged",
            "note": "We are on it.",
            "internal_note": "Cable stolen again, call Ove",
            "csrf_token": csrf_token(client),
        },
    )
    assert "Cable stolen again" in client.get(f"/triage/{obs.id}").text
    public = client.get(f"/observations/{obs.token}").text
    assert "We are on it." in public
    assert "Cable stolen" not in public and "resident@example.org" not in public


def test_reroute_and_priority_are_for_triagers_and_are_logged(client, session):
    obs = report(client, session)
    login_as(client, session, "unit_worker", unit="street-lighting")
    token = csrf_token(client)
    assert (
        client.post(
            f"/triage/{obs.id}/route", data={"unit": "police", "csrf_token": token}
        ).status_code
        == 403
    )
    client.cookies.clear()
    login_as(client, session, "triager")
    token = csrf_token(client)
    answer = client.post(
        f"/triage/{obs.id}/route",
        data={"unit": "police", "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert (
        client.post(
            f"/triage/{obs.id}/route", data={"unit": "nope", "csrf_token": token}
        ).status_code
        == 422
    )
    client.post(f"/triage/{obs.id}/priority", data={"priority": "urgent", "csrf_token": token})
    session.refresh(obs)
    assert session.get(Unit, obs.unit_id).slug == "police"
    assert obs.priority == Priority.urgent and obs.routing_reason == "by_hand"
    detail = client.get(f"/triage/{obs.id}").text
    assert "Re-routed" in detail and "Priority changed" in detail and "re-routed by hand" in detail


def test_unknown_or_huge_ids_are_404_or_422_not_500(client, session):
    login_as(client, session, "triager")
    assert client.get("/triage/999999").status_code == 404
    assert client.get(f"/triage/{2**63}").status_code == 422
    assert client.get("/triage/abc").status_code == 422


def test_the_filter_form_as_a_browser_sends_it_with_blank_fields(client, session):
    obs = report(client, session)
    login_as(client, session, "triager")
    page = client.get(
        "/triage?status=new&category=dark-spot&zone=&unit=&priority=&older_than=&sort=oldest"
    )
    assert page.status_code == 200 and f"#{obs.id} " in page.text
    assert client.get("/triage?older_than=0").status_code == 422
    assert client.get("/triage?older_than=abc").status_code == 422
    assert client.get("/triage?priority=sometime").status_code == 422


def test_a_fix_brings_its_after_photo_and_the_status_page_shows_before_and_after(client, session):
    from app.models import Photo
    from tests.factories import jpeg_bytes

    obs = report(client, session, photos=[("lamp.jpg", jpeg_bytes(), "image/jpeg")])
    login_as(client, session, "triager")
    token = csrf_token(client)
    client.post(f"/triage/{obs.id}/status", data={"to": "triaged", "csrf_token": token})
    answer = client.post(
        f"/triage/{obs.id}/status",
        data={"to": "fixed", "note": "New lamp.", "csrf_token": token},
        files={"after_photo": ("after.jpg", jpeg_bytes(orientation=6), "image/jpeg")},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    after = session.exec(select(Photo).where(Photo.kind == "after")).one()
    assert after.observation_id == obs.id and after.height > after.width  # upright
    public = client.get(f"/observations/{obs.token}").text
    assert "After the fix" in public and after.thumb_url in public
    # "Before" heads the resident's photo, above "After the fix", for staff too.
    assert public.index("<h2>Before</h2>") < public.index("<h2>After the fix</h2>")
    staff = client.get(f"/triage/{obs.id}").text
    assert staff.index("<h2>Before</h2>") < staff.index("<h2>After the fix</h2>")
    assert staff.index("<h2>After the fix</h2>") < staff.index(after.thumb_url)


def test_a_bad_after_photo_is_refused_and_the_status_stays(client, session):
    obs = report(client, session)
    login_as(client, session, "triager")
    token = csrf_token(client)
    client.post(f"/triage/{obs.id}/status", data={"to": "triaged", "csrf_token": token})
    answer = client.post(
        f"/triage/{obs.id}/status",
        data={"to": "fixed", "csrf_token": token},
        files={"after_photo": ("after.jpg", b"not a photo at all", "image/jpeg")},
    )
    assert answer.status_code == 415 and "not a photo we can read" in answer.text
    session.refresh(obs)
    assert obs.status == "triaged"


def test_bulk_moves_each_selected_row_and_lists_the_refused(client, session):
    mine = [report(client, session), report(client, session)]
    other = report(client, session, category="vegetation")  # the parks unit's
    login_as(client, session, "unit_worker", unit="street-lighting")
    token = csrf_token(client, "/triage")
    for obs in [*mine, other]:
        obs.status = "triaged"
        session.add(obs)
    session.commit()
    answer = client.post(
        "/triage/bulk?category=dark-spot",
        data={"to": "scheduled", "ids": [str(o.id) for o in [*mine, other]], "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    assert "2 observations changed." in answer.text
    assert f"#{other.id}: This observation belongs to another unit." in answer.text
    for obs in mine:
        session.refresh(obs)
        assert obs.status == "scheduled"
    session.refresh(other)
    assert other.status == "triaged"
    assert (
        client.post(
            "/triage/bulk", data={"to": "scheduled", "ids": ["0"], "csrf_token": token}
        ).status_code
        == 422
    )


def test_the_history_names_the_resident_in_the_readers_language(client, session):
    obs = report(client, session)
    login_as(client, session, "triager")
    swedish = client.get(f"/triage/{obs.id}", headers={"Accept-Language": "sv"}).text
    history = swedish[swedish.index('class="history"') :]
    assert '<span class="meta">invånare</span>' in history
    assert '<span class="meta">resident</span>' not in history


def test_the_report_page_names_the_client_system_that_posted_it(client, session):
    from app.models import ApiClient
    from app.services import open311_keys
    from tests.factories import insert_observation

    system, _ = open311_keys.create(session=session, name="Work orders (Infracontrol)")
    posted = insert_observation(session, lat=65.8253, lon=21.6880, api_client_id=system.id)
    captured = insert_observation(session, lat=65.8253, lon=21.6880)
    login_as(client, session, "triager")
    line = "Posted through Open311 by Work orders (Infracontrol)"
    assert line in client.get(f"/triage/{posted.id}").text
    assert "Posted through Open311" not in client.get(f"/triage/{captured.id}").text
    assert "Infracontrol" not in client.get(f"/observations/{posted.token}").text
    # The client deleted: the report keeps no name (the key is SET NULL), and says nothing.
    session.delete(session.get(ApiClient, system.id))
    session.commit()
    assert "Posted through Open311" not in client.get(f"/triage/{posted.id}").text
