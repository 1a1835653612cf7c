"""Moderating a photo: approve, hide, blur a region (a new content-addressed file in the media
store, with its thumbnail; the original stays), remove the blur; each a history line; only
staff who work on the report; a region that is not a rectangle on the photo is refused."""

from __future__ import annotations

import hashlib
import math
from io import BytesIO

import pytest
from PIL import Image, ImageChops, ImageStat
from sqlmodel import Session, select

from app.config import Settings
from app.models import Observation, ObservationEvent, Photo, PhotoReview
from app.services import media_store, photo_moderation, photos
from tests.factories import CENTRUM, insert_observation, jpeg_bytes, make_staff


def stored_photo(session: Session, settings: Settings, **obs_fields) -> tuple[Observation, Photo]:  # type: ignore[no-untyped-def]
    obs = insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1], **obs_fields)
    stored = photos.ingest(
        jpeg_bytes(1200, 800),
        store=media_store.open_store(settings),
        limits=photos.limits(settings),
    )
    photo = Photo(
        observation_id=obs.id,  # type: ignore[arg-type]
        sha256=stored.sha256,
        width=stored.width,
        height=stored.height,
        review=PhotoReview.pending,
    )
    session.add(photo)
    session.commit()
    session.refresh(photo)
    return obs, photo


def picture(settings: Settings, digest: str, *, thumb: bool = False) -> Image.Image:
    data = media_store.open_store(settings).get(media_store.photo_key(digest, thumb=thumb))
    assert hashlib.sha256(data).hexdigest() == digest or thumb  # content-addressed
    img = Image.open(BytesIO(data))
    img.load()
    return img


def notes(session: Session, obs: Observation) -> list[str]:
    session.expire_all()
    return [
        e.internal_note
        for e in session.exec(
            select(ObservationEvent).where(ObservationEvent.observation_id == obs.id)
        ).all()
    ]


def test_a_residents_photo_starts_pending_unless_moderation_is_immediate(
    make_settings_review: Settings, settings: Settings
) -> None:
    assert photo_moderation.initial_review(make_settings_review) == PhotoReview.pending
    assert photo_moderation.initial_review(settings) == PhotoReview.public  # tests' default


def test_approve_and_hide_are_recorded_with_who_and_when(
    session: Session, settings: Settings
) -> None:
    obs, photo = stored_photo(session, settings)
    triager = make_staff(session, "triager")

    photo_moderation.approve(session=session, obs=obs, photo=photo, actor=triager)
    assert photo.review == PhotoReview.public
    assert photo.reviewed_by_id == triager.id and photo.reviewed_at is not None
    photo_moderation.hide(session=session, obs=obs, photo=photo, actor=triager)
    assert photo.review == PhotoReview.hidden

    assert notes(session, obs) == [
        "Photo 1 shown to the public.",
        "Photo 1 hidden from the public.",
    ]


def test_blurring_makes_a_new_file_the_public_sees_and_keeps_the_original(
    session: Session, settings: Settings
) -> None:
    obs, photo = stored_photo(session, settings)
    original = photo.sha256
    triager = make_staff(session, "triager")
    region = photo_moderation.Region.checked(0.5, 0.5, 0.25, 0.25)

    photo_moderation.blur(
        session=session, obs=obs, photo=photo, actor=triager, region=region, settings=settings
    )

    assert photo.sha256 == original
    assert photo.public_sha256 and photo.public_sha256 != original
    assert photo.review == PhotoReview.public  # blurring publishes the blurred copy
    before, after = picture(settings, original), picture(settings, photo.public_sha256)
    assert after.size == before.size and not after.info.get("exif")
    thumb = picture(settings, photo.public_sha256, thumb=True)
    assert max(thumb.size) == settings.thumb_max_px
    # Outside the region nothing changed (but JPEG noise); inside the detail is gone.
    assert _difference(before, after, (0, 0, 500, 300)) < 3
    assert notes(session, obs) == ["A region of photo 1 blurred; the public sees the blurred copy."]


def test_the_blurred_region_loses_its_detail(settings: Settings) -> None:
    img = Image.new("RGB", (400, 400), (255, 255, 255))
    for x in range(0, 400, 4):  # fine stripes: what a number plate's letters are
        for y in range(400):
            img.putpixel((x, y), (0, 0, 0))
    out = BytesIO()
    img.save(out, "JPEG", quality=95)
    region = photo_moderation.Region.checked(0.25, 0.25, 0.5, 0.5)

    blurred, _thumb = photo_moderation.blurred(out.getvalue(), region, thumb_px=100)

    result = Image.open(BytesIO(blurred)).convert("L")
    inside = [result.getpixel((x, 200)) for x in range(120, 280)]
    outside = [result.getpixel((x, 20)) for x in range(120, 280)]
    assert max(inside) - min(inside) < 40  # the stripes are gone
    assert max(outside) - min(outside) > 150  # and kept outside the region


def test_a_second_blur_adds_to_the_first(session: Session, settings: Settings) -> None:
    obs, photo = stored_photo(session, settings)
    triager = make_staff(session, "triager")
    for x in (0.1, 0.6):
        photo_moderation.blur(
            session=session,
            obs=obs,
            photo=photo,
            actor=triager,
            region=photo_moderation.Region.checked(x, 0.1, 0.2, 0.2),
            settings=settings,
        )
    first_only = photo_moderation.blurred(
        media_store.open_store(settings).get(media_store.photo_key(photo.sha256)),
        photo_moderation.Region.checked(0.1, 0.1, 0.2, 0.2),
        thumb_px=settings.thumb_max_px,
    )[0]
    assert photo.public_sha256 != hashlib.sha256(first_only).hexdigest()

    photo_moderation.unblur(session=session, obs=obs, photo=photo, actor=triager)
    assert photo.public_sha256 is None
    # Only the blurred copy was shown: the original waits for someone to approve it.
    assert photo.review == PhotoReview.pending
    assert notes(session, obs)[-1] == "Blurred copy of photo 1 removed."


def test_blurring_a_hidden_photo_keeps_it_hidden(session: Session, settings: Settings) -> None:
    obs, photo = stored_photo(session, settings)
    triager = make_staff(session, "triager")
    photo_moderation.hide(session=session, obs=obs, photo=photo, actor=triager)
    photo_moderation.blur(
        session=session,
        obs=obs,
        photo=photo,
        actor=triager,
        region=photo_moderation.Region.checked(0.1, 0.1, 0.2, 0.2),
        settings=settings,
    )
    assert photo.public_sha256 and photo.review == PhotoReview.hidden
    photo_moderation.unblur(session=session, obs=obs, photo=photo, actor=triager)
    assert photo.review == PhotoReview.hidden


def test_only_staff_who_work_on_the_report_may_moderate(
    session: Session, settings: Settings
) -> None:
    owner = make_staff(session, "unit_worker", unit="street-lighting")
    obs, photo = stored_photo(session, settings, unit_id=owner.unit_id)
    for outsider in (
        make_staff(session, "unit_worker", unit="parks"),
        make_staff(session, "planner"),
        make_staff(session, "walk_leader"),
    ):
        with pytest.raises(photo_moderation.ModerationRefused) as refused:
            photo_moderation.approve(session=session, obs=obs, photo=photo, actor=outsider)
        assert refused.value.status_code == 403
    with pytest.raises(photo_moderation.ModerationRefused):
        photo_moderation.blur(
            session=session,
            obs=obs,
            photo=photo,
            actor=make_staff(session, "planner"),
            region=photo_moderation.Region.checked(0, 0, 0.5, 0.5),
            settings=settings,
        )
    session.refresh(photo)
    assert photo.review == PhotoReview.pending and photo.public_sha256 is None
    photo_moderation.approve(session=session, obs=obs, photo=photo, actor=owner)
    assert photo.review == PhotoReview.public


@pytest.mark.parametrize(
    ("region", "clipped"),
    [
        ((0.9, 0.9, 0.5, 0.5), (0.9, 0.9, 0.1, 0.1)),
        ((-0.2, 0.0, 0.4, 1.0), (0.0, 0.0, 0.2, 1.0)),
    ],
)
def test_a_region_is_clipped_to_the_photo(region, clipped) -> None:  # type: ignore[no-untyped-def]
    got = photo_moderation.Region.checked(*region)
    assert [round(v, 6) for v in (got.x, got.y, got.w, got.h)] == list(clipped)


@pytest.mark.parametrize(
    "region",
    [(math.nan, 0, 0.5, 0.5), (0, 0, math.inf, 0.5), (1.0, 0, 0.5, 0.5), (0.2, 0.2, 0.001, 0.5)],
)
def test_a_region_off_the_photo_or_too_small_is_refused(region) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(photo_moderation.ModerationRefused) as refused:
        photo_moderation.Region.checked(*region)
    assert refused.value.status_code == 422


def test_a_photo_of_another_report_is_not_found(session: Session, settings: Settings) -> None:
    obs, photo = stored_photo(session, settings)
    other = insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1])
    with pytest.raises(photo_moderation.ModerationRefused) as refused:
        photo_moderation.photo_of(session=session, obs=other, photo_id=photo.id)  # type: ignore[arg-type]
    assert refused.value.status_code == 404
    assert photo_moderation.photo_of(session=session, obs=obs, photo_id=photo.id) == photo  # type: ignore[arg-type]


def _difference(a: Image.Image, b: Image.Image, box: tuple[int, int, int, int]) -> float:
    """The mean difference per channel (0..255) of the two pictures within `box`."""
    diff = ImageChops.difference(a.convert("RGB").crop(box), b.convert("RGB").crop(box))
    return sum(ImageStat.Stat(diff).mean) / 3


@pytest.fixture
def make_settings_review(database_url: str, tmp_path) -> Settings:  # type: ignore[no-untyped-def]
    from tests.conftest import make_settings

    return make_settings(database_url, tmp_path, photo_moderation="review")
