"""A small photo server on loopback for the media_url tests: each path answers as `routes` says
(status, headers, body, and how slowly), and every request it got is kept."""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # Send the body this many bytes at a time, waiting `drip` seconds before each piece.
    piece: int = 0
    drip: float = 0.0
    # Leave out Content-Length (the body ends when the connection closes).
    no_length: bool = False


@dataclass
class PhotoServer:
    routes: dict[str, Route] = field(default_factory=dict)
    seen: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # (path, headers)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def paths(self) -> list[str]:
        with self.lock:
            return [path for path, _headers in self.seen]


def _handler(state: PhotoServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            with state.lock:
                state.seen.append((self.path, dict(self.headers.items())))
            route = state.routes.get(self.path, Route(status=404, body=b"not here"))
            try:
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if route.no_length:
                    self.send_header("Connection", "close")
                else:
                    self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                piece = route.piece or len(route.body) or 1
                for start in range(0, len(route.body), piece):
                    if route.drip:
                        time.sleep(route.drip)
                    self.wfile.write(route.body[start : start + piece])
                    self.wfile.flush()
            except OSError:  # the client gave up (a limit or a deadline test)
                pass
            self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


@contextmanager
def serve(tls: ssl.SSLContext | None = None) -> Iterator[PhotoServer]:
    """The server on 127.0.0.1 and a free port, in a thread; HTTPS with the `tls` context."""
    state = PhotoServer()
    server = _Server(("127.0.0.1", 0), _handler(state))
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
