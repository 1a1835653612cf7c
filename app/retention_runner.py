"""The retention job inside the app: one pass of services/retention every
`retention_interval_seconds` (0: not here; `safetywalk retention` from cron instead)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from anyio import to_thread
from fastapi import FastAPI
from sqlmodel import Session

from app.config import Settings
from app.services import retention

log = logging.getLogger("safetywalk")


@asynccontextmanager
async def retention_runner(app: FastAPI) -> AsyncIterator[None]:
    """Run the retention job while the app runs. Several app servers may each run it: every
    step is idempotent, so two passes at once forget nothing twice and nothing wrongly."""
    settings: Settings = app.state.settings
    if not settings.retention_interval_seconds:
        yield
        return
    stop = asyncio.Event()

    def one_pass() -> None:
        with Session(app.state.engine) as session:
            retention.run_once(session=session, settings=settings)

    async def loop() -> None:
        while not stop.is_set():
            try:
                await to_thread.run_sync(one_pass)
            except Exception:  # the job must outlive a bad pass; the next one retries
                log.exception("retention pass failed")
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), settings.retention_interval_seconds)

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        # Not task.cancel(): a pass under way finishes in its thread before the engine goes.
        stop.set()
        await task
