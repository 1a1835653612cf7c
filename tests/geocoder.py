"""A small Nominatim-compatible server on loopback for the geocoding tests: it answers
`/reverse` and `/search` in Nominatim's JSON format, can be slow (`delay`), can fail
(`statuses`: the next answers' HTTP codes), and keeps every request it got. The real service
is never contacted."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

# Nominatim's answer for a point in the middle of Boden (format=json, addressdetails=1).
STORGATAN: dict[str, Any] = {
    "place_id": 101,
    "licence": "Data © OpenStreetMap contributors, ODbL 1.0. https://osm.org/copyright",
    "osm_type": "way",
    "osm_id": 4711,
    "lat": "65.8253",
    "lon": "21.6880",
    "class": "building",
    "type": "yes",
    "display_name": "12, Storgatan, Centrum, Boden, Bodens kommun, Norrbottens län, 961 36, "
    "Sverige",
    "address": {
        "house_number": "12",
        "road": "Storgatan",
        "suburb": "Centrum",
        "town": "Boden",
        "municipality": "Bodens kommun",
        "county": "Norrbottens län",
        "ISO3166-2-lvl4": "SE-BD",
        "postcode": "961 36",
        "country": "Sverige",
        "country_code": "se",
    },
    "boundingbox": ["65.8252", "65.8254", "21.6879", "21.6881"],
}
NOTHING_HERE: dict[str, Any] = {"error": "Unable to geocode"}


@dataclass
class Request:
    """One request as the server saw it."""

    path: str
    query: dict[str, str]
    headers: dict[str, str]
    at: float  # time.monotonic() on arrival


@dataclass
class Nominatim:
    """What the server answers: `answer(lat, lon)` gives the JSON body; `statuses` are popped
    one per request (an HTTP code other than 200 answers an error); `delay` holds every answer
    back this many seconds."""

    answer: Callable[[float, float], dict[str, Any]] = lambda lat, lon: STORGATAN
    # `search(q)` gives /search's JSON list (Nominatim answers [] when it finds nothing).
    search: Callable[[str], list[dict[str, Any]]] = lambda q: [STORGATAN]
    statuses: list[int] = field(default_factory=list)
    delay: float = 0.0
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    @property
    def count(self) -> int:
        """How many requests have arrived."""
        with self.lock:
            return len(self.requests)

    def reverse_requests(self) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.path.endswith("/reverse")]

    def search_requests(self) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.path.endswith("/search")]


def _handler(state: Nominatim) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            with state.lock:
                state.requests.append(
                    Request(parts.path, query, dict(self.headers.items()), time.monotonic())
                )
                status = state.statuses.pop(0) if state.statuses else 200
            if state.delay:
                time.sleep(state.delay)
            body: Any
            if not parts.path.endswith(("/reverse", "/search")):
                status, body = 404, {"error": "not found"}
            elif status != 200:
                body = {"error": {"code": status, "message": "test failure"}}
            elif parts.path.endswith("/search"):
                body = state.search(query.get("q", ""))
            else:
                body = state.answer(float(query["lat"]), float(query["lon"]))
            data = json.dumps(body, ensure_ascii=False).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client gave up waiting (a timeout test): nothing to tell
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: the tests read `state.requests`

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out and closed its socket is expected here


@contextmanager
def serve(prefix: str = "") -> Iterator[Nominatim]:
    """The server on 127.0.0.1 and a free port, in a thread; `state.url` is its address (with
    the path `prefix`, as a Nominatim behind a reverse proxy may have)."""
    state = Nominatim()
    server = _Server(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
