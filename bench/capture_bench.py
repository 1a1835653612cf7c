"""What the HTTP capture adds to the photo work, and how many captures a second the app takes.

    .venv/bin/python bench/capture_bench.py                 (SQLite, or the database below)
    scripts/with-postgres .venv/bin/python bench/capture_bench.py      (PostgreSQL; make bench)

A 12-megapixel phone JPEG (bench/photo_pipeline.py's: 4000x3000, orientation 6, q90, ~4 MB) is
sent to a real `safetywalk serve` (uvicorn, a fresh database, migrations and demo categories)
by an httpx client over loopback, as the capture page does (multipart, `HX-Request`; 201).
Every upload is a different photo: the JPEG's quantisation table is nudged, so the decoded
pixels and the stored files differ while the decoding costs the same.

(a) Latency, one upload at a time. Each run times, in turn, on the same photo:
      Pillow   the best plain-Pillow pipeline, in memory: the very output `photos.ingest` stores
               (draft decode, 1600 px, upright, q82 progressive, 400 px thumbnail), no checks,
               no EXIF reading, no hashing, no files;
      ingest   `photos.ingest` in this process (checks, EXIF GPS, hash, two atomic writes);
      HTTP     POST /observations, measured by the client, answer included.
    The three alternate, so a busy machine slows them alike. Each round gives each variant's
    median and the ratios of those medians; the figures are the medians over the rounds.
    "CPU" is processor time: the server's (from /proc, summed over a round, per upload) against
    this process's for Pillow and ingest; it moves less than wall time when other processes
    share the cores. Then, for where the time goes, two more requests: the same POST with a
    64x48 photo (everything but the decoding) and the 12 MP POST refused before decoding (an
    unknown category: the transfer and the multipart parsing, 422).
    The baseline shares this process with `photos`, so it keeps Pillow's freed memory blocks
    for reuse as the app does (photos.configure); what that alone is worth is printed too.
(b) Throughput on the same machine: `--concurrency` uploads in flight against 1 and 2 app
    processes (N `safetywalk serve`, the client spreading its connections over them), against
    the Pillow-bound limit: the same Pillow pipeline in N processes at once over as many
    photos. Rounds alternate the two. On PostgreSQL as `make bench` runs it.

Options: --database-url (default $SAFETYWALK_TEST_DATABASE_URL, else SQLite in a temp dir; on
PostgreSQL a fresh database is made on that server and dropped at the end), --rounds, --runs,
--uploads (per process and round), --skip-latency, --skip-throughput, --keep DIR (server logs).
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

try:
    import httpx
except ImportError:  # the test extra installs httpx2, a fork with the same interface
    import httpx2 as httpx  # type: ignore[no-redef]

MAX_PX, THUMB_PX = 1600, 400
CENTRUM = ("65.8253", "21.6889")


# --- photos -------------------------------------------------------------------------------------


def phone_photo() -> bytes:
    from photo_pipeline import phone_photo as make

    return make()


def variant(jpeg: bytes, n: int) -> bytes:
    """The same JPEG with its first quantisation table nudged by the bits of `n` (< 4096):
    other decoded pixels, hence another stored file, at the same decoding cost."""
    at = 2
    while jpeg[at] == 0xFF and jpeg[at + 1] != 0xDB:  # walk the segments to the first DQT
        at += 2 + int.from_bytes(jpeg[at + 2 : at + 4], "big")
    if jpeg[at : at + 2] != b"\xff\xdb" or jpeg[at + 4] >> 4:
        raise ValueError("no 8-bit quantisation table where expected")
    values = at + 5  # marker, length, precision/table id, then 64 values
    out = bytearray(jpeg)
    for bit in range(12):  # twelve low-frequency entries (zig-zag 1..12): each +1 or not
        if n >> bit & 1:
            out[values + 1 + bit] += 1
    return bytes(out)


def pillow_best(data: bytes) -> tuple[bytes, bytes]:
    """The same two files `photos.ingest` stores, by the shortest Pillow path, in memory."""
    from PIL import Image

    with Image.open(BytesIO(data)) as img:
        orientation = img.getexif().get(0x0112, 1)
        scale = MAX_PX / max(img.size)
        img.draft("RGB", (int(img.width * scale) + 1, int(img.height * scale) + 1))
        picture = img.convert("RGB")
    picture.thumbnail((MAX_PX, MAX_PX), Image.Resampling.LANCZOS, reducing_gap=3.0)
    if orientation == 6:
        picture = picture.transpose(Image.Transpose.ROTATE_270)
    thumb = picture.copy()
    thumb.thumbnail((THUMB_PX, THUMB_PX), Image.Resampling.LANCZOS)
    files = []
    for image, quality in ((picture, 82), (thumb, 75)):
        out = BytesIO()
        image.save(out, "JPEG", quality=quality, optimize=False, progressive=True)
        files.append(out.getvalue())
    return files[0], files[1]


def photo_limits() -> Any:
    from app.services import photos

    return photos.PhotoLimits(
        max_bytes=25 * 1024 * 1024, max_pixels=64_000_000, max_px=MAX_PX, thumb_px=THUMB_PX
    )


def ingest_into(folder: Path) -> Callable[[bytes], Any]:
    """`photos.ingest` writing under `folder` (a local store)."""
    from app.services import photos
    from app.services.media_store import LocalStore

    store = LocalStore(folder)
    return lambda data: photos.ingest(data, store=store, limits=photo_limits())


# --- database and server ------------------------------------------------------------------------


@contextmanager
def database(url: str, folder: Path) -> Iterator[str]:
    """A fresh, empty database: an SQLite file, or a new database on the PostgreSQL server."""
    if not url:
        yield f"sqlite:///{folder / 'bench.sqlite'}"
        return
    from sqlalchemy import create_engine, make_url, text

    name = f"safetywalk_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def server_env(database_url: str, folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFETYWALK_")}
    env.update(
        SAFETYWALK_DATABASE_URL=database_url,
        SAFETYWALK_DATA_DIR=str(folder / "data"),
        SAFETYWALK_MEDIA_DIR=str(folder / "media"),
        SAFETYWALK_SECRET_KEY="bench-secret-key-that-is-long-enough-0000",
        SAFETYWALK_DEFAULT_LANGUAGE="en",
        SAFETYWALK_TILE_URL="",
        # Nothing but the uploads runs in the server while it is measured.
        SAFETYWALK_OUTBOX_INTERVAL_SECONDS="0",
        SAFETYWALK_GEOCODER_INTERVAL_SECONDS="0",
        SAFETYWALK_RETENTION_INTERVAL_SECONDS="0",
    )
    return env


def cli(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=600,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def process_tree_cpu(root_pid: int) -> float:
    """Seconds of CPU (user + system) used so far by `root_pid` and its live descendants."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
        parents[int(entry)] = int(fields[1])
        times[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    tree, grew = {root_pid}, True
    while grew:
        found = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= found
        grew = bool(found)
    return sum(times.get(pid, 0.0) for pid in tree)


class Server:
    """One app process: `safetywalk serve` in its own process group, on a free port.

    N app processes are N of these, the client spreading its connections over them (as
    SO_REUSEPORT or a proxy would): uvicorn's own `--workers` supervisor kills a worker that
    has not answered its health check 5 s after being spawned, which a busy machine misses."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(self.port)],
            env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def wait_ready(self) -> Server:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped; see {self.log_path}")
            try:
                if httpx.get(self.url + "/healthz", timeout=5).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.5)
        raise RuntimeError(f"the server did not start; see {self.log_path}")

    def cpu(self) -> float:
        return process_tree_cpu(self.process.pid)

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()


def capture_request(photo: bytes, **fields: str) -> tuple[bytes, dict[str, str]]:
    """The capture form's multipart body, built before the clock starts."""
    data = {
        "client_id": str(uuid.uuid4()),
        "category": "dark-spot",
        "lat": CENTRUM[0],
        "lon": CENTRUM[1],
        "accuracy_m": "12",
        "position_source": "gps",
        "description": "The lamp by the underpass is out.",
        "unsafe_level": "4",
        "dark": "dark",
        **fields,
    }
    request = httpx.Request(
        "POST", "http://bench/observations", data=data,
        files=[("photo", ("IMG_0001.jpg", photo, "image/jpeg"))],
    )  # fmt: skip
    headers = {
        "Content-Type": request.headers["Content-Type"],
        "HX-Request": "true",
        "Accept-Language": "en",
    }
    return request.read(), headers


def post(client: Any, body: bytes, headers: dict[str, str], expect: int) -> None:
    answer = client.post("/observations", content=body, headers=headers)
    if answer.status_code != expect:
        raise RuntimeError(f"POST /observations: {answer.status_code} {answer.text[:300]}")


# --- (a) latency ----------------------------------------------------------------------------------


@dataclass
class Round:
    wall: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)

    def add(self, name: str, ms: float) -> None:
        self.wall.setdefault(name, []).append(ms)

    def median(self, name: str) -> float:
        return statistics.median(self.wall[name])


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.thread_time()
    fn()
    return (time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000


def latency(server: Server, photos: Iterator[bytes], tiny: bytes, args: Any, folder: Path):
    ingest = ingest_into(folder / "ingest")
    rounds: list[Round] = []
    with httpx.Client(base_url=server.url, timeout=120) as client:
        for number in range(args.rounds + 1):  # round 0 warms up and is not counted
            one, cpu = Round(), {"pillow": 0.0, "ingest": 0.0}
            server_cpu = 0.0
            for _ in range(args.runs if number else 2):
                photo = next(photos)
                body, headers = capture_request(photo)
                for name, fn in (
                    ("pillow", lambda: pillow_best(photo)),  # noqa: B023
                    ("ingest", lambda: ingest(photo)),  # noqa: B023
                ):
                    wall_ms, cpu_ms = timed(fn)
                    one.add(name, wall_ms)
                    cpu[name] += cpu_ms
                before = server.cpu()
                wall_ms, _cpu = timed(lambda: post(client, body, headers, 201))  # noqa: B023
                server_cpu += server.cpu() - before
                one.add("http", wall_ms)
            one.cpu = {
                "pillow": cpu["pillow"] / args.runs,
                "ingest": cpu["ingest"] / args.runs,
                "http": server_cpu * 1000 / args.runs,
            }
            if number:
                rounds.append(one)
                print(
                    f"  round {number}: Pillow {one.median('pillow'):.0f} ms, ingest "
                    f"{one.median('ingest'):.0f} ms, HTTP {one.median('http'):.0f} ms "
                    f"(load {os.getloadavg()[0]:.1f})",
                    flush=True,
                )
        # Where the rest goes: everything but the decoding, and the transfer + parsing alone.
        detail = Round()
        for run in range(args.runs * 2 + 2):
            small, small_headers = capture_request(tiny)
            big, big_headers = capture_request(next(photos), category="no-such-category")
            for name, body, headers, expect in (
                ("tiny", small, small_headers, 201),
                ("refused", big, big_headers, 422),
            ):
                wall_ms, _cpu = timed(lambda: post(client, body, headers, expect))  # noqa: B023
                if run >= 2:
                    detail.add(name, wall_ms)
    detail.cpu["no cache"], detail.cpu["cache"] = block_cache(photos, args.runs)
    return rounds, detail


def block_cache(photos: Iterator[bytes], runs: int) -> tuple[float, float]:
    """Median CPU ms of the Pillow pipeline without and with Pillow's block cache, in
    alternating stretches (setting the cache empties it, so each stretch warms up first)."""
    from PIL import Image

    kept = Image.core.get_blocks_max()
    times: dict[int, list[float]] = {0: [], kept: []}
    for stretch in range(4):
        blocks = kept if stretch % 2 else 0
        Image.core.set_blocks_max(blocks)
        pillow_best(next(photos))
        for _ in range(max(runs // 2, 2)):
            photo = next(photos)
            times[blocks].append(timed(lambda: pillow_best(photo))[1])  # noqa: B023
    Image.core.set_blocks_max(kept)
    return statistics.median(times[0]), statistics.median(times[kept])


def report_latency(rounds: list[Round], detail: Round) -> None:
    def over(key: str, name: str, base: str = "pillow") -> float:
        values = [
            (r.median(name) / r.median(base)) if key == "wall" else r.cpu[name] / r.cpu[base]
            for r in rounds
        ]
        return statistics.median(values)

    print()
    print(f"{'(a) one upload at a time':<44}{'median ms':>10}{'x Pillow':>10}{'CPU ms':>8}{'x':>7}")
    for name, label in (
        ("pillow", "Pillow, best pipeline (in memory)"),
        ("ingest", "photos.ingest, in process"),
        ("http", "HTTP capture (POST /observations, htmx)"),
    ):
        wall = statistics.median(r.median(name) for r in rounds)
        cpu = statistics.median(r.cpu[name] for r in rounds)
        print(
            f"{label:<44}{wall:>10.0f}{over('wall', name):>9.2f}x"
            f"{cpu:>8.0f}{over('cpu', name):>6.2f}x"
        )
    print(
        "  per round, HTTP / Pillow: "
        + ", ".join(f"{r.median('http') / r.median('pillow'):.2f}" for r in rounds)
    )
    print(f"{'HTTP capture of a 64x48 photo (no decoding)':<44}{detail.median('tiny'):>10.0f}")
    print(f"{'HTTP, 12 MP refused before decoding (422)':<44}{detail.median('refused'):>10.0f}")
    print(
        f"  Pillow's block cache: the pipeline took {detail.cpu['no cache']:.0f} ms of CPU "
        f"without it, {detail.cpu['cache']:.0f} ms with it (kept for both rows above)"
    )


# --- (b) throughput -------------------------------------------------------------------------------

_base: bytes = b""


def _pool_start(base: bytes) -> None:
    global _base
    _base = base
    from app.services import photos  # noqa: F401  (Pillow's block cache, as the app keeps it)

    pillow_best(variant(base, 1))  # warm up (plugins, codecs) before anything is timed


def _pool_work(n: int) -> int:
    return len(pillow_best(variant(_base, n))[0])


def throughput(
    env: dict[str, str], base: bytes, next_n: Iterator[int], workers: int, args: Any, logs: Path
) -> dict[str, Any]:
    uploads = args.uploads * workers
    concurrency = args.concurrency or 4 * workers
    pillow_rates, http_rates = [], []
    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(workers, initializer=_pool_start, initargs=(base,)) as pool:
        pool.map(_pool_work, [next(next_n) for _ in range(workers)], chunksize=1)
        servers = [Server(env, logs / f"server-{workers}-{i}.log") for i in range(workers)]
        try:
            for server in servers:
                server.wait_ready()
            sessions = [
                httpx.Client(base_url=servers[i % workers].url, timeout=300)
                for i in range(concurrency)
            ]
            with ThreadPoolExecutor(concurrency) as threads:

                def burst(count: int) -> float:
                    requests = [capture_request(variant(base, next(next_n))) for _ in range(count)]
                    started = time.perf_counter()
                    list(
                        threads.map(
                            lambda i: post(sessions[i % concurrency], *requests[i], 201),
                            range(count),
                        )
                    )
                    return count / (time.perf_counter() - started)

                burst(concurrency)  # warm up every worker process and connection
                for number in range(1, args.rounds + 1):
                    started = time.perf_counter()
                    done = pool.map(_pool_work, [next(next_n) for _ in range(uploads)], chunksize=1)
                    pillow_rates.append(len(done) / (time.perf_counter() - started))
                    http_rates.append(burst(uploads))
                    print(
                        f"  {workers} process(es), round {number}: Pillow "
                        f"{pillow_rates[-1]:.2f}/s, HTTP {http_rates[-1]:.2f}/s "
                        f"(load {os.getloadavg()[0]:.1f})",
                        flush=True,
                    )
            for session in sessions:
                session.close()
        finally:
            for server in servers:
                server.stop()
    return {
        "workers": workers,
        "concurrency": concurrency,
        "uploads": uploads,
        "pillow": statistics.median(pillow_rates),
        "http": statistics.median(http_rates),
        "ratio": statistics.median(h / p for h, p in zip(http_rates, pillow_rates, strict=True)),
    }


def report_throughput(results: list[dict[str, Any]]) -> None:
    print()
    print(
        f"{'(b) uploads per second':<34}{'in flight':>10}{'Pillow':>9}{'HTTP':>9}"
        f"{'HTTP / Pillow':>15}"
    )
    for row in results:
        print(
            f"{row['workers']} app process(es), {row['uploads']} per round{'':<6}"
            f"{row['concurrency']:>8}{row['pillow']:>9.2f}{row['http']:>9.2f}{row['ratio']:>14.2f}x"
        )
    limit = max(row["pillow"] for row in results)
    print(
        f"  the machine's Pillow-bound limit (best of the above): {limit:.2f}/s; "
        + ", ".join(
            f"{row['workers']} process(es) reach {row['http'] / limit:.2f}x" for row in results
        )
    )


# --- the run ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("SAFETYWALK_TEST_DATABASE_URL", "")
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=8, help="uploads per round in (a)")
    parser.add_argument("--uploads", type=int, default=12, help="per app process and round in (b)")
    parser.add_argument("--concurrency", type=int, default=0, help="(b); default 4 per process")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--keep", type=Path, help="copy the server logs and media here")
    args = parser.parse_args()

    began = time.perf_counter()
    load_before = os.getloadavg()
    from PIL import Image

    base = phone_photo()
    tiny = BytesIO()
    Image.new("RGB", (64, 48), (90, 120, 150)).save(tiny, "JPEG")
    # The baseline makes byte for byte what the pipeline stores: the same work, nothing else.
    check = Path(tempfile.mkdtemp(prefix="capture-bench-check-"))
    stored = ingest_into(check)(base).sha256
    shutil.rmtree(check)
    if hashlib.sha256(pillow_best(base)[0]).hexdigest() != stored:
        raise SystemExit("pillow_best no longer makes what photos.ingest stores; update it")
    counter = iter(range(1, 4096))
    photos_iter = (variant(base, n) for n in counter)

    folder = Path(tempfile.mkdtemp(prefix="capture-bench-"))
    try:
        with database(args.database_url, folder) as url:
            engine = url.split(":", 1)[0].split("+")[0]
            env = server_env(url, folder)
            cli(env, "migrate")
            cli(env, "load-demo", "--no-observations")
            print(
                f"Photo: 4000x3000 JPEG, orientation 6, q90, {len(base) / 1e6:.1f} MB, a different "
                f"one each upload; {engine}; Python {sys.version.split()[0]}, Pillow "
                f"{Image.__version__}, {os.cpu_count()} cores, load average {load_before[0]:.1f}."
            )
            if not args.skip_latency:
                server = Server(env, folder / "server-latency.log").wait_ready()
                try:
                    rounds, detail = latency(server, photos_iter, tiny.getvalue(), args, folder)
                finally:
                    server.stop()
                report_latency(rounds, detail)
            if not args.skip_throughput:
                if engine != "postgresql":
                    print("\n(b) wants PostgreSQL: scripts/with-postgres runs it there.")
                results = [
                    throughput(env, base, counter, workers, args, folder) for workers in (1, 2)
                ]
                report_throughput(results)
            stored = sum(1 for _ in (folder / "media" / "photos").rglob("*.jpg"))
            print(f"\n{stored} photos stored by the server(s), each upload its own file.")
    finally:
        if args.keep:
            shutil.copytree(
                folder, args.keep, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.sqlite*")
            )
        shutil.rmtree(folder, ignore_errors=True)
    print(
        f"(bench took {time.perf_counter() - began:.0f} s; load average "
        f"{load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after)"
    )


if __name__ == "__main__":
    main()
