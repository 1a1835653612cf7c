"""The sweep of unnamed files: photo files no photo row names go (README: "Retention").

Files are written before the row that names them (media_store), so some end up named by no
row: an upload that failed after writing its files, a blurred copy replaced by a second blur
or dropped by "remove the blur", a file retention could not delete after deleting its rows.
Nothing else would ever remove them, so a blurred copy of a private photo would outlive
`retention_private_photo_days`. Each retention pass therefore lists the store's `photos/` and
`thumbs/` page by page, asks the database which of a page's hashes some row names (one query
per page: never every hash of the database at once), and deletes the others once they are
older than GRACE: the files of an upload in flight, whose row is not committed yet, are younger.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from itertools import islice

from sqlalchemy import union
from sqlmodel import Session, col, select

from app import clock
from app.models import Photo
from app.services.media_store import MediaMissing, MediaStore, MediaStoreError

log = logging.getLogger("safetywalk.retention")

# Longer than any upload takes between writing its files and committing its row.
GRACE = timedelta(hours=1)
# Keys per database question (S3 lists at most 1000 keys per request).
PAGE = 1000
_KEY = re.compile(r"(?:photos|thumbs)/([0-9a-f]{2})/(([0-9a-f]{2})[0-9a-f]{62})\.jpg")


def sweep(*, session: Session, store: MediaStore, dry_run: bool = False) -> int:
    """Delete each photo or thumbnail file that no photo row names, as its photo or its
    blurred copy, and that is older than GRACE; the number of files (a dry run only counts).
    A store that cannot be listed or cannot delete a file is logged; the next pass retries."""
    swept = 0
    for prefix in ("photos/", "thumbs/"):
        try:
            entries = store.listing(prefix)
            while page := list(islice(entries, PAGE)):
                swept += _sweep_page(session, store, page, dry_run)
        except MediaStoreError:
            log.exception("media sweep could not list %s", prefix)
    return swept


def _sweep_page(
    session: Session, store: MediaStore, page: list[tuple[str, datetime]], dry_run: bool
) -> int:
    cutoff = clock.now() - GRACE
    old = {key: sha for key, modified in page if (sha := _hash_of(key)) and modified < cutoff}
    if not old:
        return 0
    named = _named(session, set(old.values()))
    unnamed = sorted(key for key, sha in old.items() if sha not in named)
    if dry_run:
        return len(unnamed)
    deleted = 0
    for key in unnamed:
        try:
            # Written again since it was listed (an upload of the same bytes refreshes the
            # file's time) means a row is about to name it.
            if store.modified(key) >= clock.now() - GRACE:
                continue
            store.delete(key)
        except MediaMissing:
            continue
        except MediaStoreError:
            log.exception("media sweep could not delete %s", key)
            continue
        deleted += 1
    return deleted


def _hash_of(key: str) -> str | None:
    """The content hash a photo or thumbnail key is named by; None for any other file (probes,
    temporary files, whatever else someone put there: not ours to delete)."""
    if key.rsplit("/", 1)[-1].startswith("."):
        return None
    match = _KEY.fullmatch(key)
    if match is None or match[1] != match[3]:
        return None
    return match[2]


def _named(session: Session, hashes: set[str]) -> set[str]:
    """The hashes among `hashes` some photo row names as its photo or its blurred copy."""
    wanted = sorted(hashes)
    query = union(
        select(Photo.sha256).where(col(Photo.sha256).in_(wanted)),
        select(Photo.public_sha256).where(col(Photo.public_sha256).in_(wanted)),
    )
    # A short transaction of its own per page: listing a large bucket takes long, and one held
    # open meanwhile would keep PostgreSQL from vacuuming and SQLite on an old snapshot.
    with Session(session.get_bind()) as own:
        return {row[0] for row in own.exec(query)}
