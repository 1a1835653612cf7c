"""scripts/install-test-system-deps, which `make test` and `.ci/run` run first: it installs what
the tests need when it is missing (as root, else with `sudo -n`), or stops with the command.

apt-get and sudo are stand-ins that write down how they were called (never the real ones), and
SAFETYWALK_PRETEND_MISSING makes the script see a package as missing. A non-root user is
`nobody` (through runuser) when the tests run as root.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[1] / "scripts" / "install-test-system-deps"
ROOT = os.geteuid() == 0


class Machine:
    """A copy of the script beside a fake .venv, and fake apt-get/sudo first on PATH."""

    def __init__(self, top: Path) -> None:
        self.top = top
        self.bin = top / "bin"
        self.log = top / "calls.log"
        (top / "scripts").mkdir()
        shutil.copy(SCRIPT, top / "scripts" / SCRIPT.name)
        (top / ".venv" / "bin").mkdir(parents=True)
        self._tool(top / ".venv" / "bin" / "python", "exit 0")
        self.bin.mkdir()
        self.log.touch()
        self.log.chmod(0o666)
        self._tool(self.bin / "apt-get", f'echo "apt-get $*" >> {self.log}')
        self.sudo_allowed(True)

    def _tool(self, path: Path, body: str) -> None:
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(0o755)

    def sudo_allowed(self, allowed: bool) -> None:
        if allowed:
            body = f'echo "sudo $*" >> {self.log}\n[ "$1" = -n ] && shift\nexec "$@"'
        else:  # what sudo -n says when it would have to ask for a password
            body = 'echo "sudo: a password is required" >&2\nexit 1'
        self._tool(self.bin / "sudo", body)

    def run(self, *, pretend: str = "", as_root: bool) -> subprocess.CompletedProcess[str]:
        env = {
            "PATH": f"{self.bin}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
            "SAFETYWALK_PRETEND_MISSING": pretend,
            "LANG": "C.UTF-8",
        }
        command = ["bash", str(self.top / "scripts" / SCRIPT.name)]
        if ROOT and not as_root:
            command = ["runuser", "-u", "nobody", "--", *command]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)

    def calls(self) -> list[str]:
        return self.log.read_text().splitlines()


@pytest.fixture
def machine() -> Iterator[Machine]:
    # Not under pytest's tmp_path: `nobody` must be able to read the copy.
    top = Path(tempfile.mkdtemp(prefix="sw-deps-", dir="/tmp"))
    top.chmod(stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
    try:
        yield Machine(top)
    finally:
        shutil.rmtree(top)


def test_as_root_it_installs_only_what_is_missing_with_apt_get(machine):
    if not ROOT:
        pytest.skip("the root path needs the tests to run as root (as CI does)")
    done = machine.run(pretend="chromium libharfbuzz-subset0", as_root=True)
    assert done.returncode == 0, done.stderr
    assert machine.calls() == [
        "apt-get update -qq",
        "apt-get install -y -qq libharfbuzz-subset0 chromium",
    ]


def test_a_user_whom_sudo_allows_installs_through_sudo_without_a_prompt(machine):
    if ROOT and not shutil.which("runuser"):
        pytest.skip("needs runuser to act as a non-root user")
    done = machine.run(pretend="postgresql", as_root=False)
    assert done.returncode == 0, done.stderr
    installs = [call for call in machine.calls() if "install" in call]
    assert installs[0] == (
        "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql"
    )
    assert "installed: postgresql" in done.stderr


def test_without_root_or_sudo_it_stops_at_once_with_the_one_command_to_run(machine):
    if ROOT and not shutil.which("runuser"):
        pytest.skip("needs runuser to act as a non-root user")
    machine.sudo_allowed(False)
    done = machine.run(pretend="chromium postgresql", as_root=False)
    assert done.returncode == 1
    assert "missing: chromium postgresql" in done.stderr
    assert "sudo sh -c 'apt-get update && apt-get install -y chromium postgresql'" in done.stderr
    assert not any("apt-get" in call and "--version" not in call for call in machine.calls())


def test_with_everything_there_it_installs_nothing_and_is_quick(machine):
    started = time.monotonic()
    done = machine.run(as_root=ROOT)
    took = time.monotonic() - started
    if done.returncode != 0 or "are installed" not in done.stderr:
        pytest.skip(f"this machine lacks a test dependency: {done.stderr.strip()}")
    assert machine.calls() == []
    assert took < 3
