"""media_url fetching: only from listed hosts, never into our own network (unless an operator
vouches for it), to the address that was checked, no redirects, bounded in bytes and time.
Against a real HTTP server on loopback."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import Settings
from app.services import media_fetch
from app.services.media_fetch import MediaRefused
from tests import mediaserver
from tests.conftest import make_settings

PHOTO = b"\xff\xd8" + b"p" * 5000  # what comes back is checked by the photo pipeline, not here


@pytest.fixture
def photos() -> Iterator[mediaserver.PhotoServer]:
    with mediaserver.serve() as server:
        server.routes["/photo.jpg"] = mediaserver.Route(body=PHOTO)
        yield server


def fetch_settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "open311_media_hosts": "127.0.0.1:*, Photos.Example.ORG:*",
        "open311_media_trusted_networks": "127.0.0.1/32",
        "open311_media_timeout_seconds": 2,
    }
    return make_settings("sqlite://", tmp_path, **(values | overrides))


def refusal(url: str, settings: Settings, **kwargs: object) -> str:
    with pytest.raises(MediaRefused) as caught:
        media_fetch.fetch(url, settings=settings, **kwargs)  # type: ignore[arg-type]
    return caught.value.description


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",  # the cloud's metadata service
        "100.64.0.1",  # a carrier's shared space
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fec0::1",
        "ff02::1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:169.254.169.254",
        "::ffff:10.0.0.1",
        "::127.0.0.1",  # the old IPv4-compatible form
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    ],
)
def test_internal_addresses_are_refused(address):
    assert not media_fetch.address_allowed(ipaddress.ip_address(address), [])


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:4700::1111", "2002:5db8:d822::"])
def test_public_addresses_are_allowed(address):
    assert media_fetch.address_allowed(ipaddress.ip_address(address), [])


def test_a_trusted_network_lets_its_addresses_through_and_no_others():
    trusted = [ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("10.1.2.0/24")]
    allowed = ["127.0.0.1", "10.1.2.77", "::ffff:127.0.0.1"]
    refused = ["127.0.0.2", "10.1.3.1", "::1", "169.254.169.254"]
    for address in allowed:
        assert media_fetch.address_allowed(ipaddress.ip_address(address), trusted), address
    for address in refused:
        assert not media_fetch.address_allowed(ipaddress.ip_address(address), trusted), address


def test_a_mistyped_trusted_network_opens_nothing(tmp_path):
    settings = fetch_settings(tmp_path, open311_media_trusted_networks="127.0.0.1/33, nonsense")
    assert media_fetch.trusted_networks(settings) == []


def test_a_listed_host_in_a_trusted_network_is_fetched(photos, tmp_path):
    assert media_fetch.fetch(photos.url("/photo.jpg"), settings=fetch_settings(tmp_path)) == PHOTO


def test_the_connection_goes_to_the_address_checked_without_a_second_lookup(photos, tmp_path):
    lookups: list[str] = []

    def resolver(host: str, port: int, timeout: float) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]

    url = photos.url("/photo.jpg", host="photos.example.org")  # resolves nowhere for real
    assert media_fetch.fetch(url, settings=fetch_settings(tmp_path), resolve=resolver) == PHOTO
    assert lookups == ["photos.example.org"]
    assert photos.seen[-1][1]["Host"] == f"photos.example.org:{photos.port}"


def test_loopback_is_refused_without_trust(photos, tmp_path):
    settings = fetch_settings(tmp_path, open311_media_trusted_networks="")
    assert "resolves to an address we do not fetch from" in refusal(
        photos.url("/photo.jpg"), settings
    )
    assert photos.paths() == []  # not even connected


@pytest.mark.parametrize(
    "addresses",
    [["10.1.2.3"], ["169.254.169.254"], ["fd00::5"], ["93.184.216.34", "192.168.0.10"]],
)
def test_a_name_resolving_to_a_private_address_is_refused(tmp_path, addresses):
    def resolver(host: str, port: int, timeout: float) -> list[str]:
        return addresses

    description = refusal(
        "https://photos.example.org/a.jpg", fetch_settings(tmp_path), resolve=resolver
    )
    assert "photos.example.org resolves to an address we do not fetch from" in description


def test_a_real_name_resolving_to_loopback_is_refused(tmp_path, photos):
    settings = fetch_settings(
        tmp_path, open311_media_hosts="localhost:*", open311_media_trusted_networks=""
    )
    assert "resolves to an address we do not fetch from" in refusal(
        photos.url("/photo.jpg", host="localhost"), settings
    )


def test_a_host_not_on_the_list_is_refused(photos, tmp_path):
    settings = fetch_settings(tmp_path, open311_media_hosts="photos.example.org")
    assert "host 127.0.0.1 is not one we fetch photos from" in refusal(
        photos.url("/photo.jpg"), settings
    )
    assert photos.paths() == []


def test_a_listed_host_is_fetched_from_its_schemes_port_or_the_ports_listed(photos, tmp_path):
    """Another port of a listed (perhaps trusted, intranet) machine may be its database."""
    url = photos.url("/photo.jpg")
    for hosts in ("127.0.0.1", f"127.0.0.1:{photos.port + 1}", "[::1]:*"):
        settings = fetch_settings(tmp_path, open311_media_hosts=hosts)
        described = refusal(url, settings)
        assert "is not one we fetch photos from" in described
    assert photos.paths() == []
    for hosts in (f"127.0.0.1:{photos.port}", "127.0.0.1:*"):
        settings = fetch_settings(tmp_path, open311_media_hosts=hosts)
        assert media_fetch.fetch(url, settings=settings) == PHOTO
    plain = fetch_settings(tmp_path, open311_media_hosts="photos.example.org")
    assert media_fetch.allowed_hosts(plain) == {("photos.example.org", "")}


def test_a_dripped_tls_handshake_is_given_up_at_the_deadline(https_photos, tmp_path):
    """Between the fetch and a real HTTPS photo server, a proxy passes the server's bytes on
    50 at a time, 0.2 s apart: no single read waits long, but the handshake alone would take
    seconds. The deadline holds in the handshake too, not only in the body (the watchdog can
    shut the raw socket while the handshake runs)."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def relay() -> None:
        with contextlib.suppress(OSError):
            client_side, _address = listener.accept()
            server_side = socket.create_connection(("127.0.0.1", https_photos.port))
            for sock in (client_side, server_side):
                sock.settimeout(0.05)
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    if data := client_side.recv(4096):
                        server_side.sendall(data)
                with contextlib.suppress(TimeoutError):
                    if data := server_side.recv(50):
                        time.sleep(0.2)
                        client_side.sendall(data)

    relaying = threading.Thread(target=relay, daemon=True)
    relaying.start()
    settings = fetch_settings(
        tmp_path, open311_media_hosts="localhost:*", open311_media_timeout_seconds=0.5
    )
    url = f"https://localhost:{listener.getsockname()[1]}/photo.jpg"
    started = time.monotonic()
    try:
        described = refusal(url, settings, resolve=to_loopback)
    finally:
        stop.set()
        listener.close()
    assert "longer than 0.5 seconds" in described
    assert time.monotonic() - started < 1.5


def test_without_listed_hosts_media_url_is_refused(photos, tmp_path):
    settings = fetch_settings(tmp_path, open311_media_hosts="")
    assert "media_url is not accepted here" in refusal(photos.url("/photo.jpg"), settings)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://127.0.0.1/photo.jpg", "http:// or https://"),
        ("file:///etc/passwd", "http:// or https://"),
        ("http://user:secret@127.0.0.1/photo.jpg", "user name or password"),
        ("http://127.0.0.1:99999/photo.jpg", "port is not valid"),
        ("http://127.0.0.1/a photo.jpg", "not a valid address"),
    ],
)
def test_malformed_addresses_are_refused(tmp_path, url, words):
    assert words in refusal(url, fetch_settings(tmp_path))


def test_a_redirect_is_refused_not_followed(photos, tmp_path):
    photos.routes["/moved"] = mediaserver.Route(
        status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
    )
    assert "redirect (HTTP 302)" in refusal(photos.url("/moved"), fetch_settings(tmp_path))
    assert photos.paths() == ["/moved"]


def test_an_error_answer_is_refused(photos, tmp_path):
    assert "HTTP 404" in refusal(photos.url("/missing.jpg"), fetch_settings(tmp_path))


def test_a_body_over_the_limit_is_refused(photos, tmp_path):
    settings = fetch_settings(tmp_path, upload_max_bytes=1000)
    assert "larger than 1000 bytes" in refusal(photos.url("/photo.jpg"), settings)


def test_a_body_over_the_limit_without_a_length_is_cut_off(photos, tmp_path):
    photos.routes["/endless"] = mediaserver.Route(body=b"x" * 400_000, no_length=True, piece=10_000)
    settings = fetch_settings(tmp_path, upload_max_bytes=50_000)
    assert "larger than 50000 bytes" in refusal(photos.url("/endless"), settings)


def test_a_slow_server_is_given_up_at_the_deadline(photos, tmp_path):
    # 40 pieces, 0.1 s apart: each read is quick, the whole would take 4 s.
    photos.routes["/slow"] = mediaserver.Route(body=b"x" * 400, piece=10, drip=0.1)
    settings = fetch_settings(tmp_path, open311_media_timeout_seconds=0.5)
    started = time.monotonic()
    assert "longer than 0.5 seconds" in refusal(photos.url("/slow"), settings)
    assert time.monotonic() - started < 1.5


def test_a_server_that_does_not_answer_is_named(tmp_path):
    from tests.conftest import free_port

    url = f"http://127.0.0.1:{free_port()}/photo.jpg"  # nothing listens there
    assert "did not answer" in refusal(url, fetch_settings(tmp_path))


@pytest.fixture
def https_photos(tmp_path, monkeypatch) -> Iterator[mediaserver.PhotoServer]:
    """An HTTPS photo server whose certificate (for localhost and 127.0.0.1) is signed by a CA
    the system trusts for this test only."""
    from tests.mailserver import make_certificates

    folder = tmp_path / "tls"
    folder.mkdir()
    certificates = make_certificates(folder)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca))
    with mediaserver.serve(tls=certificates.server_context()) as server:
        server.routes["/photo.jpg"] = mediaserver.Route(body=PHOTO)
        yield server


def to_loopback(host: str, port: int, timeout: float) -> list[str]:
    return ["127.0.0.1"]


def test_https_checks_the_certificate_against_the_host_name(https_photos, tmp_path):
    settings = fetch_settings(tmp_path, open311_media_hosts="localhost:*, photos.example.org:*")
    url = f"https://localhost:{https_photos.port}/photo.jpg"
    assert media_fetch.fetch(url, settings=settings, resolve=to_loopback) == PHOTO
    # The same server and address under a name its certificate does not hold: refused.
    other = f"https://photos.example.org:{https_photos.port}/photo.jpg"
    assert "did not show a valid certificate for photos.example.org" in refusal(
        other, settings, resolve=to_loopback
    )
