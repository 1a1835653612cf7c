"""How a command that runs passes speaks: once from a terminal, plain lines on standard output;
as a worker (`--loop`, its own process in a deployment), log lines in SAFETYWALK_LOG_FORMAT
like the app servers' (JSON by default), so one collector reads every process alike."""

from __future__ import annotations

import logging
import sys
from typing import Protocol

from app.config import Settings
from app.observability import configure_worker_logging


class Say(Protocol):
    def __call__(self, text: str, *, problem: bool = False) -> None: ...


def worker_output(settings: Settings, logger: str, *, loop: bool) -> Say:
    """say(text) for one pass's summary, say(text, problem=True) for what went wrong: printed
    once (a problem on standard error), logged in a loop (a problem as a warning)."""
    if not loop:

        def say_once(text: str, *, problem: bool = False) -> None:
            print(text, file=sys.stderr if problem else sys.stdout, flush=True)

        return say_once
    configure_worker_logging(settings)
    log = logging.getLogger(logger)

    def say_logged(text: str, *, problem: bool = False) -> None:
        log.log(logging.WARNING if problem else logging.INFO, "%s", text)

    return say_logged
