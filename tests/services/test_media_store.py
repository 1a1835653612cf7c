"""The photo stores: the local folder and an S3-compatible bucket (moto's server on loopback,
tests/s3server.py) keep the same promises; a store that cannot be reached says so
(MediaStoreError) instead of passing for an empty one."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services import media_store
from app.services.media_store import (
    LocalStore,
    MediaMissing,
    MediaStore,
    MediaStoreError,
    S3Store,
    open_store,
    photo_key,
)
from tests.conftest import free_port, make_settings
from tests.s3server import BUCKET, REGION, S3Server


@pytest.fixture(params=["local", "s3"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MediaStore]:
    if request.param == "local":
        yield LocalStore(tmp_path / "media")
        return
    server: S3Server = request.getfixturevalue("s3_server")
    yield S3Store(BUCKET, f"{tmp_path.name}/media", endpoint_url=server.endpoint_url, region=REGION)


SHA = hashlib.sha256(b"a photo").hexdigest()


def test_a_file_put_is_got_back_whole_listed_and_deleted(any_store: MediaStore) -> None:
    key, thumb = photo_key(SHA), photo_key(SHA, thumb=True)
    assert (key, thumb) == (f"photos/{SHA[:2]}/{SHA}.jpg", f"thumbs/{SHA[:2]}/{SHA}.jpg")
    assert not any_store.exists(key)
    any_store.put(key, b"a photo")
    any_store.put(thumb, b"its thumbnail")
    any_store.put(key, b"a photo")  # content-addressed: a second write is harmless

    assert any_store.get(key) == b"a photo"
    assert any_store.exists(key)
    assert sorted(any_store.keys()) == [key, thumb]
    assert list(any_store.keys("thumbs/")) == [thumb]

    any_store.delete(key)
    any_store.delete(key)  # already gone: no error
    assert not any_store.exists(key)
    with pytest.raises(MediaMissing):
        any_store.get(key)
    any_store.check()  # readable and writable, and leaves nothing behind
    assert list(any_store.keys()) == [thumb]


def test_two_prefixes_in_one_bucket_are_two_stores(s3_server: S3Server) -> None:
    one = S3Store(BUCKET, "one", endpoint_url=s3_server.endpoint_url, region=REGION)
    other = S3Store(BUCKET, "/other/", endpoint_url=s3_server.endpoint_url, region=REGION)
    one.put("photos/ab/x.jpg", b"1")
    assert list(other.keys()) == [] and not other.exists("photos/ab/x.jpg")
    other.put("photos/ab/x.jpg", b"2")
    assert (one.get("photos/ab/x.jpg"), other.get("photos/ab/x.jpg")) == (b"1", b"2")
    assert s3_server.client.get_object(Bucket=BUCKET, Key="other/photos/ab/x.jpg")["Body"].read()
    assert one.describe() == f"s3://{BUCKET}/one/ at {s3_server.endpoint_url}"


def test_the_settings_choose_the_store(tmp_path: Path, s3_server: S3Server) -> None:
    local = open_store(make_settings("sqlite://", tmp_path, media_url=""))
    assert isinstance(local, LocalStore) and local.root == tmp_path / "media"
    s3 = open_store(
        make_settings(
            "sqlite://",
            tmp_path,
            media_url=f"s3://{BUCKET}/town/photos",
            media_s3_endpoint_url=s3_server.endpoint_url,
            media_s3_region=REGION,
        )
    )
    assert isinstance(s3, S3Store) and (s3.bucket, s3.prefix) == (BUCKET, "town/photos/")
    for wrong in ("https://bucket/x", "s3:///no-bucket", "/srv/photos"):
        with pytest.raises(MediaStoreError, match="s3://bucket/prefix"):
            open_store(make_settings("sqlite://", tmp_path, media_url=wrong))


def test_every_store_of_one_endpoint_shares_one_client(s3_server: S3Server) -> None:
    a = S3Store(BUCKET, "a", endpoint_url=s3_server.endpoint_url, region=REGION)
    b = S3Store(BUCKET, "b", endpoint_url=s3_server.endpoint_url, region=REGION)
    assert a.client is b.client  # made once: a client costs tens of milliseconds


def test_a_bucket_that_is_not_there_is_an_error_not_an_empty_store(s3_server: S3Server) -> None:
    store = S3Store("no-such-bucket", "", endpoint_url=s3_server.endpoint_url, region=REGION)
    with pytest.raises(MediaStoreError, match="NoSuchBucket"):
        store.put(photo_key(SHA), b"a photo")
    with pytest.raises(MediaStoreError):
        store.get(photo_key(SHA))
    with pytest.raises(MediaStoreError):
        list(store.keys())
    with pytest.raises(MediaStoreError):
        store.check()


def test_a_store_nobody_answers_at_fails_quickly(s3_server: S3Server) -> None:
    store = S3Store(BUCKET, "", endpoint_url=f"http://127.0.0.1:{free_port()}", region=REGION)
    started = time.monotonic()
    with pytest.raises(MediaStoreError, match="put_object"):
        store.put(photo_key(SHA), b"a photo")
    assert time.monotonic() - started < 10  # retried a few times, then given up


def test_a_local_folder_that_cannot_be_written_is_a_store_error(tmp_path: Path) -> None:
    blocked = tmp_path / "media"
    blocked.write_bytes(b"a file where the folder should be")
    store = LocalStore(blocked)
    with pytest.raises(MediaStoreError, match="writing"):
        store.put(photo_key(SHA), b"a photo")
    with pytest.raises(MediaStoreError):
        store.check()


def test_a_key_cannot_leave_its_store(any_store: MediaStore, tmp_path: Path) -> None:
    (tmp_path / "secret").write_bytes(b"not a photo")
    any_store.put("photos/ab/x.jpg", b"a photo")
    for key in ("../secret", "photos/../../secret"):
        with pytest.raises(MediaMissing):
            any_store.get(key)
        assert not any_store.exists(key)


def test_open_store_is_opened_once_per_configuration(tmp_path: Path) -> None:
    settings = make_settings("sqlite://", tmp_path)
    assert open_store(settings) is open_store(settings)
    assert media_store.open_store(make_settings("sqlite://", tmp_path / "other")) is not (
        open_store(settings)
    )
