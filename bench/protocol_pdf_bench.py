"""How long a walk's protocol takes as a PDF: a walk of 30 items with photos, on SQLite.

    .venv/bin/python bench/protocol_pdf_bench.py [--items 30] [--runs 10] [--profile]

A temporary SQLite database gets the migrations and Boden's demo data; a walk leader plans a
walk in Centrum with a drawn route, starts it, and phones log `--items` observations through
the capture route (POST /observations, so every photo goes through `photos.ingest`: a 3000x2000
noisy photo-like JPEG of ~1.5 MB each, stored at 1600 px with a 400 px thumbnail); every
third item also gets an "after" photo. The walk is closed.

Then the PDF route (GET /walks/{id}/protocol.pdf, as a logged-in leader) is timed --runs times
after one warm-up (median and p95), and its parts alone: reading the protocol (the SQL),
the template, WeasyPrint's layout and its PDF writing, and the time spent in WeasyPrint's
image loading (fetching and decoding, measured by wrapping its loader). `--profile` prints
cProfile's top functions of one PDF. No asserts: it prints what it measured.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CENTRUM = (65.8253, 21.6880)  # inside the demo zone "Centrum"
PASSWORD = "correct horse battery staple"
CATEGORIES = ("dark-spot", "vegetation", "dark-spot", "good-place")


def photo(seed: int, size: tuple[int, int] = (3000, 2000)) -> bytes:
    """A photo-like JPEG: a gradient with noise, so it compresses like a camera's picture."""
    from PIL import Image, ImageChops

    gradient = Image.linear_gradient("L").resize(size).convert("RGB")
    noise = Image.effect_noise(size, 40 + seed % 20).convert("RGB")
    tint = Image.new("RGB", size, (40 + seed * 7 % 200, 90, 160 - seed * 3 % 120))
    picture = ImageChops.add(ImageChops.multiply(gradient, tint), noise, scale=1.6)
    out = BytesIO()
    picture.save(out, "JPEG", quality=90)
    return out.getvalue()


def _store(settings: Any) -> Any:
    from app.services.media_store import LocalStore

    return LocalStore(settings.media_path)


def build(root: Path, items: int) -> dict[str, Any]:
    """The database, the app, a leader's client, and the closed walk with its items."""
    from fastapi.testclient import TestClient
    from sqlmodel import Session, select

    from app.cli import migrate
    from app.config import Settings
    from app.db import make_engine
    from app.main import create_app
    from app.models import Role, Walk
    from app.services import auth, demo

    url = f"sqlite:///{root / 'bench.db'}"
    existing = (root / "bench.db").exists()  # --keep: the walk made by an earlier run
    email = "leader@boden.example"
    if not existing:
        migrate(url)
        engine = make_engine(url)
        with Session(engine) as session:
            demo.load(session=session)
            auth.create_user(
                session=session,
                email=email,
                name="Bench Leader",
                password=PASSWORD,
                role=Role.walk_leader,
            )
        engine.dispose()
    settings = Settings(
        database_url=url,
        data_dir=root / "data",
        media_dir=root / "media",
        secret_key="bench-secret-key-that-is-long-enough-0000000",
        tile_url="",
        default_language="en",
        outbox_interval_seconds=0,
    )  # type: ignore[call-arg]
    app = create_app(settings)
    client = TestClient(app, headers={"Accept-Language": "en"})
    client.__enter__()
    token = client.get("/login").text.split('name="login_csrf" value="')[1].split('"')[0]
    answer = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "login_csrf": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text

    def csrf() -> str:
        return client.get("/staff").text.split('name="csrf_token" value="')[1].split('"')[0]

    if existing:
        with Session(app.state.engine) as session:
            walk_id = session.exec(select(Walk.id).order_by(Walk.id.desc())).first()  # type: ignore[union-attr]
        return {"app": app, "client": client, "walk_id": walk_id, "settings": settings, "made_s": 0}

    lat0, lon0 = CENTRUM
    route = (
        '{"type":"LineString","coordinates":'
        f"[[{lon0 - 0.004},{lat0 - 0.002}],[{lon0},{lat0}],[{lon0 + 0.004},{lat0 + 0.002}]]}}"
    )
    answer = client.post(
        "/walks/new",
        data={
            "csrf_token": csrf(),
            "title": "Bench walk in Centrum",
            "date": "2026-12-20",
            "time": "19:00",
            "zone": "centrum",
            "meeting_point": "The library's entrance",
            "organisations": "Boden municipality\nPolice",
            "description": "",
            "route": route,
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    walk_id = int(answer.headers["location"].rsplit("/", 1)[1])
    assert client.post(f"/walks/{walk_id}/start", data={"csrf_token": csrf()}).is_success
    with Session(app.state.engine) as session:
        code = session.get(Walk, walk_id).join_code  # type: ignore[union-attr]
    phone = TestClient(app, headers={"Accept-Language": "en"})
    assert phone.get(f"/w/{code}").status_code == 200
    assert phone.post(f"/w/{code}/joined", headers={"HX-Request": "true"}).is_success
    rng = random.Random(16)
    began = time.perf_counter()
    for n in range(items):
        category = CATEGORIES[n % len(CATEGORIES)]
        fields = {
            "client_id": str(uuid.uuid4()),
            "category": category,
            "lat": str(lat0 + rng.uniform(-0.003, 0.003)),
            "lon": str(lon0 + rng.uniform(-0.006, 0.006)),
            "accuracy_m": "12",
            "position_source": "gps",
            "description": f"Item {n + 1}: "
            + "the path by the school is dark and the bushes hide it. " * (1 + n % 4),
            "dark": "dark",
            "walk_code": code,
        }
        if category != "good-place":
            fields |= {"unsafe_level": str(1 + n % 5), "factors": "lighting"}
        answer = phone.post(
            "/observations",
            data=fields,
            files=[("photo", (f"{n}.jpg", photo(n), "image/jpeg"))],
            headers={"Accept": "application/json"},  # the API's answer: 201 with the token
        )
        assert answer.status_code == 201, answer.text
    made_s = time.perf_counter() - began
    if items:
        _after_photos(app, walk_id, settings)
    assert client.post(f"/walks/{walk_id}/close", data={"csrf_token": csrf()}).is_success
    return {
        "app": app,
        "client": client,
        "walk_id": walk_id,
        "settings": settings,
        "made_s": made_s,
    }


def _after_photos(app: Any, walk_id: int, settings: Any) -> None:
    """Every third item gets an "after" photo, stored by the same photo pipeline."""
    from sqlmodel import Session, col, select

    from app.models import Observation, Photo, PhotoKind
    from app.services import photos

    limits = photos.limits(settings)
    with Session(app.state.engine) as session:
        found = session.exec(
            select(Observation).where(Observation.walk_id == walk_id).order_by(col(Observation.id))
        ).all()
        for n, obs in enumerate(found):
            if n % 3 == 0:
                stored = photos.ingest(photo(100 + n), store=_store(settings), limits=limits)
                session.add(
                    Photo(
                        observation_id=obs.id,  # type: ignore[arg-type]
                        sha256=stored.sha256,
                        width=stored.width,
                        height=stored.height,
                        kind=PhotoKind.after,
                    )
                )
        session.commit()


def overview_of(proto: Any) -> Any:
    """The overview map as the route draws it."""
    from app.services import protocol_map

    return protocol_map.overview(
        walk=proto.walk, numbered=proto.numbered, lang="en", zone_geometry=proto.zone_geometry
    )


def timed(fn: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    fn()  # warm-up
    times, result = [], None
    for _ in range(runs):
        began = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - began) * 1000)
    return times, result


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def line(name: str, times: list[float]) -> None:
    print(f"  {name:<38} median {statistics.median(times):7.0f} ms   p95 {p95(times):7.0f} ms")


def parts(built: dict[str, Any], runs: int) -> None:
    """The PDF's parts alone, with the same calls the route makes."""
    import weasyprint.document
    from sqlmodel import Session

    from app import i18n
    from app.models import Walk
    from app.services import protocol_pdf, walk_protocol
    from app.templating import templates

    app, settings, walk_id = built["app"], built["settings"], built["walk_id"]
    i18n.set_language("en")

    def read() -> Any:
        with Session(app.state.engine) as session:
            walk = session.get(Walk, walk_id)
            return walk_protocol.protocol(session=session, walk=walk, settings=settings, lang="en")  # type: ignore[arg-type]

    times, proto = timed(read, runs)
    line("reading the protocol (SQL)", times)
    times, overview = timed(lambda: overview_of(proto), runs)
    line("the overview map (SVG)", times)
    extra = {"overview": overview}

    def template() -> str:
        return templates.env.get_template("walks/protocol_pdf.html").render(
            {
                "p": proto,
                "for_pdf": True,
                "lang": "en",
                "settings": settings,
                "htmx": False,
                "visitor": None,
                "request": None,
            }
            | extra
        )

    times, html = timed(template, runs)
    line("template", times)
    print(f"  HTML {len(html) // 1024} kB, {html.count('<img')} images")

    loading = [0.0]
    original = weasyprint.document.original_get_image_from_uri

    def counting(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            loading[0] += time.perf_counter() - began

    base = settings.public_url.rstrip("/")
    layout_ms, write_ms, image_ms, sizes = [], [], [], []
    # The document's loader (WeasyPrint wraps it with its image cache per document).
    weasyprint.document.original_get_image_from_uri = counting
    try:
        for n in range(runs + 1):
            loading[0] = 0.0
            began = time.perf_counter()
            document = protocol_pdf.document(html, store=_store(settings), base_url=base)
            rendered = document.render()
            laid = time.perf_counter()
            pdf = protocol_pdf.write(rendered)
            done = time.perf_counter()
            if n:  # the first is the warm-up
                layout_ms.append((laid - began) * 1000)
                write_ms.append((done - laid) * 1000)
                image_ms.append(loading[0] * 1000)
                sizes.append(len(pdf))
    finally:
        weasyprint.document.original_get_image_from_uri = original
    line("WeasyPrint layout (with image loading)", layout_ms)
    line("  of which image loading", image_ms)
    line("WeasyPrint writing the PDF", write_ms)
    print(f"  PDF {statistics.median(sizes) / 1024:.0f} kB, {len(rendered.pages)} pages")


def profile_once(built: dict[str, Any]) -> None:
    """cProfile's top functions while WeasyPrint makes one PDF (in this thread)."""
    from sqlmodel import Session

    from app.models import Walk
    from app.services import protocol_pdf, walk_protocol
    from app.templating import templates

    app, settings = built["app"], built["settings"]
    with Session(app.state.engine) as session:
        walk = session.get(Walk, built["walk_id"])
        proto = walk_protocol.protocol(session=session, walk=walk, settings=settings, lang="en")  # type: ignore[arg-type]
    extra = {"overview": overview_of(proto)}
    html = templates.env.get_template("walks/protocol_pdf.html").render(
        {"p": proto, "for_pdf": True, "lang": "en", "settings": settings, "htmx": False}
        | {"visitor": None, "request": None}
        | extra
    )
    profile = cProfile.Profile()
    profile.enable()
    protocol_pdf.render_pdf(html, store=_store(settings), base_url=settings.public_url.rstrip("/"))
    profile.disable()
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(order).print_stats(25)
        print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--keep", type=Path, help="build in (or reuse) this folder, not a temp one")
    parser.add_argument("--save", type=Path, help="write one PDF to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="protocol-pdf-bench-") as tmp:
        began = time.perf_counter()
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        built = build(folder, args.items)
        print(
            f"walk of {args.items} items with photos made in {time.perf_counter() - began:.1f} s "
            f"({built['made_s']:.1f} s of it posting the items)"
        )
        client, walk_id = built["client"], built["walk_id"]

        def route() -> bytes:
            answer = client.get(f"/walks/{walk_id}/protocol.pdf")
            assert answer.status_code == 200, answer.text
            return answer.content

        # A fresh process pays WeasyPrint's import and font setup once: shown apart.
        began = time.perf_counter()
        route()
        print(f"first PDF in this process (imports, fonts): {time.perf_counter() - began:.2f} s")
        times, pdf = timed(route, args.runs)
        if args.save:
            args.save.write_bytes(pdf)
        print(f"GET /walks/{{id}}/protocol.pdf, {args.runs} runs after a warm-up:")
        line("whole route", times)
        print("parts:")
        parts(built, args.runs)
        if args.profile:
            profile_once(built)
        client.__exit__(None, None, None)
        built["app"].state.engine.dispose()


if __name__ == "__main__":
    main()
