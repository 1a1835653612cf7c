"""`safetywalk serve --reuse-port`: several processes may listen on one port only when each
asks for it (tests/test_cluster.py runs two such servers for real)."""

from __future__ import annotations

import pytest

from app.cli import main
from app.cli_serve import listening_socket
from tests.conftest import free_port


def test_two_sockets_share_a_port_when_both_ask_for_it():
    port = free_port()
    first = listening_socket("127.0.0.1", port, reuse_port=True)
    second = listening_socket("127.0.0.1", port, reuse_port=True)
    try:
        first.listen()
        second.listen()
        assert first.getsockname()[1] == second.getsockname()[1] == port
    finally:
        first.close()
        second.close()


def test_a_port_taken_without_reuse_port_is_not_shared():
    port = free_port()
    taken = listening_socket("127.0.0.1", port, reuse_port=False)
    taken.listen()
    try:
        with pytest.raises(OSError):
            listening_socket("127.0.0.1", port, reuse_port=True)
    finally:
        taken.close()


@pytest.mark.parametrize(
    "args",
    [
        ["--reuse-port", "--reload"],
        ["--own-port", "9", "--workers", "2"],
    ],
)
def test_combinations_that_cannot_work_are_refused(args, capsys):
    assert main(["serve", "--port", str(free_port()), *args]) == 2
    assert "--" in capsys.readouterr().err
