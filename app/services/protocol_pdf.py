"""HTML to PDF with WeasyPrint, reading photos and styles from disk, never from the network."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from PIL import ImageFile
from weasyprint import HTML, URLFetcher
from weasyprint.document import Document

# Importing WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES, which would make the
# photo pipeline accept half-uploaded photos from then on. Our stored photos are whole.
ImageFile.LOAD_TRUNCATED_IMAGES = False

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


class LocalFetcher(URLFetcher):
    """/media/ and /static/ from their folders, nothing else: a PDF made on the server must not
    fetch whatever a protocol's text could point it at."""

    def __init__(self, media_dir: Path) -> None:
        super().__init__(allowed_protocols=("file",))
        self.roots = {"/media/": media_dir.resolve(), "/static/": STATIC_DIR}

    def fetch(self, url, headers=None):  # type: ignore[no-untyped-def]
        path = urlsplit(url).path
        for prefix, root in self.roots.items():
            if path.startswith(prefix):
                target = (root / path[len(prefix) :]).resolve()
                if target.is_relative_to(root) and target.is_file():
                    return super().fetch(target.as_uri(), headers)
        raise ValueError(f"not served to PDFs: {path}")


def document(html: str, *, media_dir: Path, base_url: str) -> HTML:
    """The HTML as WeasyPrint reads it, fetching only our photos and styles."""
    return HTML(string=html, base_url=base_url + "/", url_fetcher=LocalFetcher(media_dir))


def write(rendered: Document) -> bytes:
    """The laid-out pages as PDF bytes."""
    return rendered.write_pdf()


def render_pdf(html: str, *, media_dir: Path, base_url: str) -> bytes:
    return write(document(html, media_dir=media_dir, base_url=base_url).render())
