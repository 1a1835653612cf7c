"""`safetywalk backup DIR` and `safetywalk restore DIR`: the whole instance in one folder.

A backup is a snapshot of the database (`backup_db`) and a manifest of every file in the media
store with its SHA-256 and size. With the local folder the files are copied into DIR/media;
with object storage they are listed (the bucket has its own versioning and replication; the
manifest says what must be there). The database is copied first and the store listed after it:
a photo is written before the row that names it commits, so every photo the snapshot names is
in the listing. `manifest.json` is written last, so a folder without one is no backup.

A restore first checks the backup against its manifest (the database file's hash, each copied
file's hash, an original photo's hash against its own name) and refuses a damaged one unless
told to take what is whole; refuses a target database that holds rows, a backup of the other
engine, and one made by a newer version (its migration is unknown here). It then loads the
database, puts each copied file into the configured store and reads it back, or checks that
each listed object is in the store with the right hash, and finally that every photo the
restored database names is there.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlmodel import Session, select

from app import clock
from app.config import Settings
from app.db import make_engine
from app.models import Photo
from app.services import backup_db, media_store

FORMAT = "safetywalk-backup"
VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


class BackupRefused(Exception):
    """A backup or restore that must not go ahead; `problems` lists what is wrong."""

    def __init__(self, message: str, problems: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems)


@dataclass
class Result:
    """What a backup or restore did, and what was wrong (empty `problems`: all is well)."""

    files: int = 0
    bytes: int = 0
    revision: str | None = None
    problems: list[str] = field(default_factory=list)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _named_keys(url: str) -> set[str]:
    """The files the database's photo rows name: originals, thumbnails, blurred copies."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            rows = session.exec(select(Photo.sha256, Photo.public_sha256)).all()
    finally:
        engine.dispose()
    keys = set()
    for sha, public in rows:
        keys |= {media_store.photo_key(sha), media_store.photo_key(sha, thumb=True)}
        if public:
            keys |= {media_store.photo_key(public), media_store.photo_key(public, thumb=True)}
    return keys


def _name_problem(key: str, sha: str) -> str | None:
    """An original or blurred photo is named by its hash: a file whose hash is not its name
    has been changed (thumbnails are named by their original's hash, so they are not checked
    this way)."""
    if key.startswith("photos/") and Path(key).stem != sha:
        return f"{key}: its content does not match its name"
    return None


def make(*, settings: Settings, folder: Path, copy_media: bool | None = None) -> Result:
    """Write a backup of the configured instance into `folder` (new or empty). `copy_media`
    None: copy the files of a local store, list those of object storage."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupRefused(f"{folder} is not empty: a backup goes into a new or empty folder")
    url = settings.sqlalchemy_url
    engine = backup_db.engine_name(url)
    store = media_store.open_store(settings)
    copy = isinstance(store, media_store.LocalStore) if copy_media is None else copy_media
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / DATABASE_FILES[engine]
    live_revision = backup_db.revision(url)  # PostgreSQL: read before the dump
    backup_db.snapshot(url, database)
    revision = backup_db.file_revision(database, engine) or live_revision
    named = _named_keys(url)
    result = Result(revision=revision)
    files: list[dict[str, Any]] = []
    for key in sorted(store.keys()):
        if Path(key).name.startswith("."):  # the readiness probe, a temporary file
            continue
        try:
            data = store.get(key)
        except media_store.MediaMissing:  # deleted since it was listed (retention)
            continue
        if copy:
            target = folder / MEDIA / key
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        files.append({"key": key, "sha256": _sha256(data), "size": len(data)})
        result.files += 1
        result.bytes += len(data)
    listed = {f["key"] for f in files}
    result.problems = [
        f"{key}: named by the database but not in the media store" for key in sorted(named - listed)
    ]
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "made_at": clock.now().isoformat(),
        "database": {
            "engine": engine,
            "file": database.name,
            "sha256": _file_sha256(database),
            "size": database.stat().st_size,
            "revision": revision,
        },
        "media": {
            "store": store.describe(),
            "copied": copy,
            "files": files,
            "missing": sorted(named - listed),
        },
    }
    partial = folder / (MANIFEST + ".partial")
    partial.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    os.replace(partial, folder / MANIFEST)
    return result


def read_manifest(folder: Path) -> dict[str, Any]:
    """The backup's manifest, checked for shape; BackupRefused when it is not one."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupRefused(f"{folder} holds no {MANIFEST}: it is not a (finished) backup") from exc
    except (OSError, ValueError) as exc:
        raise BackupRefused(f"{folder / MANIFEST} cannot be read: {exc}") from exc
    try:
        ok = (
            manifest["format"] == FORMAT
            and manifest["database"]["engine"] in DATABASE_FILES
            and isinstance(manifest["database"]["file"], str)
            and isinstance(manifest["database"]["sha256"], str)
            and isinstance(manifest["media"]["copied"], bool)
            and all(
                isinstance(f["key"], str) and isinstance(f["sha256"], str)
                for f in manifest["media"]["files"]
            )
        )
    except (KeyError, TypeError) as exc:
        raise BackupRefused(f"{folder / MANIFEST} is not a SafetyWalk manifest") from exc
    if not ok:
        raise BackupRefused(f"{folder / MANIFEST} is not a SafetyWalk manifest")
    if manifest.get("version") != VERSION:
        raise BackupRefused(f"backup format {manifest.get('version')} is not {VERSION}")
    return manifest


def check(folder: Path, manifest: dict[str, Any]) -> list[str]:
    """What in the backup differs from its manifest: the database file, and each copied file
    (missing, changed, or not matching its name). Empty: the backup is whole."""
    database = manifest["database"]
    path = folder / Path(database["file"]).name
    if not path.is_file():
        return [f"{path.name}: the database file is missing"]
    if _file_sha256(path) != database["sha256"]:
        return [f"{path.name}: the database file has changed since the backup was made"]
    problems = []
    for entry in manifest["media"]["files"]:
        key, sha = entry["key"], entry["sha256"]
        problem = _name_problem(key, sha)
        if problem is None and manifest["media"]["copied"]:
            problem = _check_copy(folder, key, sha)
        if problem:
            problems.append(problem)
    return problems


def _check_copy(folder: Path, key: str, sha: str) -> str | None:
    path = (folder / MEDIA / key).resolve()
    if not path.is_relative_to((folder / MEDIA).resolve()):
        return f"{key}: not a file of this backup"
    try:
        data = path.read_bytes()
    except OSError:
        return f"{key}: missing from the backup"
    return None if _sha256(data) == sha else f"{key}: changed since the backup was made"


def _known_revision(revision: str | None) -> bool:
    if revision is None:
        return True
    try:
        return ScriptDirectory(str(MIGRATIONS_DIR)).get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for an unknown or partial id
        return False


def restore(*, settings: Settings, folder: Path, take_whole: bool = False) -> Result:
    """Load the backup in `folder` into the configured (empty) media store and database. The
    caller migrates the database to head afterwards and then calls `verify`."""
    manifest = read_manifest(folder)
    problems = check(folder, manifest)
    database = manifest["database"]
    if problems and (not take_whole or problems[0].startswith(database["file"])):
        raise BackupRefused("the backup is damaged; nothing was restored", problems)
    url = settings.sqlalchemy_url
    if database["engine"] != backup_db.engine_name(url):
        raise BackupRefused(
            f"the backup is of a {database['engine']} database; "
            f"the configured database is {backup_db.engine_name(url)}"
        )
    if not _known_revision(database.get("revision")):
        raise BackupRefused(
            f"the backup's schema ({database['revision']}) is newer than this version of "
            "SafetyWalk knows: restore it with the version that made it, or a newer one"
        )
    occupied = backup_db.rows_in(url)
    if occupied:
        tables = ", ".join(f"{name} ({n})" for name, n in sorted(occupied.items())[:5])
        raise BackupRefused(
            "the configured database is not empty; restore only into an empty database "
            f"(rows in {tables})"
        )
    result = Result(revision=database.get("revision"), problems=problems)
    damaged = {p.split(":", 1)[0] for p in problems}
    store = media_store.open_store(settings)
    for entry in manifest["media"]["files"]:
        key, sha = entry["key"], entry["sha256"]
        if key in damaged:
            continue
        if manifest["media"]["copied"]:
            store.put(key, (folder / MEDIA / key).read_bytes())
        problem = _check_stored(store, key, sha)
        if problem:
            result.problems.append(problem)
            continue
        result.files += 1
        result.bytes += int(entry.get("size", 0))
    # The database last: a store that fails half-way leaves it empty, so the restore can simply
    # be run again (putting the same content-addressed files twice is harmless).
    backup_db.load(url, folder / Path(database["file"]).name)
    return result


def _check_stored(store: media_store.MediaStore, key: str, sha: str) -> str | None:
    try:
        data = store.get(key)
    except media_store.MediaMissing:
        return f"{key}: not in the media store"
    return None if _sha256(data) == sha else f"{key}: the stored file differs from the backup"


def verify(*, settings: Settings) -> list[str]:
    """Every file the database's photo rows name, present in the media store."""
    store = media_store.open_store(settings)
    return [
        f"{key}: named by the database but not in the media store"
        for key in sorted(_named_keys(settings.sqlalchemy_url))
        if not store.exists(key)
    ]
