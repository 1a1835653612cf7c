"""PDFs read their photos through the media store, whichever it is, and nothing else besides
our own stylesheets; a store that fails stops the PDF instead of leaving its photos out."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.services.media_store import LocalStore, MediaStore, MediaStoreError, S3Store, photo_key
from app.services.protocol_pdf import LocalFetcher, render_pdf
from tests.factories import jpeg_bytes
from tests.s3server import REGION, S3Server

SHA = "ab" * 32
BASE = "https://safetywalk.example.org"


def page(*sources: str) -> str:
    images = "".join(f'<img src="{src}" width="200" height="150">' for src in sources)
    style = '<link rel="stylesheet" href="/static/css/protocol-pdf.css">'
    return f"<html><head>{style}</head><body>{images}</body></html>"


def images_in(pdf: bytes) -> int:
    return sum(len(p.images) for p in PdfReader(io.BytesIO(pdf)).pages)


def test_a_pdf_embeds_the_photos_its_page_names_from_the_store(media: MediaStore) -> None:
    media.put(photo_key(SHA), jpeg_bytes(400, 300))
    media.put(photo_key(SHA, thumb=True), jpeg_bytes(200, 150))
    pdf = render_pdf(
        page(f"/media/photos/ab/{SHA}.jpg", f"/media/thumbs/ab/{SHA}.jpg"),
        store=media,
        base_url=BASE,
    )
    assert images_in(pdf) == 2


def test_a_pdf_fetches_nothing_but_our_photos_and_styles(tmp_path: Path) -> None:
    (tmp_path / "secret.jpg").write_bytes(jpeg_bytes(40, 30))
    fetcher = LocalFetcher(LocalStore(tmp_path / "media"))
    assert fetcher.fetch(f"{BASE}/static/css/protocol-pdf.css").read()
    for url in (
        "http://169.254.169.254/latest/meta-data",
        f"{BASE}/media/../secret.jpg",
        f"{BASE}/static/../../config.py",
        "file:///etc/passwd",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    # A photo that is not there is left out, as a browser would.
    assert (
        images_in(
            render_pdf(
                page(f"/media/photos/ab/{SHA}.jpg"), store=LocalStore(tmp_path), base_url=BASE
            )
        )
        == 0
    )


def test_a_store_that_fails_stops_the_pdf(s3_server: S3Server) -> None:
    down = S3Store("no-such-bucket", "", endpoint_url=s3_server.endpoint_url, region=REGION)
    with pytest.raises(MediaStoreError, match="NoSuchBucket"):
        render_pdf(page(f"/media/photos/ab/{SHA}.jpg"), store=down, base_url=BASE)
