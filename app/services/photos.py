"""The photo pipeline: every uploaded photo passes here before anything is stored.

A resident's photo must not publish their GPS trail or their camera's serial number, and a
hostile upload must not exhaust the server. So each upload is:

1. bounded: at most `upload_max_bytes`, only JPEG/PNG/WebP/HEIC, at most `photo_max_pixels`
   (checked from the header, before anything is decoded);
2. decoded cheaply: for JPEG, `Image.draft` makes the decoder scale down while it decodes;
   at most `photo_workers` photos are decoded at once, the rest queue; Pillow keeps the memory
   blocks of those decodes for the next photo instead of asking the system for fresh pages
   each time (a 12 MP photo touched ~40 MB of new pages: ~15 % of its time);
3. normalised: resized to `photo_max_px` on the long side, then turned upright (rotating the
   small image is cheaper), then saved as a JPEG with no metadata at all, plus a thumbnail
   made from the resized image;
4. written whole to the media store (app.services.media_store: the local folder or a bucket)
   under a name made from the content hash, before any row names it, so a crash leaves at worst
   an unused file, never a row pointing at a missing or half file. The photo and its thumbnail
   are written at the same time: each write waits on the disk's flush (or the bucket's answer),
   and two in flight cost about one (42 -> 23 ms on a local disk; bench/README.md, "Capture").

The GPS position in the original's EXIF is read before it is stripped: it is the fallback
position when the browser sent none.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from io import BytesIO
from typing import BinaryIO

import pillow_heif
from PIL import ExifTags, Image, UnidentifiedImageError

from app.config import Settings
from app.services.media_store import MediaStore, photo_key
from app.services.monitoring import PHOTO_INGEST_SECONDS

pillow_heif.register_heif_opener()

# Our own pixel check below runs on the header, before decoding; Pillow's global limit would
# only warn (not refuse) between 1x and 2x, so it is replaced by ours.
Image.MAX_IMAGE_PIXELS = None

# Names of Pillow *openers*. No "MPO" here: Pillow has no MPO opener (its JPEG opener returns
# an MpoImageFile for a multi-picture JPEG), and Image.open raises KeyError on a name it cannot
# find, which made every upload that is not a JPEG fail with a 500.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF", "AVIF")
JPEG_QUALITY = 82
THUMB_QUALITY = 75

_ORIENTATION_TAG = 0x0112
_TRANSPOSE_FOR_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class PhotoRejected(Exception):
    """An upload we will not store; `reason` says which rule it broke (see MESSAGES)."""

    def __init__(self, reason: str, status_code: int = 422) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status_code = status_code


@dataclass(frozen=True)
class StoredPhoto:
    sha256: str
    width: int
    height: int
    # (lat, lon) from the original's EXIF, if it had a plausible one.
    exif_position: tuple[float, float] | None


@dataclass(frozen=True)
class PhotoLimits:
    max_bytes: int
    max_pixels: int
    max_px: int
    thumb_px: int
    max_pixels_full_decode: int = 24_000_000


# A 12 MP photo's decode, resize, turn and thumbnail use six of Pillow's memory blocks.
BLOCKS_PER_DECODE = 6
_decode_slots: threading.BoundedSemaphore
# Threads for the second of an upload's two writes (the first runs in the request's own thread).
_writers = ThreadPoolExecutor(max_workers=8, thread_name_prefix="photo-write")


def configure(workers: int) -> None:
    """Set how many photos may be decoded at once (called at start-up), and how many of
    Pillow's freed memory blocks are kept for reuse: what that many decodes hold at most."""
    global _decode_slots
    _decode_slots = threading.BoundedSemaphore(workers)
    Image.core.set_blocks_max(BLOCKS_PER_DECODE * workers)


configure(2)  # until start-up says otherwise


@PHOTO_INGEST_SECONDS.time()
def ingest(source: bytes | BinaryIO, *, store: MediaStore, limits: PhotoLimits) -> StoredPhoto:
    """Check, clean and store one uploaded photo; raise PhotoRejected for what we refuse.

    An upload waits on disk (as the multipart parser spooled it) until a decode slot is free,
    and only then is read into memory: a burst of uploads queues instead of filling memory."""
    with _decode_slots:
        data = source if isinstance(source, bytes) else source.read(limits.max_bytes + 1)
        if not data:
            raise PhotoRejected("empty")
        if len(data) > limits.max_bytes:
            raise PhotoRejected("too_big", status_code=413)
        photo_bytes, thumb_bytes, size, position = _normalise(data, limits)
        del data
    digest = hashlib.sha256(photo_bytes).hexdigest()
    _at_once(
        lambda: store.put(photo_key(digest), photo_bytes),
        lambda: store.put(photo_key(digest, thumb=True), thumb_bytes),
    )
    return StoredPhoto(sha256=digest, width=size[0], height=size[1], exif_position=position)


def _normalise(
    data: bytes, limits: PhotoLimits
) -> tuple[bytes, bytes, tuple[int, int], tuple[float, float] | None]:
    try:
        img = Image.open(BytesIO(data), formats=ACCEPTED_FORMATS)
    except UnidentifiedImageError as exc:
        raise PhotoRejected("not_an_image", status_code=415) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise PhotoRejected("damaged") from exc
    with img:
        # PNG and WebP (drawings, screenshots, rarely camera photos) decode whole, with no JPEG
        # draft: a lower cap bounds their memory. Phone cameras' HEIC keeps the full cap.
        cap = limits.max_pixels
        if img.format in ("PNG", "WEBP"):
            cap = min(cap, limits.max_pixels_full_decode)
        if img.width * img.height > cap:
            raise PhotoRejected("too_many_pixels", status_code=413)
        try:
            exif = img.getexif()
            orientation = int(exif.get(_ORIENTATION_TAG, 1) or 1)
            position = _exif_position(exif)
        except Exception:  # odd EXIF must not cost the resident their photo
            orientation, position = 1, None
        if img.format in ("JPEG", "MPO"):
            # Decode at 1/2, 1/4 or 1/8 scale when that still leaves >= max_px on the long side.
            scale = limits.max_px / max(img.size)
            if scale < 1:
                img.draft("RGB", (int(img.width * scale) + 1, int(img.height * scale) + 1))
        try:
            img.load()
            picture = _to_rgb(img)
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
            raise PhotoRejected("damaged") from exc
    picture.thumbnail((limits.max_px, limits.max_px), Image.Resampling.LANCZOS, reducing_gap=3.0)
    if orientation in _TRANSPOSE_FOR_ORIENTATION:
        picture = picture.transpose(_TRANSPOSE_FOR_ORIENTATION[orientation])
    thumb = picture.copy()
    thumb.thumbnail((limits.thumb_px, limits.thumb_px), Image.Resampling.LANCZOS)
    return _jpeg(picture, JPEG_QUALITY), _jpeg(thumb, THUMB_QUALITY), picture.size, position


def _to_rgb(img: Image.Image) -> Image.Image:
    if img.mode == "RGB":
        return img.copy() if img.readonly else img
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return img.convert("RGB")


def _jpeg(img: Image.Image, quality: int) -> bytes:
    # A fresh info dict: a JPEG comment or ICC/XMP blob would otherwise survive the re-encode.
    img.info = {}
    out = BytesIO()
    img.save(out, "JPEG", quality=quality, optimize=False, progressive=True)
    return out.getvalue()


def _exif_position(exif: Image.Exif) -> tuple[float, float] | None:
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    if not gps:
        return None
    try:
        lat = _degrees(gps[ExifTags.GPS.GPSLatitude], gps.get(ExifTags.GPS.GPSLatitudeRef, "N"))
        lon = _degrees(gps[ExifTags.GPS.GPSLongitude], gps.get(ExifTags.GPS.GPSLongitudeRef, "E"))
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return lat, lon


def _degrees(dms: tuple, ref: str | bytes) -> float:
    d, m, s = (float(x) for x in dms)
    value = d + m / 60 + s / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "ignore")
    return -value if ref.strip().upper() in ("S", "W") else value


def _at_once(*writes: Callable[[], None]) -> None:
    """Run the writes together and return when every one has finished; then raise the first
    error, if any (a failed write leaves no row: the caller stores nothing)."""
    others = [_writers.submit(write) for write in writes[1:]]
    error: BaseException | None = None
    try:
        writes[0]()
    except BaseException as exc:
        error = exc
    for other in others:
        try:
            other.result()
        except BaseException as exc:
            error = error or exc
    if error is not None:
        raise error


def limits(settings: Settings) -> PhotoLimits:
    """The configured bounds for one photo."""
    return PhotoLimits(
        max_bytes=settings.upload_max_bytes,
        max_pixels=settings.photo_max_pixels,
        max_px=settings.photo_max_px,
        thumb_px=settings.thumb_max_px,
        max_pixels_full_decode=settings.photo_max_pixels_full_decode,
    )
