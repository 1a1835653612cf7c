"""Backup and restore on the engine under test: a backup of a running instance restores into an
empty database and media store with every row and photo back and every hash checked; a damaged
backup, a database that holds rows, and a backup from a newer schema are refused and leave the
target as it was. Object storage is listed, not copied: the restore checks that each listed
object is in the store with its hash."""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

from app import cli
from app.config import Settings
from app.db import make_engine
from app.models import AuditEntry
from app.services import audit, backup, backup_db
from app.services.media_store import open_store
from tests.conftest import ENGINE, make_settings
from tests.factories import jpeg_bytes, make_staff, post_observation


def rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of the app, in primary-key order."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table.name: [
                    tuple(row)
                    for row in connection.execute(
                        table.select().order_by(*table.primary_key.columns)
                    )
                ]
                for table in SQLModel.metadata.sorted_tables
            }
    finally:
        engine.dispose()


@pytest.fixture
def new_target(database_url: str, tmp_path: Path) -> Iterator[Callable[[], Settings]]:
    """new_target() -> the settings of another, empty instance (database and media folder)."""
    made: list[str] = []

    def make() -> Settings:
        name = f"restore_{uuid.uuid4().hex[:10]}"
        if ENGINE == "sqlite":
            url = f"sqlite:///{tmp_path / name / 'safetywalk.db'}"
        else:
            admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            made.append(name)
            url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
        return make_settings(url, tmp_path / name)

    yield make
    if made:
        admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for name in made:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def instance(client, session, settings: Settings) -> Settings:  # type: ignore[no-untyped-def]
    """The running test instance with two reports with photos and an audit entry."""
    for width in (640, 800):
        photo = ("lamp.jpg", jpeg_bytes(width, 480), "image/jpeg")
        assert post_observation(client, photos=[photo]).status_code in (200, 303)
    admin = make_staff(session, "admin")
    audit.record(session, admin, "update", admin, {"name": ("Old", "New")})
    session.commit()
    return settings


def media(settings: Settings) -> dict[str, bytes]:
    """Every file in the instance's media store (its folder, or its prefix in the bucket)."""
    store = open_store(settings)
    return {
        key: store.get(key) for key in store.keys(prefix="") if not Path(key).name.startswith(".")
    }


def same_store(target: Settings, source: Settings) -> Settings:
    """`target` pointing at the media store of `source` (for backups that list, not copy)."""
    return target.model_copy(update={"media_dir": source.media_dir, "media_url": source.media_url})


def run_cli(settings: Settings, monkeypatch, capsys, *args: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """`safetywalk ARGS` for the instance `settings` describes: (exit code, stderr)."""
    from app.config import get_settings

    monkeypatch.setenv("SAFETYWALK_DATABASE_URL", settings.sqlalchemy_url)
    monkeypatch.setenv("SAFETYWALK_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SAFETYWALK_MEDIA_DIR", str(settings.media_path))
    monkeypatch.setenv("SAFETYWALK_MEDIA_URL", settings.media_url)
    monkeypatch.setenv("SAFETYWALK_MEDIA_S3_ENDPOINT_URL", settings.media_s3_endpoint_url)
    monkeypatch.setenv("SAFETYWALK_MEDIA_S3_REGION", settings.media_s3_region)
    get_settings.cache_clear()
    try:
        code = cli.main(list(args))
    finally:
        get_settings.cache_clear()
    return code, capsys.readouterr().err


def test_a_backup_restores_every_row_and_photo_into_an_empty_instance(
    instance, new_target, tmp_path, monkeypatch, capsys
):
    folder = tmp_path / "backup"
    # Copied from either store (a local folder's default; object storage on request), so that
    # the other instance, with its own empty store, gets every photo back.
    code, err = run_cli(instance, monkeypatch, capsys, "backup", "--copy-media", str(folder))
    assert (code, err) == (0, "")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["database"]["engine"] == ENGINE
    assert manifest["database"]["revision"] == backup_db.revision(instance.sqlalchemy_url)
    source_media = media(instance)
    assert len(source_media) == 4  # two photos and their thumbnails
    assert {f["key"]: f["sha256"] for f in manifest["media"]["files"]} == {
        key: hashlib.sha256(data).hexdigest() for key, data in source_media.items()
    }
    target = new_target()
    code, err = run_cli(target, monkeypatch, capsys, "restore", str(folder))
    assert (code, err) == (0, "")
    assert rows(target.sqlalchemy_url) == rows(instance.sqlalchemy_url)
    assert media(target) == source_media
    # The restored database goes on numbering where the original stopped.
    engine = make_engine(target.sqlalchemy_url)
    with Session(engine) as session:
        entry = AuditEntry(subject_kind="unit", action="unit.update", actor="cli")
        session.add(entry)
        session.commit()
        assert entry.id == max(r[0] for r in rows(instance.sqlalchemy_url)["audit_entry"]) + 1
    engine.dispose()


def test_a_tampered_or_missing_photo_is_reported_and_nothing_is_restored(
    instance, new_target, tmp_path, monkeypatch, capsys
):
    folder = tmp_path / "backup"
    assert backup.make(settings=instance, folder=folder, copy_media=True).problems == []
    photo = next((folder / "media" / "photos").rglob("*.jpg"))
    photo.write_bytes(photo.read_bytes()[:-10] + b"0123456789")
    thumb = next((folder / "media" / "thumbs").rglob("*.jpg"))
    thumb.unlink()
    tampered = photo.relative_to(folder / "media").as_posix()
    missing = thumb.relative_to(folder / "media").as_posix()
    assert backup.check(folder, backup.read_manifest(folder)) == [
        f"{tampered}: changed since the backup was made",
        f"{missing}: missing from the backup",
    ]
    target = new_target()
    code, err = run_cli(target, monkeypatch, capsys, "restore", str(folder))
    assert code == 1
    assert "the backup is damaged; nothing was restored" in err
    assert tampered in err and missing in err
    assert backup_db.rows_in(target.sqlalchemy_url) == {}
    assert media(target) == {}
    # Told to take what is whole, it restores the rest and still reports both.
    result = backup.restore(settings=target, folder=folder, take_whole=True)
    assert result.files == 2
    assert [p.split(":")[0] for p in result.problems] == [tampered, missing]
    assert sorted(p.split(":")[0] for p in backup.verify(settings=target)) == sorted(
        [missing, tampered]
    )


def test_a_changed_database_file_is_refused_even_when_taking_what_is_whole(
    instance, new_target, tmp_path
):
    folder = tmp_path / "backup"
    backup.make(settings=instance, folder=folder)
    database = next(p for p in folder.iterdir() if p.name.startswith("database."))
    with database.open("ab") as handle:
        handle.write(b"\0")
    target = new_target()
    with pytest.raises(backup.BackupRefused) as refused:
        backup.restore(settings=target, folder=folder, take_whole=True)
    assert refused.value.problems == [
        f"{database.name}: the database file has changed since the backup was made"
    ]
    assert backup_db.rows_in(target.sqlalchemy_url) == {}


def test_restore_refuses_a_database_that_holds_rows(
    instance, new_target, tmp_path, monkeypatch, capsys
):
    folder = tmp_path / "backup"
    backup.make(settings=instance, folder=folder, copy_media=True)
    before = rows(instance.sqlalchemy_url)
    code, err = run_cli(instance, monkeypatch, capsys, "restore", str(folder))
    assert code == 1
    assert "nothing restored: the configured database is not empty" in err
    assert "observation (2)" in err
    assert rows(instance.sqlalchemy_url) == before
    # A database that was only migrated holds no rows: that one is taken.
    target = new_target()
    cli.migrate(target.sqlalchemy_url)
    assert backup.restore(settings=target, folder=folder).problems == []
    assert rows(target.sqlalchemy_url)["observation"] == before["observation"]


def test_restore_refuses_a_backup_from_a_newer_schema(instance, new_target, tmp_path):
    folder = tmp_path / "backup"
    backup.make(settings=instance, folder=folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["database"]["revision"] = "ffffffffffff"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    target = new_target()
    with pytest.raises(backup.BackupRefused, match="newer than this version"):
        backup.restore(settings=target, folder=folder)
    assert backup_db.rows_in(target.sqlalchemy_url) == {}


def test_a_backup_goes_into_an_empty_folder_only(instance, tmp_path):
    folder = tmp_path / "backup"
    folder.mkdir()
    (folder / "old.txt").write_text("an earlier backup")
    with pytest.raises(backup.BackupRefused, match="not empty"):
        backup.make(settings=instance, folder=folder)
    with pytest.raises(backup.BackupRefused, match=r"no manifest\.json"):
        backup.restore(settings=instance, folder=tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    for content in ("not json", "[]", '{"format": "safetywalk-backup", "database": {}}'):
        (other / "manifest.json").write_text(content)
        with pytest.raises(backup.BackupRefused, match="manifest"):
            backup.restore(settings=instance, folder=other)


def test_listed_media_are_checked_in_the_store_by_hash(instance, new_target, tmp_path):
    """Object storage: the manifest lists the objects; the restored instance points at the same
    bucket, and each listed object must be there with its hash."""
    folder = tmp_path / "backup"
    assert backup.make(settings=instance, folder=folder, copy_media=False).problems == []
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["media"]["copied"] is False and len(manifest["media"]["files"]) == 4
    assert not (folder / "media").exists()
    result = backup.restore(settings=same_store(new_target(), instance), folder=folder)
    assert (result.files, result.problems) == (4, [])
    store = open_store(instance)
    thumb = next(k for k in store.keys("thumbs/") if k.endswith(".jpg"))
    store.delete(thumb)  # a local store never overwrites a content-addressed file
    store.put(thumb, b"not the thumbnail")
    photo = next(k for k in store.keys("photos/") if k.endswith(".jpg"))
    store.delete(photo)
    problems = backup.restore(settings=same_store(new_target(), instance), folder=folder).problems
    assert sorted(problems) == sorted(
        [
            f"{thumb}: the stored file differs from the backup",
            f"{photo}: not in the media store",
        ]
    )


def test_the_snapshot_is_consistent_while_the_app_writes(instance, new_target, tmp_path):
    engine = make_engine(instance.sqlalchemy_url)
    stop = threading.Event()

    def write() -> None:
        with Session(engine) as session:
            while not stop.is_set():
                session.add(AuditEntry(subject_kind="unit", action="unit.update", actor="cli"))
                session.commit()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        backup.make(settings=instance, folder=tmp_path / "backup")
    finally:
        stop.set()
        writer.join()
        engine.dispose()
    target = new_target()
    backup.restore(settings=target, folder=tmp_path / "backup")
    restored = rows(target.sqlalchemy_url)["audit_entry"]
    ids = [r[0] for r in restored]
    assert ids == list(range(ids[0], ids[0] + len(ids)))  # no gaps: one moment in time
    assert len(ids) <= len(rows(instance.sqlalchemy_url)["audit_entry"])


def test_a_store_that_fails_leaves_the_database_empty_for_another_try(
    instance, new_target, tmp_path, monkeypatch, capsys
):
    folder = tmp_path / "backup"
    assert backup.make(settings=instance, folder=folder, copy_media=True).problems == []
    target = new_target()
    # A media "folder" that is a file: every write fails, as a full disk or a lost bucket would.
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    broken = target.model_copy(update={"media_dir": blocked, "media_url": ""})
    code, err = run_cli(broken, monkeypatch, capsys, "restore", str(folder))
    assert code == 1 and "the restore failed" in err
    assert backup_db.rows_in(target.sqlalchemy_url) == {}
    code, err = run_cli(target, monkeypatch, capsys, "restore", str(folder))
    assert (code, err) == (0, "")
    assert media(target) == media(instance)
