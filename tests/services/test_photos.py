"""The photo pipeline on its own: what a resident uploads is stored upright, small, without a
trace of where or with what it was taken; what we refuse is refused early and cheaply."""

from __future__ import annotations

import hashlib
import random
import resource
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image, ImageCms, ImageOps

from app.services import photos
from app.services.media_store import LocalStore
from app.services.photos import PhotoLimits, PhotoRejected
from tests.factories import (
    heic_bytes,
    jpeg_bytes,
    landscape_picture,
    photo_exif,
    png_bytes,
)

LIMITS = PhotoLimits(max_bytes=25 * 1024 * 1024, max_pixels=64_000_000, max_px=1600, thumb_px=400)
WHERE = (65.8253, 21.6880)  # Boden
SERIAL = "SN-4711-0815-CAMERA"

# How a camera stores the sensor's pixels for each EXIF orientation, when the scene itself is
# upright (EXIF 2.3, tag 0x0112: where the stored first row and first column are shown).
SENSOR_FROM_UPRIGHT: dict[int, Image.Transpose | None] = {
    1: None,  # row 0 at the top, column 0 on the left
    2: Image.Transpose.FLIP_LEFT_RIGHT,  # mirrored
    3: Image.Transpose.ROTATE_180,  # upside down
    4: Image.Transpose.FLIP_TOP_BOTTOM,  # mirrored upside down
    5: Image.Transpose.TRANSPOSE,  # row 0 on the left, column 0 at the top
    6: Image.Transpose.ROTATE_90,  # row 0 on the right: the phone was held upright
    7: Image.Transpose.TRANSVERSE,  # row 0 on the right, column 0 at the bottom
    8: Image.Transpose.ROTATE_270,  # row 0 on the left, column 0 at the bottom
}


# --- helpers -------------------------------------------------------------------------------


def stored_files(media_dir: Path, stored: photos.StoredPhoto) -> tuple[Path, Path]:
    name = f"{stored.sha256[:2]}/{stored.sha256}.jpg"
    return media_dir / "photos" / name, media_dir / "thumbs" / name


def colour(pixel: tuple[int, ...]) -> str:
    r, g, b = pixel[:3]
    if r > 150 and g < 90 and b < 90:
        return "red"
    if b > 150 and r < 90:
        return "blue"
    if min(r, g, b) > 230:
        return "white"
    return f"other{pixel}"


def red_corner(img: Image.Image) -> str:
    """Which corner of the picture is red (the factories' pictures have exactly one)."""
    w, h = img.size
    dx, dy = max(2, w // 20), max(2, h // 20)
    corners = {
        "top-left": (dx, dy),
        "top-right": (w - 1 - dx, dy),
        "bottom-left": (dx, h - 1 - dy),
        "bottom-right": (w - 1 - dx, h - 1 - dy),
    }
    seen = {name: colour(img.getpixel(xy)) for name, xy in corners.items()}  # type: ignore[arg-type]
    red = [name for name, c in seen.items() if c == "red"]
    assert len(red) == 1 and set(seen.values()) == {"red", "blue"}, seen
    return red[0]


def camera_jpeg(upright: Image.Image, orientation: int, **params: object) -> bytes:
    """The JPEG a phone writes for this upright scene: sensor pixels plus an orientation tag."""
    turn = SENSOR_FROM_UPRIGHT[orientation]
    sensor = upright.transpose(turn) if turn is not None else upright
    out = BytesIO()
    sensor.save(out, "JPEG", exif=photo_exif(orientation=orientation), quality=92, **params)
    return out.getvalue()


def encoded(img: Image.Image, fmt: str) -> bytes:
    out = BytesIO()
    img.save(out, fmt)
    return out.getvalue()


def png_bomb(width: int, height: int) -> bytes:
    """A valid 1-bit black PNG of width x height: a few KB on the wire, made row by row so
    building it costs no memory; decoded it would need width*height bytes, times 3 as RGB."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed pixels
    squeeze = zlib.compressobj(9)
    idat = b"".join(squeeze.compress(row) for _ in range(height)) + squeeze.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def all_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


# --- what a phone photo becomes --------------------------------------------------------------


def test_a_phone_photo_is_stored_upright_small_and_without_any_metadata(tmp_path):
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    original = jpeg_bytes(
        4000,
        3000,
        orientation=6,
        gps=WHERE,
        camera_serial=SERIAL,
        comment=b"Anna's phone, at home",
    )
    # The same photo once more with an ICC profile and an XMP packet, as many phones add.
    with Image.open(BytesIO(original)) as img:
        out = BytesIO()
        img.save(
            out,
            "JPEG",
            exif=img.getexif(),
            comment=img.info["comment"],
            icc_profile=icc,
            xmp=b"<x:xmpmeta>Anna's XMP</x:xmpmeta>",
            quality=90,
        )
        original = out.getvalue()
    assert SERIAL.encode() in original and b"Exif" in original  # the test photo carries it all

    stored = photos.ingest(original, store=LocalStore(tmp_path), limits=LIMITS)

    photo_path, thumb_path = stored_files(tmp_path, stored)
    with Image.open(photo_path) as photo:
        assert photo.format == "JPEG"
        # Held upright: portrait, and the scene's top-left (red, stored at the sensor's
        # top-left) is shown where orientation 6 puts it, at the top right.
        assert photo.size == (1200, 1600) == (stored.width, stored.height)
        assert red_corner(photo) == "top-right"
        assert not photo.getexif()
        for key in ("exif", "comment", "icc_profile", "xmp"):
            assert key not in photo.info
    raw = photo_path.read_bytes()
    for secret in (b"Exif", SERIAL.encode(), b"TestPhone", b"Anna"):
        assert secret not in raw

    with Image.open(thumb_path) as thumb:
        assert max(thumb.size) <= 400 and thumb.height > thumb.width
        assert red_corner(thumb) == "top-right"
        assert not thumb.getexif()
    assert b"Exif" not in thumb_path.read_bytes()
    assert SERIAL.encode() not in thumb_path.read_bytes()

    assert hashlib.sha256(raw).hexdigest() == stored.sha256
    assert photo_path.relative_to(tmp_path).as_posix() == (
        f"photos/{stored.sha256[:2]}/{stored.sha256}.jpg"
    )
    assert thumb_path.relative_to(tmp_path).as_posix() == (
        f"thumbs/{stored.sha256[:2]}/{stored.sha256}.jpg"
    )

    # The GPS position is read before it is stripped: it can place the report.
    assert stored.exif_position is not None
    assert stored.exif_position == pytest.approx(WHERE, abs=1e-4)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_ends_up_upright(tmp_path, orientation):
    upright = landscape_picture(600, 400)
    original = camera_jpeg(upright, orientation)
    # Pillow's reference implementation agrees this is how a camera stores the scene.
    with Image.open(BytesIO(original)) as img:
        assert red_corner(ImageOps.exif_transpose(img)) == "top-left"

    stored = photos.ingest(original, store=LocalStore(tmp_path), limits=LIMITS)

    photo_path, _thumb = stored_files(tmp_path, stored)
    with Image.open(photo_path) as photo:
        assert photo.size == (600, 400)
        assert red_corner(photo) == "top-left"
        assert not photo.getexif()


def test_a_large_photo_taken_sideways_is_made_upright_before_measuring_its_long_side(tmp_path):
    upright = landscape_picture(2000, 3200)  # portrait scene, stored landscape by the sensor
    stored = photos.ingest(camera_jpeg(upright, 8), store=LocalStore(tmp_path), limits=LIMITS)
    assert (stored.width, stored.height) == (1000, 1600)
    with Image.open(stored_files(tmp_path, stored)[0]) as photo:
        assert red_corner(photo) == "top-left"


def test_an_iphone_heic_is_accepted_stored_as_jpeg_and_its_position_read(tmp_path):
    original = heic_bytes(640, 480, gps=WHERE)

    stored = photos.ingest(original, store=LocalStore(tmp_path), limits=LIMITS)

    photo_path, thumb_path = stored_files(tmp_path, stored)
    with Image.open(photo_path) as photo:
        assert photo.format == "JPEG"
        assert photo.size == (640, 480)
        assert red_corner(photo) == "top-left"
        assert not photo.getexif()
    assert b"TestPhone" not in photo_path.read_bytes()
    assert thumb_path.is_file()
    assert stored.exif_position == pytest.approx(WHERE, abs=1e-4)


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_a_heic_taken_sideways_is_turned_once_not_twice(tmp_path, orientation):
    # pillow-heif stores the turn as the HEIF `irot` box, applies it when opening and then
    # reports EXIF orientation 1: the pipeline must not turn the picture a second time.
    turn = SENSOR_FROM_UPRIGHT[orientation]
    assert turn is not None
    out = BytesIO()
    landscape_picture(600, 400).transpose(turn).save(
        out, "HEIF", exif=photo_exif(orientation=orientation).tobytes()
    )

    stored = photos.ingest(out.getvalue(), store=LocalStore(tmp_path), limits=LIMITS)

    with Image.open(stored_files(tmp_path, stored)[0]) as photo:
        assert photo.size == (600, 400)
        assert red_corner(photo) == "top-left"


def test_a_heic_without_gps_has_no_position(tmp_path):
    stored = photos.ingest(heic_bytes(320, 240), store=LocalStore(tmp_path), limits=LIMITS)
    assert stored.exif_position is None


def test_webp_is_accepted(tmp_path):
    stored = photos.ingest(
        encoded(landscape_picture(300, 200), "WEBP"), store=LocalStore(tmp_path), limits=LIMITS
    )
    with Image.open(stored_files(tmp_path, stored)[0]) as photo:
        assert photo.format == "JPEG" and photo.size == (300, 200)


def test_a_transparent_png_becomes_an_rgb_photo_on_white(tmp_path):
    screenshot = Image.new("RGBA", (80, 60), (0, 0, 0, 0))  # transparent black
    screenshot.paste((30, 60, 200, 255), (40, 0, 80, 60))  # right half opaque blue

    stored = photos.ingest(encoded(screenshot, "PNG"), store=LocalStore(tmp_path), limits=LIMITS)

    with Image.open(stored_files(tmp_path, stored)[0]) as photo:
        assert photo.mode == "RGB"
        assert colour(photo.getpixel((10, 30))) == "white"  # type: ignore[arg-type]
        assert colour(photo.getpixel((70, 30))) == "blue"  # type: ignore[arg-type]


def test_a_small_photo_is_not_blown_up(tmp_path):
    stored = photos.ingest(png_bytes(64, 48), store=LocalStore(tmp_path), limits=LIMITS)
    assert (stored.width, stored.height) == (64, 48)
    photo_path, thumb_path = stored_files(tmp_path, stored)
    for path in (photo_path, thumb_path):
        with Image.open(path) as img:
            assert img.size == (64, 48)
    assert stored.exif_position is None


# --- what is refused -------------------------------------------------------------------------


def _half_a_jpeg() -> bytes:
    whole = jpeg_bytes(1200, 800)
    return whole[: len(whole) // 2]


def _half_a_big_jpeg() -> bytes:
    whole = jpeg_bytes(4000, 3000, orientation=6)  # decoded at reduced scale (draft)
    return whole[: len(whole) // 2]


REFUSED: dict[str, tuple[Callable[[], bytes], str, int]] = {
    "nothing at all": (lambda: b"", "empty", 422),
    "a text file named .jpg": (lambda: b"hello", "not_an_image", 415),
    "a web page": (lambda: b"<!doctype html><html><body>hi</body></html>", "not_an_image", 415),
    "a GIF": (lambda: encoded(landscape_picture(64, 64), "GIF"), "not_an_image", 415),
    "a BMP": (lambda: encoded(landscape_picture(64, 64), "BMP"), "not_an_image", 415),
    "half a JPEG": (_half_a_jpeg, "damaged", 422),
    "half a 12 MP JPEG": (_half_a_big_jpeg, "damaged", 422),
}


@pytest.mark.parametrize("upload", REFUSED, ids=list(REFUSED))
def test_what_is_not_a_usable_photo_is_refused_and_nothing_is_written(tmp_path, upload):
    make, reason, status_code = REFUSED[upload]
    with pytest.raises(PhotoRejected) as refused:
        photos.ingest(make(), store=LocalStore(tmp_path), limits=LIMITS)
    assert (refused.value.reason, refused.value.status_code) == (reason, status_code)
    assert all_files(tmp_path) == []


def test_a_pixel_bomb_is_refused_from_its_header_without_being_decoded(tmp_path):
    bomb = png_bomb(20_000, 20_000)  # 400 megapixels: 1.2 GB once decoded as RGB
    assert len(bomb) < 100_000
    peak_before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()

    with pytest.raises(PhotoRejected) as refused:
        photos.ingest(bomb, store=LocalStore(tmp_path), limits=LIMITS)

    assert time.perf_counter() - started < 0.5
    assert (refused.value.reason, refused.value.status_code) == ("too_many_pixels", 413)
    # The process never reached anywhere near the memory decoding would need.
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before_kb) / 1024
    assert grown_mb < 100
    assert all_files(tmp_path) == []


def test_the_pixel_limit_is_the_configured_one(tmp_path):
    limits = PhotoLimits(
        max_bytes=LIMITS.max_bytes, max_pixels=1200 * 800, max_px=1600, thumb_px=400
    )
    assert (
        photos.ingest(jpeg_bytes(1200, 800), store=LocalStore(tmp_path), limits=limits).width
        == 1200
    )
    with pytest.raises(PhotoRejected) as refused:
        photos.ingest(jpeg_bytes(1201, 800), store=LocalStore(tmp_path), limits=limits)
    assert refused.value.reason == "too_many_pixels"


def test_a_photo_over_the_byte_limit_is_refused_before_it_is_opened(tmp_path):
    original = jpeg_bytes()
    exactly = PhotoLimits(max_bytes=len(original), max_pixels=64_000_000, max_px=1600, thumb_px=400)
    one_short = PhotoLimits(
        max_bytes=len(original) - 1, max_pixels=64_000_000, max_px=1600, thumb_px=400
    )

    with pytest.raises(PhotoRejected) as refused:
        photos.ingest(original, store=LocalStore(tmp_path), limits=one_short)
    assert (refused.value.reason, refused.value.status_code) == ("too_big", 413)
    assert all_files(tmp_path) == []

    assert photos.ingest(original, store=LocalStore(tmp_path), limits=exactly).sha256


# Pillow warns (UserWarning) about the odd metadata of corrupted files; that is expected here.
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_corrupted_uploads_are_refused_or_stored_clean_never_a_crash(tmp_path):
    rng = random.Random(20240611)
    originals = {
        "jpeg": jpeg_bytes(320, 240, orientation=6, gps=WHERE, camera_serial=SERIAL),
        "png": png_bytes(120, 90),
        "webp": encoded(landscape_picture(120, 90), "WEBP"),
        "heic": heic_bytes(160, 120, gps=WHERE),
    }
    outcomes: set[str] = set()
    for original in originals.values():
        variants = [original[: rng.randrange(len(original))] for _ in range(15)]
        for _ in range(25):
            damaged = bytearray(original)
            for _hit in range(rng.randint(1, 6)):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
            variants.append(bytes(damaged))
        for data in variants:
            try:
                stored = photos.ingest(data, store=LocalStore(tmp_path), limits=LIMITS)
            except PhotoRejected as refused:
                assert refused.status_code in (413, 415, 422)
                outcomes.add(refused.reason)
                continue
            outcomes.add("stored")
            raw = stored_files(tmp_path, stored)[0].read_bytes()
            assert b"Exif" not in raw and SERIAL.encode() not in raw
    assert {"stored", "damaged", "not_an_image"} <= outcomes


# --- how it is written -----------------------------------------------------------------------


def test_the_same_photo_twice_is_one_file_written_once_and_no_temp_files_remain(tmp_path):
    original = jpeg_bytes(orientation=3, gps=WHERE)

    first = photos.ingest(original, store=LocalStore(tmp_path), limits=LIMITS)
    photo_path, thumb_path = stored_files(tmp_path, first)
    files = (photo_path.stat().st_ino, thumb_path.stat().st_ino)
    second = photos.ingest(original, store=LocalStore(tmp_path), limits=LIMITS)

    assert second == first
    # Not written again (a new file would be a new inode); only its time is refreshed, for
    # the sweep of unnamed files (media_sweep).
    assert (photo_path.stat().st_ino, thumb_path.stat().st_ino) == files
    assert all_files(tmp_path) == sorted([photo_path, thumb_path])
    assert not [p for p in tmp_path.rglob(".tmp-*")]


def test_different_photos_get_different_names(tmp_path):
    a = photos.ingest(jpeg_bytes(800, 600), store=LocalStore(tmp_path), limits=LIMITS)
    b = photos.ingest(jpeg_bytes(600, 800), store=LocalStore(tmp_path), limits=LIMITS)
    assert a.sha256 != b.sha256
    assert len(all_files(tmp_path / "photos")) == len(all_files(tmp_path / "thumbs")) == 2


# --- how many are decoded at once ------------------------------------------------------------


@pytest.fixture
def decode_slots() -> Iterator[Callable[[int], None]]:
    yield photos.configure
    photos.configure(2)  # the default of Settings.photo_workers


@pytest.mark.parametrize("workers", [1, 2])
def test_no_more_photos_are_decoded_at_once_than_configured(
    tmp_path, monkeypatch, decode_slots, workers
):
    decode_slots(workers)
    inside = 0
    most_at_once = 0
    lock = threading.Lock()
    real_normalise = photos._normalise

    def counting_normalise(data: bytes, limits: PhotoLimits):  # type: ignore[no-untyped-def]
        nonlocal inside, most_at_once
        with lock:
            inside += 1
            most_at_once = max(most_at_once, inside)
        try:
            time.sleep(0.1)  # long enough for every thread to be waiting at the door
            return real_normalise(data, limits)
        finally:
            with lock:
                inside -= 1

    monkeypatch.setattr(photos, "_normalise", counting_normalise)
    uploads = [jpeg_bytes(1600 + i, 1200) for i in range(4)]
    start = threading.Barrier(len(uploads))
    results: list[photos.StoredPhoto] = []
    errors: list[BaseException] = []

    def upload(data: bytes) -> None:
        start.wait()
        try:
            results.append(photos.ingest(data, store=LocalStore(tmp_path), limits=LIMITS))
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=upload, args=(data,)) for data in uploads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert len({r.sha256 for r in results}) == 4
    assert most_at_once == workers


def test_a_png_that_would_decode_whole_has_a_lower_cap_than_a_jpeg(tmp_path):
    limits = photos.PhotoLimits(
        max_bytes=10_000_000,
        max_pixels=64_000_000,
        max_px=1600,
        thumb_px=400,
        max_pixels_full_decode=24_000_000,
    )
    big_png = png_bomb(6000, 5000)  # 30 MP: fine as a JPEG, too much to decode whole
    with pytest.raises(photos.PhotoRejected) as refused:
        photos.ingest(big_png, store=LocalStore(tmp_path), limits=limits)
    assert refused.value.reason == "too_many_pixels"
    small_png = png_bomb(4000, 3000)  # 12 MP passes
    assert photos.ingest(small_png, store=LocalStore(tmp_path), limits=limits).width == 1600


def test_an_upload_is_read_from_its_spooled_file(tmp_path):
    import io

    limits = photos.PhotoLimits(
        max_bytes=10_000_000, max_pixels=64_000_000, max_px=1600, thumb_px=400
    )
    stored = photos.ingest(io.BytesIO(jpeg_bytes()), store=LocalStore(tmp_path), limits=limits)
    assert (tmp_path / "photos" / stored.sha256[:2] / f"{stored.sha256}.jpg").exists()
    with pytest.raises(photos.PhotoRejected) as refused:
        photos.ingest(io.BytesIO(b"x" * 10_000_001), store=LocalStore(tmp_path), limits=limits)
    assert refused.value.reason == "too_big"


# --- how fast: the two writes at once, memory blocks kept --------------------------------------


def test_the_photo_and_its_thumbnail_are_written_at_the_same_time(tmp_path):
    """Each write waits on the disk's flush; two in flight cost about one (bench/README.md)."""
    both_writing = threading.Barrier(2, timeout=10)  # broken if the writes took turns

    class WaitingStore(LocalStore):
        def put(self, key: str, content: bytes) -> None:
            both_writing.wait()
            super().put(key, content)

    stored = photos.ingest(jpeg_bytes(), store=WaitingStore(tmp_path), limits=LIMITS)
    assert all(path.exists() for path in stored_files(tmp_path, stored))


def test_a_failed_write_fails_the_upload_once_the_other_write_is_done(tmp_path):
    class ThumbnailFails(LocalStore):
        def put(self, key: str, content: bytes) -> None:
            if key.startswith("thumbs/"):
                raise OSError("disk full")
            time.sleep(0.2)  # the photo's write is still going when the thumbnail's fails
            super().put(key, content)

    with pytest.raises(OSError, match="disk full"):
        photos.ingest(jpeg_bytes(), store=ThumbnailFails(tmp_path), limits=LIMITS)
    # Nothing is left writing after ingest has given up: the photo's write had finished.
    assert len(all_files(tmp_path / "photos")) == 1
    assert not [p for p in tmp_path.rglob(".tmp-*")]


@pytest.mark.parametrize("workers", [1, 3])
def test_pillow_keeps_the_memory_blocks_of_as_many_decodes_as_may_run(decode_slots, workers):
    decode_slots(workers)
    assert Image.core.get_blocks_max() == photos.BLOCKS_PER_DECODE * workers


def test_the_next_photo_reuses_the_memory_of_the_last(tmp_path, decode_slots):
    decode_slots(1)
    photos.ingest(jpeg_bytes(2400, 1800), store=LocalStore(tmp_path), limits=LIMITS)
    reused = Image.core.get_stats()["reused_blocks"]
    photos.ingest(jpeg_bytes(1800, 2400), store=LocalStore(tmp_path), limits=LIMITS)
    assert Image.core.get_stats()["reused_blocks"] > reused
