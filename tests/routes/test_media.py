"""Photo files are served by the app from the media store (the folder or the bucket), at the
addresses they always had, to whoever photo_access lets see them; a store that fails costs
the resident a "try again" (503), never a report pointing at a photo that is not there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.main import create_app
from app.models import Observation, Photo
from app.services import photo_access
from app.services.media_store import photo_key
from tests.conftest import make_settings
from tests.factories import JSON, count, jpeg_bytes, login_as, post_observation
from tests.s3server import REGION, S3Server


def a_photo(client: TestClient, session: Session) -> Photo:
    answer = post_observation(
        client, photos=[("IMG_0001.jpg", jpeg_bytes(), "image/jpeg")], headers=JSON
    )
    assert answer.status_code == 201, answer.text
    session.expire_all()
    return session.exec(select(Photo)).one()


def test_a_photo_and_its_thumbnail_are_served_from_the_store_and_kept_by_caches(
    client, session, media
):
    photo = a_photo(client, session)
    assert photo.url == f"/media/photos/{photo.sha256[:2]}/{photo.sha256}.jpg"

    for url, key in ((photo.url, photo_key(photo.sha256)), (photo.thumb_url, None)):
        key = key or photo_key(photo.sha256, thumb=True)
        answer = client.get(url)
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "image/jpeg"
        assert answer.content == media.get(key)
        assert answer.headers["cache-control"] == "public, no-cache"

        # Asked again with its ETag: "not modified", without the bytes.
        again = client.get(url, headers={"If-None-Match": answer.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == answer.headers["etag"]

    assert client.get(photo.url).headers["etag"] != client.get(photo.thumb_url).headers["etag"]
    head = client.head(photo.url)
    assert head.status_code == 200 and head.content == b""


@pytest.mark.parametrize(
    "path",
    [
        "/media/photos/{shard}/{sha}.png",  # not a name we give
        "/media/photos/{shard}/{SHA}.jpg",  # upper case is another name
        "/media/photos/00/{sha}.jpg",  # the wrong shard
        "/media/originals/{shard}/{sha}.jpg",  # no such folder
        "/media/photos/{shard}/{sha}",
        "/media/photos/ab/" + "ab" * 32 + ".jpg",  # no photo row names it
    ],
)
def test_what_is_not_a_stored_photo_is_404_and_kept_by_no_cache(client, session, path):
    photo = a_photo(client, session)
    sha = photo.sha256
    answer = client.get(path.format(shard=sha[:2], sha=sha, SHA=sha.upper()))
    assert answer.status_code == 404
    # It may be there later (approved, or the visitor signs in): no cache may keep the 404.
    assert answer.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "path", ["/media/photos/ab/%2e%2e%2f%2e%2e%2fsecret_key", "/media/map.png", "/media/photos"]
)
def test_no_other_file_is_served_under_media(client, session, path):
    a_photo(client, session)
    assert client.get(path).status_code == 404


def test_a_row_whose_file_is_gone_is_404_not_500(client, session, media):
    photo = a_photo(client, session)
    media.delete(photo_key(photo.sha256))
    assert client.get(photo.url).status_code == 404
    assert client.get(photo.thumb_url).status_code == 200


def test_a_photo_only_staff_may_see_is_theirs_alone_and_never_cached(client, session, monkeypatch):
    photo = a_photo(client, session)
    # The rule as moderation has it for a photo not yet looked at: staff only.
    monkeypatch.setattr(
        photo_access, "may_serve", lambda session, *, sha256, viewer: viewer is not None
    )
    anonymous = client.get(photo.url)
    assert anonymous.status_code == 404 and anonymous.headers["cache-control"] == "no-store"

    login_as(client, session, "triager")
    staff = client.get(photo.url)
    assert staff.status_code == 200 and staff.content.startswith(b"\xff\xd8")
    assert staff.headers["cache-control"] == "private, no-store"


def test_the_rule_is_asked_with_the_signed_in_staff_member(client, session, monkeypatch):
    photo = a_photo(client, session)
    asked: list[object] = []

    def rule(session, *, sha256, viewer):  # type: ignore[no-untyped-def]
        asked.append((sha256, viewer and viewer.email))
        return False

    monkeypatch.setattr(photo_access, "may_serve", rule)
    assert client.get(photo.url).status_code == 404
    assert asked == [(photo.sha256, None)]

    user = login_as(client, session, "admin")
    asked.clear()
    assert client.get(photo.thumb_url).status_code == 404
    assert asked == [(photo.sha256, None), (photo.sha256, user.email)]


# --- a store that fails -------------------------------------------------------------------


@pytest.fixture(params=["folder", "bucket"])
def failing_client(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Path
) -> Iterator[TestClient]:
    """An app whose photo store refuses every write: a file where the folder should be, or a
    bucket that does not exist on the S3 server."""
    if request.param == "folder":
        blocked = tmp_path / "blocked"
        blocked.write_bytes(b"")
        settings = make_settings(database_url, tmp_path, media_url="", media_dir=blocked)
    else:
        server: S3Server = request.getfixturevalue("s3_server")
        settings = make_settings(
            database_url,
            tmp_path,
            media_url="s3://no-such-bucket/photos",
            media_s3_endpoint_url=server.endpoint_url,
            media_s3_region=REGION,
        )
    app = create_app(settings)
    with TestClient(app, headers={"Accept-Language": "en"}) as test_client:
        yield test_client
    app.state.engine.dispose()


def test_a_photo_the_store_cannot_take_leaves_no_report_and_says_try_again(failing_client, session):
    photos = [("IMG_0001.jpg", jpeg_bytes(), "image/jpeg")]
    answer = post_observation(failing_client, photos=photos, headers=JSON)
    assert answer.status_code == 503 and answer.headers["retry-after"] == "30"
    assert "try again" in answer.json()["error"]
    page = post_observation(failing_client, photos=photos)
    assert page.status_code == 503 and "Please try again" in page.text

    assert count(session, Observation) == 0
    assert count(session, Photo) == 0
    # A report without a photo needs no store: it is taken.
    assert post_observation(failing_client, headers=JSON).status_code == 201
