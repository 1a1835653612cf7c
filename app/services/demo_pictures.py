"""Drawn stand-ins for the demo's before/after photos: a broken lamp and a lit one, a wall with
graffiti and a clean one, and so on. Simple shapes (no photo of anyone's street), the same bytes
on every machine, so that the stored files (named by their SHA-256) are stored once."""

from __future__ import annotations

from io import BytesIO

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 800, 600
NIGHT = (18, 24, 48)
DUSK = (70, 84, 120)
SNOW = (232, 236, 242)
ASPHALT = (92, 92, 98)
WALL = (176, 150, 120)
GREEN = (40, 110, 50)
# The kinds of problem a picture exists for; others get none.
KINDS = ("dark-spot", "graffiti", "vandalism", "vegetation", "damaged-path")


def picture(kind: str, *, after: bool) -> bytes:
    """A JPEG of the place before the fix (`after=False`) or after it."""
    img = Image.new("RGB", (WIDTH, HEIGHT), DUSK)
    draw = ImageDraw.Draw(img)
    {
        "dark-spot": _lamp,
        "graffiti": _wall,
        "vandalism": _shelter,
        "vegetation": _bushes,
        "damaged-path": _path,
    }[kind](draw, after)
    out = BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


def _ground(draw: ImageDraw.ImageDraw, sky: tuple[int, int, int]) -> None:
    draw.rectangle((0, 0, WIDTH, HEIGHT), fill=sky)
    draw.rectangle((0, 420, WIDTH, HEIGHT), fill=SNOW)
    draw.polygon([(330, HEIGHT), (470, HEIGHT), (420, 420), (380, 420)], fill=ASPHALT)


def _lamp(draw: ImageDraw.ImageDraw, after: bool) -> None:
    _ground(draw, NIGHT)
    draw.rectangle((500, 150, 512, 470), fill=(60, 60, 64))
    draw.rectangle((470, 140, 540, 160), fill=(80, 80, 84))
    if after:
        draw.polygon([(480, 160), (530, 160), (640, 470), (370, 470)], fill=(120, 110, 60))
        draw.ellipse((480, 150, 530, 178), fill=(255, 236, 150))
    else:
        draw.ellipse((480, 150, 530, 178), fill=(40, 40, 44))


def _wall(draw: ImageDraw.ImageDraw, after: bool) -> None:
    _ground(draw, DUSK)
    draw.rectangle((60, 120, 740, 430), fill=WALL)
    for y in range(150, 430, 40):
        draw.line((60, y, 740, y), fill=(150, 128, 100), width=2)
    if not after:
        for i, colour in enumerate(((200, 30, 90), (30, 160, 210), (20, 20, 20))):
            x = 120 + i * 190
            draw.line(
                [(x, 330), (x + 40, 190), (x + 90, 320), (x + 140, 200)], fill=colour, width=14
            )


def _shelter(draw: ImageDraw.ImageDraw, after: bool) -> None:
    _ground(draw, DUSK)
    draw.rectangle((150, 130, 650, 150), fill=(50, 60, 70))
    draw.rectangle((170, 150, 630, 420), fill=(150, 190, 210))
    draw.rectangle((170, 150, 630, 420), outline=(50, 60, 70), width=8)
    if not after:
        for end in ((190, 170), (620, 200), (250, 410), (560, 400), (400, 160)):
            draw.line([(400, 290), end], fill=(250, 250, 250), width=4)


def _bushes(draw: ImageDraw.ImageDraw, after: bool) -> None:
    _ground(draw, DUSK)
    if after:
        for x in (80, 600):
            draw.ellipse((x, 330, x + 120, 440), fill=GREEN)
    else:
        for x, y in ((80, 200), (240, 260), (380, 230), (520, 250), (640, 190)):
            draw.ellipse((x, y, x + 220, y + 260), fill=GREEN)


def _path(draw: ImageDraw.ImageDraw, after: bool) -> None:
    _ground(draw, DUSK)
    draw.polygon([(200, HEIGHT), (600, HEIGHT), (450, 300), (350, 300)], fill=ASPHALT)
    if not after:
        for box in ((330, 480, 420, 520), (430, 400, 480, 425), (380, 340, 410, 355)):
            draw.ellipse(box, fill=(30, 30, 30))
