"""How a command that runs passes speaks: once from a terminal, plain lines on standard output;
as a worker (`--loop`, its own process in a deployment), log lines in SAFETYWALK_LOG_FORMAT
like the app servers' (JSON by default), so one collector reads every process alike."""

from __future__ import annotations

import logging
from collections.abc import Callable

from app.config import Settings
from app.observability import configure_worker_logging


def worker_output(settings: Settings, logger: str, *, loop: bool) -> Callable[[str], None]:
    """say(text) for one pass's summary: print once, log in a loop."""
    if not loop:
        return lambda text: print(text, flush=True)
    configure_worker_logging(settings)
    log = logging.getLogger(logger)
    return lambda text: log.info("%s", text)
