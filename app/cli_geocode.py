"""`safetywalk geocode [--loop] [--limit N]`: street addresses for reports, from the command
line (once, or in its own process when SAFETYWALK_GEOCODER_INTERVAL_SECONDS is 0)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

from sqlmodel import Session

from app.cli_worker import worker_output
from app.config import get_settings
from app.db import make_engine
from app.services import geocoding


def add_parser(sub: argparse._SubParsersAction, positive: Callable[[str], int]) -> None:  # type: ignore[type-arg]
    """The `geocode` subcommand on `sub`; `positive` checks --limit."""
    geocode = sub.add_parser(
        "geocode", help="find street addresses for reports that have none (SAFETYWALK_GEOCODER_URL)"
    )
    geocode.add_argument("--loop", action="store_true", help="keep running (a separate process)")
    geocode.add_argument(
        "--limit", type=positive, default=geocoding.BATCH, help="reports per pass (default: 100)"
    )
    geocode.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """One pass (exit code 1 when the server gave no answer), or passes until stopped."""
    settings = get_settings()
    if not settings.geocoder_url:
        print("no SAFETYWALK_GEOCODER_URL: street addresses are off", file=sys.stderr)
        return 0
    say = worker_output(settings, "safetywalk.geocode", loop=args.loop)
    engine = make_engine(settings.sqlalchemy_url)
    failures = 0
    while True:
        with Session(engine) as session:
            result = geocoding.run_once(session=session, settings=settings, limit=args.limit)
            left = geocoding.waiting(session=session)
        say(
            f"addresses found {result.found} ({result.cached} from the cache), "
            f"none there {result.none}, waiting {left}"
        )
        if result.unavailable:
            say(f"the geocoder gave no answer: {result.error}", problem=True)
        failures = failures + 1 if result.unavailable else 0
        if not args.loop:
            engine.dispose()
            return 1 if result.unavailable else 0
        interval = max(5, settings.geocoder_interval_seconds or 30)
        time.sleep(geocoding.pause(result=result, failures=failures, interval=interval))
