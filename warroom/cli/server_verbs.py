"""`warroom serve`, `warroom token add | list | revoke` and `warroom db upgrade | copy`."""

from __future__ import annotations

import argparse
import json
from collections.abc import Coroutine
from dataclasses import asdict
from typing import Any

from warroom.cli.context import Context
from warroom.domain.errors import InvalidInput


def add_server_verbs(sub: Any, shared: argparse.ArgumentParser) -> None:
    """Register `serve` and `token`."""
    p = sub.add_parser("serve", parents=[shared], help="run the HTTP API (and SSH/web gates)",
                       description="Serve the store over HTTP with live push.")
    p.add_argument("--host", default="127.0.0.1", help="address (default: loopback)")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--tls-cert", metavar="FILE")
    p.add_argument("--tls-key", metavar="FILE")
    p.add_argument("--log-level", default="info",
                   choices=["critical", "error", "warning", "info", "debug"])
    p.add_argument("--no-api", action="store_true", help="run only the SSH/web gates")
    from warroom.gate.serve import add_gate_arguments

    add_gate_arguments(p)

    p = sub.add_parser("token", parents=[shared], help="API tokens",
                       description="Create, list and revoke API tokens.")
    actions = p.add_subparsers(dest="token_verb", metavar="ACTION", required=True,
                               parser_class=type(p))
    add = actions.add_parser("add", help="create a token for PERSON (printed once)")
    add.add_argument("person")
    scope = add.add_mutually_exclusive_group()
    scope.add_argument("--read-only", action="store_true", help="read and stream only")
    scope.add_argument("--bot", action="store_true",
                       help="for monitoring (Alertmanager, PagerDuty, CI): may only open and "
                            "annotate escalations, through the hooks or open/note commands")
    listing = actions.add_parser("list", help="list tokens (never their secrets)")
    listing.add_argument("--all", action="store_true", help="include revoked tokens")
    listing.add_argument("--json", action="store_true")
    revoke = actions.add_parser("revoke", help="revoke by token id, token, or person")
    revoke.add_argument("which")

    p = sub.add_parser("db", parents=[shared], help="the store's schema; SQLite to PostgreSQL",
                       description="Create or migrate the store's schema, or copy a SQLite "
                                   "store into an empty PostgreSQL database.")
    actions = p.add_subparsers(dest="db_verb", metavar="ACTION", required=True,
                               parser_class=type(p))
    actions.add_parser("upgrade", help="create or migrate the schema of --store")
    copy = actions.add_parser("copy", help="copy a SQLite store into PostgreSQL")
    copy.add_argument("--from", dest="source", required=True, metavar="SQLITE_FILE")
    copy.add_argument("--to", dest="target", required=True, metavar="postgresql://...")


def run_serve(ctx: Context, args: argparse.Namespace) -> int:
    """Run the server in the foreground."""
    from warroom.cli.targets import DATABASE, FILE
    from warroom.server.run import serve

    ctx.store_kind("serve", (FILE, DATABASE))
    gates: list[Coroutine[Any, Any, None]] = []
    if args.ssh or args.web:
        from warroom.gate.serve import gate_coroutines

        config_path = str(ctx.config_path) if ctx.config_path else None
        gates = gate_coroutines(args, str(ctx.store_location()), config_path)
    if args.no_api and not gates:
        raise InvalidInput("--no-api", "give --ssh or --web to serve without the API")
    if gates:
        from warroom.gate.serve import run_services

        if args.no_api:
            return run_services(gates)
        return serve(ctx.store_location(), args.host, args.port, args.tls_cert, args.tls_key,
                     ctx.config, log_level=args.log_level,
                     run=lambda server: run_services(gates, api=server))
    return serve(ctx.store_location(), args.host, args.port, args.tls_cert, args.tls_key,
                 ctx.config, log_level=args.log_level)


def run_token(ctx: Context, args: argparse.Namespace) -> int:
    """Token administration on the store (a file or a database)."""
    from warroom.cli.targets import DATABASE, FILE
    from warroom.server.tokens import TokenError, add_token, list_tokens, revoke_token

    ctx.store_kind("token", (FILE, DATABASE))
    path = ctx.store_location()
    try:
        if args.token_verb == "add":
            print(add_token(path, args.person, read_only=args.read_only, bot=args.bot))
        elif args.token_verb == "list":
            tokens = list_tokens(path, include_revoked=args.all)
            if args.json:
                print(json.dumps([asdict(t) for t in tokens], indent=2))
            for t in [] if args.json else tokens:
                kind = "bot" if t.bot else "read-only" if t.read_only else "read-write"
                revoked = f"  revoked {t.revoked_at}" if t.revoked_at else ""
                print(f"{t.id}  {t.person:<16}{kind:<11}created {t.created_at}{revoked}")
        else:
            for t in revoke_token(path, args.which):
                print(f"revoked {t.id} ({t.person})")
    except TokenError as exc:
        raise InvalidInput("token", str(exc)) from None
    return 0


def run_db(ctx: Context, args: argparse.Namespace) -> int:
    """Schema upgrade, or the SQLite to PostgreSQL copy."""
    from pathlib import Path

    from warroom.store.target import is_database_url

    if args.db_verb == "copy":
        if not is_database_url(args.target):
            raise InvalidInput("--to", f"{args.target!r} is not a postgresql:// URL")
        if not Path(args.source).is_file():
            raise InvalidInput("--from", f"{args.source}: no such store file")
        from warroom.store.copy import CopyRefused, copy_sqlite_to_postgres
        from warroom.store.postgres import redact

        try:
            report = copy_sqlite_to_postgres(Path(args.source), args.target)
        except CopyRefused as exc:
            raise InvalidInput("--to", str(exc)) from None
        done = "copied" if report.copied else "already there, nothing copied:"
        print(f"{done} {report.counts.describe()} to {redact(args.target)}")
        return 0
    from warroom.cli.targets import DATABASE, FILE

    ctx.store_kind("db upgrade", (FILE, DATABASE))
    target = ctx.store_location()
    if is_database_url(target):
        from warroom.store.postgres import PostgresStore

        store = PostgresStore(str(target), migrate=True, pool_size=0)
        try:
            applied = ", ".join(store.applied) or "nothing to apply"
            print(f"{store.name}: schema version {store.schema_version()} ({applied})")
        finally:
            store.close()
    else:
        from warroom.store.sqlite import SCHEMA_VERSION, SqliteStore

        SqliteStore(target).close()  # a SQLite file is brought up to date whenever it is opened
        print(f"{target}: schema version {SCHEMA_VERSION}")
    print(_fold_snapshot(ctx))
    return 0


def _fold_snapshot(ctx: Context) -> str:
    """Bring the snapshot of folded state up to date (after an upgrade that changed the fold,
    the first process would otherwise fold the whole log); what was done, in words."""
    service = ctx.service()
    service.refresh()
    service.save_snapshot()
    return f"snapshot of folded state current at seq {service.seq}"
