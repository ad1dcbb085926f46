"""Property test of the command decoder: any JSON-like input gives a command or `InvalidInput`
naming a field (nothing else escapes), and a decoded command with a naive time is refused by
the service, naming the field, before it is decided."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.unit.test_input_properties import TIMES
from warroom.domain import commands as c
from warroom.domain.errors import InvalidInput
from warroom.domain.models import Audience, Milestone
from warroom.service import require_aware_times

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30) | TIMES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                 max_size=4),
    max_leaves=12,
)
SAMPLES: list[Any] = [
    c.Open(title="t", customer="c"), c.Note(incident_id="ESC-1", text="x"),
    c.PostUpdate(incident_id="ESC-1", audience=Audience.CUSTOMER, body="b", next_update_at=NOW),
    c.MakeCommitment(incident_id="ESC-1", text="t", due_at=NOW),
    c.EditMilestone(incident_id="ESC-1", milestone=Milestone.RECEIVED, new_time=NOW,
                    reason="r"),
    c.Triage(incident_id="ESC-1", reason="r", affected=3),
    c.SetTags(incident_id="ESC-1", tags={"component": "db"}),
]
TEMPLATES = [s.model_dump(mode="json") for s in SAMPLES]


@st.composite
def command_like(draw: st.DrawFn) -> Any:
    """A real command's fields with some values replaced, removed or added."""
    base = dict(draw(st.sampled_from(TEMPLATES)))
    for key in draw(st.lists(st.sampled_from([*base, "at", "type", "extra"]), max_size=3)):
        if draw(st.booleans()):
            base[key] = draw(JSON)
        else:
            base.pop(key, None)
    return base


@given(data=st.one_of(command_like(), JSON))
@example(data={"incident_id": "ESC-1", "tags": {"\n": None}, "type": "tag"})  # found once
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_command_decoder_returns_a_command_or_invalid_input(data: Any) -> None:
    try:
        command = c.parse_command(data)
    except InvalidInput as exc:
        assert exc.field and "\n" not in str(exc) and exc.exit_code == 2
        return
    naive = [name for name in type(command).model_fields
             if isinstance(getattr(command, name), datetime)
             and getattr(command, name).tzinfo is None]
    if naive:
        with pytest.raises(InvalidInput) as refused:
            require_aware_times(command)
        assert refused.value.field in naive
    else:
        require_aware_times(command)
