"""The argument parser: global options, scripting verbs, console verbs."""

from __future__ import annotations

import argparse

from warroom import __version__
from warroom.domain.models import Audience, Impact, Milestone, Phase, Severity

SEVERITIES = [s.value for s in Severity]


class ArgumentParser(argparse.ArgumentParser):
    """argparse with one-line errors on stderr and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"warroom: error: {message}\n")


GLOBAL_OPTIONS_WITH_VALUE = {"--store", "--as", "--config", "--theme"}
CONSOLE_VERBS = {"console", "demo", "wall"}


def wants_console(argv: list[str]) -> bool:
    """True when the command line names a console verb (or none): the small parser will do."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in GLOBAL_OPTIONS_WITH_VALUE:
            skip = True
        elif arg.startswith("--") and "=" in arg:
            continue
        elif arg.startswith("-"):
            return False  # --help, --version, unknown: let the full parser answer
        else:
            return arg in CONSOLE_VERBS
    return True


def _globals(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--store", default=default, metavar="PATH|URL",
                        help="store file, postgresql://user@host:port/db, or http(s)://host:port "
                             "of a warroom server")
    parser.add_argument("--as", dest="actor", default=default, metavar="PERSON",
                        help="act as PERSON (default: $WARROOM_USER, then the login name)")
    parser.add_argument("--config", default=default, metavar="FILE", help="config file")
    parser.add_argument("--no-queue", action="store_true", default=default,
                        help="fail (exit 4) instead of queueing when the server is unreachable")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--at", metavar="TIME",
                        help="when it happened: ISO 8601 or relative (-10m); default now")
    parser.add_argument("--json", action="store_true", help="print JSON")


def _impact_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--impact", choices=[i.value for i in Impact])
    parser.add_argument("--affected", type=int, metavar="N", help="affected customers")
    parser.add_argument("--strategic", action="store_true", default=None,
                        help="a strategic account")
    parser.add_argument("--data-loss", action="store_true", default=None,
                        help="data loss or security breach")
    parser.add_argument("--business-risk", metavar="TEXT")


def build_parser(console_only: bool = False) -> ArgumentParser:
    """The `warroom` command line; `console_only` leaves out the scripting verbs (faster start)."""
    parser = ArgumentParser(prog="warroom",
                            description="War-room console for customer escalations.")
    parser.add_argument("--version", action="version", version=f"warroom {__version__}")
    _globals(parser, suppress=False)
    parser.add_argument("--theme", help="console theme")
    sub = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=ArgumentParser)
    shared = ArgumentParser(add_help=False)
    _globals(shared, suppress=True)

    def verb(name: str, help_text: str, common: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text, parents=[shared])
        if common:
            _common(p)
        return p

    p = verb("console", "open the console (the default verb)", common=False)
    p.add_argument("id", nargs="?", help="escalation to show")
    p.add_argument("--theme", default=argparse.SUPPRESS, help="console theme")
    p = verb("demo", "open the console on a seeded demo escalation", common=False)
    p.add_argument("--theme", default=argparse.SUPPRESS, help="console theme")
    p.add_argument("--print", action="store_true", dest="print_only",
                   help="seed and print the demo status instead of opening the console")
    p = verb("wall", "read-only wallboard of every open escalation", common=False)
    p.add_argument("--theme", default=argparse.SUPPRESS, help="console theme")

    if console_only:
        return parser

    p = verb("open", "open an escalation (prints its id)")
    p.add_argument("title")
    p.add_argument("--customer", required=True)
    p.add_argument("--severity", choices=SEVERITIES)
    _impact_options(p)
    p.add_argument("--component")
    p.add_argument("--category")

    p = verb("triage", "triage: set severity and impact assessment")
    p.add_argument("id")
    _impact_options(p)
    p.add_argument("--severity", choices=SEVERITIES)
    p.add_argument("--reason", required=True)

    p = verb("severity", "change severity after triage")
    p.add_argument("id")
    p.add_argument("severity", choices=SEVERITIES)
    p.add_argument("--reason", required=True)

    p = verb("assign", "give a role to a person")
    p.add_argument("id")
    p.add_argument("role")
    p.add_argument("person")

    p = verb("note", "add a timeline note")
    p.add_argument("id")
    p.add_argument("text")

    p = verb("update", "post a status update")
    p.add_argument("id")
    p.add_argument("--audience", required=True, choices=[a.value for a in Audience])
    p.add_argument("--phase", choices=[ph.value for ph in Phase])
    body = p.add_mutually_exclusive_group()
    body.add_argument("--template", metavar="NAME")
    body.add_argument("--body", metavar="TEXT")
    p.add_argument("--next-update", metavar="TIME", help="promised next update time")

    p = verb("commit", "make a commitment to the customer (prints its id)")
    p.add_argument("id")
    p.add_argument("text")
    p.add_argument("--due", required=True, metavar="TIME")
    p.add_argument("--owner", metavar="PERSON")

    p = verb("commitment", "mark a commitment met or missed, or renegotiate it")
    p.add_argument("id")
    p.add_argument("cid")
    p.add_argument("outcome", choices=["met", "missed", "renegotiate"])
    p.add_argument("--due", metavar="TIME", help="new due time (renegotiate)")
    p.add_argument("--reason", help="the customer's agreement (renegotiate)")

    p = verb("pause", "pause the resolution clock (waiting on the customer)")
    p.add_argument("id")
    p.add_argument("--reason", required=True)
    p = verb("resume", "resume the resolution clock")
    p.add_argument("id")
    p = verb("take", "become the commander of an escalation nobody owns (opened by an alert)")
    p.add_argument("id")

    p = verb("decide", "record a decision under a decision right")
    p.add_argument("id")
    p.add_argument("right")
    p.add_argument("text")

    p = verb("phase", "change phase (investigating, identified, monitoring)")
    p.add_argument("id")
    p.add_argument("phase", choices=[ph.value for ph in Phase])

    p = verb("resolve", "mark service restored")
    p.add_argument("id")
    p.add_argument("--summary", required=True)
    p = verb("close", "close a resolved escalation")
    p.add_argument("id")

    p = verb("edit", "correct a milestone time (audited)")
    p.add_argument("id")
    p.add_argument("milestone", choices=[m.value for m in Milestone])
    p.add_argument("time", metavar="TIME")
    p.add_argument("--reason", required=True)

    p = verb("tag", "tag the escalation for recurrence (component, category)")
    p.add_argument("id")
    p.add_argument("--component")
    p.add_argument("--category")

    p = verb("status", "show an escalation with its clocks")
    p.add_argument("id")
    p.add_argument("--as-of", metavar="TIME", help="state as it stood at TIME")
    p = verb("list", "list escalations, most urgent first")
    p.add_argument("--all", action="store_true", help="include closed escalations")
    p = verb("log", "the timeline of an escalation")
    p.add_argument("id")

    from warroom.cli.post_verbs import add_post_verbs

    add_post_verbs(sub, shared)

    from warroom.cli.server_verbs import add_server_verbs

    add_server_verbs(sub, shared)

    from warroom.cli.outbox_verbs import add_outbox_verb

    add_outbox_verb(sub, shared)

    from warroom.cli.delivery_verbs import add_delivery_verbs

    add_delivery_verbs(sub, shared)

    p = verb("config", "configuration", common=False)
    config_sub = p.add_subparsers(dest="config_verb", metavar="ACTION", required=True,
                                  parser_class=ArgumentParser)
    init = config_sub.add_parser(
        "init", help="write the user config file: a commented copy of the full default, or "
        "with --minimal a short file of chosen overrides")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    init.add_argument("--path", help="where to write (default: the XDG config file)")
    init.add_argument("--minimal", action="store_true",
                      help="only [console] theme and user, plus each --set")
    init.add_argument("--set", dest="overrides", action="append", default=[],
                      metavar="KEY=VALUE", help="with --minimal: an override to include")
    config_sub.add_parser("path", help="print where the user config file lives")
    config_sub.add_parser("check", help="validate the effective configuration")
    setter = config_sub.add_parser(
        "set", help="set KEY to VALUE in the user config file (validated first; the file is "
        "rewritten with tomli-w, so comments in that file are not kept)",
        description="Validate VALUE for KEY against the config schema, then write it into the "
        "user config file (--config FILE, $WARROOM_CONFIG, else the XDG file; created if "
        "missing) and read it back. The file is rewritten with tomli-w: comments in it are not "
        "kept. On a bad key or value: exit 2, the file untouched.")
    setter.add_argument("key", metavar="KEY", help="key path, e.g. console.theme, "
                                                   "severities.P1.resolve")
    setter.add_argument("value", metavar="VALUE",
                        help="a TOML value (0.3, true, [\"a\", \"b\"]) or plain text (light, 12h)")
    getter = config_sub.add_parser("get", help="print the effective value of KEY")
    getter.add_argument("key", metavar="KEY", help="key path, e.g. console.theme")
    return parser
