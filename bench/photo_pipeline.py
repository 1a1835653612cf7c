"""How fast, and in how much memory, is a phone photo made ready to store?

    .venv/bin/python bench/photo_pipeline.py      (or: make bench)

Makes a realistic 12-megapixel phone JPEG (4000x3000, EXIF orientation 6, quality 90, grain and
gradients so it weighs a few MB like a real one), then runs each variant in a fresh Python
process, so that each one's peak memory is its own:

  ingest     our pipeline, `photos.ingest` (draft decode, resize, rotate, strip, write twice)
  naive      plain Pillow: open -> ImageOps.exif_transpose -> thumbnail(1600) -> save
  parallel   8 uploads at once from 8 threads, `photo_workers=2` (decoding capped at two)

Peak memory is `ru_maxrss` at the end minus `ru_maxrss` once the imports are done and the photo
is read into memory: what the work itself added. Standard library and Pillow only.

Linux carries a process's peak RSS across fork/exec into its children, so this parent process
stays small: it imports neither Pillow nor the app, and the photo is made in a child too.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WIDTH, HEIGHT = 4000, 3000
RUNS = 10
PARALLEL = 8
MAX_PX = 1600


def naive_pipeline(data: bytes, max_px: int) -> bytes:
    """The plain Pillow way (open, orient, resize, save): the benchmark's baseline only."""
    from PIL import Image, ImageOps

    from app.services import photos

    with Image.open(BytesIO(data)) as img:
        upright = ImageOps.exif_transpose(img)
        upright.thumbnail((max_px, max_px))
        out = BytesIO()
        upright.convert("RGB").save(out, "JPEG", quality=photos.JPEG_QUALITY)
        return out.getvalue()


def limits() -> Any:
    from app.services import photos

    return photos.PhotoLimits(
        max_bytes=25 * 1024 * 1024, max_pixels=64_000_000, max_px=MAX_PX, thumb_px=400
    )


def phone_photo() -> bytes:
    """A 4000x3000 JPEG as a phone held upright writes it: landscape pixels, orientation 6."""
    from PIL import ExifTags, Image, ImageFilter

    size = (WIDTH, HEIGHT)
    # Soft blotches (walls, sky, asphalt) ...
    shapes = (
        Image.effect_noise((WIDTH // 8, HEIGHT // 8), 60)
        .filter(ImageFilter.GaussianBlur(2))
        .resize(size, Image.Resampling.BILINEAR)
    )
    gradients = (
        Image.linear_gradient("L").resize(size),
        Image.linear_gradient("L").rotate(90).resize(size),
        Image.radial_gradient("L").resize(size),
    )
    # ... plus sensor grain, which is what makes a real photo weigh megabytes.
    channels = [
        Image.blend(Image.blend(gradient, shapes, 0.5), Image.effect_noise(size, 45), 0.25)
        for gradient in gradients
    ]
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "BenchPhone"
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (65.0, 49.0, 31.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (21.0, 41.0, 17.0),
    }
    out = BytesIO()
    Image.merge("RGB", channels).save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


def percentile(values: list[float], pct: float) -> float:
    """Nearest rank: with 10 runs, p95 is the slowest run."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


# --- one variant, in its own process ---------------------------------------------------------


def run_variant(variant: str, photo_path: Path) -> dict[str, object]:
    from PIL import Image

    from app.services import photos

    data = photo_path.read_bytes()
    baseline = peak_mb()
    with tempfile.TemporaryDirectory() as media:
        if variant == "parallel":
            return {"baseline_mb": baseline, **_parallel(data, Path(media))}
        timings = []
        for run in range(RUNS + 1):  # run 0 warms up (plugins, codecs) and is not counted
            started = time.perf_counter()
            if variant == "ingest":
                # A fresh folder each time: every run pays for writing both files too.
                stored = photos.ingest(data, media_dir=Path(media) / str(run), limits=limits())
                size = (stored.width, stored.height)
            else:
                with Image.open(BytesIO(naive_pipeline(data, MAX_PX))) as out:
                    size = out.size
            if run:
                timings.append((time.perf_counter() - started) * 1000)
    return {
        "baseline_mb": baseline,
        "peak_mb": peak_mb() - baseline,
        "size": list(size),
        "median_ms": statistics.median(timings),
        "p95_ms": percentile(timings, 95),
    }


def _parallel(data: bytes, media: Path) -> dict[str, object]:
    from PIL import Image

    from app.services import photos

    photos.configure(2)
    errors: list[BaseException] = []
    start = threading.Barrier(PARALLEL)

    def upload(i: int) -> None:
        start.wait()
        try:
            photos.ingest(data, media_dir=media / str(i), limits=limits())
        except BaseException as exc:
            errors.append(exc)

    # Warm up on a tiny photo (plugins, codecs), so that only the 8 uploads count below.
    tiny = BytesIO()
    Image.new("RGB", (64, 48)).save(tiny, "JPEG")
    photos.ingest(tiny.getvalue(), media_dir=media / "warm-up", limits=limits())
    threads = [threading.Thread(target=upload, args=(i,)) for i in range(PARALLEL)]
    baseline = peak_mb()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = (time.perf_counter() - started) * 1000
    if errors:
        raise errors[0]
    return {"wall_ms": wall, "per_photo_ms": wall / PARALLEL, "peak_mb": peak_mb() - baseline}


def in_fresh_process(variant: str, photo_path: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--variant", variant, "--photo", str(photo_path)],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return json.loads(done.stdout)


# --- the report ------------------------------------------------------------------------------


def main() -> None:
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        photo_path = Path(folder) / "phone.jpg"
        made = in_fresh_process("make-photo", photo_path)
        size_mb = photo_path.stat().st_size / 1_000_000
        ours = in_fresh_process("ingest", photo_path)
        naive = in_fresh_process("naive", photo_path)
        parallel = in_fresh_process("parallel", photo_path)

    print(
        f"Photo: {WIDTH}x{HEIGHT} JPEG, orientation 6, quality 90, {size_mb:.1f} MB; "
        f"{RUNS} runs each, one fresh process per variant; Python {sys.version.split()[0]}, "
        f"Pillow {made['pillow']}."
    )
    print()
    print(f"{'variant':<34}{'median ms':>10}{'p95 ms':>9}{'peak MB':>9}  result")
    for name, row in (("photos.ingest (ours)", ours), ("naive Pillow (exif_transpose)", naive)):
        w, h = row["size"]
        print(
            f"{name:<34}{row['median_ms']:>10.0f}{row['p95_ms']:>9.0f}"
            f"{row['peak_mb']:>9.0f}  {w}x{h}"
        )
    print()
    speed = naive["median_ms"] / ours["median_ms"]
    memory = naive["peak_mb"] / max(ours["peak_mb"], 1)
    print(f"speed-up: {speed:.1f}x faster, {memory:.1f}x less peak memory")
    print(
        f"{PARALLEL} uploads at once, photo_workers=2: {parallel['wall_ms']:.0f} ms wall "
        f"({parallel['per_photo_ms']:.0f} ms per photo), peak {parallel['peak_mb']:.0f} MB"
    )
    print(f"(bench took {time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", choices=("make-photo", "ingest", "naive", "parallel"))
    parser.add_argument("--photo", type=Path)
    args = parser.parse_args()
    if args.variant == "make-photo":
        from PIL import Image

        args.photo.write_bytes(phone_photo())
        print(json.dumps({"pillow": Image.__version__}))
    elif args.variant:
        print(json.dumps(run_variant(args.variant, args.photo)))
    else:
        main()
