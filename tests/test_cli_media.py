"""`safetywalk media migrate`: an instance that kept its photos in the local folder moves them
into a bucket (moto's S3 server on loopback), each file checked by its hash, and then serves
every photo from there; a damaged file is reported, not copied; a second run copies nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.main import create_app
from app.models import Photo
from app.services import media_migration
from app.services.media_store import LocalStore, S3Store, photo_key
from tests.conftest import make_settings
from tests.factories import JSON, jpeg_bytes, post_observation
from tests.s3server import BUCKET, REGION, S3Server


@pytest.fixture
def bucket_env(tmp_path: Path, s3_server: S3Server, database_url: str) -> dict[str, str]:
    return {
        "SAFETYWALK_DATABASE_URL": database_url,
        "SAFETYWALK_DATA_DIR": str(tmp_path / "data"),
        "SAFETYWALK_MEDIA_DIR": str(tmp_path / "media"),
        "SAFETYWALK_MEDIA_URL": f"s3://{BUCKET}/migrated",
        "SAFETYWALK_MEDIA_S3_ENDPOINT_URL": s3_server.endpoint_url,
        "SAFETYWALK_MEDIA_S3_REGION": REGION,
    }


@pytest.fixture
def run(monkeypatch, capsys, bucket_env) -> Iterator[Callable[..., tuple[int, str, str]]]:  # type: ignore[no-untyped-def]
    """run("media", "migrate") -> (exit code, stdout, stderr), in this process."""
    from app import cli
    from app.config import get_settings

    for name, value in bucket_env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()

    def call(*args: str) -> tuple[int, str, str]:
        try:
            code = cli.main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return code, out.out, out.err

    yield call
    get_settings.cache_clear()


def local_app_photos(database_url: str, tmp_path: Path, session) -> list[Photo]:  # type: ignore[no-untyped-def]
    """Two reports with photos, taken by an app that keeps them in the local folder."""
    app = create_app(make_settings(database_url, tmp_path, media_url=""))
    with TestClient(app) as client:
        for width in (900, 1000):
            photo = [("IMG.jpg", jpeg_bytes(width, 700), "image/jpeg")]
            assert post_observation(client, photos=photo, headers=JSON).status_code == 201
    app.state.engine.dispose()
    return list(session.exec(select(Photo)).all())


def test_migrate_copies_every_photo_into_the_bucket_and_the_app_serves_them_from_there(
    database_url, tmp_path, session, s3_server, run
):
    photos = local_app_photos(database_url, tmp_path, session)
    folder = LocalStore(tmp_path / "media")
    assert len(list(folder.keys())) == 4  # two photos, two thumbnails

    code, out, err = run("media", "migrate")
    assert (code, err) == (0, "")
    assert f"to s3://{BUCKET}/migrated/" in out
    assert "copied 4, already there 0, failed 0" in out

    bucket = S3Store(BUCKET, "migrated", endpoint_url=s3_server.endpoint_url, region=REGION)
    keys = sorted(folder.keys(prefix=""))
    assert sorted(bucket.keys()) == keys
    for key in keys:
        assert bucket.get(key) == folder.get(key)

    # The same instance, now configured for the bucket, with the local folder gone.
    for key in keys:
        (tmp_path / "media" / key).unlink()
    settings = make_settings(
        database_url,
        tmp_path,
        media_url=f"s3://{BUCKET}/migrated",
        media_s3_endpoint_url=s3_server.endpoint_url,
        media_s3_region=REGION,
    )
    app = create_app(settings)
    with TestClient(app) as client:
        for photo in photos:
            answer = client.get(photo.url)
            assert answer.status_code == 200
            assert hashlib.sha256(answer.content).hexdigest() == photo.sha256
            assert client.get(photo.thumb_url).status_code == 200
    app.state.engine.dispose()


def test_a_second_run_copies_nothing_and_a_damaged_file_is_reported_not_copied(
    database_url, tmp_path, session, s3_server, run
):
    photos = local_app_photos(database_url, tmp_path, session)
    assert run("media", "migrate")[0] == 0

    # One photo damaged on the disk after the first run; one new file since.
    damaged = tmp_path / "media" / photo_key(photos[0].sha256)
    damaged.write_bytes(damaged.read_bytes()[:-100])
    LocalStore(tmp_path / "media").put(photo_key("cd" * 32, thumb=True), b"a new thumbnail")

    code, out, err = run("media", "migrate", "--workers", "2")
    assert code == 1
    assert "copied 1, already there 3, failed 1" in out
    assert f"FAILED {photo_key(photos[0].sha256)}: the source file is damaged" in err
    bucket = S3Store(BUCKET, "migrated", endpoint_url=s3_server.endpoint_url, region=REGION)
    # The bucket keeps the good copy made by the first run.
    assert hashlib.sha256(bucket.get(photo_key(photos[0].sha256))).hexdigest() == photos[0].sha256


def test_a_copy_that_differs_in_the_bucket_is_replaced(tmp_path, s3_server):
    source = LocalStore(tmp_path / "media")
    sha = hashlib.sha256(b"the photo").hexdigest()
    source.put(photo_key(sha), b"the photo")
    target = S3Store(BUCKET, "replaced", endpoint_url=s3_server.endpoint_url, region=REGION)
    target.put(photo_key(sha), b"a half-written photo")

    report = media_migration.migrate(source=source, target=target)
    assert (report.copied, report.present, report.failed) == (1, 0, [])
    assert target.get(photo_key(sha)) == b"the photo"


def test_migrate_needs_a_bucket_and_a_folder(run, monkeypatch, tmp_path):
    monkeypatch.setenv("SAFETYWALK_MEDIA_URL", "")
    from app.config import get_settings

    get_settings.cache_clear()
    code, _out, err = run("media", "migrate")
    assert code == 2 and "SAFETYWALK_MEDIA_URL names no object store" in err

    monkeypatch.setenv("SAFETYWALK_MEDIA_URL", f"s3://{BUCKET}/x")
    get_settings.cache_clear()
    code, _out, err = run("media", "migrate", "--source", str(tmp_path / "nowhere"))
    assert code == 2 and "no such folder" in err


def test_migrate_stops_when_the_bucket_cannot_be_used(run, monkeypatch, tmp_path):
    (tmp_path / "media").mkdir()
    monkeypatch.setenv("SAFETYWALK_MEDIA_URL", "s3://no-such-bucket/x")
    from app.config import get_settings

    get_settings.cache_clear()
    code, _out, err = run("media", "migrate")
    assert code == 1 and "the object store cannot be used" in err and "NoSuchBucket" in err
