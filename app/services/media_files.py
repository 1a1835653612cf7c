"""Which photo file a /media address names, and whether it may be sent to this viewer.

The addresses are the ones the app has always used (`/media/photos/ab/<sha256>.jpg`, and
`/media/thumbs/…` for the thumbnail); the files themselves may live in a bucket now, so the app
serves them after asking photo_access, the one rule of who may see which photo. A file the
public may see is marked public (browsers and proxies may keep it); one only staff may see is
not, so it is never kept by a shared cache.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session

from app.models import StaffUser
from app.services import photo_access
from app.services.media_store import MediaMissing, MediaStore, photo_key

_NAME = re.compile(r"([0-9a-f]{64})\.jpg")
FOLDERS = ("photos", "thumbs")


@dataclass(frozen=True)
class MediaFile:
    # None when the viewer already holds this file (their ETag matched): nothing is read.
    content: bytes | None
    # Anyone may see it (a shared cache may keep it); else only the signed-in staff member.
    public: bool
    # The content hash names the bytes: the same name is always the same file.
    etag: str


def served(
    *,
    session: Session,
    store: MediaStore,
    folder: str,
    shard: str,
    name: str,
    viewer: StaffUser | None,
    known_etag: str | None = None,
) -> MediaFile | None:
    """The file at /media/<folder>/<shard>/<name> for `viewer` (None: the public), or None
    when there is no such file or the viewer may not have it (both answer 404: the address
    must not tell whether a hidden photo exists)."""
    found = _NAME.fullmatch(name)
    if folder not in FOLDERS or found is None or shard != found[1][:2]:
        return None
    sha256 = found[1]
    public = photo_access.may_serve(session, sha256=sha256, viewer=None)
    if not public and (
        viewer is None or not photo_access.may_serve(session, sha256=sha256, viewer=viewer)
    ):
        return None
    etag = f'"{folder[0]}-{sha256}"'
    if known_etag is not None and etag in (tag.strip() for tag in known_etag.split(",")):
        return MediaFile(content=None, public=public, etag=etag)
    try:
        content = store.get(photo_key(sha256, thumb=folder == "thumbs"))
    except MediaMissing:
        return None
    return MediaFile(content=content, public=public, etag=etag)
