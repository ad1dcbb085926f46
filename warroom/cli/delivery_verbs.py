"""`warroom deliver [--once]` and `warroom statuspage add | list | revoke`."""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import threading
from typing import Any

from warroom.cli.context import Context, system_clock
from warroom.domain.errors import InvalidInput

DELIVERY_VERBS = ("deliver", "statuspage")


def add_delivery_verbs(sub: Any, shared: argparse.ArgumentParser) -> None:
    """Register `deliver` and `statuspage`."""
    p = sub.add_parser("deliver", parents=[shared], help="send pending updates (a worker)",
                       description="Send deliveries and fire clock triggers until interrupted.")
    p.add_argument("--once", action="store_true", help="send what is due now, then exit (cron)")
    p.add_argument("--json", action="store_true", help="with --once: print what was done as JSON")

    p = sub.add_parser("statuspage", parents=[shared], help="per-customer status page links",
                       description="Create, list and revoke customers' status page links.")
    actions = p.add_subparsers(dest="statuspage_verb", metavar="ACTION", required=True,
                               parser_class=type(p))
    add = actions.add_parser("add", help="make a secret status page link for CUSTOMER")
    add.add_argument("customer")
    add.add_argument("--url", default="http://127.0.0.1:8765", metavar="BASE",
                     help="the server's public base URL (default: http://127.0.0.1:8765)")
    listing = actions.add_parser("list", help="customers with a status page (never the keys)")
    listing.add_argument("--all", action="store_true", help="include revoked links")
    listing.add_argument("--json", action="store_true")
    revoke = actions.add_parser("revoke", help="revoke CUSTOMER's link (the page then 404s)")
    revoke.add_argument("customer")


def run_delivery_verb(ctx: Context, args: argparse.Namespace) -> int:
    """Dispatch `deliver` and `statuspage`."""
    from warroom.cli.targets import DATABASE, FILE
    from warroom.store.target import open_store

    ctx.store_kind(args.verb, (FILE, DATABASE))

    store = open_store(ctx.store_location())
    try:
        if args.verb == "deliver":
            return _deliver(ctx, args, store)
        return _statuspage(args, store)
    finally:
        store.close()


def _deliver(ctx: Context, args: argparse.Namespace, store: Any) -> int:
    from warroom.delivery.worker import Deliverer, Report

    config = ctx.config
    delivery = config.delivery
    if delivery is None:
        raise InvalidInput("channels", "no [channels.<name>] configured: nothing to deliver to")
    deliverer = Deliverer(store, delivery, config.policy, system_clock)
    if args.once:
        report = deliverer.run_once()
        if args.json:
            print(json.dumps({"delivered": report.delivered,
                              "failed": [{"key": k, "error": e} for k, e in report.failed],
                              "fired": report.fired}, indent=2))
        else:
            _print_report(report)
        return 0

    def show(report: Report) -> None:
        _print_report(report, quiet=True)
        sys.stdout.flush()

    deliverer.on_report = show
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(f"warroom deliver: {ctx.store_path()} ({len(delivery.channels)} channels, "
          f"{len(delivery.triggers)} triggers); Ctrl-C stops", file=sys.stderr)
    with contextlib.suppress(KeyboardInterrupt):
        deliverer.run(stop)
    return 0


def _print_report(report: Any, quiet: bool = False) -> None:
    for key in report.fired:
        print(f"fired {key}")
    for key in report.delivered:
        print(f"delivered {key}")
    for key, error in report.failed:
        print(f"failed {key}: {error} (will retry)")
    if not quiet:
        print(f"{len(report.delivered)} delivered, {len(report.failed)} failed, "
              f"{len(report.fired)} triggers fired")


def _statuspage(args: argparse.Namespace, store: Any) -> int:
    from warroom.statuspage_keys import active_keys, new_key

    now = system_clock()
    if args.statuspage_verb == "add":
        customer = args.customer.strip()
        if not customer:
            raise InvalidInput("CUSTOMER", "must not be empty")
        key, key_hash = new_key()
        store.add_statuspage_key(customer, key_hash, now)
        print(f"{args.url.rstrip('/')}/status/{key}/")
        return 0
    if args.statuspage_verb == "revoke":
        if not store.revoke_statuspage_key(args.customer, now):
            raise InvalidInput("CUSTOMER", f"no active status page for {args.customer!r}")
        print(f"revoked the status page of {args.customer}")
        return 0
    keys = store.statuspage_keys() if args.all else active_keys(store.statuspage_keys())
    rows = [{"customer": k.customer, "created_at": k.created_at.isoformat(),
             "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None} for k in keys]
    if args.json:
        print(json.dumps(rows, indent=2))
    for row in [] if args.json else rows:
        revoked = f"  revoked {row['revoked_at']}" if row["revoked_at"] else ""
        print(f"{row['customer']:<24}created {row['created_at']}{revoked}")
    return 0
