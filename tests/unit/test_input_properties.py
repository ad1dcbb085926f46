"""Property tests of the CLI's time parser: any input gives an aware time or its documented
error, nothing else."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warroom.cli.verbs import time_reader
from warroom.domain.errors import InvalidInput
from warroom.domain.timeparse import TimeParseError, parse_duration, parse_time

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
UNITS = st.sampled_from("dhms")
NUMBERS = st.one_of(st.integers(0, 10**30).map(str), st.text("0123456789", min_size=1))
RELATIVE = st.builds(lambda sign, parts: sign + "".join(n + u for n, u in parts),
                     st.sampled_from(["-", "+", " -", "- "]),
                     st.lists(st.tuples(NUMBERS, UNITS), min_size=1, max_size=4))
ISOISH = st.one_of(
    st.datetimes(timezones=st.none() | st.timezones()).map(datetime.isoformat),
    st.from_regex(r"\A[0-9]{1,5}-[0-9]{1,2}-[0-9]{1,2}(T[0-9:.]{0,15})?(Z|[+-][0-9:]{1,6})?\Z"),
)
TIMES = st.one_of(st.text(), RELATIVE, ISOISH, st.just("now"), NUMBERS)
NOWS = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                    timezones=st.just(UTC))


@given(text=TIMES, now=NOWS)
@settings(max_examples=800, suppress_health_check=[HealthCheck.too_slow])
def test_time_parser_returns_an_aware_time_or_a_parse_error(text: str, now: datetime) -> None:
    try:
        value = parse_time(text, now)
    except TimeParseError as exc:
        assert "\n" not in str(exc)
        return
    assert value.tzinfo is not None and value.utcoffset() == timedelta(0)


@given(text=st.one_of(st.text(), NUMBERS, RELATIVE.map(lambda r: r.strip(" +-"))))
@settings(max_examples=500)
def test_duration_parser_returns_a_duration_or_a_parse_error(text: str) -> None:
    with contextlib.suppress(TimeParseError):
        assert isinstance(parse_duration(text), timedelta)


@given(text=TIMES)
@settings(max_examples=300)
def test_cli_time_options_fail_as_invalid_input_naming_the_option(text: str) -> None:
    try:
        time_reader(NOW)(text, "--at")
    except InvalidInput as exc:
        assert exc.field == "--at" and exc.exit_code == 2
