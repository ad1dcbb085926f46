"""After the crisis: `pir`, `action`, `actions`, `credit`, `flag`, `flags`, `report`, `import`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from warroom.cli.context import Context
from warroom.cli.verbs import time_reader
from warroom.domain import post_commands as pc
from warroom.domain.errors import InvalidInput


def add_post_verbs(sub: Any, shared: argparse.ArgumentParser) -> None:
    """Register the post-incident verbs on the top-level subparsers."""

    def verb(name: str, help_text: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text,
                                                    parents=[shared])
        p.add_argument("--at", metavar="TIME", help="when it happened (default now)")
        p.add_argument("--json", action="store_true", help="print JSON")
        return p

    p = verb("pir", "post-incident review: export (default), edit, check, complete")
    p.add_argument("id")
    p.add_argument("--format", choices=["md", "json"], default="md")
    actions = p.add_subparsers(dest="pir_action", metavar="ACTION", parser_class=type(p))
    s = actions.add_parser("set", help="replace a field (summary, customer_impact, root_cause...)")
    s.add_argument("field")
    s.add_argument("value")
    s = actions.add_parser("add", help="add an item to whys, contributing_factors or went_well")
    s.add_argument("field")
    s.add_argument("value")
    s = actions.add_parser("why", help="add the next why to the 5 Whys chain")
    s.add_argument("value")
    s = actions.add_parser("drop", help="remove item N (1-based) of a list field")
    s.add_argument("field")
    s.add_argument("n", type=int)
    s = actions.add_parser("timeline", help="choose which log entries the PIR timeline shows")
    s.add_argument("--include", metavar="SEQ,...", default="")
    s.add_argument("--exclude", metavar="SEQ,...", default="")
    s.add_argument("--reset", action="store_true", help="back to the default selection")
    actions.add_parser("check", help="what is missing, and wording that blames people")
    actions.add_parser("complete", help="mark the PIR complete")

    p = verb("action", "corrective actions of an escalation")
    p.add_argument("id")
    p.add_argument("aid", metavar="AID|add", help="an action id (A1), or `add`")
    p.add_argument("rest", nargs="*", help="add: TITLE; AID: set | done")
    p.add_argument("--owner")
    p.add_argument("--due", metavar="TIME")
    p.add_argument("--status", choices=["open", "in_progress", "done"])
    p.add_argument("--title")

    p = verb("actions", "corrective actions across escalations, overdue first")
    p.add_argument("--open", action="store_true", help="only actions not done")

    p = verb("credit", "suggested service credit, or approve it")
    p.add_argument("id")
    p.add_argument("approve", nargs="?", choices=["approve"])
    amount = p.add_mutually_exclusive_group()
    amount.add_argument("--amount", type=float)
    amount.add_argument("--percent", type=float)
    p.add_argument("--reason", default="")

    p = verb("flag", "record that a recurring pattern reached product and ops")
    p.add_argument("pattern", help="category/component")
    p.add_argument("--to", required=True, help="comma-separated: product,ops")
    p.add_argument("--incident", metavar="ID", help="record on this escalation")

    p = verb("flags", "recurring patterns that must be flagged")
    p.add_argument("--all", action="store_true", help="include patterns already flagged")

    p = verb("report", "reports")
    p.add_argument("kind", choices=["trends"])
    p.add_argument("--since", metavar="TIME")
    p.add_argument("--until", metavar="TIME")
    p.add_argument("--format", choices=["md", "json", "csv"], default=None)

    p = verb("import", "import incidents from another tool")
    p.add_argument("source", choices=["statuspage"])
    p.add_argument("file")


POST_VERBS = {"pir", "action", "actions", "credit", "flag", "flags", "report", "import"}


def run_post(ctx: Context, args: argparse.Namespace) -> int:
    """Dispatch a post-incident verb."""
    return int(_RUNNERS[args.verb](ctx, args))


def _execute(ctx: Context, args: argparse.Namespace, command: pc.PostCommand) -> dict[str, Any]:
    service = ctx.service()
    at = time_reader(service.clock())(args.at, "--at")
    if at is not None:
        command = command.model_copy(update={"at": at})
    result = service.execute(command, ctx.actor)
    if args.json:
        print(json.dumps(result, indent=2, default=str))
    return result


def _seq_list(text: str, option: str) -> list[int]:
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise InvalidInput(option, f"expected comma-separated seqs, got {text!r}") from None


def _pir(ctx: Context, args: argparse.Namespace) -> int:
    from warroom.domain.blameless import check_pir
    from warroom.domain.pir import pir_document, pir_gaps
    from warroom.reports.pir_export import blameless_warnings, render

    action, iid = args.pir_action, args.id
    if action is None:
        service = ctx.service()
        now = service.clock()
        state = service.state(iid)
        doc = pir_document(state, service.events(iid), service.policy, now)
        print(render(doc, "json" if args.json else args.format))
        for line in blameless_warnings(doc):
            print(f"warroom: blameless: {line}", file=sys.stderr)
        return 0
    if action == "check":
        service = ctx.service()
        state = service.state(iid)
        gaps = pir_gaps(state)
        findings = check_pir(state, service.events(iid))
        if args.json:
            print(json.dumps({"gaps": gaps, "blameless": [f._asdict() for f in findings]},
                             indent=2))
        else:
            for gap in gaps:
                print(f"missing: {gap}")
            for f in findings:
                print(f"blameless: {f.field}: {f.phrase!r}: {f.suggestion}")
            if not gaps and not findings:
                print("complete, and blameless")
        return 0
    if action == "complete":
        command: pc.PostCommand = pc.PirComplete(incident_id=iid)
    else:  # the PirEdit model checks the field names and values
        change: dict[str, Any]
        if action == "set":
            change = {"fields": {args.field: args.value}}
        elif action in ("add", "why"):
            change = {"append": {"whys" if action == "why" else args.field: [args.value]}}
        elif action == "drop":
            change = {"remove": {args.field: [args.n]}}
        else:
            change = {"fields": {"timeline": None} if args.reset else {},
                      "timeline_include": _seq_list(args.include, "--include"),
                      "timeline_exclude": _seq_list(args.exclude, "--exclude")}
        command = pc.PirEdit(incident_id=iid, **change)
    result = _execute(ctx, args, command)
    if not args.json:
        print(f"{result['id']}: PIR {action} recorded")
    return 0


def _action(ctx: Context, args: argparse.Namespace) -> int:
    read = time_reader(ctx.service().clock())
    due = read(args.due, "--due")
    if args.aid == "add":
        title = " ".join(args.rest) or args.title
        if not title:
            raise InvalidInput("TITLE", "give the action's title")
        command: pc.PostCommand = pc.ActionAdd(incident_id=args.id, title=title,
                                               owner=args.owner, due_at=due)
    elif args.rest == ["done"]:
        command = pc.ActionDone(incident_id=args.id, action_id=args.aid)
    elif args.rest in ([], ["set"]):
        command = pc.ActionUpdate(incident_id=args.id, action_id=args.aid, status=args.status,
                                  owner=args.owner, due_at=due, title=args.title)
    else:
        raise InvalidInput("action", f"expected `add TITLE`, `AID set ...` or `AID done`, "
                                     f"got {' '.join(args.rest)!r}")
    result = _execute(ctx, args, command)
    if not args.json:
        print(result.get("action_id") or result["id"])
    return 0


def _actions(ctx: Context, args: argparse.Namespace) -> int:
    from warroom.domain.pir import list_actions

    service = ctx.service()
    rows = list_actions(service.states().values(), service.clock(), open_only=args.open)
    if args.json:
        print(json.dumps(rows, indent=2, default=str))
        return 0
    if not rows:
        print("no corrective actions")
    for row in rows:
        due = (row.get("due_at") or "no due date")[:16].replace("T", " ")
        mark = "OVERDUE " if row.get("overdue") else ""
        print(f"{row['incident_id']:<9}{row['id']:<5}{mark}{row['status']:<12}"
              f"{due:<18}{row.get('owner') or '(no owner)':<14}{row['title']}")
    return 0


def _credit(ctx: Context, args: argparse.Namespace) -> int:
    from warroom.domain.credits import credit_view

    if args.approve:
        result = _execute(ctx, args, pc.CreditApprove(incident_id=args.id, amount=args.amount,
                                                      percent=args.percent, reason=args.reason))
        if not args.json:
            print(f"{result['id']}: credit approved")
        return 0
    service = ctx.service()
    view = credit_view(service.state(args.id), service.policy, service.clock())
    print(json.dumps(view, indent=2, default=str) if args.json else _credit_text(view))
    return 0


def _credit_text(view: dict[str, Any]) -> str:
    lines = []
    suggested, approved = view.get("suggested"), view.get("approved")
    lines.append(f"suggested: {json.dumps(suggested, default=str)}" if suggested
                 else "suggested: none (no resolution breach, or no credit policy)")
    if approved:
        lines.append(f"approved: {json.dumps(approved, default=str)}")
    return "\n".join(lines)


def _flag(ctx: Context, args: argparse.Namespace) -> int:
    to = [t.strip() for t in args.to.split(",") if t.strip()]
    result = _execute(ctx, args, pc.FlagPattern(pattern=args.pattern, to=to,
                                                incident_id=args.incident))
    if not args.json:
        print(f"{result['pattern']}: flagged to {', '.join(to)} (on {result['id']})")
    return 0


def _flags(ctx: Context, args: argparse.Namespace) -> int:
    from warroom.domain.recurrence import flags_view

    service = ctx.service()
    rows = flags_view(service.states().values(), service.events(), service.policy,
                      service.clock(), open_only=not args.all)
    if args.json:
        print(json.dumps(rows, indent=2, default=str))
        return 0
    if not rows:
        print("no recurring patterns to flag")
    for row in rows:
        print("  ".join(f"{k}={v}" for k, v in row.items()))
    return 0


def _report(ctx: Context, args: argparse.Namespace) -> int:
    from warroom.domain.metrics import trends
    from warroom.reports.trends import render

    service = ctx.service()
    now = service.clock()
    read = time_reader(now)
    data = trends(service.states().values(), service.events(), service.policy, now,
                  read(args.since, "--since"), read(args.until, "--until"))
    fmt = args.format or ("json" if args.json else "md")
    print(render(data, fmt))
    return 0


def _import(ctx: Context, args: argparse.Namespace) -> int:
    from warroom.importers.statuspage import parse, to_events

    service = ctx.service()
    items = parse(args.file)
    added = skipped = 0
    for item in sorted(items, key=lambda i: (i.created_at, i.id)):
        def build(incident_id: str, item: Any = item) -> list[Any]:
            return to_events(item, incident_id, ctx.actor, service.clock())

        outcome = service.append_new_incident(item.key, build)
        skipped += outcome["duplicate"]
        added += not outcome["duplicate"]
    summary = {"file": args.file, "incidents": len(items), "imported": added,
               "already_present": skipped}
    print(json.dumps(summary, indent=2) if args.json else
          f"imported {added} of {len(items)} incidents ({skipped} already present)")
    return 0


_RUNNERS = {"pir": _pir, "action": _action, "actions": _actions, "credit": _credit,
            "flag": _flag, "flags": _flags, "report": _report, "import": _import}
