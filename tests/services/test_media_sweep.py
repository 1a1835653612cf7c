"""The sweep of unnamed files (services/media_sweep, in every retention pass): a photo file no
row names goes once it is older than the grace, and not before; every file a row names stays,
as its photo or as its blurred copy, with their thumbnails; a dry run only counts.

A file's time is the store's (the folder's mtime, or S3's LastModified, set by the test S3
server from the wall clock), so these tests stop the app's clock at the wall clock's time and
move it on from there."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import Session

from app import clock
from app.config import Settings
from app.models import Observation, Photo, PhotoReview
from app.services import media_store, media_sweep, photo_moderation, photos, retention
from app.services.media_store import MediaStore, photo_key
from tests.factories import CENTRUM, insert_observation, jpeg_bytes, make_staff

# The grace is an hour: longer than an upload takes between its files and its row.
YOUNG, OLD = timedelta(minutes=59), timedelta(minutes=62)


@pytest.fixture
def wall_clock() -> Iterator[datetime]:
    """The app's clock stopped at the wall clock's time, before any file of the test is written."""
    at = datetime.now(UTC) - timedelta(seconds=1)
    clock.set_to(at)
    yield at
    clock.set_to(None)


def stored(media: MediaStore, settings: Settings, width: int) -> str:
    """A photo and its thumbnail written to the store, as an upload does before its row."""
    return photos.ingest(jpeg_bytes(width, 300), store=media, limits=photos.limits(settings)).sha256


def name(session: Session, sha: str, *, blurred: str | None = None) -> Photo:
    obs = insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1])
    photo = Photo(
        observation_id=obs.id,  # type: ignore[arg-type]
        sha256=sha,
        public_sha256=blurred,
        width=400,
        height=300,
    )
    session.add(photo)
    session.commit()
    session.refresh(photo)
    return photo


def files(media: MediaStore, sha: str) -> list[bool]:
    return [media.exists(photo_key(sha)), media.exists(photo_key(sha, thumb=True))]


def test_the_store_lists_its_files_with_when_they_were_written(media, wall_clock) -> None:
    media.put("photos/ab/abc.jpg", b"one")
    listed = dict(media.listing("photos/"))
    assert list(listed) == ["photos/ab/abc.jpg"]
    written = listed["photos/ab/abc.jpg"]
    # S3 keeps whole seconds.
    assert wall_clock - timedelta(seconds=1) <= written <= datetime.now(UTC)
    assert written.tzinfo is not None
    assert media.modified("photos/ab/abc.jpg") == written
    with pytest.raises(media_store.MediaMissing):
        media.modified("photos/ab/none.jpg")
    assert dict(media.listing("thumbs/")) == {}


def test_writing_the_same_bytes_again_refreshes_a_local_files_time(tmp_path: Path) -> None:
    store = media_store.LocalStore(tmp_path)
    store.put("photos/ab/abc.jpg", b"one")
    long_ago = datetime(2020, 1, 1, tzinfo=UTC).timestamp()
    os.utime(tmp_path / "photos/ab/abc.jpg", (long_ago, long_ago))
    before = datetime.now(UTC) - timedelta(seconds=1)
    store.put("photos/ab/abc.jpg", b"one")
    assert store.modified("photos/ab/abc.jpg") >= before
    assert store.get("photos/ab/abc.jpg") == b"one"


def test_an_unnamed_photo_goes_after_the_grace_and_named_files_stay(
    session, settings, media, wall_clock
) -> None:
    failed_upload = stored(media, settings, 400)
    original, blurred_copy = stored(media, settings, 410), stored(media, settings, 420)
    name(session, original, blurred=blurred_copy)
    # Not photo files of ours: a probe, a temporary file, a name that is no hash.
    others = ["photos/ab/.probe.jpg", "thumbs/ab/.tmp-x.jpg", "photos/ho/holiday.jpg"]
    for key in others:
        media.put(key, b"x")

    clock.advance(YOUNG)
    assert media_sweep.sweep(session=session, store=media) == 0
    assert files(media, failed_upload) == [True, True]

    clock.advance(OLD - YOUNG)
    assert media_sweep.sweep(session=session, store=media) == 2
    assert files(media, failed_upload) == [False, False]
    assert files(media, original) == files(media, blurred_copy) == [True, True]
    assert all(media.exists(key) for key in others)
    assert media_sweep.sweep(session=session, store=media) == 0


def test_a_dry_run_counts_and_deletes_nothing_and_retention_reports_the_count(
    session, settings, media, wall_clock
) -> None:
    unnamed = stored(media, settings, 400)
    name(session, stored(media, settings, 410))
    clock.advance(OLD)

    counts = retention.run_once(session=session, settings=settings, dry_run=True).counts
    assert counts["orphan_files"] == 2
    assert files(media, unnamed) == [True, True]

    counts = retention.run_once(session=session, settings=settings).counts
    assert counts["orphan_files"] == 2
    assert files(media, unnamed) == [False, False]


def test_a_file_written_again_since_it_was_listed_stays(
    session, settings, media, wall_clock
) -> None:
    """The age is looked at again right before a file goes: an upload of the same bytes
    refreshes the file while the sweep works through the list it made earlier."""
    sha = stored(media, settings, 400)

    class ListedLongAgo:
        def __getattr__(self, attr: str) -> object:
            return getattr(media, attr)

        def listing(self, prefix: str = "") -> Iterator[tuple[str, datetime]]:
            for key, _modified in media.listing(prefix):
                yield key, datetime(2020, 1, 1, tzinfo=UTC)

    assert media_sweep.sweep(session=session, store=ListedLongAgo()) == 0  # type: ignore[arg-type]
    assert files(media, sha) == [True, True]


def test_the_database_is_asked_once_per_page_of_listed_files(
    session, settings, media, wall_clock, monkeypatch
) -> None:
    unnamed = [stored(media, settings, 400 + 10 * i) for i in range(3)]
    named = stored(media, settings, 450)
    name(session, named)
    clock.advance(OLD)
    monkeypatch.setattr(media_sweep, "PAGE", 2)
    questions: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        if "UNION" in statement:
            questions.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert media_sweep.sweep(session=session, store=media) == 6
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(questions) == 4  # 4 photos and 4 thumbnails, 2 a page
    assert all(files(media, sha) == [False, False] for sha in unnamed)
    assert files(media, named) == [True, True]


def test_a_blurred_copy_replaced_or_removed_goes_once_old(
    session, settings, media, wall_clock
) -> None:
    original = stored(media, settings, 1200)
    photo = name(session, original)
    obs = session.get(Observation, photo.observation_id)
    triager = make_staff(session, "triager")

    def blur(x: float) -> str:
        photo_moderation.blur(
            session=session,
            obs=obs,
            photo=photo,
            actor=triager,
            region=photo_moderation.Region.checked(x, 0.1, 0.2, 0.2),
            settings=settings,
        )
        assert photo.public_sha256
        return photo.public_sha256

    first = blur(0.1)
    second = blur(0.6)  # blurs the first copy further: the first is named no more
    clock.advance(OLD)
    assert retention.run_once(session=session, settings=settings).counts["orphan_files"] == 2
    assert files(media, first) == [False, False]
    assert files(media, second) == files(media, original) == [True, True]

    photo_moderation.unblur(session=session, obs=obs, photo=photo, actor=triager)
    assert photo.review == PhotoReview.pending
    assert retention.run_once(session=session, settings=settings).counts["orphan_files"] == 2
    assert files(media, second) == [False, False]
    assert files(media, original) == [True, True]
