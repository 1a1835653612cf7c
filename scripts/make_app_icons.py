"""Draw the app's icons (home screen, splash) with Pillow: `python scripts/make_app_icons.py`.

A white map pin on the app's blue, drawn within the inner 80 % so the same image serves as a
"maskable" icon (phones crop it to a circle or a rounded square)."""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "app" / "static" / "icons"
BLUE = (10, 74, 130)
WHITE = (255, 255, 255)
AMBER = (255, 191, 71)


def draw(size: int) -> Image.Image:
    scale = 4  # draw large, then shrink: smooth edges
    s = size * scale
    img = Image.new("RGB", (s, s), BLUE)
    d = ImageDraw.Draw(img)
    cx, r = s / 2, s * 0.2
    top = s * 0.2
    # The pin: a circle with a point below it.
    d.ellipse((cx - r, top, cx + r, top + 2 * r), fill=WHITE)
    d.polygon([(cx - r * 0.82, top + r * 1.55), (cx + r * 0.82, top + r * 1.55), (cx, s * 0.8)], fill=WHITE)
    # A lamp's light inside the pin.
    inner = r * 0.45
    d.ellipse((cx - inner, top + r - inner, cx + inner, top + r + inner), fill=AMBER)
    return img.resize((size, size), Image.LANCZOS)


def main() -> None:
    for size in (192, 512):
        draw(size).save(OUT / f"app-{size}.png", optimize=True)
    draw(180).save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
