"""Copying the photo files from one store to another (`safetywalk media migrate`): from the
local folder into the bucket the settings name, when an instance moves to object storage.

Each file is read back from the target and compared by SHA-256 with the source before it
counts as copied. A photo's name is the hash of its content, so a damaged source file is
found too (and not copied); a thumbnail is named after its photo, so it is checked against
its own bytes only. Files already in the target with the same content are left as they are:
running the command again after an interruption copies only what is missing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from app.services.media_store import MediaMissing, MediaStore, MediaStoreError


@dataclass(frozen=True)
class Outcome:
    key: str
    # "copied", "present" (already there, same content) or "failed" (see `problem`).
    result: str
    problem: str = ""


@dataclass
class Migration:
    copied: int = 0
    present: int = 0
    failed: list[Outcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


def migrate(
    *,
    source: MediaStore,
    target: MediaStore,
    workers: int = 8,
    progress: Callable[[Outcome], None] | None = None,
) -> Migration:
    """Copy every file of `source` into `target` and check each one; a failure is reported
    and the rest go on. `workers` files are copied at once (each waits on the network)."""
    report = Migration()
    keys = (key for key in source.keys(prefix="") if not key.rsplit("/", 1)[-1].startswith("."))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for outcome in pool.map(lambda key: copy_one(key, source=source, target=target), keys):
            if outcome.result == "copied":
                report.copied += 1
            elif outcome.result == "present":
                report.present += 1
            else:
                report.failed.append(outcome)
            if progress:
                progress(outcome)
    return report


def copy_one(key: str, *, source: MediaStore, target: MediaStore) -> Outcome:
    """One file, copied unless the target holds the same bytes, then read back and checked."""
    try:
        content = source.get(key)
    except (MediaMissing, MediaStoreError) as exc:
        return Outcome(key, "failed", f"cannot read the source: {exc}")
    digest = hashlib.sha256(content).hexdigest()
    named = _named_hash(key)
    if named is not None and named != digest:
        return Outcome(key, "failed", "the source file is damaged: its content does not match")
    try:
        if _hash_in(target, key) == digest:
            return Outcome(key, "present")
        target.put(key, content)
        if _hash_in(target, key) != digest:
            return Outcome(key, "failed", "the copy read back differs from the source")
    except MediaStoreError as exc:
        return Outcome(key, "failed", str(exc))
    return Outcome(key, "copied")


def _hash_in(store: MediaStore, key: str) -> str | None:
    try:
        return hashlib.sha256(store.get(key)).hexdigest()
    except MediaMissing:
        return None


def _named_hash(key: str) -> str | None:
    """The hash a photo's name states (photos/ab/<sha256>.jpg); None for other files."""
    parts = key.split("/")
    if len(parts) == 3 and parts[0] == "photos" and parts[2].endswith(".jpg"):
        return parts[2].removesuffix(".jpg")
    return None
