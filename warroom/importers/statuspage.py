"""Import Atlassian Statuspage (API v2) incident history as escalations.

Reads `{"page": {...}, "incidents": [...]}` (an `incidents.json`) or `{"page": {...},
"incident": {...}}` (one incident). Mapping:

- impact `critical` -> P0, `major` -> P1, `minor` and `none` -> P2 (impact assessment: critical
  and major -> outage, minor -> degraded, none -> minor);
- receipt = `created_at` (triaged at once: Statuspage incidents are published with an impact);
  resolved = `resolved_at`;
- every incident update becomes a customer update at its `display_at` (the time shown to
  customers; `created_at` if absent) in the phase of its status; `identified` and
  `monitoring` (and an `investigating` after them) also move the escalation to that phase;
  `postmortem` is a customer update in the resolved phase that changes nothing else;
- the component names (sorted, joined by ", ") become the `component` tag (falling back to the
  updates' affected components), the `category` tag is `statuspage` unless told otherwise;
- the page name is the customer.

`parse(path)` gives `ImportedIncident`s; `to_events(imported, incident_id, actor, recorded_at)`
gives the escalation's events (seq 0). Each incident has a deterministic key
`statuspage:<page id>:<incident id>`: appending with it as the idempotency key makes a second
import of the same incident a no-op. A malformed file raises `StatuspageError` whose message is
one line naming the file and the JSON path of the problem.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from warroom.domain.errors import InvalidInput
from warroom.domain.models import Audience, Event, EventKind, Impact, Phase, Severity
from warroom.domain.timeparse import TimeParseError, parse_iso

__all__ = [
    "DEFAULT_CATEGORY",
    "ImportedIncident",
    "ImportedUpdate",
    "StatuspageError",
    "parse",
    "parse_data",
    "to_events",
]

DEFAULT_CATEGORY = "statuspage"

SEVERITY = {"critical": Severity.P0, "major": Severity.P1, "minor": Severity.P2,
            "none": Severity.P2}
IMPACT = {"critical": Impact.OUTAGE, "major": Impact.OUTAGE, "minor": Impact.DEGRADED,
          "none": Impact.MINOR}
PHASE = {"investigating": Phase.INVESTIGATING, "identified": Phase.IDENTIFIED,
         "monitoring": Phase.MONITORING, "resolved": Phase.RESOLVED}
UPDATE_STATUSES = (*PHASE, "postmortem")
_MOVES = (Phase.INVESTIGATING, Phase.IDENTIFIED, Phase.MONITORING)


class StatuspageError(InvalidInput):
    """A file that is not Statuspage JSON as expected (exit 2). One line: file, path, problem."""

    def __init__(self, source: str, path: str, problem: str) -> None:
        super().__init__(source, f"{path}: {problem}" if path else problem)
        self.source = source
        self.path = path
        self.problem = problem


@dataclass(frozen=True)
class ImportedUpdate:
    """One Statuspage incident update."""

    id: str
    status: str
    body: str
    at: datetime
    """`display_at` (falls back to `created_at`)."""
    created_at: datetime

    @property
    def phase(self) -> Phase | None:
        """The phase it reports (None for a postmortem)."""
        return PHASE.get(self.status)


@dataclass(frozen=True)
class ImportedIncident:
    """One Statuspage incident, checked and typed."""

    page_id: str
    page_name: str
    id: str
    name: str
    status: str
    impact: str
    created_at: datetime
    resolved_at: datetime | None
    monitoring_at: datetime | None
    components: tuple[str, ...]
    updates: tuple[ImportedUpdate, ...] = field(default_factory=tuple)
    """In time order (oldest first)."""
    shortlink: str | None = None

    @property
    def severity(self) -> Severity:
        """P0/P1/P2 from the impact."""
        return SEVERITY[self.impact]

    @property
    def key(self) -> str:
        """Idempotency key: `statuspage:<page id>:<incident id>`."""
        return f"statuspage:{self.page_id}:{self.id}"


class _Reader:
    """Typed access to JSON values that reports the JSON path of any problem."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, problem: str) -> StatuspageError:
        return StatuspageError(self.source, path, problem)

    def obj(self, value: Any, path: str) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"expected an object, got {_kind(value)}")
        return value

    def get(self, obj: Mapping[str, Any], key: str, path: str) -> Any:
        if key not in obj:
            raise self.fail(path, f"missing key {key!r}")
        return obj[key]

    def text(self, obj: Mapping[str, Any], key: str, path: str, *, optional: bool = False,
             default: str | None = None) -> str | None:
        if optional and obj.get(key) is None:
            return default
        value = self.get(obj, key, path)
        if not isinstance(value, str):
            raise self.fail(f"{path}.{key}", f"expected a string, got {_kind(value)}")
        return value

    def req_text(self, obj: Mapping[str, Any], key: str, path: str) -> str:
        value = self.text(obj, key, path)
        assert value is not None
        if not value.strip():
            raise self.fail(f"{path}.{key}", "must not be empty")
        return value

    def time(self, obj: Mapping[str, Any], key: str, path: str, *, optional: bool = False
             ) -> datetime | None:
        raw = self.text(obj, key, path, optional=optional)
        if raw is None:
            return None
        try:
            return parse_iso(raw)
        except TimeParseError:
            raise self.fail(f"{path}.{key}", f"expected an ISO 8601 time, got {raw!r}") from None

    def array(self, value: Any, path: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(path, f"expected an array, got {_kind(value)}")
        return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def parse(path: str | Path) -> list[ImportedIncident]:
    """Read a Statuspage JSON file.

    Raises:
        StatuspageError: unreadable file, not JSON, or not the expected shape.
    """
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise StatuspageError(source, "", f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise StatuspageError(source, "", "not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StatuspageError(source, "", f"not JSON: {exc.msg} at line {exc.lineno} column "
                              f"{exc.colno}") from None
    return parse_data(data, source)


def parse_data(data: Any, source: str = "<data>") -> list[ImportedIncident]:
    """Check and type already-loaded Statuspage JSON (see `parse`)."""
    r = _Reader(source)
    root = r.obj(data, "$")
    page = r.obj(r.get(root, "page", "$"), "$.page")
    page_id = r.req_text(page, "id", "$.page")
    page_name = r.req_text(page, "name", "$.page")
    if "incidents" in root:
        items = r.array(root["incidents"], "$.incidents")
        paths = [f"$.incidents[{i}]" for i in range(len(items))]
    elif "incident" in root:
        items, paths = [root["incident"]], ["$.incident"]
    else:
        raise r.fail("$", "missing key 'incidents' (or 'incident')")
    out = []
    seen: dict[str, str] = {}
    for item, path in zip(items, paths, strict=True):
        incident = _incident(r, item, path, page_id, page_name)
        if incident.id in seen:
            raise r.fail(f"{path}.id", f"duplicate incident id {incident.id!r} "
                         f"(also at {seen[incident.id]})")
        seen[incident.id] = path
        out.append(incident)
    return out


def _incident(r: _Reader, item: Any, path: str, page_id: str, page_name: str
              ) -> ImportedIncident:
    obj = r.obj(item, path)
    incident_id = r.req_text(obj, "id", path)
    name = r.req_text(obj, "name", path)
    impact = r.text(obj, "impact", path)
    if impact not in SEVERITY:
        raise r.fail(f"{path}.impact", f"expected one of {', '.join(SEVERITY)}, got {impact!r}")
    created = r.time(obj, "created_at", path)
    assert created is not None
    resolved = r.time(obj, "resolved_at", path, optional=True)
    if resolved is not None and resolved < created:
        raise r.fail(f"{path}.resolved_at", "is before created_at")
    monitoring = r.time(obj, "monitoring_at", path, optional=True)
    status = r.text(obj, "status", path, optional=True, default="") or ""
    updates = []
    raw_updates = obj.get("incident_updates")
    affected: set[str] = set()
    if raw_updates is not None:
        for i, raw in enumerate(r.array(raw_updates, f"{path}.incident_updates")):
            upath = f"{path}.incident_updates[{i}]"
            update, names = _update(r, raw, upath)
            updates.append((update, i))
            affected |= names
    updates.sort(key=lambda pair: (pair[0].at, pair[0].created_at, -pair[1]))
    components = []
    raw_components = obj.get("components")
    if raw_components is not None:
        for i, comp in enumerate(r.array(raw_components, f"{path}.components")):
            cpath = f"{path}.components[{i}]"
            components.append(r.req_text(r.obj(comp, cpath), "name", cpath).strip())
    component_names = sorted(set(components)) or sorted(affected)
    shortlink = obj.get("shortlink") if isinstance(obj.get("shortlink"), str) else None
    return ImportedIncident(
        page_id=page_id, page_name=page_name, id=incident_id, name=name.strip(), status=status,
        impact=impact, created_at=created, resolved_at=resolved, monitoring_at=monitoring,
        components=tuple(component_names), updates=tuple(u for u, _ in updates),
        shortlink=shortlink,
    )


def _update(r: _Reader, raw: Any, path: str) -> tuple[ImportedUpdate, set[str]]:
    obj = r.obj(raw, path)
    status = r.text(obj, "status", path)
    if status not in UPDATE_STATUSES:
        raise r.fail(f"{path}.status", f"expected one of {', '.join(UPDATE_STATUSES)}, "
                     f"got {status!r}")
    created = r.time(obj, "created_at", path)
    assert created is not None
    display = r.time(obj, "display_at", path, optional=True) or created
    body = r.text(obj, "body", path, optional=True, default="") or ""
    update_id = r.text(obj, "id", path, optional=True, default="") or ""
    names: set[str] = set()
    affected = obj.get("affected_components")
    if isinstance(affected, list):
        names = {a["name"].strip() for a in affected
                 if isinstance(a, dict) and isinstance(a.get("name"), str) and a["name"].strip()}
    return ImportedUpdate(update_id, status, body.strip(), display, created), names


def to_events(
    imported: ImportedIncident,
    incident_id: str,
    actor: str,
    recorded_at: datetime,
    *,
    category: str = DEFAULT_CATEGORY,
) -> list[Event]:
    """The events (seq 0, in fold order) that recreate one incident as escalation `incident_id`.

    Args:
        imported: a parsed incident.
        incident_id: the escalation id the service allocated (e.g. `ESC-12`).
        actor: who imports (becomes the incident commander).
        recorded_at: the store time to stamp on every event.
        category: the `category` tag, so the incident forms recurrence patterns.
    """
    def event(kind: EventKind, at: datetime, **payload: Any) -> Event:
        return Event(incident_id=incident_id, kind=kind, actor=actor, occurred_at=at,
                     recorded_at=recorded_at, payload=payload)

    assessment = {"impact": IMPACT[imported.impact].value, "affected": 0, "strategic": False,
                  "data_loss": False, "business_risk": ""}
    tags = {"category": category} if category else {}
    if imported.components:
        tags["component"] = ", ".join(imported.components)
    source = {"system": "statuspage", "page_id": imported.page_id, "incident_id": imported.id,
              "impact": imported.impact, "shortlink": imported.shortlink, "key": imported.key}
    created = imported.created_at
    events = [
        event(EventKind.OPENED, created, title=imported.name, customer=imported.page_name,
              assessment=assessment, tags=tags, source=source),
        event(EventKind.TRIAGED, created, severity=imported.severity.value,
              assessment=assessment, reason=f"imported from Statuspage (impact {imported.impact})",
              rule="statuspage", suggested=imported.severity.value),
    ]
    timed: list[tuple[datetime, int, Event]] = []
    phase = Phase.INVESTIGATING
    resolved_at = imported.resolved_at
    if resolved_at is None and imported.status == "resolved":
        resolved_at = next((u.at for u in reversed(imported.updates) if u.status == "resolved"),
                           None)
    steps: list[tuple[datetime, int, ImportedUpdate | None]] = [
        (u.at, i, u) for i, u in enumerate(imported.updates)]
    if imported.monitoring_at is not None and not any(
            u.status == "monitoring" for u in imported.updates):
        steps.append((imported.monitoring_at, -1, None))
        steps.sort(key=lambda t: (t[0], t[1]))
    order = 0
    for at, _, update in steps:
        target = update.phase if update is not None else Phase.MONITORING
        if target in _MOVES and target is not phase and (resolved_at is None
                                                          or at < resolved_at):
            timed.append((at, order, event(EventKind.PHASE_CHANGED, at, phase=target.value,
                                           previous=phase.value)))
            order += 1
            phase = target
        if update is None:
            continue
        shown = target if target is not None else (
            Phase.RESOLVED if resolved_at is not None and at >= resolved_at else phase)
        timed.append((at, order, event(
            EventKind.UPDATE_POSTED, at, audience=Audience.CUSTOMER.value,
            phase=shown.value, body=update.body or f"({update.status})",
            source_status=update.status, source_id=update.id)))
        order += 1
    if resolved_at is not None:
        last_body = next((u.body for u in reversed(imported.updates)
                          if u.status == "resolved" and u.body), "")
        summary = last_body or "Resolved (imported from Statuspage)"
        # After the update posted at the same instant, before any later postmortem.
        timed.append((resolved_at, order, event(EventKind.RESOLVED, resolved_at,
                                                summary=summary)))
    timed.sort(key=lambda t: (t[0], _rank(t[2]), t[1]))
    return events + [e for _, _, e in timed]


def _rank(event: Event) -> int:
    if event.kind is EventKind.PHASE_CHANGED:
        return 0
    if event.kind is EventKind.UPDATE_POSTED:
        return 1 if event.payload.get("source_status") != "postmortem" else 3
    return 2


def import_summary(imported: Sequence[ImportedIncident]) -> dict[str, Any]:
    """Counts for a parsed file: incidents, by severity, resolved."""
    by_sev = {s.value: 0 for s in Severity}
    for i in imported:
        by_sev[i.severity.value] += 1
    return {"incidents": len(imported), "by_severity": by_sev,
            "resolved": sum(1 for i in imported if i.resolved_at is not None)}
