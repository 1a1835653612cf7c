"""Who may be served which photo file (photo_access.may_serve) and what every public place
shows of an observation's photos (photo_public): only photos whose review is public, the
blurred copy instead of the original, never a private category's; staff who work on the
observation see everything, other staff (planners, walk leaders) only what the public sees."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from app.config import Settings
from app.models import (
    Observation,
    Photo,
    PhotoKind,
    PhotoReview,
    StaffUser,
    Status,
    Walk,
)
from app.services import (
    handoff,
    observations,
    open311_requests,
    photo_access,
    public,
    quarterly,
    support,
    walk_items,
)
from app.services.indicators import Period
from app.services.open311_query import RequestQuery
from tests.factories import CENTRUM, insert_observation, make_staff


def sha() -> str:
    return uuid.uuid4().hex + uuid.uuid4().hex


def add_photo(
    session: Session,
    obs: Observation,
    review: PhotoReview,
    *,
    kind: PhotoKind = PhotoKind.report,
    blurred: bool = False,
    position: int = 0,
) -> Photo:
    photo = Photo(
        observation_id=obs.id,  # type: ignore[arg-type]
        sha256=sha(),
        public_sha256=sha() if blurred else None,
        width=800,
        height=600,
        kind=kind,
        review=review,
        position=position,
    )
    session.add(photo)
    session.commit()
    session.refresh(photo)
    return photo


def report(session: Session, **fields) -> Observation:  # type: ignore[no-untyped-def]
    return insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1], **fields)


def served(session: Session, digest: str, viewer: StaffUser | None = None) -> bool:
    return photo_access.may_serve(session, sha256=digest, viewer=viewer)


def test_the_public_gets_only_approved_photos_and_the_blurred_copy(session: Session) -> None:
    obs = report(session)
    pending = add_photo(session, obs, PhotoReview.pending)
    hidden = add_photo(session, obs, PhotoReview.hidden, position=1)
    approved = add_photo(session, obs, PhotoReview.public, position=2)
    blurred = add_photo(session, obs, PhotoReview.public, blurred=True, position=3)

    assert not served(session, pending.sha256)
    assert not served(session, hidden.sha256)
    assert served(session, approved.sha256)
    assert served(session, blurred.public_sha256)  # type: ignore[arg-type]
    # The original of a blurred photo is never public.
    assert not served(session, blurred.sha256)
    assert not served(session, sha())  # no row names it


def test_a_blurred_copy_of_a_photo_not_public_is_not_served(session: Session) -> None:
    obs = report(session)
    hidden = add_photo(session, obs, PhotoReview.hidden, blurred=True)
    assert not served(session, hidden.public_sha256)  # type: ignore[arg-type]


def test_staff_who_work_on_it_see_everything_others_only_what_the_public_sees(
    session: Session,
) -> None:
    obs = report(session, unit_id=None)
    pending = add_photo(session, obs, PhotoReview.pending)
    blurred = add_photo(session, obs, PhotoReview.public, blurred=True, position=1)
    triager = make_staff(session, "triager")
    admin = make_staff(session, "admin")
    planner = make_staff(session, "planner")
    leader = make_staff(session, "walk_leader")
    for staff in (triager, admin):
        assert served(session, pending.sha256, staff)
        assert served(session, blurred.sha256, staff)
        assert served(session, blurred.public_sha256, staff)  # type: ignore[arg-type]
    for other in (planner, leader):
        assert not served(session, pending.sha256, other)
        assert not served(session, blurred.sha256, other)
        assert served(session, blurred.public_sha256, other)  # type: ignore[arg-type]


def test_a_units_staff_see_originals_of_their_units_reports_only(session: Session) -> None:
    worker = make_staff(session, "unit_worker", unit="street-lighting")
    other_worker = make_staff(session, "unit_worker", unit="parks")
    obs = report(session, unit_id=worker.unit_id)
    pending = add_photo(session, obs, PhotoReview.pending)
    assert served(session, pending.sha256, worker)
    assert not served(session, pending.sha256, other_worker)
    worker.active = False
    session.add(worker)
    session.commit()
    assert not served(session, pending.sha256, worker)


def test_a_private_categorys_photos_are_never_public(session: Session) -> None:
    obs = report(session, category="drug-dealing")
    approved = add_photo(session, obs, PhotoReview.public)
    assert not served(session, approved.sha256)
    assert not served(session, approved.sha256, make_staff(session, "planner"))
    assert served(session, approved.sha256, make_staff(session, "triager"))


def test_one_file_of_two_rows_is_served_when_one_row_allows_it(session: Session) -> None:
    """Files are content-addressed: the same picture sent twice is one file."""
    first, second = report(session), report(session)
    pending = add_photo(session, first, PhotoReview.pending)
    assert not served(session, pending.sha256)
    twin = add_photo(session, second, PhotoReview.public)
    twin.sha256 = pending.sha256
    session.add(twin)
    session.commit()
    assert served(session, pending.sha256)


# --- Every public place shows only what photo_public allows. ---


def urls_of(found) -> set[str]:  # type: ignore[no-untyped-def]
    return {p.url for p in found} | {p.thumb_url for p in found}


def test_the_public_report_shows_approved_photos_and_counts_those_waiting(
    session: Session,
) -> None:
    obs = report(session)
    pending = add_photo(session, obs, PhotoReview.pending)
    blurred = add_photo(session, obs, PhotoReview.public, blurred=True, position=1)
    after = add_photo(session, obs, PhotoReview.public, kind=PhotoKind.after)
    hidden_after = add_photo(session, obs, PhotoReview.hidden, kind=PhotoKind.after, position=1)

    view = public.observation(session=session, obs=obs)

    assert [p.sha256 for p in view.photos] == [blurred.public_sha256]
    assert pending.sha256 not in str(urls_of(view.photos))
    assert blurred.sha256 not in str(urls_of(view.photos))
    assert [p.sha256 for p in view.after_photos] == [after.sha256]
    assert hidden_after.sha256 not in str(urls_of(view.after_photos))
    assert view.photos_waiting == 1


def test_the_public_list_and_me_too_offers_show_only_public_thumbnails(
    session: Session,
) -> None:
    waiting = report(session)
    pending = add_photo(session, waiting, PhotoReview.pending)
    shown = report(session)
    blurred = add_photo(session, shown, PhotoReview.public, blurred=True)

    listed = {row.id: row.thumb_url for row in observations.recent(session=session)}
    assert listed[waiting.id] is None  # type: ignore[index]
    assert listed[shown.id] and blurred.public_sha256 in listed[shown.id]  # type: ignore[index, operator]

    offered = {
        o.id: o.thumb_url
        for o in support.offers(
            session=session, category_slug="dark-spot", lat=CENTRUM[0], lon=CENTRUM[1], radius_m=50
        )
    }
    assert offered[waiting.id] is None  # type: ignore[index]
    assert blurred.public_sha256 in offered[shown.id]  # type: ignore[index, operator]
    assert pending.sha256 not in str(offered) and blurred.sha256 not in str(offered)


def test_open311_media_url_is_the_public_photo(session: Session, settings: Settings) -> None:
    waiting = report(session)
    add_photo(session, waiting, PhotoReview.pending)
    shown = report(session)
    blurred = add_photo(session, shown, PhotoReview.public, blurred=True)

    found = open311_requests.find_requests(
        session=session,
        settings=settings,
        query=RequestQuery(ids=(waiting.id, shown.id)),  # type: ignore[arg-type]
    )
    media = {int(d["service_request_id"]): d.get("media_url") for d in found}
    assert not media[waiting.id]  # type: ignore[index]
    assert blurred.public_sha256 in media[shown.id]  # type: ignore[index, operator]
    assert blurred.sha256 not in media[shown.id]  # type: ignore[index, operator]


def test_walk_items_show_what_the_public_sees(session: Session, settings: Settings) -> None:
    leader = make_staff(session, "walk_leader")
    walk = Walk(
        title="Evening walk",
        join_code="MODWLK",
        leader_id=leader.id,
        starts_at=datetime(2026, 10, 1, 17, tzinfo=UTC),
    )
    session.add(walk)
    session.commit()
    waiting = report(session, walk_id=walk.id)
    pending = add_photo(session, waiting, PhotoReview.pending)
    shown = report(session, walk_id=walk.id)
    blurred = add_photo(session, shown, PhotoReview.public, blurred=True)
    private = report(session, walk_id=walk.id, category="drug-dealing")
    add_photo(session, private, PhotoReview.public)

    items = {
        i.id: i
        for i in walk_items.items(session=session, walk_id=walk.id, settings=settings, lang="en")  # type: ignore[arg-type]
    }
    assert items[waiting.id].photos == []  # type: ignore[index]
    assert [p.sha256 for p in items[shown.id].photos] == [blurred.public_sha256]  # type: ignore[index]
    assert items[private.id].photos == []  # type: ignore[index]
    cosign = walk_items.items_for_participants(
        session=session, walk=walk, settings=settings, lang="en"
    )
    thumbs = {i.id: i.thumb_url for i in cosign}
    assert thumbs[waiting.id] is None  # type: ignore[index]
    assert blurred.public_sha256 in thumbs[shown.id]  # type: ignore[index, operator]
    assert pending.sha256 not in str(thumbs)


def test_the_quarterly_page_shows_only_public_photos(session: Session) -> None:
    fixed_at = datetime(2026, 9, 1, 9, tzinfo=UTC)
    obs = report(
        session,
        category="graffiti",
        status=Status.fixed,
        fixed_at=fixed_at,
        photos_published=True,
        created_at=datetime(2026, 7, 20, 10, tzinfo=UTC),
    )
    add_photo(session, obs, PhotoReview.pending)
    blurred = add_photo(session, obs, PhotoReview.public, blurred=True, position=1)
    after = add_photo(session, obs, PhotoReview.public, kind=PhotoKind.after)
    hidden_only = report(
        session,
        category="graffiti",
        status=Status.fixed,
        fixed_at=fixed_at,
        photos_published=True,
        created_at=datetime(2026, 7, 20, 10, tzinfo=UTC),
    )
    add_photo(session, hidden_only, PhotoReview.hidden, kind=PhotoKind.after)

    page = quarterly.build(
        session=session, period=Period(2026, 3), now=datetime(2026, 12, 1, tzinfo=UTC)
    )

    assert len(page.fixes_shown) == 1  # a fix whose after photo is hidden shows no fix
    fix = page.fixes_shown[0]
    assert [p.sha256 for p in fix.before] == [blurred.public_sha256]
    assert [p.sha256 for p in fix.after] == [after.sha256]


def test_an_outside_owner_gets_only_the_public_photos(session: Session) -> None:
    obs = report(session)
    add_photo(session, obs, PhotoReview.pending)
    blurred = add_photo(session, obs, PhotoReview.public, blurred=True, position=1)
    assert [p.id for p in handoff.report_photos(session=session, obs=obs)] == [blurred.id]


@pytest.mark.parametrize("review", [PhotoReview.pending, PhotoReview.hidden])
def test_no_public_place_names_a_photo_not_public(session: Session, review: PhotoReview) -> None:
    obs = report(session)
    photo = add_photo(session, obs, review)
    view = public.observation(session=session, obs=obs)
    assert view.photos == []
    assert photo.sha256 not in str(view)


def test_a_private_reports_tracking_page_names_no_photo(session: Session) -> None:
    """Its files are never served outside staff, so the reporter's page shows none."""
    obs = report(session, category="drug-dealing")
    photo = add_photo(session, obs, PhotoReview.public)
    view = public.observation(session=session, obs=obs)
    assert view.photos == [] and view.photos_waiting == 0
    assert photo.sha256 not in str(view)


def test_the_rule_is_one_query_whoever_asks(session: Session) -> None:
    from sqlalchemy import event

    obs = report(session)
    photo = add_photo(session, obs, PhotoReview.public, blurred=True)
    triager = make_staff(session, "triager")
    digest, viewer_id = photo.public_sha256, triager.id
    session.expire_all()
    viewer = session.get(StaffUser, viewer_id)  # loaded, as the media route's visitor is
    assert viewer is not None and viewer.role
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert served(session, digest, None)  # type: ignore[arg-type]
        assert served(session, digest, viewer)  # type: ignore[arg-type]
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(seen) == 2
