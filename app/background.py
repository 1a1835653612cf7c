"""What the app does besides answering requests, while it runs: the outbox, street addresses
and retention. Each loop works in a worker thread and ends cleanly at shutdown: a pass under
way finishes before the database engine goes."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from anyio import to_thread
from fastapi import FastAPI
from sqlmodel import Session

from app.config import Settings
from app.retention_runner import retention_runner
from app.services import geocoding, mail_runner

log = logging.getLogger("safetywalk")


@asynccontextmanager
async def background(app: FastAPI) -> AsyncIterator[None]:
    """The work the app does besides answering requests: the outbox, street addresses and
    retention."""
    async with _outbox_runner(app), _geocoder_runner(app), retention_runner(app):
        yield


@asynccontextmanager
async def _outbox_runner(app: FastAPI) -> AsyncIterator[None]:
    """Send the outbox every `outbox_interval_seconds` while the app runs (0: not here)."""
    settings: Settings = app.state.settings
    task = None
    if settings.outbox_interval_seconds:

        def one_pass() -> None:
            with Session(app.state.engine) as session:
                mail_runner.run_once(session=session, settings=settings)

        async def loop() -> None:
            while True:
                try:
                    await to_thread.run_sync(one_pass)
                except Exception:  # the runner must outlive a bad pass; the next one retries
                    log.exception("outbox pass failed")
                await asyncio.sleep(settings.outbox_interval_seconds)

        task = asyncio.create_task(loop())
    yield
    if task:
        # A pass in progress runs to its end (anyio does not abandon the worker thread), so no
        # mail is left half sent; then the loop ends before the engine goes.
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


@asynccontextmanager
async def _geocoder_runner(app: FastAPI) -> AsyncIterator[None]:
    """Find street addresses for new reports every `geocoder_interval_seconds`, in a worker
    thread, never while a resident waits (off without `geocoder_url`, or at 0: not here)."""
    settings: Settings = app.state.settings
    if not (settings.geocoder_url and settings.geocoder_interval_seconds):
        yield
        return
    stop = threading.Event()  # ends a pass between requests at shutdown
    wake = asyncio.Event()

    def one_pass() -> geocoding.Pass:
        with Session(app.state.engine) as session:
            return geocoding.run_once(session=session, settings=settings, stop=stop)

    async def loop() -> None:
        failures = 0
        while not stop.is_set():
            result = None
            try:
                result = await to_thread.run_sync(one_pass)
                failures = failures + 1 if result.unavailable else 0
            except Exception:  # the runner must outlive a bad pass; the next one retries
                log.exception("geocoding pass failed")
                failures += 1
            interval = settings.geocoder_interval_seconds
            with suppress(TimeoutError):
                pause = geocoding.pause(result=result, failures=failures, interval=interval)
                await asyncio.wait_for(wake.wait(), pause)

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        # Not task.cancel(): that would leave the worker thread running after the engine is
        # gone. The pass ends after its current request (at most the timeout).
        stop.set()
        wake.set()
        try:
            await asyncio.wait_for(task, settings.geocoder_timeout_seconds + 5)
        except TimeoutError:
            log.warning("the geocoding pass did not end in time at shutdown")
