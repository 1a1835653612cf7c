"""The `safetywalk` command: serve, migrate, load-demo, create-user, outbox, export, import."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlmodel import Session

from app.config import get_settings
from app.db import make_engine, refresh_statistics
from app.models import Role

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


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


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        reload=args.reload,
        proxy_headers=True,
        forwarded_allow_ips=args.forwarded_allow_ips,
        workers=args.workers,
    )
    return 0


def _migrate(args: argparse.Namespace) -> int:
    migrate(get_settings().sqlalchemy_url, args.revision)
    print(f"database at {args.revision}")
    return 0


def _load_demo(args: argparse.Namespace) -> int:
    from app.services import demo, photos

    settings = get_settings()
    engine = make_engine(settings.sqlalchemy_url)
    with Session(engine) as session:
        if args.if_empty and demo.is_loaded(session=session):
            print("demo data already there; nothing loaded")
            return 0
        counts = demo.load(session=session)
        if not args.no_observations:
            counts["observations"] = demo.load_observations(
                session=session, media_dir=settings.media_path, limits=photos.limits(settings)
            )
            counts["reports of the past two years"] = demo.load_history(
                session=session, media_dir=settings.media_path, limits=photos.limits(settings)
            )
    refresh_statistics(engine)
    engine.dispose()
    print("loaded Boden demo data: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
    return 0


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
    engine = make_engine(settings.sqlalchemy_url)
    while True:
        with Session(engine) as session:
            result = mail_runner.run_once(session=session, settings=settings)
        print(
            f"sent {result.sent}, failed {result.failed}, waiting {result.waiting}"
            + ("" if settings.smtp_host else " (no SAFETYWALK_SMTP_HOST: nothing is sent)"),
            flush=True,
        )
        if not args.loop:
            return 0
        time.sleep(max(5, settings.outbox_interval_seconds or 30))


def _export(args: argparse.Namespace) -> int:
    from app.services import registry_csv

    engine = make_engine(get_settings().sqlalchemy_url)
    with Session(engine) as session:
        text = registry_csv.export_csv(session=session, kind=args.kind)
    engine.dispose()
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8", newline="")
        print(f"wrote {text.count(chr(10)) - 1} {args.kind} to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _import(args: argparse.Namespace) -> int:
    from app.services import registry_csv

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="safetywalk", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the web server")
    serve.add_argument("--host", help="address to bind (default: HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: PORT or 8000)")
    serve.add_argument("--reload", action="store_true", help="restart on code changes")
    serve.add_argument("--workers", type=int, default=None, help="worker processes")
    serve.add_argument(
        "--forwarded-allow-ips",
        default=None,
        help="proxies whose X-Forwarded-* headers are trusted "
        "(default: FORWARDED_ALLOW_IPS, else 127.0.0.1)",
    )
    serve.set_defaults(func=_serve)

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

    kinds = ["units", "categories", "rules"]
    export = sub.add_parser("export", help="write units, categories or routing rules as CSV")
    export.add_argument("kind", choices=kinds)
    export.add_argument("--output", "-o", help="a file (default: standard output)")
    export.set_defaults(func=_export)

    imp = sub.add_parser(
        "import",
        help="create and update units, categories or routing rules from CSV (all rows or none)",
    )
    imp.add_argument("kind", choices=kinds)
    imp.add_argument("file", help="a UTF-8 CSV file with a header row, as export writes it")
    imp.add_argument("--dry-run", action="store_true", help="check and report, change nothing")
    imp.set_defaults(func=_import)
    return parser


def main(argv: list[str] | None = None) -> int:
    from app import i18n

    i18n.set_language("en")  # messages from the services, in the server's language
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
