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
- the page name is the customer;
- every escalation arrives closed (after its last event) and carries its `source` on `opened`
  (`{"system": "statuspage", ...}`): imported history stays off the live board and owes no PIR.
- a record still open at the source (no `resolved_at`, status not resolved) arrives closed too,
  unresolved: no resolve time (so outside MTTR), `source.unresolved` true with the source's
  `status`, and its clocks stand as they were when it closed (see docs/architecture.md for why
  it is not rejected).

A record whose status is resolved but has neither `resolved_at` nor a resolved update is rejected
(naming the incident id) rather than imported as a live escalation. Every record is checked
(with pydantic models) before any is returned.

`parse(path)` gives `ImportedIncident`s; `to_events(imported, incident_id, actor, recorded_at)`
gives the escalation's events (seq 0). Each incident has a deterministic key
`statuspage:<page id>:<incident id>`: appending with it as the idempotency key makes a second
import of the same incident a no-op. A malformed file raises `StatuspageError` whose message is
one line naming the file and where the problem is (`incidents[3].impact`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from warroom.domain.errors import InvalidInput
from warroom.domain.models import Audience, Event, EventKind, Impact, Phase, Severity
from warroom.domain.timeparse import TimeParseError, parse_iso
from warroom.domain.validation import first_problem

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

    def resolution_time(self) -> datetime | None:
        """`resolved_at`, else (status resolved) the last resolved update's time, else None."""
        if self.resolved_at is not None:
            return self.resolved_at
        if self.status != "resolved":
            return None
        return next((u.at for u in reversed(self.updates) if u.status == "resolved"), None)


def _time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("time", "expected an ISO 8601 time")
    try:
        return parse_iso(value)
    except TimeParseError:
        raise PydanticCustomError("time", "expected an ISO 8601 time") from None


def _text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


Time = Annotated[datetime, BeforeValidator(_time)]
Text = Annotated[str, BeforeValidator(_text), StringConstraints(min_length=1)]
"""A string that is not blank (stripped)."""


class _Model(BaseModel):
    """Statuspage sends many keys we do not read: they are ignored, not refused."""

    model_config = ConfigDict(extra="ignore", strict=False)


class _Named(_Model):
    name: Text


class _Affected(_Model):
    name: str | None = None


class _Update(_Model):
    id: str = ""
    status: Literal["investigating", "identified", "monitoring", "resolved", "postmortem"]
    body: str | None = ""
    created_at: Time
    display_at: Time | None = None
    affected_components: list[_Affected | Any] | None = None


class _Incident(_Model):
    id: Text
    name: Text
    status: str | None = ""
    impact: Literal["critical", "major", "minor", "none"]
    created_at: Time
    resolved_at: Time | None = None
    monitoring_at: Time | None = None
    incident_updates: list[_Update] | None = None
    components: list[_Named] | None = None
    shortlink: str | None = None

    @model_validator(mode="after")
    def _resolved_after_created(self) -> _Incident:
        if self.resolved_at is not None and self.resolved_at < self.created_at:
            raise PydanticCustomError("order", "resolved_at is before created_at")
        return self


class _Page(_Model):
    id: Text
    name: Text


class _File(_Model):
    page: _Page
    incidents: list[_Incident] | None = None
    incident: _Incident | None = None


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
    """Check and type already-loaded Statuspage JSON (see `parse`). Every record is checked
    before any is returned, so an importer that writes only after `parse` writes nothing when
    one record is bad.

    Raises:
        StatuspageError: naming the file, the location (`incidents[3].impact`) and the problem;
            a resolved record with no resolution time names its incident id.
    """
    if not isinstance(data, dict):
        raise StatuspageError(source, "", f"expected an object, got {_kind(data)}")
    try:
        parsed = _File.model_validate(data)
    except ValidationError as exc:
        where, problem = first_problem(exc)
        raise StatuspageError(source, where, problem) from None
    if parsed.incidents is not None:
        items, paths = parsed.incidents, [f"incidents[{i}]" for i in range(len(parsed.incidents))]
    elif parsed.incident is not None:
        items, paths = [parsed.incident], ["incident"]
    else:
        raise StatuspageError(source, "", "missing key 'incidents' (or 'incident')")
    out = []
    seen: dict[str, str] = {}
    for item, path in zip(items, paths, strict=True):
        if item.id in seen:
            raise StatuspageError(source, f"{path}.id", f"duplicate incident id {item.id!r} "
                                  f"(also at {seen[item.id]})")
        seen[item.id] = path
        incident = _incident(item, parsed.page)
        if incident.status == "resolved" and incident.resolution_time() is None:
            raise StatuspageError(source, path, f"incident {item.id} has status resolved but "
                                  "no resolved_at and no resolved update")
        out.append(incident)
    return out


def _incident(item: _Incident, page: _Page) -> ImportedIncident:
    updates = []
    affected: set[str] = set()
    for i, raw in enumerate(item.incident_updates or []):
        updates.append((ImportedUpdate(raw.id, raw.status, (raw.body or "").strip(),
                                       raw.display_at or raw.created_at, raw.created_at), i))
        affected |= {a.name.strip() for a in raw.affected_components or []
                     if isinstance(a, _Affected) and a.name and a.name.strip()}
    updates.sort(key=lambda pair: (pair[0].at, pair[0].created_at, -pair[1]))
    components = sorted({c.name for c in item.components or []}) or sorted(affected)
    return ImportedIncident(
        page_id=page.id, page_name=page.name, id=item.id, name=item.name,
        status=item.status or "", impact=item.impact, created_at=item.created_at,
        resolved_at=item.resolved_at, monitoring_at=item.monitoring_at,
        components=tuple(components), updates=tuple(u for u, _ in updates),
        shortlink=item.shortlink,
    )


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
    resolved_at = imported.resolution_time()
    source: dict[str, Any] = {
        "system": "statuspage", "page_id": imported.page_id, "incident_id": imported.id,
        "impact": imported.impact, "shortlink": imported.shortlink, "key": imported.key}
    if resolved_at is None:
        source |= {"unresolved": True, "status": imported.status or "investigating"}
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
    out = events + [e for _, _, e in timed]
    # History arrives closed, after its last event (a postmortem may follow resolution); one
    # still open at the source is closed unresolved: we know nothing after its last update.
    closed = {} if resolved_at is not None else {"unresolved_at_source": True}
    out.append(event(EventKind.CLOSED, max(e.occurred_at for e in out), **closed))
    return out


def _rank(event: Event) -> int:
    if event.kind is EventKind.PHASE_CHANGED:
        return 0
    if event.kind is EventKind.UPDATE_POSTED:
        return 1 if event.payload.get("source_status") != "postmortem" else 3
    return 2
