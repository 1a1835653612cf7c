"""HTML to PDF with WeasyPrint, reading photos from the media store and styles from disk, never
from the network."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from PIL import ImageFile
from weasyprint import HTML, URLFetcher
from weasyprint.document import Document
from weasyprint.urls import FatalURLFetchingError, URLFetcherResponse

from app.services.media_store import MediaMissing, MediaStore, MediaStoreError

# Importing WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES, which would make the
# photo pipeline accept half-uploaded photos from then on. Our stored photos are whole.
ImageFile.LOAD_TRUNCATED_IMAGES = False

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
MEDIA_PREFIX = "/media/"


class _StoreDown(FatalURLFetchingError):
    """The store failed: the PDF must not be made without its photos (WeasyPrint would leave
    out an image it cannot fetch). render_pdf turns it back into MediaStoreError."""


class LocalFetcher(URLFetcher):
    """/media/ from the media store and /static/ from its folder, nothing else: a PDF made on
    the server must not fetch whatever a protocol's text could point it at."""

    def __init__(self, store: MediaStore) -> None:
        super().__init__(allowed_protocols=("file",))
        self.store = store

    def fetch(self, url, headers=None):  # type: ignore[no-untyped-def]
        path = unquote(urlsplit(url).path)
        if path.startswith(MEDIA_PREFIX):
            key = path[len(MEDIA_PREFIX) :]
            try:
                content = self.store.get(key)
            except MediaMissing:
                raise ValueError(f"no such file in the media store: {key}") from None
            except MediaStoreError as exc:
                raise _StoreDown(str(exc)) from exc
            media_type = "image/png" if key.endswith(".png") else "image/jpeg"
            return URLFetcherResponse(url, content, {"Content-Type": media_type})
        if path.startswith("/static/"):
            target = (STATIC_DIR / path[len("/static/") :]).resolve()
            if target.is_relative_to(STATIC_DIR) and target.is_file():
                return super().fetch(target.as_uri(), headers)
        raise ValueError(f"not served to PDFs: {path}")


def document(html: str, *, store: MediaStore, base_url: str) -> HTML:
    """The HTML as WeasyPrint reads it, fetching only our photos and styles."""
    return HTML(string=html, base_url=base_url + "/", url_fetcher=LocalFetcher(store))


def write(rendered: Document) -> bytes:
    """The laid-out pages as PDF bytes."""
    return rendered.write_pdf()


def render_pdf(html: str, *, store: MediaStore, base_url: str) -> bytes:
    """The PDF; MediaStoreError when the store could not give a photo it names."""
    try:
        return write(document(html, store=store, base_url=base_url).render())
    except _StoreDown as exc:
        raise MediaStoreError(str(exc)) from exc.__cause__
