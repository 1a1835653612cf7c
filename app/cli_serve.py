"""`safetywalk serve`: the web server (uvicorn).

`--reuse-port` lets several independent `safetywalk serve` processes listen on one port of one
machine (SO_REUSEPORT: the kernel spreads new connections over them), so app servers can be
started, stopped and restarted one at a time without a proxy in front choosing between them.
`--own-port` adds a port that only this process listens on: on the shared port nobody can
choose which process answers, but health checks and /metrics (counted per process) must.
"""

from __future__ import annotations

import argparse
import logging
import socket
import sys
from typing import Any

from app.config import get_settings
from app.observability import server_options

log = logging.getLogger("uvicorn.error")


def add_parser(sub: Any) -> None:
    serve = sub.add_parser("serve", help="run the web server")
    serve.add_argument("--host", help="address to bind (default: HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: PORT or 8000)")
    serve.add_argument("--reload", action="store_true", help="restart on code changes")
    serve.add_argument("--workers", type=int, default=None, help="worker processes")
    serve.add_argument(
        "--forwarded-allow-ips",
        default=None,
        help="proxies whose X-Forwarded-* headers are trusted "
        "(default: FORWARDED_ALLOW_IPS, else 127.0.0.1)",
    )
    serve.add_argument(
        "--reuse-port",
        action="store_true",
        help="share the port with other `safetywalk serve --reuse-port` processes "
        "(SO_REUSEPORT; Linux and the BSDs)",
    )
    serve.add_argument(
        "--own-port",
        type=int,
        default=None,
        help="also listen on this port, this process alone (health checks, /metrics)",
    )
    serve.set_defaults(func=serve_command)


def serve_command(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    options: dict[str, Any] = {
        "factory": True,
        "host": args.host or settings.host,
        "port": args.port or settings.port,
        "reload": args.reload,
        "proxy_headers": True,
        "forwarded_allow_ips": args.forwarded_allow_ips,
        "workers": args.workers,
        # JSON logs with request ids, graceful shutdown (app/observability.py).
        **server_options(settings),
    }
    if not (args.reuse_port or args.own_port):
        uvicorn.run("app.main:create_app", **options)
        return 0
    if args.reload:
        print("--reload cannot be combined with --reuse-port or --own-port", file=sys.stderr)
        return 2
    if args.own_port and (args.workers or 1) > 1:
        print("--own-port is for one process: drop --workers", file=sys.stderr)
        return 2
    config = uvicorn.Config("app.main:create_app", **options)
    try:
        sockets = [listening_socket(config.host, config.port, reuse_port=args.reuse_port)]
        if args.own_port:
            sockets.append(listening_socket(config.host, args.own_port, reuse_port=False))
    except OSError as exc:
        print(f"cannot listen: {exc}", file=sys.stderr)
        return 1
    for sock in sockets:
        address = sock.getsockname()
        log.info("listening on %s port %s", address[0], address[1])
    if config.workers > 1:
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, sockets=sockets).run()
        return 0
    server = uvicorn.Server(config)
    server.run(sockets=sockets)
    return 0 if server.started else 1


def listening_socket(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    """A bound TCP socket, shared with other processes (SO_REUSEPORT) when `reuse_port`."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            if not hasattr(socket, "SO_REUSEPORT"):
                raise OSError("SO_REUSEPORT is not available on this system")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except BaseException:
        sock.close()
        raise
    sock.set_inheritable(True)  # uvicorn's worker processes take it over
    return sock
