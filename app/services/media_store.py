"""Where photo files live: the local folder (default) or an S3-compatible object store.

Every file is named by the SHA-256 of its content (`photos/ab/abcd….jpg`, `thumbs/ab/…`), so a
write is idempotent and safe to repeat: a file is written whole before the row that names it
commits, and a crash in between leaves at worst an unused file (`safetywalk backup` lists them).
Nothing outside this module knows which store is in use; routes serve files through
`photo_access` (who may see which file), never straight from a folder or a bucket.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from app.config import Settings


class MediaMissing(Exception):
    """No file under this key."""


class MediaStoreError(Exception):
    """The store could not be reached or refused the operation (readiness fails on it)."""


class MediaStore(Protocol):
    """Content-addressed file storage. Keys are relative paths such as `photos/ab/abcd.jpg`."""

    def put(self, key: str, content: bytes) -> None:
        """Store `content` whole under `key` (atomic; an existing key holds the same bytes)."""

    def get(self, key: str) -> bytes:
        """The bytes under `key`; MediaMissing when there are none."""

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove `key` (no error when it is already gone)."""

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every key under `prefix`, in no particular order."""

    def check(self) -> None:
        """Raise MediaStoreError unless the store can be read and written (for /readyz)."""

    def describe(self) -> str:
        """Where the files are, for logs and the CLI (no credentials)."""


def photo_key(sha256: str, *, thumb: bool = False) -> str:
    """The key of a stored photo (or its thumbnail) with this content hash."""
    return f"{'thumbs' if thumb else 'photos'}/{sha256[:2]}/{sha256}.jpg"


class LocalStore:
    """A folder on the local disk (or a shared mount)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise MediaMissing(key)
        return path

    def put(self, key: str, content: bytes) -> None:
        path = self.path(key)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
                fh.flush()
                os.fsync(fh.fileno())
            # mkstemp makes 0600; a reverse proxy serving the folder must be able to read it.
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
            # The rename itself must reach the disk before the row that names the file commits.
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise MediaMissing(key) from exc

    def exists(self, key: str) -> bool:
        try:
            return self.path(key).is_file()
        except MediaMissing:
            return False

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def keys(self, prefix: str = "") -> Iterator[str]:
        base = self.root / prefix if prefix else self.root
        if not base.is_dir():
            return
        for path in base.rglob("*"):
            if path.is_file() and not path.name.startswith(".tmp-"):
                yield path.relative_to(self.root).as_posix()

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            probe = self.root / ".ready-probe"
            probe.write_bytes(b"ok")
            probe.unlink()
        except OSError as exc:
            raise MediaStoreError(f"{self.root}: {exc.strerror or exc}") from exc

    def describe(self) -> str:
        return str(self.root)


def open_store(settings: Settings) -> MediaStore:
    """The store the settings name (one per process and configuration)."""
    return _open(settings.media_url.strip(), str(settings.media_path))


@lru_cache(maxsize=8)
def _open(media_url: str, media_path: str) -> MediaStore:
    if not media_url:
        return LocalStore(Path(media_path))
    # S3Store (storage helper): s3://bucket/prefix with media_s3_endpoint_url/region.
    raise MediaStoreError(f"unsupported SAFETYWALK_MEDIA_URL {media_url!r}")
