"""Checked conversion of plain data into records: paths name dict keys, problems read plainly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

import msgspec
import pytest

from warroom.domain.models import Commitment, Severity
from warroom.domain.structs import Invalid, convert, dump, replace


class Rule(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1)]
    limit: Annotated[int, msgspec.Meta(ge=0, le=10)] = 0
    mode: Literal["fast", "slow"] = "fast"


class Layout(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    levels: dict[Severity, Rule] = msgspec.field(default_factory=dict)
    rules: list[Rule] = msgspec.field(default_factory=list)
    window: timedelta = timedelta(minutes=5)


def problem(data: object) -> Invalid:
    with pytest.raises(Invalid) as caught:
        convert(data, Layout)
    return caught.value


def test_a_dict_key_is_named_in_the_path() -> None:
    err = problem({"levels": {"P0": {"name": "a"}, "P1": {"name": "b", "limit": 11}}})
    assert err.path == ("levels", "P1", "limit")
    assert err.problem == "must be at most 10"
    assert err.value == 11
    assert str(err) == "levels.P1.limit: must be at most 10"


def test_list_positions_are_zero_based_in_the_path() -> None:
    err = problem({"rules": [{"name": "a"}, {"name": ""}]})
    assert (err.path, err.problem) == (("rules", 1, "name"), "must not be empty")


def test_unknown_key_lists_the_keys_the_table_has() -> None:
    err = problem({"rules": [{"name": "a", "limt": 3}]})
    assert err.kind == "unknown" and err.path == ("rules", 0, "limt")
    assert err.allowed == ("name", "limit", "mode")


def test_missing_key_is_named() -> None:
    err = problem({"levels": {"P2": {"limit": 1}}})
    assert (err.kind, err.path, err.problem) == ("missing", ("levels", "P2", "name"), "required")


def test_bad_dict_key_lists_the_choices() -> None:
    err = problem({"levels": {"P7": {"name": "a"}}})
    assert err.kind == "key" and err.path == ("levels", "P7")
    assert err.problem == "bad key: must be 'P0', 'P1' or 'P2' (got 'P7')"


def test_literal_choices_and_type_mismatch_read_plainly() -> None:
    assert problem({"rules": [{"name": "a", "mode": "warp"}]}).problem == \
        "must be 'fast' or 'slow' (got 'warp')"
    assert problem({"rules": [{"name": 3}]}).problem == "expected str, got int"


def test_lax_conversion_reads_numbers_spelled_as_text() -> None:
    assert convert({"name": "a", "limit": "4"}, Rule, strict=False).limit == 4
    with pytest.raises(Invalid):
        convert({"name": "a", "limit": "4"}, Rule)


def test_replace_copies_and_leaves_the_original() -> None:
    at = datetime(2026, 11, 24, tzinfo=UTC)
    made = Commitment(id="C1", text="RCA", owner="dana", due_at=at, made_at=at)
    later = replace(made, due_at=at + timedelta(hours=1))
    assert made.due_at == at and later.due_at == at + timedelta(hours=1)
    assert dump(later)["due_at"] == "2026-11-24T01:00:00Z"
