"""`safetywalk retention [--dry-run]`: forget the personal data the retention settings say
has been kept long enough (the app does the same every SAFETYWALK_RETENTION_INTERVAL_SECONDS),
printing how many of each kind."""

from __future__ import annotations

import argparse

from sqlmodel import Session

from app.config import get_settings
from app.db import make_engine
from app.services import retention


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The `retention` subcommand on `sub`."""
    command = sub.add_parser(
        "retention", help="forget personal data kept longer than the retention settings"
    )
    command.add_argument(
        "--dry-run", action="store_true", help="count what would be forgotten, change nothing"
    )
    command.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    engine = make_engine(settings.sqlalchemy_url)
    try:
        with Session(engine) as session:
            outcome = retention.run_once(session=session, settings=settings, dry_run=args.dry_run)
    finally:
        engine.dispose()
    verb = "would forget" if args.dry_run else "forgot"
    for kind, count in outcome.counts.items():
        print(f"{kind}: {count}")
    print(f"{verb} {outcome.total} in all")
    return 0
