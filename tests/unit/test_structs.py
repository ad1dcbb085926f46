"""The msgspec helpers: copies, plain data, and trusted conversion (no user-facing wording)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from warroom.domain.models import Commitment, ImpactAssessment
from warroom.domain.structs import convert, dump, replace


def test_replace_copies_and_leaves_the_original() -> None:
    at = datetime(2026, 11, 24, tzinfo=UTC)
    made = Commitment(id="C1", text="RCA", owner="dana", due_at=at, made_at=at)
    later = replace(made, due_at=at + timedelta(hours=1))
    assert made.due_at == at and later.due_at == at + timedelta(hours=1)
    assert dump(later)["due_at"] == "2026-11-24T01:00:00Z"


def test_convert_reads_trusted_data_back_and_fails_loudly_on_a_mismatch() -> None:
    assessment = ImpactAssessment(affected=3, strategic=True)
    assert convert(dump(assessment), ImpactAssessment) == assessment
    assert convert({"affected": "3"}, ImpactAssessment, strict=False).affected == 3
    with pytest.raises(msgspec.ValidationError):
        convert({"affected": "many"}, ImpactAssessment)
