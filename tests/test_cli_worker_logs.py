"""A worker (`safetywalk outbox --loop`) logs its passes as the app servers do: JSON lines on
standard error with its logger's name; once from a terminal it prints a plain line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def environment(database_url: str, tmp_path: Path, log_format: str) -> dict[str, str]:
    return {
        **os.environ,
        "SAFETYWALK_DATABASE_URL": database_url,
        "SAFETYWALK_DATA_DIR": str(tmp_path / "data"),
        "SAFETYWALK_LOG_FORMAT": log_format,
        "SAFETYWALK_SMTP_HOST": "",
        "PYTHONUNBUFFERED": "1",
    }


def test_the_outbox_worker_logs_json_lines(database_url, tmp_path):
    log = tmp_path / "worker.log"
    with log.open("wb") as output:
        worker = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "outbox", "--loop"],
            cwd=ROOT,
            env=environment(database_url, tmp_path, "json"),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=output,
        )
        try:
            deadline = time.monotonic() + 60
            while "sent 0" not in log.read_text() and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            worker.terminate()
            worker.wait(30)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    (summary,) = [line for line in lines if line["message"].startswith("sent 0")]
    assert summary["logger"] == "safetywalk.outbox" and summary["level"] == "INFO"
    assert "failed 0, waiting 0" in summary["message"] and summary["time"].endswith("+00:00")


def test_one_pass_prints_a_plain_line(database_url, tmp_path):
    once = subprocess.run(
        [sys.executable, "-m", "app.cli", "outbox"],
        cwd=ROOT,
        env=environment(database_url, tmp_path, "json"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert once.returncode == 0, once.stderr
    assert once.stdout.startswith("sent 0, failed 0, waiting 0")
