"""Fetching a service request's `media_url` without letting it reach inside our network.

A URL a client system sends makes this server open a connection, so it could point at what
only we can reach: the cloud's metadata service (169.254.169.254), the database, an admin port
on loopback. So a photo is fetched only when

- its host is one an operator listed (SAFETYWALK_OPEN311_MEDIA_HOSTS, the exact name), over
  http or https on the scheme's own port (a listed `host:8080` allows that port, `host:*` any:
  another port of a listed machine may be its database), with no user name or password;
- EVERY address the name resolves to is a public one: not loopback, private, link-local,
  multicast, reserved or unspecified, nor such an IPv4 address wrapped in IPv6 (::ffff:…,
  6to4, NAT64), unless it lies in a network the operator vouches for
  (SAFETYWALK_OPEN311_MEDIA_TRUSTED_NETWORKS);
- the connection goes to the address that was checked: the name is resolved once, so a DNS
  answer that changes between the check and the connection (DNS rebinding) cannot move it.
  HTTPS still sends the host name (SNI) and checks the certificate against it;
- a redirect is refused, not followed (it could lead anywhere);
- at most `upload_max_bytes` are read, within `open311_media_timeout_seconds` in all (a
  watchdog shuts the socket at the deadline, in the connect, the TLS handshake or any read,
  however slowly the server trickles).

The bytes then go through the photo pipeline like an upload.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import urlsplit

from app.config import Settings
from app.i18n import gettext as _
from app.i18n import ngettext

log = logging.getLogger("safetywalk.media_fetch")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int, float], Sequence[str]]
CHUNK = 64 * 1024
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class MediaRefused(Exception):
    """Why a media_url was not fetched, for the client system's developer."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


def allowed_hosts(settings: Settings) -> frozenset[tuple[str, str]]:
    """The listed (host, port) pairs; port "" is the scheme's own, "*" any."""
    found: set[tuple[str, str]] = set()
    for entry in settings.open311_media_hosts.split(","):
        entry = entry.strip().lower()
        if entry.startswith("["):  # an IPv6 literal, [::1]:8080
            host, _bracket, rest = entry[1:].partition("]")
            found.add((host, rest.removeprefix(":")))
        elif entry.count(":") == 1:
            host, port = entry.split(":")
            found.add((host.rstrip("."), port.strip()))
        elif entry:
            found.add((entry.rstrip("."), ""))
    return frozenset(found)


def _port_allowed(hosts: frozenset[tuple[str, str]], host: str, port: int, default: int) -> bool:
    return any(
        name == host and (listed == "*" or listed == str(port) or (not listed and port == default))
        for name, listed in hosts
    )


def trusted_networks(settings: Settings) -> list[IPNetwork]:
    networks: list[IPNetwork] = []
    for text in settings.open311_media_trusted_networks.split(","):
        if not text.strip():
            continue
        try:
            networks.append(ipaddress.ip_network(text.strip(), strict=False))
        except ValueError:  # a typo must not open anything: the entry is left out
            log.error("SAFETYWALK_OPEN311_MEDIA_TRUSTED_NETWORKS: %r is not a network", text)
    return networks


def _embedded(ip: IPAddress) -> Iterable[IPAddress]:
    """The IPv4 addresses an IPv6 address carries (and would reach through a gateway)."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return
    if ip.ipv4_mapped is not None:
        yield ip.ipv4_mapped
    if ip.sixtofour is not None:
        yield ip.sixtofour
    if ip.teredo is not None:
        yield from ip.teredo
    if ip in NAT64 or int(ip) < 2**32:  # NAT64, and the old IPv4-compatible ::a.b.c.d
        yield ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)


def _internal(ip: IPAddress) -> bool:
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local)
        or not ip.is_global  # e.g. 100.64.0.0/10, a carrier's shared space
    )


def address_allowed(ip: IPAddress, trusted: Sequence[IPNetwork]) -> bool:
    """Whether a connection to `ip` may be made: public, in every form it takes, or vouched
    for by the operator."""

    def vouched(address: IPAddress) -> bool:
        return any(address.version == net.version and address in net for net in trusted)

    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # a socket to ::ffff:a.b.c.d goes to a.b.c.d: judge that one
    if vouched(ip):
        return True
    return all(not _internal(form) or vouched(form) for form in (ip, *_embedded(ip)))


def system_resolver(host: str, port: int, timeout: float) -> Sequence[str]:
    """The host's addresses from the system's resolver, within `timeout` seconds (the resolver
    itself has none: it runs in a thread that is left behind if it hangs)."""
    found: dict[str, object] = {}

    def run() -> None:
        try:
            found["addresses"] = [
                str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            ]
        except (OSError, UnicodeError) as exc:
            found["error"] = exc

    worker = threading.Thread(target=run, daemon=True, name="media-resolve")
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise TimeoutError
    if "error" in found:
        raise OSError(str(found["error"]))
    return list(found["addresses"])  # type: ignore[call-overload]


class _PinnedHTTP(http.client.HTTPConnection):
    """HTTP to the checked address, whatever the name would resolve to now."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    raw_sock: socket.socket | None = None

    def connect(self) -> None:
        self.sock = self.raw_sock = socket.create_connection(
            (self.address, self.port), self.timeout
        )


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to the checked address; SNI and the certificate check use the host name."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    raw_sock: socket.socket | None = None

    def connect(self) -> None:
        # Kept where the watchdog can shut it: during the handshake self.sock is still None.
        self.raw_sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(self.raw_sock, server_hostname=self.host)  # type: ignore[attr-defined]


def fetch(url: str, *, settings: Settings, resolve: Resolver = system_resolver) -> bytes:
    """The bytes at `url` (a photo, as far as we know yet), or MediaRefused saying why not."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise MediaRefused(_("media_url must be an http:// or https:// address."))
    if parts.username is not None or parts.password is not None:
        raise MediaRefused(_("media_url may not hold a user name or password."))
    hosts = allowed_hosts(settings)
    if not hosts:
        raise MediaRefused(
            _("media_url is not accepted here: send the photo as the file `media` instead.")
        )
    host = parts.hostname.lower().rstrip(".")
    if host not in {name for name, _port in hosts}:
        raise MediaRefused(
            _(
                "media_url's host %(host)s is not one we fetch photos from (ask the "
                "municipality to add it), or send the photo as the file `media`.",
                host=host,
            )
        )
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in target):  # http.client refuses these
        raise MediaRefused(
            _("media_url is not a valid address: encode its spaces and control characters.")
        )
    https = parts.scheme.lower() == "https"
    default = 443 if https else 80
    try:
        port = parts.port or default
    except ValueError:
        raise MediaRefused(_("media_url's port is not valid.")) from None
    if not _port_allowed(hosts, host, port, default):
        raise MediaRefused(
            _(
                "media_url's port %(port)s is not one we fetch photos from on %(host)s.",
                port=port,
                host=host,
            )
        )
    timeout = settings.open311_media_timeout_seconds
    deadline = time.monotonic() + timeout
    late = MediaRefused(
        ngettext(
            "media_url took longer than %(seconds)s second to fetch.",
            "media_url took longer than %(seconds)s seconds to fetch.",
            1 if timeout == 1 else 2,  # "0.5 seconds", "1 second"
            seconds=f"{timeout:g}",
        )
    )
    try:
        addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in resolve(host, port, timeout)]
    except TimeoutError:
        raise late from None
    except (OSError, ValueError):
        addresses = []
    if not addresses:
        raise MediaRefused(_("media_url's host %(host)s could not be found.", host=host))
    trusted = trusted_networks(settings)
    if not all(address_allowed(ip, trusted) for ip in addresses):
        log.warning("media_url refused: %s resolves to an internal address", host)
        raise MediaRefused(
            _(
                "media_url's host %(host)s resolves to an address we do not fetch from "
                "(loopback, private, link-local or reserved).",
                host=host,
            )
        )
    return _download(
        host,
        port,
        target,
        address=str(addresses[0]),
        https=https,
        deadline=deadline,
        late=late,
        settings=settings,
    )


def _download(
    host: str,
    port: int,
    target: str,
    *,
    address: str,
    https: bool,
    deadline: float,
    late: MediaRefused,
    settings: Settings,
) -> bytes:
    remaining = max(deadline - time.monotonic(), 0.001)
    pinned = _PinnedHTTPS if https else _PinnedHTTP
    connection = pinned(host, port, address=address, timeout=remaining)
    expired = threading.Event()

    def expire() -> None:  # wakes whatever is blocked: the handshake, a read, a slow drip
        expired.set()
        for sock in (connection.raw_sock, connection.sock):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(remaining, expire)
    watchdog.daemon = True
    watchdog.start()
    limit = settings.upload_max_bytes
    too_big = MediaRefused(
        _("The photo at media_url is larger than %(n)s bytes, our limit.", n=limit)
    )
    try:
        connection.request(
            "GET", target, headers={"User-Agent": settings.geocoder_user_agent, "Accept": "image/*"}
        )
        if expired.is_set():  # connected just as the watchdog fired: it found no socket
            raise late
        answer = connection.getresponse()
        if 300 <= answer.status < 400:
            raise MediaRefused(
                _(
                    "media_url answered with a redirect (HTTP %(code)s), which we do not "
                    "follow: send the photo's own address.",
                    code=answer.status,
                )
            )
        if answer.status != 200:
            raise MediaRefused(
                _("media_url answered HTTP %(code)s, not a photo.", code=answer.status)
            )
        length = answer.getheader("Content-Length", "")
        if length.isdigit() and int(length) > limit:
            raise too_big
        data = bytearray()
        while chunk := answer.read1(CHUNK):
            data += chunk
            if len(data) > limit:
                raise too_big
            if time.monotonic() > deadline:
                raise late
        if expired.is_set():  # the watchdog cut a body short: it is not the whole photo
            raise late
        return bytes(data)
    except ssl.SSLCertVerificationError:
        raise MediaRefused(
            _("media_url's server did not show a valid certificate for %(host)s.", host=host)
        ) from None
    except (OSError, http.client.HTTPException, ValueError):
        if expired.is_set() or time.monotonic() >= deadline:
            raise late from None
        raise MediaRefused(
            _("media_url could not be fetched: the server at %(host)s did not answer.", host=host)
        ) from None
    finally:
        watchdog.cancel()
        connection.close()
