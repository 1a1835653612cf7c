"""The `safetywalk` command: serve, migrate, load-demo, create-user, outbox, geocode, api-key,
media, export, import, zones, backup, restore."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlmodel import Session

from app import cli_api_keys, cli_backup, cli_geocode, cli_media, cli_retention, cli_serve, i18n
from app.cli_worker import worker_output
from app.config import Settings, get_settings
from app.db import MIGRATIONS_DIR, make_engine, refresh_statistics
from app.models import Role, ZonePlacement


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def migrate(database_url: str, revision: str = "head") -> None:
    """Bring the schema to `revision` (the whole schema, from an empty database too)."""
    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(database_url), revision)
    engine = make_engine(database_url)
    refresh_statistics(engine)
    engine.dispose()


def _migrate(args: argparse.Namespace) -> int:
    migrate(get_settings().sqlalchemy_url, args.revision)
    print(f"database at {args.revision}")
    return 0


def _load_demo(args: argparse.Namespace) -> int:
    from app.services import demo

    settings = get_settings()
    engine = make_engine(settings.sqlalchemy_url)
    with Session(engine) as session:
        if args.if_empty and demo.is_loaded(session=session):
            print("demo data already there; nothing loaded")
            return 0
        counts = demo.load(session=session)
        if not args.no_observations:
            # Boden's residents write in Swedish: their reports (and so the notes and mails they
            # get) are in Swedish, whatever the shell's language.
            with i18n.using("sv"):
                counts |= _demo_reports(session, settings)
    refresh_statistics(engine)
    engine.dispose()
    print("loaded Boden demo data: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
    return 0


def _demo_reports(session: Session, settings: Settings) -> dict[str, int]:
    from app.services import demo, demo_follow_up, media_store, photos

    limits = photos.limits(settings)
    store = media_store.open_store(settings)
    counts = {
        "observations": demo.load_observations(session=session, store=store, limits=limits),
        "reports of the past two years": demo.load_history(
            session=session, store=store, limits=limits
        ),
    }
    return counts | demo_follow_up.load(session=session, store=store, limits=limits)


def _create_user(args: argparse.Namespace) -> int:
    from sqlmodel import select

    from app.models import Role, Unit
    from app.services import accounts

    password = args.password_stdin and sys.stdin.readline().rstrip("\n")
    if not password:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            print("the passwords differ; nothing was created", file=sys.stderr)
            return 1
    engine = make_engine(get_settings().sqlalchemy_url)
    with Session(engine) as session:
        unit_id = None
        if args.unit:
            unit = session.exec(select(Unit).where(Unit.slug == args.unit)).first()
            if unit is None:
                print(f"no unit {args.unit!r}", file=sys.stderr)
                return 1
            unit_id = unit.id
        try:
            user = accounts.create(
                session=session,
                email=args.email,
                name=args.name or "",
                password=password,
                role=Role(args.role),
                unit_id=unit_id,
            )
        except accounts.AccountRefused as exc:
            print(f"not created: {exc.message}", file=sys.stderr)
            return 1
    print(f"created {user.role} {user.email}")
    return 0


def _outbox(args: argparse.Namespace) -> int:
    import time

    from app.services import mail_runner

    settings = get_settings()
    say = worker_output(settings, "safetywalk.outbox", loop=args.loop)
    engine = make_engine(settings.sqlalchemy_url)
    while True:
        with Session(engine) as session:
            result = mail_runner.run_once(session=session, settings=settings)
        say(
            f"sent {result.sent}, failed {result.failed}, waiting {result.waiting}"
            + ("" if settings.smtp_host else " (no SAFETYWALK_SMTP_HOST: nothing is sent)")
        )
        if not args.loop:
            return 0
        time.sleep(max(5, settings.outbox_interval_seconds or 30))


def _export(args: argparse.Namespace) -> int:
    import json

    from app.services import registry_csv, zones

    engine = make_engine(get_settings().sqlalchemy_url)
    with Session(engine) as session:
        if args.kind == "zones":
            collection = zones.feature_collection(session=session)
            text = json.dumps(collection, ensure_ascii=False, indent=1) + "\n"
            count = len(collection["features"])
        else:
            text = registry_csv.export_csv(session=session, kind=args.kind)
            count = text.count(chr(10)) - 1
    engine.dispose()
    output = args.output or args.file
    if output:
        Path(output).write_text(text, encoding="utf-8", newline="")
        print(f"wrote {count} {args.kind} to {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _import(args: argparse.Namespace) -> int:
    from app.services import registry_csv

    if args.kind == "zones":
        return _import_zones(args)
    if args.crs:
        print("--crs is for zones only", file=sys.stderr)
        return 2
    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        print(f"cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    engine = make_engine(get_settings().sqlalchemy_url)
    with Session(engine) as session:
        report = registry_csv.import_csv(
            session=session, kind=args.kind, data=data, dry_run=args.dry_run
        )
    engine.dispose()
    for error in report.errors:
        print(f"line {error.row}: {error.message}", file=sys.stderr)
    counts = f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged"
    if not report.ok:
        print(f"nothing imported: {len(report.errors)} error(s)", file=sys.stderr)
        return 1
    print(f"{args.kind}: {counts}" + (" (dry run: nothing changed)" if args.dry_run else ""))
    return 0


def _import_zones(args: argparse.Namespace) -> int:
    """Zones from a GeoJSON file or a zipped shapefile, then the observations placed again."""
    from app.services import zone_files, zone_import

    try:
        with open(args.file, "rb") as handle:
            data = handle.read(zone_files.MAX_BYTES + 1)
    except OSError as exc:
        print(f"cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    engine = make_engine(get_settings().sqlalchemy_url)
    with Session(engine) as session:
        report = zone_import.run(session=session, data=data, crs=args.crs, dry_run=args.dry_run)
        if not report.ok:
            for problem in report.problems:
                print(problem, file=sys.stderr)
            if report.more_problems:
                print(f"... and {report.more_problems} more", file=sys.stderr)
            print(
                f"nothing imported: {len(report.problems) + report.more_problems} error(s)",
                file=sys.stderr,
            )
            return 1
        print(f"read {report.format} in {report.crs}")
        for change in report.changes:
            what = change.action + (f" ({', '.join(change.changed)})" if change.changed else "")
            parent = f" in {change.parent}" if change.parent else ""
            print(f"  {change.slug}: {change.kind.value}{parent}, {what}")
        counts = ", ".join(
            f"{report.count(action)} {word}"
            for action, word in (
                ("create", "created"),
                ("update", "updated"),
                ("unchanged", "unchanged"),
            )
        )
        print("zones: " + counts + (" (dry run: nothing changed)" if args.dry_run else ""))
        if report.placement_id is None:
            return 0
        return _place(session, report.placement_id, args.batch_size)


def _place(session: Session, placement_id: int, batch_size: int) -> int:
    """Run a re-placement with a line per batch; Ctrl-C leaves it resumable."""
    from app.services import zone_placement

    def progress(run: ZonePlacement) -> None:
        print(f"placed {run.placed} of {run.total}", flush=True)

    try:
        run = zone_placement.run(
            session=session, placement_id=placement_id, batch_size=batch_size, progress=progress
        )
    except KeyboardInterrupt:
        print("interrupted: go on with `safetywalk zones place --resume`", file=sys.stderr)
        return 130
    if run.state != "done":
        print(f"the run is {run.state}: another runner has it", file=sys.stderr)
        return 1
    print(f"observations placed in the zones: {run.placed}")
    return 0


def _zones_place(args: argparse.Namespace) -> int:
    from app.services import zone_placement

    engine = make_engine(get_settings().sqlalchemy_url)
    with Session(engine) as session:
        if args.resume:
            run = zone_placement.unfinished(session=session)
            if run is None:
                print("no unfinished placement to resume")
                return 0
            print(f"resuming after observation {run.last_observation_id}")
        else:
            run = zone_placement.create(session=session)
            session.commit()
        return _place(session, run.id, args.batch_size)  # type: ignore[arg-type]


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="safetywalk", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    cli_serve.add_parser(sub)

    mig = sub.add_parser("migrate", help="apply database migrations")
    mig.add_argument("revision", nargs="?", default="head")
    mig.set_defaults(func=_migrate)

    demo = sub.add_parser(
        "load-demo", help="load Boden's districts, units, categories and sample reports"
    )
    demo.add_argument("--if-empty", action="store_true", help="only when no zones exist yet")
    demo.add_argument(
        "--no-observations", action="store_true", help="only the reference data, no sample reports"
    )
    demo.set_defaults(func=_load_demo)

    mail = sub.add_parser("outbox", help="send the e-mails waiting in the outbox")
    mail.add_argument("--loop", action="store_true", help="keep running (for a separate process)")
    mail.set_defaults(func=_outbox)
    cli_geocode.add_parser(sub, _positive)
    cli_api_keys.add_parser(sub, _positive)
    cli_retention.add_parser(sub)
    cli_media.add_parser(sub, _positive)
    cli_backup.add_parser(sub)

    user = sub.add_parser("create-user", help="create a staff account")
    user.add_argument("--email", required=True)
    user.add_argument("--name", help="shown in histories (default: the e-mail address)")
    user.add_argument("--role", required=True, choices=[r.value for r in Role])
    user.add_argument("--unit", help="the unit's slug, for unit staff (e.g. street-lighting)")
    user.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input",
    )
    user.set_defaults(func=_create_user)

    kinds = ["units", "categories", "rules", "zones"]
    export = sub.add_parser(
        "export", help="write units, categories or routing rules as CSV, or zones as GeoJSON"
    )
    export.add_argument("kind", choices=kinds)
    export.add_argument("file", nargs="?", help="a file (default: standard output)")
    export.add_argument("--output", "-o", help="a file (default: standard output)")
    export.set_defaults(func=_export)

    imp = sub.add_parser(
        "import",
        help="create and update units, categories or routing rules from CSV, or zones from "
        "GeoJSON or a zipped shapefile (all rows or none)",
    )
    imp.add_argument("kind", choices=kinds)
    imp.add_argument(
        "file",
        help="a UTF-8 CSV file with a header row, as export writes it; for zones a GeoJSON "
        "FeatureCollection or the zip of a shapefile",
    )
    imp.add_argument("--dry-run", action="store_true", help="check and report, change nothing")
    imp.add_argument(
        "--crs",
        help="zones: the file's coordinate system, e.g. EPSG:3006 (SWEREF 99 TM) or EPSG:4326; "
        "overrides what the file says (default: the file's, else WGS 84)",
    )
    imp.add_argument("--batch-size", type=_positive, default=2000, help=argparse.SUPPRESS)
    imp.set_defaults(func=_import)

    zones_cmd = sub.add_parser("zones", help="place the observations in the zones again")
    zones_sub = zones_cmd.add_subparsers(dest="zones_command", required=True)
    place = zones_sub.add_parser(
        "place", help="place every observation in the zones again, in batches"
    )
    place.add_argument(
        "--resume", action="store_true", help="go on with an interrupted run where it stopped"
    )
    place.add_argument("--batch-size", type=_positive, default=2000, help="observations per batch")
    place.set_defaults(func=_zones_place)
    return parser


def main(argv: list[str] | None = None) -> int:
    from app import i18n

    i18n.set_language("en")  # messages from the services, in the server's language
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
