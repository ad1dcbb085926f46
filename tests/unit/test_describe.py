"""One describer for every event kind: the console's label and summary, the PIR's sentence."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import T0
from warroom.domain.describe import label, sentence, summary
from warroom.domain.models import Event, EventKind


def event(kind: EventKind, **payload: Any) -> Event:
    return Event(incident_id="ESC-1", kind=kind, actor="ana", occurred_at=T0, recorded_at=T0,
                 payload=payload)


@pytest.mark.parametrize("kind", list(EventKind))
def test_every_kind_has_its_own_label(kind: EventKind) -> None:
    text = label(event(kind))
    assert text.isupper() and len(text) <= 8
    assert "=" not in summary(event(kind))  # not the generic key=value fallback


@pytest.mark.parametrize(("kind", "payload", "line", "words"), [
    (EventKind.OPENED, {"title": "Checkout down", "customer": "Acme"}, "OPENED",
     "Escalation opened: Checkout down — Acme"),
    (EventKind.CLOSED, {}, "CLOSED", "Closed"),
    (EventKind.CLOCK_RESUMED, {}, "RESUMED", "Resolution clock resumed"),
    (EventKind.PIR_UPDATED, {"fields": {"whys": ["a"], "root_cause": "b"}}, "PIR",
     "PIR updated: root_cause, whys"),
    (EventKind.PIR_COMPLETED, {"on_close": True}, "PIR DONE", "PIR completed on close"),
    (EventKind.ACTION_ADDED, {"action_id": "A1", "title": "Add alert", "owner": "bo",
                              "due_at": "2026-11-30T09:00:00+00:00", "status": "open"},
     "ACTION", "Corrective action: A1 Add alert (owner bo, due 09:00 UTC)"),
    (EventKind.ACTION_UPDATED, {"action_id": "A1", "status": "in_progress"}, "ACTION",
     "Corrective action: A1 updated: status=in_progress"),
    (EventKind.ACTION_COMPLETED, {"action_id": "A1"}, "DONE", "Corrective action A1 done"),
    (EventKind.CREDIT_APPROVED, {"amount": 120.0, "percent": 10, "reason": "SLA"}, "CREDIT",
     "Service credit approved: 120.0 (10%)"),
    (EventKind.PATTERN_FLAGGED, {"pattern": "db/timeout", "to": ["sre", "dba"]}, "PATTERN",
     "Pattern flagged: db/timeout to sre, dba"),
])
def test_labels_and_sentences(kind: EventKind, payload: dict[str, Any], line: str,
                              words: str) -> None:
    assert label(event(kind, **payload)) == line
    assert sentence(event(kind, **payload)) == words
