"""Uploading photos through HTTP: a bad file gets a message the resident understands, nothing is
stored, and the next report goes through; what is stored and served is clean."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from io import BytesIO
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import select

from app.config import Settings
from app.main import create_app
from app.models import Observation, Photo
from app.services import observations
from app.services.media_store import open_store
from tests.conftest import make_settings
from tests.factories import (
    CENTRUM,
    JSON,
    NO_POSITION,
    count,
    heic_bytes,
    jpeg_bytes,
    png_bytes,
    post_observation,
    sent_anew,
)
from tests.services.test_photos import png_bomb, red_corner

SERIAL = "SN-4711-0815-CAMERA"


def stored_files(settings: Settings) -> list[str]:
    """Every file in the app's photo store (folder or bucket)."""
    return sorted(open_store(settings).keys())


def noisy_jpeg(width: int, height: int) -> bytes:
    """A real photo that does not compress to nothing (grain, like a phone's at night)."""
    grain = Image.effect_noise((width, height), 80)
    picture = Image.merge("RGB", (grain, grain.transpose(Image.Transpose.ROTATE_180), grain))
    out = BytesIO()
    picture.save(out, "JPEG", quality=95)
    return out.getvalue()


def half_a_jpeg() -> bytes:
    whole = jpeg_bytes(1200, 800)
    return whole[: len(whole) // 2]


def gif() -> bytes:
    out = BytesIO()
    Image.new("RGB", (32, 32), (200, 30, 30)).save(out, "GIF")
    return out.getvalue()


# (file name, what is in it, content type the browser sends, status, what the resident reads)
BAD_UPLOADS: dict[str, tuple[str, Callable[[], bytes], str, int, str]] = {
    "an empty file": ("IMG_0001.jpg", lambda: b"", "image/jpeg", 422, "The photo is empty"),
    "a text file named .jpg": (
        "notes.jpg",
        lambda: b"hello, this is not a photo",
        "image/jpeg",
        415,
        "That file is not a photo we can read",
    ),
    "a GIF": ("funny.gif", gif, "image/gif", 415, "That file is not a photo we can read"),
    "half a JPEG": ("IMG_0002.jpg", half_a_jpeg, "image/jpeg", 422, "damaged or incomplete"),
    "a pixel bomb": (
        "huge.png",
        lambda: png_bomb(20_000, 20_000),
        "image/png",
        413,
        "more than 64 megapixels",
    ),
}


@pytest.mark.parametrize("upload", BAD_UPLOADS, ids=list(BAD_UPLOADS))
def test_a_bad_photo_is_refused_with_a_clear_message_and_nothing_is_stored(
    client, session, settings, upload
):
    filename, make, content_type, status_code, message = BAD_UPLOADS[upload]
    data = make()

    page = post_observation(client, photos=[(filename, data, content_type)])
    assert page.status_code == status_code
    assert message in page.text
    assert "Your report is not sent yet" in page.text

    answer = post_observation(client, photos=[(filename, data, content_type)], headers=JSON)
    assert answer.status_code == status_code
    body = answer.json()
    assert body["result"] == "refused" and set(body["errors"]) == {"photo"}
    assert message in body["errors"]["photo"]

    assert count(session, Observation) == 0
    assert count(session, Photo) == 0
    assert stored_files(settings) == []

    # The server is fine: the resident's next try, with a real photo, is stored.
    retry = post_observation(client, photos=[("IMG_0003.jpg", jpeg_bytes(), "image/jpeg")])
    assert sent_anew(retry)
    assert count(session, Observation) == 1


def test_one_bad_photo_among_good_ones_refuses_the_report_as_a_whole(client, session):
    answer = post_observation(
        client,
        headers=JSON,
        photos=[
            ("good.jpg", jpeg_bytes(), "image/jpeg"),
            ("notes.jpg", b"hello", "image/jpeg"),
        ],
    )
    assert answer.status_code == 415
    assert "not a photo we can read" in answer.json()["errors"]["photo"]
    assert count(session, Observation) == 0
    assert count(session, Photo) == 0


def test_png_webp_and_heic_photos_are_accepted(client, session):
    webp = BytesIO()
    Image.new("RGB", (120, 90), (30, 60, 200)).save(webp, "WEBP")
    for name, data, content_type in (
        ("screenshot.png", png_bytes(), "image/png"),
        ("pic.webp", webp.getvalue(), "image/webp"),
        ("IMG_0004.HEIC", heic_bytes(), "image/heic"),
    ):
        answer = post_observation(client, photos=[(name, data, content_type)], headers=JSON)
        assert answer.status_code == 201, (name, answer.text)
    assert count(session, Photo) == 3


def test_a_heic_with_gps_places_the_report_when_the_browser_sent_no_position(client, session):
    where = (65.8260, 21.6900)
    answer = post_observation(
        client,
        **NO_POSITION,
        headers=JSON,
        photos=[("IMG_0005.HEIC", heic_bytes(gps=where), "image/heic")],
    )
    assert answer.status_code == 201
    obs = session.exec(select(Observation)).one()
    assert (obs.lat, obs.lon) == pytest.approx(where, abs=1e-4)


# --- size limits -----------------------------------------------------------------------------


@pytest.fixture
def small_limit_client(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    """The app configured for photos of at most 200 kB (and so a body of at most ~1.6 MB)."""
    app = create_app(make_settings(database_url, tmp_path, upload_max_bytes=200_000))
    with TestClient(app, headers={"Accept-Language": "en"}) as test_client:
        yield test_client
    app.state.engine.dispose()


def test_a_photo_over_the_size_limit_is_refused_and_the_next_one_goes_through(
    small_limit_client, session
):
    settings = small_limit_client.app.state.settings
    big = noisy_jpeg(800, 600)
    assert settings.upload_max_bytes < len(big) < settings.upload_body_max_bytes

    page = post_observation(small_limit_client, photos=[("IMG_0006.jpg", big, "image/jpeg")])
    assert page.status_code == 413
    assert "The photo is larger than" in page.text

    answer = post_observation(
        small_limit_client, photos=[("IMG_0006.jpg", big, "image/jpeg")], headers=JSON
    )
    assert answer.status_code == 413
    assert answer.json()["result"] == "refused"
    assert "The photo is larger than" in answer.json()["errors"]["photo"]
    assert count(session, Observation) == 0
    assert stored_files(settings) == []

    small = post_observation(
        small_limit_client, photos=[("IMG_0007.jpg", jpeg_bytes(), "image/jpeg")]
    )
    assert sent_anew(small)


def test_the_size_message_states_a_limit_the_resident_can_act_on(small_limit_client):
    answer = post_observation(
        small_limit_client,
        photos=[("IMG_0006.jpg", noisy_jpeg(800, 600), "image/jpeg")],
        headers=JSON,
    )
    assert "larger than 0.2 MB" in answer.json()["errors"]["photo"]


def test_a_body_over_the_request_limit_is_cut_off_by_the_middleware(small_limit_client, session):
    settings = small_limit_client.app.state.settings
    photos = [(f"IMG_{i}.jpg", noisy_jpeg(800, 600), "image/jpeg") for i in range(4)]
    assert sum(len(p[1]) for p in photos) > settings.upload_body_max_bytes

    page = post_observation(small_limit_client, photos=photos)
    assert page.status_code == 413
    assert "The upload is too large" in page.text

    answer = post_observation(small_limit_client, photos=photos, headers=JSON)
    assert answer.status_code == 413
    assert answer.json() == {"error": "The upload is too large. Send fewer or smaller photos."}
    assert count(session, Observation) == 0
    assert sent_anew(post_observation(small_limit_client))


def test_a_streamed_body_without_length_is_counted_and_cut_off(small_limit_client, session):
    """A client may send no Content-Length (chunked): the limit holds while reading."""
    settings = small_limit_client.app.state.settings
    boundary = "safetywalk-test-boundary"
    chunk = noisy_jpeg(800, 600)

    def body() -> Iterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="client_id"\r\n\r\n'
            "6f1c1c59-3a3c-4c38-9d36-2d6f0f1f4b10\r\n"
            f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; '
            'filename="endless.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
        ).encode()
        sent = 0
        while sent <= settings.upload_body_max_bytes:
            yield chunk
            sent += len(chunk)
        yield f"\r\n--{boundary}--\r\n".encode()

    answer = small_limit_client.post(
        "/observations",
        content=body(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}", **JSON},
    )
    assert "content-length" not in answer.request.headers
    assert answer.status_code == 413
    assert "The upload is too large" in answer.json()["error"]
    assert count(session, Observation) == 0


# --- how many photos -------------------------------------------------------------------------


def test_more_than_three_photos_are_refused(client, session):
    four = [(f"IMG_{i}.jpg", jpeg_bytes(640 + i, 480), "image/jpeg") for i in range(4)]
    page = post_observation(client, photos=four)
    assert page.status_code == 422
    assert "At most 3 photos" in page.text
    answer = post_observation(client, photos=four, headers=JSON)
    assert answer.json() == {
        "result": "refused",
        "errors": {"photo": "At most 3 photos per observation."},
    }
    assert count(session, Observation) == 0
    assert count(session, Photo) == 0


def test_choosing_six_photos_gets_the_same_clear_message(client, session):
    six = [(f"IMG_{i}.jpg", jpeg_bytes(640 + i, 480), "image/jpeg") for i in range(6)]
    answer = post_observation(client, photos=six, headers=JSON)
    assert count(session, Observation) == 0
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"photo": "At most 3 photos per observation."}


def test_three_photos_are_stored_in_the_order_they_were_chosen(client, session):
    sizes = [(800, 600), (600, 800), (640, 480)]
    answer = post_observation(
        client,
        headers=JSON,
        photos=[(f"IMG_{i}.jpg", jpeg_bytes(w, h), "image/jpeg") for i, (w, h) in enumerate(sizes)],
    )
    assert answer.status_code == 201
    obs = session.exec(select(Observation)).one()
    stored = observations.photos_of(session=session, observation=obs)
    assert [(p.position, p.width, p.height) for p in stored] == [
        (0, 800, 600),
        (1, 600, 800),
        (2, 640, 480),
    ]
    for photo in stored:
        assert client.get(photo.url).status_code == 200
        assert client.get(photo.thumb_url).status_code == 200


# --- what is served --------------------------------------------------------------------------


def test_the_served_photo_is_upright_small_and_tells_nothing_about_its_taker(client, session):
    original = jpeg_bytes(
        4000, 3000, orientation=6, gps=CENTRUM, camera_serial=SERIAL, comment=b"Anna's phone"
    )
    answer = post_observation(
        client, photos=[("IMG_0008.jpg", original, "image/jpeg")], headers=JSON
    )
    assert answer.status_code == 201
    photo_row = session.exec(select(Photo)).one()

    served = client.get(photo_row.url)
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    with Image.open(BytesIO(served.content)) as photo:
        assert photo.height > photo.width and max(photo.size) <= 1600
        assert red_corner(photo) == "top-right"  # where orientation 6 shows the sensor's corner
        assert not photo.getexif()
        assert not {"exif", "comment", "icc_profile", "xmp"} & set(photo.info)
    for secret in (b"Exif", SERIAL.encode(), b"TestPhone", b"Anna"):
        assert secret not in served.content

    thumb = client.get(photo_row.thumb_url)
    with Image.open(BytesIO(thumb.content)) as small:
        assert max(small.size) <= 400 and small.height > small.width
    assert b"Exif" not in thumb.content

    status_page = client.get(answer.json()["url"])
    assert photo_row.thumb_url in status_page.text or photo_row.url in status_page.text


# --- how the body reaches the parser ---------------------------------------------------------


def test_the_parser_gets_an_upload_in_pieces_of_a_megabyte_not_one_per_socket_read():
    """uvicorn hands on each socket read (64-256 kB); the multipart parser pays a thread hop
    for each piece it writes to the spooled file, so the app gathers them (bench/README.md)."""
    import asyncio

    from app.middleware import GatherBody

    body = bytes(range(256)) * (4 * 4096 + 10)  # 4 MB and a bit, in 64 kB reads
    reads = [body[i : i + 65536] for i in range(0, len(body), 65536)]
    pieces: list[bytes] = []

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        while True:
            message = await receive()
            pieces.append(message["body"])
            if not message["more_body"]:
                return

    async def receive():  # type: ignore[no-untyped-def]
        piece = reads.pop(0)
        return {"type": "http.request", "body": piece, "more_body": bool(reads)}

    asyncio.run(GatherBody(app)({"type": "http", "method": "POST"}, receive, None))
    assert b"".join(pieces) == body
    assert [len(p) for p in pieces[:-1]] == [1024 * 1024] * 4
    assert 0 < len(pieces[-1]) < 1024 * 1024
