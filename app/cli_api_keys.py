"""`safetywalk api-key create|list|revoke`: the Open311 client systems' keys, from the command
line (as on /admin/api-keys). `create` prints the key once: only its hash is stored."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlmodel import Session

from app import clock
from app.config import get_settings
from app.db import make_engine
from app.services import open311_keys


def add_parser(sub: argparse._SubParsersAction, positive: Callable[[str], int]) -> None:  # type: ignore[type-arg]
    """The `api-key` subcommand and its own subcommands on `sub`; `positive` checks the limit."""
    keys = sub.add_parser("api-key", help="make, list and revoke Open311 API keys")
    keys_sub = keys.add_subparsers(dest="api_key_command", required=True)
    create = keys_sub.add_parser("create", help="a new client system; prints its key once")
    create.add_argument("--name", required=True, help="the client system, unique")
    create.add_argument("--contact", default="", help="its operator's e-mail address")
    create.add_argument(
        "--posts-per-hour",
        type=positive,
        default=None,
        help="its limit (default: SAFETYWALK_OPEN311_POSTS_PER_HOUR)",
    )
    create.set_defaults(func=_create)
    listing = keys_sub.add_parser("list", help="every client system, its key's start and use")
    listing.set_defaults(func=_list)
    revoke = keys_sub.add_parser("revoke", help="refuse a client system's key from now on")
    revoke.add_argument("client", metavar="NAME_OR_ID", help="the client's name or number")
    revoke.set_defaults(func=_revoke)


@contextmanager
def _session() -> Iterator[Session]:
    engine = make_engine(get_settings().sqlalchemy_url)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def _create(args: argparse.Namespace) -> int:
    with _session() as session:
        try:
            client, key = open311_keys.create(
                session=session,
                name=args.name,
                contact=args.contact,
                posts_per_hour=args.posts_per_hour,
            )
        except open311_keys.Invalid as exc:
            for field, message in exc.errors.items():
                print(f"{field}: {message}", file=sys.stderr)
            return 1
        print(f"created client {client.id} {client.name!r}")
        print(f"key (shown once, not stored): {key}")
    return 0


def _list(args: argparse.Namespace) -> int:
    settings = get_settings()
    with _session() as session:
        rows = open311_keys.clients(
            session=session, now=clock.now(), default_per_hour=settings.open311_posts_per_hour
        )
    print("id\tname\tkey\tcontact\tper_hour\tlast_used\tposts_24h\tstate")
    for row in rows:
        c = row.client
        last = c.last_used_at.isoformat(timespec="seconds") if c.last_used_at else "never"
        state = f"revoked {c.revoked_at:%Y-%m-%d}" if c.revoked_at else "active"
        limit = f"{row.limit}" if row.own_limit else f"{row.limit} (setting)"
        fields = [str(c.id), c.name, c.key_hint + "…", c.contact or "-", limit, last]
        print("	".join([*fields, str(row.posts_24h), state]))
    return 0


def _revoke(args: argparse.Namespace) -> int:
    with _session() as session:
        client = open311_keys.find(session=session, name_or_id=args.client)
        if client is None:
            print(f"no client system {args.client!r}", file=sys.stderr)
            return 1
        already = client.revoked_at is not None
        open311_keys.revoke(session=session, client_id=client.id)  # type: ignore[arg-type]
        print(f"{'already revoked' if already else 'revoked'}: {client.id} {client.name!r}")
    return 0
