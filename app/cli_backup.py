"""`safetywalk backup DIR` and `safetywalk restore DIR` (services/backup): the database and the
photos of this instance into a folder, and back into an empty instance. Exit code 0 only when
everything is whole; every problem is printed on standard error."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.config import get_settings
from app.services import backup, backup_db
from app.services.media_store import MediaStoreError


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The `backup` and `restore` subcommands on `sub`."""
    make = sub.add_parser(
        "backup", help="write the database and a manifest of the photos (copies of local ones)"
    )
    make.add_argument("folder", metavar="DIR", type=Path, help="a new or empty folder")
    media = make.add_mutually_exclusive_group()
    media.add_argument(
        "--copy-media",
        dest="copy_media",
        action="store_const",
        const=True,
        help="copy the photos into DIR/media even from object storage",
    )
    media.add_argument(
        "--list-media",
        dest="copy_media",
        action="store_const",
        const=False,
        help="only list the photos with their hashes, even from a local folder",
    )
    make.set_defaults(func=_backup, copy_media=None)
    back = sub.add_parser(
        "restore", help="rebuild an empty instance from a backup and check every photo"
    )
    back.add_argument("folder", metavar="DIR", type=Path, help="a folder `backup` wrote")
    back.add_argument(
        "--check-only",
        action="store_true",
        help="check the backup against its manifest; restore nothing",
    )
    back.add_argument(
        "--take-whole",
        action="store_true",
        help="restore a damaged backup anyway, without the photos that fail their check",
    )
    back.set_defaults(func=_restore)


def _problems(problems: list[str]) -> None:
    for problem in problems[:200]:
        print(f"  {problem}", file=sys.stderr)
    if len(problems) > 200:
        print(f"  ... and {len(problems) - 200} more", file=sys.stderr)


def _backup(args: argparse.Namespace) -> int:
    try:
        result = backup.make(
            settings=get_settings(), folder=args.folder, copy_media=args.copy_media
        )
    except (backup.BackupRefused, backup_db.DatabaseError, MediaStoreError, OSError) as exc:
        print(f"no backup made: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return 1
    print(
        f"backup in {args.folder}: database at {result.revision or 'no migration'}, "
        f"{result.files} media files ({result.bytes / 1e6:.1f} MB)"
    )
    if result.problems:
        print(f"{len(result.problems)} problem(s):", file=sys.stderr)
        _problems(result.problems)
        return 1
    return 0


def _restore(args: argparse.Namespace) -> int:
    from app.cli import migrate  # app.cli registers this module: import it when it runs

    settings = get_settings()
    try:
        if args.check_only:
            problems = backup.check(args.folder, backup.read_manifest(args.folder))
            if problems:
                print(f"the backup is damaged: {len(problems)} problem(s)", file=sys.stderr)
                _problems(problems)
                return 1
            print(f"the backup in {args.folder} matches its manifest")
            return 0
        result = backup.restore(settings=settings, folder=args.folder, take_whole=args.take_whole)
        migrate(settings.sqlalchemy_url)
        problems = result.problems + backup.verify(settings=settings)
    except backup.BackupRefused as exc:
        print(f"nothing restored: {exc.message}", file=sys.stderr)
        _problems(exc.problems)
        return 1
    except (backup_db.DatabaseError, MediaStoreError, OSError) as exc:
        print(f"the restore failed: {exc}", file=sys.stderr)
        return 1
    print(
        f"restored from {args.folder}: database at {result.revision or 'no migration'} "
        f"(now migrated to head), {result.files} media files checked"
    )
    if problems:
        print(f"{len(problems)} problem(s):", file=sys.stderr)
        _problems(problems)
        return 1
    return 0
