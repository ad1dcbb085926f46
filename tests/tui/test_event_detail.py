"""The event detail speaks words: a sentence, readable times, `name: value` details."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from warroom.domain.models import Event, EventKind
from warroom.tui.screens.event import event_text

AT = datetime(2026, 11, 24, 10, 0, 0, 123456, tzinfo=UTC)


def test_detail_has_no_json_and_no_microsecond_stamps() -> None:
    event = Event(seq=7, incident_id="ESC-1", kind=EventKind.COMMITMENT_MADE, actor="dana",
                  occurred_at=AT, recorded_at=AT + timedelta(seconds=2),
                  payload={"commitment_id": "C2", "owner": "lee", "text": "RCA draft",
                           "due_at": "2026-11-26T10:00:00.654321+00:00", "source": "manual",
                           "late": False, "history": [], "extra": {"note_by": None}})
    text = event_text(event).plain
    first, second = text.splitlines()[:2]
    assert "C2" in first and "RCA draft" in first
    assert second == ("2026-11-24 10:00:00 UTC · by dana · event 7 · recorded "
                      "2026-11-24 10:00:02 UTC")
    assert "due at: 2026-11-26 10:00:00 UTC" in text
    assert "late: no" in text and "history: none" in text and "  note by: —" in text
    for internal in ("{", "}", ".123456", ".654321", "T10:", "due_at", "commitment_id="):
        assert internal not in text
