"""`safetywalk media migrate`: copy the photo files of the local folder into the object store
that SAFETYWALK_MEDIA_URL names, checking each one (app.services.media_migration)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from app.config import get_settings
from app.services import media_migration, media_store


def add_parser(sub: argparse._SubParsersAction, positive: Callable[[str], int]) -> None:  # type: ignore[type-arg]
    """The `media` subcommand and its own subcommands on `sub`."""
    media = sub.add_parser("media", help="the photo files: move them to object storage")
    media_sub = media.add_subparsers(dest="media_command", required=True)
    migrate = media_sub.add_parser(
        "migrate",
        help="copy the local photo folder into the bucket SAFETYWALK_MEDIA_URL names, "
        "checking each file by its hash",
    )
    migrate.add_argument(
        "--source",
        type=Path,
        default=None,
        help="the folder to copy (default: SAFETYWALK_MEDIA_DIR, else DATA_DIR/media)",
    )
    migrate.add_argument(
        "--workers", type=positive, default=8, help="files copied at once (default 8)"
    )
    migrate.set_defaults(func=_migrate)


def _migrate(args: argparse.Namespace) -> int:
    settings = get_settings()
    if not settings.media_url.strip():
        print(
            "SAFETYWALK_MEDIA_URL names no object store (s3://bucket/prefix): nowhere to copy to",
            file=sys.stderr,
        )
        return 2
    folder: Path = args.source or settings.media_path
    if not folder.is_dir():
        print(f"no such folder: {folder}", file=sys.stderr)
        return 2
    source = media_store.LocalStore(folder)
    try:
        target = media_store.open_store(settings)
        target.check()
    except media_store.MediaStoreError as exc:
        print(f"the object store cannot be used: {exc}", file=sys.stderr)
        return 1
    print(f"copying {source.describe()} to {target.describe()}", flush=True)
    done = 0

    def progress(outcome: media_migration.Outcome) -> None:
        nonlocal done
        done += 1
        if outcome.result == "failed":
            print(f"FAILED {outcome.key}: {outcome.problem}", file=sys.stderr, flush=True)
        if done % 500 == 0:
            print(f"{done} files checked", flush=True)

    report = media_migration.migrate(
        source=source, target=target, workers=args.workers, progress=progress
    )
    print(f"copied {report.copied}, already there {report.present}, failed {len(report.failed)}")
    if not report.ok:
        print("some files were not copied: fix them and run the command again", file=sys.stderr)
        return 1
    return 0
