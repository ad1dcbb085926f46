"""After the crisis: `pir`, `action`, `actions`, `credit`, `flag`, `flags`, `report`, `import`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from warroom.cli.context import Context
from warroom.cli.verbs import execute, time_reader
from warroom.domain.errors import InvalidInput

if TYPE_CHECKING:  # pydantic models: imported when a verb runs, not to build the parser
    from warroom.domain import post_commands as pc


def add_post_verbs(sub: Any, shared: argparse.ArgumentParser) -> None:
    """Register the post-incident verbs on the top-level subparsers."""

    def verb(name: str, help_text: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text,
                                                    parents=[shared])
        p.add_argument("--at", metavar="TIME", help="when it happened (default now)")
        p.add_argument("--json", action="store_true", help="print JSON")
        return p

    p = verb("pir", "post-incident review: export (default; --at: as prepared then), edit, "
                    "check, complete, send, sent")
    p.add_argument("id")
    p.add_argument("--format", choices=["md", "json"], default="md",
                   help="md: a document; json: every field (internal)")
    p.add_argument("--audience", choices=["customer", "internal"], default="customer",
                   help="md for the customer (the RCA you send; default) or internal (all)")
    actions = p.add_subparsers(dest="pir_action", metavar="ACTION", parser_class=type(p))

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        s: argparse.ArgumentParser = actions.add_parser(name, help=help_text)
        # Accepted after the sub-action too (`pir ID set root_cause X --at T`).
        s.add_argument("--at", metavar="TIME", default=argparse.SUPPRESS,
                       help="when it happened (default now)")
        s.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                       help="print JSON")
        return s

    s = action("set", "replace a text field (summary, customer_impact, root_cause)")
    s.add_argument("field")
    s.add_argument("value")
    s = action("add", "add an item to whys, contributing_factors or went_well")
    s.add_argument("field")
    s.add_argument("value")
    s = action("why", "add the next why to the 5 Whys chain")
    s.add_argument("value")
    s = action("drop", "remove item N (1-based) of a list field")
    s.add_argument("field")
    s.add_argument("n", type=int)
    s = action("timeline", "choose which log entries the PIR timeline shows")
    s.add_argument("--include", metavar="SEQ,...", default="")
    s.add_argument("--exclude", metavar="SEQ,...", default="")
    s.add_argument("--reset", action="store_true", help="back to the default selection")
    action("check", "what is missing, and wording that blames people (exit 3 if any)")
    s = action("complete", "mark the PIR complete")
    s.add_argument("--accept-findings", metavar="REASON",
                   help="proceed past blame findings (right complete_pir); recorded in the PIR")
    action("send", "send the customer RCA summary through the customer's channels (the pir "
                   "clock is met when a channel delivers it)")
    s = action("sent", "record that the customer RCA summary was sent (meets the pir clock)")
    s.add_argument("--to", nargs="+", required=True, metavar="ADDRESS",
                   help="who it was sent to")

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
    p.add_argument("--over-cap", metavar="REASON",
                   help="approve a credit above the customer tier's cap, and why")

    p = verb("flag", "record that a recurring pattern reached product and ops")
    p.add_argument("pattern", help="category/component")
    p.add_argument("--to", required=True,
                   help="comma-separated configured teams (`teams` in config), e.g. product,ops")
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


def _seq_list(text: str, option: str) -> list[int]:
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise InvalidInput(option, f"expected comma-separated seqs, got {text!r}") from None


def _pir(ctx: Context, args: argparse.Namespace) -> int:
    from warroom.domain import post_commands as pc

    action, iid = args.pir_action, args.id
    if action is None:
        return _pir_export(ctx, args)
    if action == "check":
        return _pir_check(ctx, args)
    if action == "complete":
        command: pc.PostCommand = pc.PirComplete(incident_id=iid,
                                                 accept_findings=args.accept_findings)
    elif action == "sent":
        command = pc.PirSent(incident_id=iid, to=list(args.to))
    elif action == "send":
        command = pc.PirSend(incident_id=iid)
    else:  # the PirEdit model checks the field names and values
        change: dict[str, Any]
        if action == "set":
            _refuse_list_set(iid, args.field)
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
    result = execute(ctx, args, command)
    if not args.json:
        queued = "; ".join(f"{q['channel']} ({', '.join(q['recipients'])})"
                           for q in result.get("queued", []))
        done = {"sent": f"customer RCA summary sent to {', '.join(result.get('sent_to', []))}",
                "send": f"customer RCA summary queued for {queued}; it counts as sent once "
                        "delivered (warroom deliver, serve or the console sends it)"}
        print(f"{result['id']}: {done.get(action, f'PIR {action} recorded')}")
    return 0


def _refuse_list_set(iid: str, field: str) -> None:
    from warroom.domain.pir import LIST_FIELDS

    if field not in LIST_FIELDS:
        return
    hint = (f"add the next why with `pir {iid} why TEXT`" if field == "whys"
            else f"add an item with `pir {iid} add {field} TEXT`")
    raise InvalidInput("field", f"{field} is a list and `set` would replace all of it; {hint} "
                       f"(remove one with `pir {iid} drop {field} N`)")


def _pir_export(ctx: Context, args: argparse.Namespace) -> int:
    from warroom.domain.blameless import known_people
    from warroom.domain.pir import pir_document
    from warroom.reports.pir_export import blameless_warnings, render

    service = ctx.service(read_only=True)
    # `--at`: the document as prepared then (what `pir ID send --at` queued), else now.
    now = time_reader(service.clock())(args.at, "--at") or service.clock()
    state = service.state(args.id)
    events = service.events(args.id)
    if args.format == "md" and args.audience == "customer" and not args.json:
        from warroom.domain.rca import customer_rca
        from warroom.reports.rca_export import render_rca

        print(render_rca(customer_rca(state, events, service.policy, now)), end="")
        return 0
    names = known_people(service.states().values(), service.policy)
    doc = pir_document(state, events, service.policy, now, names=names)
    print(render(doc, "json" if args.json else args.format), end="")
    for line in blameless_warnings(doc):
        print(f"warroom: blameless: {line}", file=sys.stderr)
    return 0


def _pir_check(ctx: Context, args: argparse.Namespace) -> int:
    from warroom.domain.blameless import known_people
    from warroom.domain.pir import action_problems, blame_blockers, pir_gaps

    service = ctx.service(read_only=True)
    state = service.state(args.id)
    gaps = pir_gaps(state)
    findings = blame_blockers(state, known_people(service.states().values(), service.policy))
    problems = action_problems(state)
    accepted = state.pir_accepted
    if args.json:
        print(json.dumps({"gaps": gaps, "blameless": [f._asdict() for f in findings],
                          "actions": problems, "accepted_findings": accepted}, indent=2))
    else:
        for gap in gaps:
            print(f"missing: {gap}")
        for f in findings:
            print(f"blameless: {f.field}: {f.phrase!r}: {f.suggestion}")
        for problem in problems:
            print(f"action: {problem}")
        if accepted:
            print(f"accepted findings: {len(accepted.get('findings', []))} by "
                  f"{accepted.get('by')} ({accepted.get('reason')})")
        if not gaps and not findings and not problems:
            print("complete, and blameless")
    return 3 if gaps or findings or problems else 0


def _action(ctx: Context, args: argparse.Namespace) -> int:
    from warroom.domain import post_commands as pc

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
    result = execute(ctx, args, command, read)
    if not args.json:
        print(result.get("action_id") or result["id"])
    return 0


def _actions(ctx: Context, args: argparse.Namespace) -> int:
    from warroom.domain.pir import list_actions

    service = ctx.service(read_only=True)
    rows = list_actions(service.states().values(), service.clock(), open_only=args.open)
    _print_rows(rows, args.json, _action_line, "no corrective actions")
    return 0


def _print_rows(rows: list[dict[str, Any]], as_json: bool, line: Callable[[dict[str, Any]], str],
                empty: str) -> None:
    """A listing verb's rows: as JSON, or a line each (`empty` when there are none)."""
    if as_json:
        print(json.dumps(rows, indent=2, default=str))
        return
    if not rows:
        print(empty)
    for row in rows:
        print(line(row))


def _short_time(iso: str | None) -> str:
    return iso[:16].replace("T", " ") if iso else ""


def _action_line(row: dict[str, Any]) -> str:
    from warroom.reports.pir_export import human_duration

    due = _short_time(row.get("due_at")) or "NO DUE DATE"
    owner = row.get("owner") or "NO OWNER"
    if row["status"] == "done":
        late = row.get("late_by_seconds")
        state = f"done {_short_time(row.get('completed_at'))}" + (
            f" (late by {human_duration(late)})" if late else " (on time)"
            if row.get("due_at") else "")
    elif row.get("overdue"):
        state = f"OVERDUE by {human_duration(row['late_by_seconds'] or 0)}"
    else:
        state = row["status"]
    return (f"{row['incident_id']:<9}{row['id']:<5}{due:<18}{owner:<14}{row['title']}  "
            f"[{state}]")


def _credit(ctx: Context, args: argparse.Namespace) -> int:
    from warroom.domain import post_commands as pc
    from warroom.domain.credits import credit_view

    if args.approve:
        result = execute(ctx, args, pc.CreditApprove(
            incident_id=args.id, amount=args.amount, percent=args.percent, reason=args.reason,
            over_cap=args.over_cap))
        if not args.json:
            print(f"{result['id']}: credit of {result['amount']:,.2f} approved")
        return 0
    service = ctx.service(read_only=True)
    view = credit_view(service.state(args.id), service.policy, service.clock())
    print(json.dumps(view, indent=2, default=str) if args.json else _credit_text(view))
    return 0


def _credit_text(view: dict[str, Any]) -> str:
    from warroom.reports.pir_export import human_duration

    lines = []
    s, approved = view.get("suggested"), view.get("approved")
    if s:
        state = "provisional, the breach is still growing" if s["provisional"] else "final"
        lines.append(f"suggested: {s['amount']:,.2f} ({s['percent']:g} % of the monthly fee "
                     f"{s['monthly_fee']:,.2f}; tier {s['tier']}; resolution late by "
                     f"{human_duration(s['breach_seconds'])}, {s['started_hours']} started h "
                     f"x {s['percent_per_hour']:g} %" + (f", capped at {s['cap_percent']:g} %"
                                                         if s["capped"] else "") + f"; {state})")
    else:
        lines.append("suggested: none (no credit policy for this customer's tier)")
    if approved:
        pct = approved.get("percent")
        share = f" ({pct:g} %)" if isinstance(pct, int | float) else ""
        lines.append(f"approved: {float(approved.get('amount') or 0):,.2f}{share} by "
                     f"{approved.get('approved_by')} at {_short_time(approved.get('approved_at'))}"
                     + (f"; reason: {approved['reason']}" if approved.get("reason") else "")
                     + (f"; over the cap: {approved['over_cap']}"
                        if approved.get("over_cap") else ""))
    else:
        lines.append("approved: not yet (`credit ID approve`)")
    return "\n".join(lines)


def _flag(ctx: Context, args: argparse.Namespace) -> int:
    from warroom.domain import post_commands as pc

    to = [t.strip() for t in args.to.split(",") if t.strip()]
    result = execute(ctx, args, pc.FlagPattern(pattern=args.pattern, to=to,
                                                incident_id=args.incident))
    if not args.json:
        print(f"{result['pattern']}: flagged to {', '.join(to)} (on {result['id']})")
    return 0


def _flags(ctx: Context, args: argparse.Namespace) -> int:
    from warroom.domain.recurrence import flag_events, flags_view

    service = ctx.service(read_only=True)
    states = service.states().values()
    rows = flags_view(states, flag_events(states), service.policy, service.clock(),
                      open_only=not args.all)
    _print_rows(rows, args.json, _flag_line, "no recurring patterns to flag")
    return 0


def _flag_line(row: dict[str, Any]) -> str:
    status = str(row["status"]).replace("_", " ").upper()
    when = (f"flagged {_short_time(str(row['flagged_at']))}" if row["flagged_at"]
            else f"due {_short_time(str(row['flag_due']))}")
    reached = ", ".join(sorted(row["reached"])) if row["reached"] else "nobody yet"
    return (f"{row['key']:<32}{status:<14}{when:<24}raised by {row['raised_by']} "
            f"(after {row['previous']}); reached: {reached}")


def _report(ctx: Context, args: argparse.Namespace) -> int:
    from warroom.domain.metrics import trends
    from warroom.domain.recurrence import flag_events
    from warroom.reports.trends import render

    service = ctx.service(read_only=True)
    now = service.clock()
    read = time_reader(now)
    states = service.states().values()
    data = trends(states, flag_events(states), service.policy, now,
                  read(args.since, "--since"), read(args.until, "--until"))
    fmt = args.format or ("json" if args.json else "md")
    print(render(data, fmt))
    return 0


def _import(ctx: Context, args: argparse.Namespace) -> int:
    from warroom.importers.statuspage import parse, to_events

    items = parse(args.file)  # every record checked first: a bad one writes nothing
    service = ctx.service()
    added = skipped = unresolved = 0
    for item in sorted(items, key=lambda i: (i.created_at, i.id)):
        def build(incident_id: str, item: Any = item) -> list[Any]:
            return to_events(item, incident_id, ctx.actor, service.clock())

        outcome = service.append_new_incident(item.key, build)
        skipped += outcome["duplicate"]
        added += not outcome["duplicate"]
        unresolved += not outcome["duplicate"] and item.resolution_time() is None
    summary = {"file": args.file, "incidents": len(items), "imported": added,
               "already_present": skipped, "unresolved_at_source": unresolved}
    still_open = (f"; {unresolved} still open at the source, imported closed without a "
                  "resolve time" if unresolved else "")
    print(json.dumps(summary, indent=2) if args.json else
          f"imported {added} of {len(items)} incidents ({skipped} already present{still_open})")
    return 0


_RUNNERS = {"pir": _pir, "action": _action, "actions": _actions, "credit": _credit,
            "flag": _flag, "flags": _flags, "report": _report, "import": _import}
