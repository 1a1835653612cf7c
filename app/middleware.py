"""ASGI middleware: request body limit, body pieces, security headers and format defaults."""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    """uvicorn has no body limit of its own: refuse bodies over `max_bytes` while reading them.

    `on_too_large` builds the answer (a 413 the resident can read). `prefix_limits` sets a
    lower limit for paths under a prefix."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        on_too_large: Callable[[Scope], ASGIApp],
        prefix_limits: dict[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.on_too_large = on_too_large
        self.prefix_limits = prefix_limits or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        max_bytes = next(
            (
                limit
                for prefix, limit in self.prefix_limits.items()
                if scope["path"].startswith(prefix)
            ),
            self.max_bytes,
        )
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > max_bytes:
                    await self.on_too_large(scope)(scope, receive, send)
                    return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await self.on_too_large(scope)(scope, receive, send)


class GatherBody:
    """Hand the app a request body in pieces of at least `piece_bytes` (the last may be less).

    uvicorn passes on each socket read (64-256 kB), and Starlette's multipart parser writes each
    piece of an upload to its spooled file in a worker thread: a 4 MB photo cost 16 or more
    thread hops, each a wait for both threads to be scheduled (bench/README.md, "Capture").
    Inside BodySizeLimit, so the limit still counts every read as it comes."""

    def __init__(self, app: ASGIApp, piece_bytes: int = 1024 * 1024) -> None:
        self.app = app
        self.piece_bytes = piece_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return

        async def gathering_receive() -> Message:
            parts: list[bytes] = []
            size = 0
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    return message  # a disconnect: what was gathered is of no use now
                body = message.get("body", b"")
                parts.append(body)
                size += len(body)
                more = message.get("more_body", False)
                if not more or size >= self.piece_bytes:
                    return {"type": "http.request", "body": b"".join(parts), "more_body": more}

        await self.app(scope, gathering_receive, send)


class SecurityHeaders:
    """Headers every answer carries. No referrer leaves the site: a status page's address holds
    its tracking token, and map tiles come from another host."""

    def __init__(self, app: ASGIApp, content_security_policy: str) -> None:
        self.app = app
        self.headers = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"x-frame-options", b"DENY"),
            (b"permissions-policy", b"geolocation=(self), camera=(self)"),
            (b"content-security-policy", content_security_policy.encode()),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + self.headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadAsGet:
    """Answer HEAD like GET without the body (uptime probes, link previews); FastAPI's GET
    routes do not answer HEAD themselves."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        # Marked, so that a route that counts visits (a walk's participants) can leave it out.
        state = {**scope.get("state", {}), "head": True}
        await self.app({**scope, "method": "GET", "state": state}, receive, send_without_body)


class DefaultFormat:
    """A resource under `prefix` asked for without an extension is served in `extension`'s
    format (Open311: /requests is /requests.xml, the format every server speaks), so each
    route is written once, with its extension."""

    def __init__(self, app: ASGIApp, prefix: str, extension: str) -> None:
        self.app = app
        self.prefix = prefix
        self.extension = extension

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.prefix):
            last = scope["path"].rsplit("/", 1)[-1]
            if last and "." not in last:
                scope = {
                    **scope,
                    "path": scope["path"] + self.extension,
                    "raw_path": scope.get("raw_path", scope["path"].encode())
                    + self.extension.encode(),
                }
        await self.app(scope, receive, send)
