"""Where photo files live: the local folder (default) or an S3-compatible object store.

Every file is named by the SHA-256 of its content (`photos/ab/abcd….jpg`, `thumbs/ab/…`), so a
write is idempotent and safe to repeat: a file is written whole before the row that names it
commits, and a crash in between leaves at worst an unused file, which retention sweeps an hour
later (media_sweep).
Nothing outside this module knows which store is in use; routes serve files through
`photo_access` (who may see which file), never straight from a folder or a bucket.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

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

    def listing(self, prefix: str = "") -> Iterator[tuple[str, datetime]]:
        """Every key under `prefix` with when its file was last written (aware), in no
        particular order."""

    def modified(self, key: str) -> datetime:
        """When the file under `key` was last written (aware); MediaMissing when it is gone."""

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
        try:
            if path.exists():
                try:
                    # The same bytes are there: touch them, so the sweep of unnamed files
                    # (media_sweep) keeps a file it saw old for the row about to name it again.
                    os.utime(path)
                    return
                except OSError:
                    pass  # swept meanwhile, or not ours to touch: write it anew
            self._write(path, content)
        except OSError as exc:  # a full disk, a lost mount: the store's fault, not the request's
            raise MediaStoreError(f"{self.root}: writing {key}: {exc.strerror or exc}") from exc

    @staticmethod
    def _write(path: Path, content: bytes) -> None:
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
        except OSError as exc:
            raise MediaStoreError(f"{self.root}: reading {key}: {exc.strerror or exc}") from exc

    def exists(self, key: str) -> bool:
        try:
            return self.path(key).is_file()
        except MediaMissing:
            return False

    def delete(self, key: str) -> None:
        try:
            self.path(key).unlink(missing_ok=True)
        except OSError as exc:
            raise MediaStoreError(f"{self.root}: deleting {key}: {exc.strerror or exc}") from exc

    def keys(self, prefix: str = "") -> Iterator[str]:
        for key, _modified in self.listing(prefix):
            yield key

    def listing(self, prefix: str = "") -> Iterator[tuple[str, datetime]]:
        base = self.root / prefix if prefix else self.root
        if not base.is_dir():
            return
        try:
            for path in base.rglob("*"):
                try:
                    info = path.stat()
                except FileNotFoundError:  # deleted since the folder was read
                    continue
                # A ".tmp-" file is a write in progress (_write), not a key yet.
                if stat.S_ISREG(info.st_mode) and not path.name.startswith(".tmp-"):
                    yield path.relative_to(self.root).as_posix(), _mtime(info)
        except OSError as exc:
            raise MediaStoreError(f"{self.root}: listing: {exc.strerror or exc}") from exc

    def modified(self, key: str) -> datetime:
        try:
            info = self.path(key).stat()
        except (FileNotFoundError, NotADirectoryError) as exc:
            raise MediaMissing(key) from exc
        except OSError as exc:
            raise MediaStoreError(f"{self.root}: reading {key}: {exc.strerror or exc}") from exc
        if not stat.S_ISREG(info.st_mode):
            raise MediaMissing(key)
        return _mtime(info)

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            # A name of its own: app servers sharing the folder must not delete each other's.
            fd, probe = tempfile.mkstemp(dir=self.root, prefix=".tmp-ready-")
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise MediaStoreError(f"{self.root}: {exc.strerror or exc}") from exc

    def describe(self) -> str:
        return str(self.root)


class S3Store:
    """A bucket (and key prefix) in an S3-compatible object store: AWS, MinIO, Ceph ...

    Credentials come from boto3's usual chain: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in
    the environment, or the machine's role; never from our settings."""

    def __init__(
        self, bucket: str, prefix: str = "", *, endpoint_url: str = "", region: str
    ) -> None:
        self.bucket = bucket
        self.prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
        self.endpoint_url = endpoint_url
        self.client: Any = _s3_client(endpoint_url, region)

    def _key(self, key: str) -> str:
        # As the folder's keys cannot leave the folder, a key cannot leave the prefix (a server
        # that resolves "..", as some S3-compatible ones do, would otherwise let it).
        if not key or any(part in ("", ".", "..") for part in key.split("/")):
            raise MediaMissing(key)
        return self.prefix + key

    def put(self, key: str, content: bytes) -> None:
        # No HEAD first: a PUT of the same content-addressed bytes is harmless, and S3 makes an
        # object visible only once it is whole.
        self._call(
            "put_object",
            key,
            Bucket=self.bucket,
            Key=self._key(key),
            Body=content,
            ContentType=_content_type(key),
        )

    def get(self, key: str) -> bytes:
        answer = self._call("get_object", key, Bucket=self.bucket, Key=self._key(key))
        body = answer["Body"]
        try:
            return bytes(body.read())
        except self._errors() as exc:
            raise MediaStoreError(f"{self.describe()}: reading {key}: {exc}") from exc
        finally:
            body.close()

    def exists(self, key: str) -> bool:
        try:
            self._call("head_object", key, Bucket=self.bucket, Key=self._key(key))
        except MediaMissing:
            return False
        return True

    def delete(self, key: str) -> None:
        self._call("delete_object", key, Bucket=self.bucket, Key=self._key(key))

    def keys(self, prefix: str = "") -> Iterator[str]:
        for key, _modified in self.listing(prefix):
            yield key

    def listing(self, prefix: str = "") -> Iterator[tuple[str, datetime]]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix + prefix
        )
        try:
            for page in pages:
                for item in page.get("Contents", ()):
                    yield item["Key"][len(self.prefix) :], item["LastModified"].astimezone(UTC)
        except self._errors() as exc:
            raise MediaStoreError(f"{self.describe()}: listing: {exc}") from exc

    def modified(self, key: str) -> datetime:
        answer = self._call("head_object", key, Bucket=self.bucket, Key=self._key(key))
        return answer["LastModified"].astimezone(UTC)  # type: ignore[no-any-return]

    def check(self) -> None:
        self.put(".ready-probe", b"ok")
        self.delete(".ready-probe")

    def describe(self) -> str:
        where = f" at {self.endpoint_url}" if self.endpoint_url else ""
        return f"s3://{self.bucket}/{self.prefix}{where}"

    def _call(self, operation: str, key: str, **params: Any) -> Any:
        """One request; a missing key is MediaMissing, any other failure MediaStoreError."""
        from botocore.exceptions import ClientError

        try:
            return getattr(self.client, operation)(**params)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in ("NoSuchKey", "404", "NotFound"):
                raise MediaMissing(key) from exc
            raise MediaStoreError(f"{self.describe()}: {operation} {key}: {code}") from exc
        except self._errors() as exc:
            raise MediaStoreError(f"{self.describe()}: {operation} {key}: {exc}") from exc

    @staticmethod
    def _errors() -> tuple[type[Exception], ...]:
        from botocore.exceptions import BotoCoreError, ClientError

        return (BotoCoreError, ClientError, OSError)


@lru_cache(maxsize=4)
def _s3_client(endpoint_url: str, region: str) -> Any:
    """One client per endpoint and region, shared by every store and thread (boto3 clients
    are thread-safe; making one reads the service's model from disk, tens of milliseconds)."""
    import boto3  # only where object storage is configured
    from botocore.config import Config

    config = Config(
        # Path-style addressing works with every S3-compatible server; virtual-host style
        # needs a wildcard DNS name per bucket, which MinIO and Ceph set-ups often lack.
        s3={"addressing_style": "path"} if endpoint_url else {},
        connect_timeout=5,
        read_timeout=30,
        retries={"mode": "standard", "max_attempts": 3},
        # Every request thread may read or write a photo at once.
        max_pool_connections=32,
    )
    # A session of its own: boto3's default session is not safe to share between threads.
    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint_url or None, region_name=region, config=config
    )


def _mtime(info: os.stat_result) -> datetime:
    return datetime.fromtimestamp(info.st_mtime, UTC)


def _content_type(key: str) -> str:
    return {"jpg": "image/jpeg", "png": "image/png"}.get(
        key.rsplit(".", 1)[-1], "application/octet-stream"
    )


def open_store(settings: Settings) -> MediaStore:
    """The store the settings name (one per process and configuration)."""
    return _open(
        settings.media_url.strip(),
        str(settings.media_path),
        settings.media_s3_endpoint_url.strip(),
        settings.media_s3_region,
    )


@lru_cache(maxsize=8)
def _open(media_url: str, media_path: str, endpoint_url: str, region: str) -> MediaStore:
    if not media_url:
        return LocalStore(Path(media_path))
    parts = urlsplit(media_url)
    if parts.scheme != "s3" or not parts.netloc:
        raise MediaStoreError(f"SAFETYWALK_MEDIA_URL must be s3://bucket/prefix, not {media_url!r}")
    return S3Store(parts.netloc, parts.path, endpoint_url=endpoint_url, region=region)
