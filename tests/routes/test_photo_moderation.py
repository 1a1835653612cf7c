"""Photo moderation over HTTP with photo_moderation = "review": a resident's photo (the capture
form, a walk participant's, an Open311 client's) is on no public page until staff approve it;
staff's own after photo is public at once; the report page shows each photo's state and the
actions (htmx gets the card back, a plain form the page); a blurred copy is what the public
pages name afterwards; the queue filters and counts what waits."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.models import Observation, Photo, PhotoKind, PhotoReview, Status
from app.services import lifecycle
from tests.conftest import make_settings
from tests.factories import (
    csrf_token,
    jpeg_bytes,
    login_as,
    post_observation,
)
from tests.routes.test_open311_post import make_key, request_fields
from tests.routes.test_update_form import as_shown, update
from tests.routes.test_walks import plan_walk

HTMX = {"HX-Request": "true"}


@pytest.fixture
def settings(database_url, tmp_path):  # type: ignore[no-untyped-def]
    return make_settings(database_url, tmp_path, photo_moderation="review")


def captured(client, session: Session, **fields) -> tuple[Observation, Photo]:  # type: ignore[no-untyped-def]
    answer = post_observation(
        client,
        photos=[("p.jpg", jpeg_bytes(), "image/jpeg")],
        headers={"Accept": "application/json"},
        **fields,
    )
    assert answer.status_code == 201, answer.text
    session.expire_all()
    obs = session.exec(select(Observation).where(Observation.token == answer.json()["token"])).one()
    photo = session.exec(select(Photo).where(Photo.observation_id == obs.id)).one()
    return obs, photo


def public_pages(client, obs: Observation) -> str:  # type: ignore[no-untyped-def]
    """Every public page that shows this report's photos, as one text."""
    pages = [
        client.get(f"/observations/{obs.token}"),
        client.get(f"/reports/{obs.id}"),
        client.get("/observations"),
        client.get(f"/open311/v2/requests.json?service_request_id={obs.id}"),
    ]
    for page in pages:
        assert page.status_code == 200, page.url
    return "\n".join(page.text for page in pages)


def review(client, obs, photo, decision: str, headers=None):  # type: ignore[no-untyped-def]
    return client.post(
        f"/triage/{obs.id}/photos/{photo.id}/review",
        data={"csrf_token": csrf_token(client), "decision": decision},
        headers=headers or {},
        follow_redirects=False,
    )


def blur(client, obs, photo, headers=None, **region):  # type: ignore[no-untyped-def]
    data = {"left": "10", "top": "10", "width": "30", "height": "30", **region}
    return client.post(
        f"/triage/{obs.id}/photos/{photo.id}/blur",
        data={"csrf_token": csrf_token(client), **data},
        headers=headers or {},
        follow_redirects=False,
    )


def test_a_residents_photo_is_public_only_once_staff_approve_it(client, session) -> None:
    obs, photo = captured(client, session)
    assert photo.review == PhotoReview.pending

    shown = public_pages(client, obs)
    assert photo.sha256 not in shown
    assert (
        "1 photo is shown here once staff have looked at it."
        in client.get(f"/observations/{obs.token}").text
    )

    login_as(client, session, "triager")
    page = client.get(f"/triage/{obs.id}")
    assert photo.sha256 in page.text  # staff see the original
    assert "Waiting for moderation: not public" in page.text
    answer = review(client, obs, photo, "approve")
    assert answer.status_code == 303
    assert answer.headers["location"].endswith(f"/triage/{obs.id}#photo-{photo.id}")

    client.cookies.clear()
    assert photo.sha256 in public_pages(client, obs)


def test_the_blurred_copy_is_what_the_public_pages_name(client, session) -> None:
    obs, photo = captured(client, session)
    login_as(client, session, "triager")
    answer = blur(client, obs, photo, headers=HTMX)
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith(f'<li class="photo-review" id="photo-{photo.id}">')
    assert "Public, blurred" in answer.text
    session.refresh(photo)
    assert photo.review == PhotoReview.public and photo.public_sha256

    page = client.get(f"/triage/{obs.id}")
    assert photo.sha256 in page.text and photo.public_sha256 in page.text
    assert "A region of photo 1 blurred; the public sees the blurred copy." in page.text

    client.cookies.clear()
    shown = public_pages(client, obs)
    assert photo.public_sha256 in shown
    assert photo.sha256 not in shown


def test_a_hidden_photo_leaves_the_public_pages(client, session) -> None:
    obs, photo = captured(client, session)
    login_as(client, session, "triager")
    review(client, obs, photo, "approve")
    answer = review(client, obs, photo, "hide", headers=HTMX)
    assert answer.status_code == 200 and "Hidden from the public" in answer.text
    client.cookies.clear()
    assert photo.sha256 not in public_pages(client, obs)


def test_open311_and_walk_participants_photos_wait_too(client, session) -> None:
    _api_client, key = make_key(session)
    answer = client.post(
        "/open311/v2/requests.json",
        data=request_fields(key),
        files=[("media", ("lamp.jpg", jpeg_bytes(), "image/jpeg"))],
    )
    assert answer.status_code == 200, answer.text
    login_as(client, session, "walk_leader")
    walk = plan_walk(client, session)
    client.cookies.clear()
    _obs, walk_photo = captured(client, session, walk_code=walk.join_code)
    session.expire_all()
    reviews = {p.review for p in session.exec(select(Photo)).all()}
    assert reviews == {PhotoReview.pending}
    assert walk_photo.sha256 not in client.get(f"/w/{walk.join_code}/items").text


def test_staffs_after_photo_is_public_at_once(client, session) -> None:
    obs, _photo = captured(client, session)
    triager = login_as(client, session, "triager")
    lifecycle.transition(
        session=session, obs=obs, to=Status.triaged, actor=lifecycle.Actor.staff(triager)
    )
    answer = update(
        client,
        obs,
        as_shown(session, obs, to="fixed", note="New lamp."),
        files={"after_photo": ("after.jpg", jpeg_bytes(), "image/jpeg")},
    )
    assert answer.status_code == 303, answer.text
    session.expire_all()
    after = session.exec(
        select(Photo).where(Photo.observation_id == obs.id, Photo.kind == PhotoKind.after)
    ).one()
    assert after.review == PhotoReview.public


def test_the_queue_filters_and_counts_photos_waiting(client, session) -> None:
    waiting, _photo = captured(client, session)
    approved, approved_photo = captured(client, session)
    without = post_observation(client, headers={"Accept": "application/json"})
    assert without.status_code == 201
    login_as(client, session, "triager")
    review(client, approved, approved_photo, "approve")

    queue = client.get("/triage")
    assert "1 report has photos waiting for moderation" in queue.text
    filtered = client.get("/triage?photos_waiting=true")
    assert f'href="/triage/{waiting.id}' in filtered.text
    assert f'href="/triage/{approved.id}' not in filtered.text
    assert "1 observation matches" in filtered.text
    everything = client.get("/triage")
    assert f'href="/triage/{approved.id}' in everything.text


def test_a_unit_only_counts_and_moderates_its_own(client, session) -> None:
    obs, photo = captured(client, session)
    obs.unit_id = None
    session.add(obs)
    session.commit()
    login_as(client, session, "unit_worker", unit="parks")
    assert "waiting for moderation</a>" not in client.get("/triage").text
    assert review(client, obs, photo, "approve").status_code == 403
    session.refresh(photo)
    assert photo.review == PhotoReview.pending


BAD_REGIONS = [
    {"left": "nan"},
    {"width": "inf"},
    {"left": "abc"},
    {"left": "150"},
    {"width": "0"},
    {"left": "\x00"},
    {"left": "95", "width": "50", "top": "99.5"},  # clipped to almost nothing
]


def test_a_bad_region_is_refused_not_a_500(client, session) -> None:
    obs, photo = captured(client, session)
    login_as(client, session, "triager")
    for region in BAD_REGIONS:
        answer = blur(client, obs, photo, **region)
        assert 400 <= answer.status_code < 500, (region, answer.text)
        htmx = blur(client, obs, photo, headers=HTMX, **region)
        assert 400 <= htmx.status_code < 500, (region, htmx.text)
    session.refresh(photo)
    assert photo.public_sha256 is None and photo.review == PhotoReview.pending


def test_bad_decisions_and_other_reports_photos(client, session) -> None:
    obs, photo = captured(client, session)
    other, _ = captured(client, session)
    login_as(client, session, "triager")
    assert review(client, obs, photo, "publish-everything").status_code == 422
    assert review(client, other, photo, "approve").status_code == 404
    missing = client.post(
        f"/triage/{obs.id}/photos/99999999/review",
        data={"csrf_token": csrf_token(client), "decision": "approve"},
    )
    assert missing.status_code == 404
    no_csrf = client.post(
        f"/triage/{obs.id}/photos/{photo.id}/review", data={"decision": "approve"}
    )
    assert no_csrf.status_code == 403


def test_a_walk_leader_sees_only_public_photos_on_the_walk_pages(client, session) -> None:
    """A walk leader is staff but does not work on reports: the rule gives them what the
    public sees."""
    login_as(client, session, "walk_leader")
    walk = plan_walk(client, session)
    leader_cookies = dict(client.cookies)
    client.cookies.clear()
    obs, photo = captured(client, session, walk_code=walk.join_code)
    assert obs.walk_id == walk.id
    client.cookies.update(leader_cookies)
    page = client.get(f"/walks/{walk.id}")
    assert page.status_code == 200
    assert photo.sha256 not in page.text
